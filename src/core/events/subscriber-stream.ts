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

/** Default bound of a subscriber's live buffer. */
export const DEFAULT_BUFFER_SIZE = 256;
const DEFAULT_BATCH_SIZE = 200;

/**
 * One subscriber's feed: replay from the table, then live, with no gap and no duplicate.
 *
 * It joins the match index *before* its first replay query, so every event committed after that
 * query's snapshot reaches its buffer; events seen on both paths are dropped by seq. A subscriber
 * that does not read cannot grow memory: when its buffer is full the buffer is dropped and the
 * stream falls back to replaying from the table from the last seq it delivered.
 */
export class SubscriberStream implements IndexedSubscriber, AsyncIterableIterator<FeedEvent> {
  readonly spec: MatchSpec;
  private readonly index: MatchIndex;
  private readonly read: ReadEvents;
  private readonly bufferSize: number;
  private readonly batchSize: number;
  private buffer: FeedEvent[] = [];
  private lastSent: number;
  private needReplay = true;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly events: AsyncGenerator<FeedEvent>;
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
    this.events = this.run();
  }

  /** The seq of the last event handed to the consumer. */
  get cursor(): number {
    return this.lastSent;
  }

  /** Live events waiting (never more than the buffer size). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Called by the match index, synchronously: only queues. */
  deliver(event: FeedEvent): void {
    if (this.closed || event.seq <= this.lastSent) return;
    if (this.buffer.length >= this.bufferSize) {
      // The table still has every dropped event: replay them when the consumer reads again.
      this.buffer = [];
      this.needReplay = true;
      this.overflows += 1;
    } else {
      this.buffer.push(event);
    }
    this.signal();
  }

  next(): Promise<IteratorResult<FeedEvent>> {
    return this.events.next();
  }

  /** Called by graphql-ws when the client unsubscribes or the socket closes. */
  async return(): Promise<IteratorResult<FeedEvent>> {
    this.close();
    await this.events.return(undefined);
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<FeedEvent>> {
    this.close();
    await this.events.return(undefined);
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
    this.index.remove(this);
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async *run(): AsyncGenerator<FeedEvent> {
    try {
      while (!this.closed) {
        if (this.needReplay) {
          this.needReplay = false;
          // Replay until the table has nothing newer; an overflow meanwhile sets needReplay again.
          for (;;) {
            const rows = await this.read(this.spec, this.lastSent, this.batchSize);
            for (const event of rows) {
              if (this.closed) return;
              if (event.seq <= this.lastSent) continue;
              this.lastSent = event.seq;
              yield event;
            }
            if (rows.length < this.batchSize || this.closed) break;
          }
          continue;
        }
        const event = this.buffer.shift();
        if (event) {
          if (event.seq <= this.lastSent) continue;
          this.lastSent = event.seq;
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.close();
    }
  }
}
