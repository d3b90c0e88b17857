import { isThenable, type MaybePromise } from './settling.js';

const DONE = { done: true, value: undefined } as const;

/**
 * Maps an event stream through an async function, dropping `null` results, as an iterator
 * whose `return()` reaches the source at once. (An async generator's `return()` waits until the
 * generator next yields, which for an idle subscriber is never: the source would stay subscribed.
 * A generator also costs three promise turns per value, paid by every subscriber of an event.)
 *
 * When `map` throws, the source is closed before the error goes on: graphql-ws ends the
 * subscription on the error without calling `return()`. `onEnd` runs once, however it ends.
 * `translateError` may replace the error the consumer sees (the source's or `map`'s). A `map` that
 * has its value at once may return it without a promise: it is then not awaited (settling.ts).
 */
export function mapStream<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => MaybePromise<U | null>,
  onEnd?: () => void,
  translateError: (error: unknown) => unknown = (error) => error,
): AsyncIterableIterator<U> {
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await source.return?.();
    onEnd?.();
  };
  return {
    async next(): Promise<IteratorResult<U>> {
      try {
        for (;;) {
          const step = await source.next();
          if (step.done) {
            await end();
            return DONE;
          }
          let mapped = map(step.value);
          if (isThenable(mapped)) mapped = await mapped;
          if (mapped !== null) return { done: false, value: mapped };
        }
      } catch (error) {
        await end();
        throw translateError(error);
      }
    },
    async return() {
      await end();
      return DONE;
    },
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
