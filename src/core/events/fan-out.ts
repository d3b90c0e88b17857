/**
 * Hands each relayed event to its matching subscribers in slices, one slice per turn of the event
 * loop, events strictly in order (docs/architecture.md, "Live path", 5).
 *
 * Handing an event to 10,000 subscribers in one synchronous pass starts 10,000 resolutions in the
 * same turn: they advance in lockstep through the same promise steps, every one of their
 * in-flight states is alive at once (each young-generation collection copies them all, and most
 * survive into the old generation), and no frame leaves before the last subscriber's is written,
 * so the first client waits as long as the last. A slice of a few hundred runs to its socket
 * writes within its own turn (the event's shared reads and execution are made by the first slice
 * and reused), its frames leave at the end of that turn (ws.ts flushes each socket then), and the
 * clients read them while the next slices are resolved.
 *
 * Order is kept per subscriber: the next event's first slice waits until every slice of the
 * previous one has been handed on, so no subscriber hears of a later event first (its stream
 * would then drop the earlier one as a duplicate). Rights are not delayed: the relay hands every
 * event to the rights watch before it is queued here, so a rights change reaches a subscription
 * no later than any event after it.
 *
 * @module
 */
import type { FeedEvent, IndexedSubscriber } from './match-index.js';

/** Subscribers handed an event per turn of the event loop (a few ms of work per slice). */
export const DEFAULT_FAN_OUT_SLICE = 500;

interface Pending {
  event: FeedEvent;
  subscribers: readonly IndexedSubscriber[];
  /** Index of the next subscriber to hand the event to. */
  next: number;
}

export class FanOut {
  private readonly queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sliceSize: number = DEFAULT_FAN_OUT_SLICE,
    /** When the next slice runs: the next turn's check phase, after pending I/O. */
    private readonly later: (run: () => void) => void = (run) => void setImmediate(run),
  ) {}

  /** Events whose subscribers have not all been handed them yet (tests, diagnostics). */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues `event` for `subscribers`. When nothing is queued before it, its first slice is handed
   * on at once, synchronously: a fan-out that fits in one slice behaves as a single pass.
   */
  push(event: FeedEvent, subscribers: readonly IndexedSubscriber[]): void {
    if (subscribers.length === 0) return;
    this.queue.push({ event, subscribers, next: 0 });
    if (this.queue.length === 1 && !this.scheduled) this.slice();
  }

  /** Hands on up to one slice (across queued events, in order), then schedules the rest. */
  private slice(): void {
    let budget = this.sliceSize;
    while (budget > 0 && this.queue.length > 0) {
      const pending = this.queue[0]!;
      const end = Math.min(pending.subscribers.length, pending.next + budget);
      for (let i = pending.next; i < end; i += 1) pending.subscribers[i]!.deliver(pending.event);
      budget -= end - pending.next;
      pending.next = end;
      if (end === pending.subscribers.length) this.queue.shift();
    }
    if (this.queue.length === 0 || this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      this.slice();
    });
  }
}
