import type { FeedEvent, IndexedSubscriber, MatchIndex, MatchSpec } from './match-index.js';

/** Reads matching events with `seq > after` from the table, oldest first, at most `limit`. */
export type ReadEvents = (spec: MatchSpec, after: number, limit: number) => Promise<FeedEvent[]>;

export interface SubscriberStreamOptions {
  index: MatchIndex;
  spec: MatchSpec;
  /** The cursor: events with a greater seq are delivered, each once, in order. */
  after: number;
  read: ReadEvents;
  /** Live events held for a subscriber that has not read them yet; beyond, it replays from the table. */
  bufferSize?: number;
  /** Rows per replay query. */
  batchSize?: number;
}

/** A live feed's stream of events that can be ended with an error (a subscriber's rights ended). */
export interface EndableStream extends AsyncIterator<FeedEvent> {
  end(error: unknown): void;
}

/** Default bound of a subscriber's live buffer. */
export const DEFAULT_BUFFER_SIZE = 256;
const DEFAULT_BATCH_SIZE = 200;

const DONE: IteratorResult<FeedEvent> = { done: true, value: undefined };

/**
 * One subscriber's feed: replay from the table, then live, with no gap and no duplicate.
 *
 * It joins the match index *before* its first replay query, so every event committed after that
 * query's snapshot reaches its buffer; events seen on both paths are dropped by seq. A subscriber
 * that does not read cannot grow memory: when its buffer is full the buffer is dropped and the
 * stream falls back to replaying from the table from the last seq it delivered.
 *
 * A live subscriber spends its life waiting in `next()`; `deliver` hands it the event directly.
 * (This was an async generator: its resume, yield and settle cost three promise turns per event
 * and subscriber, which 5,000 subscribers of one event pay all at once.) Like any iterator read with
 * `for await`, it serves one `next()` at a time.
 */
export class SubscriberStream implements IndexedSubscriber, AsyncIterableIterator<FeedEvent> {
  readonly spec: MatchSpec;
  private readonly index: MatchIndex;
  private readonly read: ReadEvents;
  private readonly bufferSize: number;
  private readonly batchSize: number;
  /** Live events not yet read. */
  private buffer: FeedEvent[] = [];
  /** Rows of the last replay query not yet read. */
  private replayed: FeedEvent[] = [];
  private lastSent: number;
  /** The table must be read (from `lastSent`) before the live buffer: at start, after an overflow. */
  private needReplay = true;
  /** The last replay query filled its batch: the table may hold more. */
  private replayMore = false;
  private closed = false;
  /** The consumer's pending `next()`, when it is waiting for a live event. */
  private waiter: ((result: IteratorResult<FeedEvent>) => void) | null = null;
  /** Rejects the pending `next()` (see `end`). */
  private failWaiter: ((error: unknown) => void) | null = null;
  /** Why the stream was ended, if it was ended with an error: the next `next()` rejects with it. */
  private failure: unknown = null;
  /** How many times the buffer overflowed (for logs and tests). */
  overflows = 0;

  constructor(options: SubscriberStreamOptions) {
    this.spec = options.spec;
    this.index = options.index;
    this.read = options.read;
    this.lastSent = options.after;
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.index.add(this);
  }

  /** The seq of the last event handed to the consumer. */
  get cursor(): number {
    return this.lastSent;
  }

  /** Live events waiting (never more than the buffer size). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Called by the match index, synchronously: hands the event to a waiting reader, or queues it. */
  deliver(event: FeedEvent): void {
    if (this.closed || event.seq <= this.lastSent) return;
    const waiter = this.waiter;
    if (waiter && !this.replayDue() && this.buffer.length === 0) {
      this.waiter = null;
      this.failWaiter = null;
      this.lastSent = event.seq;
      waiter({ done: false, value: event });
      return;
    }
    if (this.buffer.length >= this.bufferSize) {
      // The table still has every dropped event: replay them when the consumer reads again.
      this.buffer = [];
      this.needReplay = true;
      this.overflows += 1;
    } else {
      this.buffer.push(event);
    }
  }

  next(): Promise<IteratorResult<FeedEvent>> {
    if (this.waiter) return Promise.reject(new Error('SubscriberStream: one next() at a time'));
    if (this.closed) return this.failure === null ? Promise.resolve(DONE) : this.rejectOnce();
    const event = this.take();
    if (event) return Promise.resolve({ done: false, value: event });
    if (this.replayDue()) return this.replay();
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  /**
   * Ends the stream with `error`: the consumer's pending or next `next()` rejects with it, once,
   * and nothing more is delivered (the subscriber's rights ended, see rights-watch.ts).
   */
  end(error: unknown): void {
    if (this.closed) return;
    const fail = this.failWaiter;
    this.waiter = null;
    this.failWaiter = null;
    if (fail) {
      this.close();
      fail(error);
    } else {
      this.failure = error;
      this.close();
    }
  }

  private rejectOnce(): Promise<IteratorResult<FeedEvent>> {
    const failure = this.failure;
    this.failure = null;
    return Promise.reject(failure);
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

  /** Leaves the index and ends the stream; a pending `next()` resolves as done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.replayed = [];
    this.index.remove(this);
    const waiter = this.waiter;
    this.waiter = null;
    this.failWaiter = null;
    waiter?.(DONE);
  }

  private replayDue(): boolean {
    return this.needReplay || this.replayMore || this.replayed.length > 0;
  }

  /** The next unsent event: replayed rows first, the live buffer once no replay is due. */
  private take(): FeedEvent | undefined {
    while (this.replayed.length > 0) {
      const event = this.replayed.shift()!;
      if (event.seq > this.lastSent) return this.sent(event);
    }
    if (this.needReplay || this.replayMore) return undefined;
    while (this.buffer.length > 0) {
      const event = this.buffer.shift()!;
      if (event.seq > this.lastSent) return this.sent(event);
    }
    return undefined;
  }

  private sent(event: FeedEvent): FeedEvent {
    this.lastSent = event.seq;
    return event;
  }

  /** Reads the next batch from the table (an overflow meanwhile asks for another), then reads on. */
  private async replay(): Promise<IteratorResult<FeedEvent>> {
    this.needReplay = false;
    this.replayMore = false;
    try {
      const rows = await this.read(this.spec, this.lastSent, this.batchSize);
      if (this.closed) return this.failure === null ? DONE : this.rejectOnce();
      this.replayed = rows;
      this.replayMore = rows.length >= this.batchSize;
    } catch (error) {
      this.close();
      throw error;
    }
    return this.next();
  }
}
