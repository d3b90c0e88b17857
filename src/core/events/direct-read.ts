/**
 * Reading a live stream without a promise per value (docs/architecture.md, "Live path", 5).
 *
 * A live event reaches a subscriber's socket through a chain of iterators: its stream
 * (waiting-stream.ts), the feed's rights and payload (`mapStream`, rights-feed.ts), the shared
 * execution (shared-execution.ts; fused with the feed's map into one link, see `mapStream`) and the
 * frame writer (live-frames.ts). Read with `next()`, each
 * link costs a promise and a turn of the microtask queue per value — four or more per subscriber
 * and event, each tracked by the process's async hooks and collected by the young generation —
 * which a fan-out to 10,000 subscribers pays 10,000 times although every value is ready at once.
 *
 * A {@link DirectIterator} also answers `read(take, fail)`: it calls `take` with the next result as
 * soon as it has one, synchronously when it is ready now. A live event handed to a waiting reader
 * then goes from the fan-out's `deliver` through the whole chain to the socket write in one call.
 * Where a link must wait (an event's shared read has not answered yet, rights being re-checked, a
 * replay query, a slow socket), it calls `take` later: the order of a stream's values and every
 * decision on them are the same either way, only fewer promises are made.
 *
 * @module
 */

/** Receives the next result of a {@link DirectIterator}. */
export type Take<T> = (result: IteratorResult<T>) => void;
/** Receives the error that ends a {@link DirectIterator}. */
export type Fail = (error: unknown) => void;

/** An async iterator that can also hand its next result to a callback. */
export interface DirectIterator<T> extends AsyncIterator<T> {
  /**
   * Asks for the next result: exactly one of `take` and `fail` is called once, synchronously when
   * the result is ready now, else later. One read (or `next()`) at a time. The callbacks must not
   * throw: they run inside the caller of whoever produced the value (e.g. the fan-out's loop).
   */
  read(take: Take<T>, fail: Fail): void;
}

function isDirect<T>(iterator: AsyncIterator<T>): iterator is DirectIterator<T> {
  return typeof (iterator as Partial<DirectIterator<T>>).read === 'function';
}

/** Reads the next result of any async iterator: directly when it can, else through `next()`. */
export function readFrom<T>(iterator: AsyncIterator<T>, take: Take<T>, fail: Fail): void {
  if (isDirect(iterator)) iterator.read(take, fail);
  else iterator.next().then(take, fail);
}

/**
 * Calls `read` again each time it asks to, without growing the stack: a source that answers
 * synchronously value after value (a replayed batch, events a reader had buffered, values the
 * reader drops) is read in a loop, not by recursion.
 */
export class ReadLoop {
  private running = false;
  private again = false;

  constructor(private readonly read: () => void) {}

  /** Reads once more: now, or as the loop's next round when called from inside a read. */
  request(): void {
    this.again = true;
    if (this.running) return;
    this.running = true;
    try {
      while (this.again) {
        this.again = false;
        this.read();
      }
    } finally {
      this.running = false;
    }
  }
}
