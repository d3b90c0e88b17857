import { ReadLoop, readFrom, type DirectIterator, type Fail, type Take } from './direct-read.js';
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
 *
 * Read with `read` (direct-read.ts), a value the source hands over synchronously and `map` maps
 * synchronously goes on to the reader in the same call, without a promise.
 */
export function mapStream<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => MaybePromise<U | null>,
  onEnd?: () => void,
  translateError: (error: unknown) => unknown = (error) => error,
): DirectIterator<U> & AsyncIterableIterator<U> {
  return new MappedStream(source, map, onEnd, translateError);
}

class MappedStream<T, U> implements DirectIterator<U>, AsyncIterableIterator<U> {
  private ended = false;
  /** The reader's pending read. */
  private take: Take<U> | null = null;
  private fail: Fail | null = null;
  /** Reads the source until a value is not dropped (made once: a read allocates nothing). */
  private readonly loop = new ReadLoop(() => readFrom(this.source, this.onStep, this.onError));

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly map: (value: T) => MaybePromise<U | null>,
    private readonly onEnd: (() => void) | undefined,
    private readonly translateError: (error: unknown) => unknown,
  ) {}

  read(take: Take<U>, fail: Fail): void {
    if (this.take) return fail(new Error('mapStream: one next() at a time'));
    this.take = take;
    this.fail = fail;
    this.loop.request();
  }

  next(): Promise<IteratorResult<U>> {
    return new Promise((resolve, reject) => this.read(resolve, reject));
  }

  async return(): Promise<IteratorResult<U>> {
    await this.end();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<U>> {
    await this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly onStep = (step: IteratorResult<T>): void => {
    if (step.done) {
      this.end().then(() => this.give(DONE), this.onError);
      return;
    }
    let mapped: MaybePromise<U | null>;
    try {
      mapped = this.map(step.value);
    } catch (error) {
      this.onError(error);
      return;
    }
    if (isThenable(mapped)) mapped.then(this.onMapped, this.onError);
    else this.onMapped(mapped);
  };

  private readonly onMapped = (mapped: U | null): void => {
    if (mapped === null) this.loop.request();
    else this.give({ done: false, value: mapped });
  };

  private readonly onError = (error: unknown): void => {
    const fail = () => this.failWith(this.translateError(error));
    this.end().then(fail, fail);
  };

  private give(result: IteratorResult<U>): void {
    const take = this.take;
    this.take = null;
    this.fail = null;
    take?.(result);
  }

  private failWith(error: unknown): void {
    const fail = this.fail;
    this.take = null;
    this.fail = null;
    fail?.(error);
  }

  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.return?.();
    this.onEnd?.();
  }
}
