/**
 * Work shared by the subscribers that resolve the same live event.
 *
 * The fan-out hands one event object to every matching subscriber, a slice per turn of the event
 * loop (fan-out.ts), so their resolutions start within a few turns. Whatever does not depend on
 * who the subscriber is (the EntityManager fork, the entity's row, the rows its fields load) or
 * depends only on their permission class (the visibility decision, the executed result) can be
 * computed once per pass and awaited or reused by all of them.
 *
 * Values hang off the event object itself (a WeakMap), so they go away with the last subscriber
 * holding the event, and replayed events (read per subscriber from the table, distinct objects)
 * never share anything. A value is reused only for `ttlMs` after it was made: a subscriber that
 * falls behind and reads the event later resolves it afresh, "as it may see it now", instead of
 * inheriting an old permission decision.
 *
 * Feeds do not call the pass directly: they share through {@link sharedEvent}, the one way a feed
 * shares an event's work (the fork, its reads, and values per permission class).
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';

/** Default reuse window: long enough for one pass, short enough that decisions stay current. */
export const DEFAULT_PASS_TTL_MS = 1_000;

interface Entry {
  value: unknown;
  madeAt: number;
}

/** A per-event memo with a reuse window; one per process (the EventHub holds it). */
export class EventPass {
  private readonly byEvent = new WeakMap<object, Map<string, Entry>>();

  constructor(
    private readonly ttlMs: number = DEFAULT_PASS_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The value shared under `key` for this event, made by `make` when no subscriber made it within
   * the reuse window. `make` usually returns a promise: concurrent callers then await the same one.
   * Callers own the key's meaning, and must put into it everything the value depends on beyond the
   * event (e.g. the permission class).
   */
  shared<T>(event: object, key: string, make: () => T): T {
    let entries = this.byEvent.get(event);
    if (!entries) this.byEvent.set(event, (entries = new Map()));
    const at = this.now();
    const entry = entries.get(key);
    if (entry && at - entry.madeAt <= this.ttlMs) return entry.value as T;
    const value = make();
    entries.set(key, { value, madeAt: at });
    return value;
  }
}

/**
 * What the subscribers of one feed handed the same live event share: one EntityManager fork (so
 * their field resolvers batch into the same dataloader calls, and an event costs a constant number
 * of SQL statements however many subscribers it reaches), the reads the feed opened on it once
 * (`reads`: the event's row, a batched verification reader …), and values per permission class
 * (`perClass`: a decision, or the pushed payload with its share ticket, see shared-execution.ts).
 *
 * Every decision about a subscriber stays the subscriber's own: what is shared is data, or a value
 * that depends on nothing but the permission class it is keyed by; the caller must put into that
 * key everything the value depends on beyond the event. A fresh fork per event (never the
 * subscription's own) keeps rows current; graphql-ws executes one event at a time per
 * subscription, so a feed may make the fork its context's `em` for that event.
 */
export class SharedEvent<Reads> {
  readonly em: EntityManager;
  readonly reads: Reads;
  private readonly byClass = new Map<string, unknown>();

  constructor(base: EntityManager, open: (em: EntityManager) => Reads) {
    this.em = base.fork();
    this.reads = open(this.em);
  }

  /** The value the subscribers of this permission class share, made by the first of them. */
  perClass<T>(permissionClass: string, make: () => T): T {
    if (this.byClass.has(permissionClass)) return this.byClass.get(permissionClass) as T;
    const value = make();
    this.byClass.set(permissionClass, value);
    return value;
  }
}

/**
 * The {@link SharedEvent} of `feed` for this event: made by its first subscriber (`open` reads what
 * every subscriber needs, on the shared fork; reads should be retried through a short database
 * outage, once for all of them), reused by the others within the pass's reuse window.
 */
export function sharedEvent<Reads>(
  pass: EventPass,
  event: object,
  feed: string,
  base: EntityManager,
  open: (em: EntityManager) => Reads,
): SharedEvent<Reads> {
  return pass.shared(event, feed, () => new SharedEvent(base, open));
}
