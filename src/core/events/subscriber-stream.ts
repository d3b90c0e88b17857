import type { FeedEvent, IndexedSubscriber, MatchIndex, MatchSpec } from './match-index.js';
import { WaitingStream } from './waiting-stream.js';

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
 *
 * A live subscriber spends its life waiting in `next()`; `deliver` hands it the event directly
 * (waiting-stream.ts).
 */
export class SubscriberStream extends WaitingStream implements IndexedSubscriber {
  readonly spec: MatchSpec;
  private readonly index: MatchIndex;
  private readonly readEvents: ReadEvents;
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
  /** How many times the buffer overflowed (for logs and tests). */
  overflows = 0;

  constructor(options: SubscriberStreamOptions) {
    super();
    this.spec = options.spec;
    this.index = options.index;
    this.readEvents = options.read;
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
    if (this.isClosed || event.seq <= this.lastSent) return;
    if (this.readerWaits && !this.replayDue() && this.buffer.length === 0) {
      this.lastSent = event.seq;
      this.handToWaiter(event);
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

  protected pull(): IteratorResult<FeedEvent> | Promise<IteratorResult<FeedEvent> | undefined> | undefined {
    const event = this.take();
    if (event) return { done: false, value: event };
    if (this.replayDue()) return this.replay();
    return undefined;
  }

  protected onClose(): void {
    this.buffer = [];
    this.replayed = [];
    this.index.remove(this);
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

  /**
   * Reads the next batch from the table (an overflow meanwhile asks for another); undefined: read
   * on (waiting-stream.ts), so a reader waiting after it is handed live events directly.
   */
  private async replay(): Promise<IteratorResult<FeedEvent> | undefined> {
    this.needReplay = false;
    this.replayMore = false;
    try {
      const rows = await this.readEvents(this.spec, this.lastSent, this.batchSize);
      if (this.isClosed) return undefined;
      this.replayed = rows;
      this.replayMore = rows.length >= this.batchSize;
    } catch (error) {
      this.close();
      throw error;
    }
    return undefined;
  }
}
