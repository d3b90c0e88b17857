/**
 * Maps a closable event stream through an async function, dropping `null` results, as an iterator
 * whose `return()` reaches the source at once. (An async generator's `return()` waits until the
 * generator next yields, which for an idle subscriber is never: the source would stay subscribed.)
 */
export function mapStream<T, U>(
  source: AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> },
  map: (value: T) => Promise<U | null>,
): AsyncIterableIterator<U> {
  async function* run(): AsyncGenerator<U> {
    for await (const value of source) {
      const mapped = await map(value);
      if (mapped !== null) yield mapped;
    }
  }
  const mapped = run();
  return {
    next: () => mapped.next(),
    async return() {
      await source.return();
      return mapped.return(undefined);
    },
    async throw(error?: unknown) {
      await source.return();
      return mapped.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
