import type { DirectIterator, Fail, Take } from './direct-read.js';
import type { FeedEvent } from './match-index.js';
import { isThenable } from './settling.js';

/** A live feed's stream of events that can be ended with an error (a subscriber's rights ended). */
export interface EndableStream extends AsyncIterator<FeedEvent> {
  end(error: unknown): void;
}

const DONE: IteratorResult<FeedEvent> = { done: true, value: undefined };

/**
 * What every live subscriber's stream shares: a reader that waits in `next()` is handed the next
 * event directly (an async generator would cost three promise turns per event and subscriber, which
 * thousands of subscribers of one event pay at once), one `next()` at a time as `for await` reads,
 * and an end either quiet (`return`, unsubscribing) or with an error the reader sees once (`end`).
 *
 * A reader may also `read(take, fail)` (direct-read.ts): a live event handed to a waiting reader
 * is then handed on inside `deliver`, synchronously, without a promise.
 *
 * A subclass says what is ready to read (`pull`), hands live events to a waiting reader
 * (`handToWaiter`), and releases what it holds when closed (`onClose`).
 */
export abstract class WaitingStream
  implements EndableStream, DirectIterator<FeedEvent>, AsyncIterableIterator<FeedEvent>
{
  private closed = false;
  /** The reader's pending read, when it waits for a live event. */
  private waiter: Take<FeedEvent> | null = null;
  /** Fails the pending read (see `end`). */
  private failWaiter: Fail | null = null;
  /** Why the stream was ended, if with an error: the next `next()` rejects with it, once. */
  private failure: unknown = null;

  /**
   * The next result if one is ready now, else undefined: wait. While it is being read from the
   * table, its promise; a promise of undefined means read again once it has settled.
   */
  protected abstract pull():
    IteratorResult<FeedEvent> | Promise<IteratorResult<FeedEvent> | undefined> | undefined;

  /** Leaves the match index and drops what is held; called once, on close. */
  protected abstract onClose(): void;

  protected get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the reader waits in `next()` for a live event. */
  protected get readerWaits(): boolean {
    return this.waiter !== null;
  }

  /**
   * Hands `event` to the waiting reader (call only when `readerWaits`), which may carry it on
   * synchronously, as far as its socket, and read again before this returns.
   */
  protected handToWaiter(event: FeedEvent): void {
    const waiter = this.waiter!;
    this.waiter = null;
    this.failWaiter = null;
    waiter({ done: false, value: event });
  }

  /** What a read answers once closed: done, or the error it was ended with (once). */
  protected closedResult(): Promise<IteratorResult<FeedEvent>> {
    return new Promise((resolve, reject) => this.readClosed(resolve, reject));
  }

  private readClosed(take: Take<FeedEvent>, fail: Fail): void {
    if (this.failure === null) return take(DONE);
    const failure = this.failure;
    this.failure = null;
    fail(failure);
  }

  next(): Promise<IteratorResult<FeedEvent>> {
    return new Promise((resolve, reject) => this.read(resolve, reject));
  }

  read(take: Take<FeedEvent>, fail: Fail): void {
    if (this.waiter) return fail(new Error(`${this.constructor.name}: one next() at a time`));
    if (this.closed) return this.readClosed(take, fail);
    const ready = this.pull();
    if (ready === undefined) {
      this.waiter = take;
      this.failWaiter = fail;
    } else if (isThenable(ready))
      ready.then((result) => (result ? take(result) : this.read(take, fail)), fail);
    else take(ready);
  }

  /**
   * Ends the stream with `error`: the reader's pending or next `next()` rejects with it, once, and
   * nothing more is delivered (the subscriber's rights ended, see src/core/rights/).
   */
  end(error: unknown): void {
    if (this.closed) return;
    const fail = this.failWaiter;
    this.waiter = null;
    this.failWaiter = null;
    if (!fail) this.failure = error;
    this.close();
    fail?.(error);
  }

  /** Called by graphql-ws when the client unsubscribes or the socket closes. */
  async return(): Promise<IteratorResult<FeedEvent>> {
    this.close();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<FeedEvent>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream; a pending `next()` resolves as done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    const waiter = this.waiter;
    this.waiter = null;
    this.failWaiter = null;
    waiter?.(DONE);
  }
}
