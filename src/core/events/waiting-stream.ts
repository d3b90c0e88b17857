import type { FeedEvent } from './match-index.js';

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
 * A subclass says what is ready to read (`pull`), hands live events to a waiting reader
 * (`handToWaiter`), and releases what it holds when closed (`onClose`).
 */
export abstract class WaitingStream implements EndableStream, AsyncIterableIterator<FeedEvent> {
  private closed = false;
  /** The reader's pending `next()`, when it waits for a live event. */
  private waiter: ((result: IteratorResult<FeedEvent>) => void) | null = null;
  /** Rejects the pending `next()` (see `end`). */
  private failWaiter: ((error: unknown) => void) | null = null;
  /** Why the stream was ended, if with an error: the next `next()` rejects with it, once. */
  private failure: unknown = null;

  /** The next result if one is ready now (or being read from the table), else undefined: wait. */
  protected abstract pull(): Promise<IteratorResult<FeedEvent>> | undefined;

  /** Leaves the match index and drops what is held; called once, on close. */
  protected abstract onClose(): void;

  protected get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the reader waits in `next()` for a live event. */
  protected get readerWaits(): boolean {
    return this.waiter !== null;
  }

  /** Hands `event` to the waiting reader (call only when `readerWaits`). */
  protected handToWaiter(event: FeedEvent): void {
    const waiter = this.waiter!;
    this.waiter = null;
    this.failWaiter = null;
    waiter({ done: false, value: event });
  }

  /** What `next()` answers once closed: done, or the error it was ended with (once). */
  protected closedResult(): Promise<IteratorResult<FeedEvent>> {
    if (this.failure === null) return Promise.resolve(DONE);
    const failure = this.failure;
    this.failure = null;
    return Promise.reject(failure);
  }

  next(): Promise<IteratorResult<FeedEvent>> {
    if (this.waiter) return Promise.reject(new Error(`${this.constructor.name}: one next() at a time`));
    if (this.closed) return this.closedResult();
    const ready = this.pull();
    if (ready) return ready;
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
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
