/**
 * Work shared by the subscribers that resolve the same live event.
 *
 * The match index hands one event object to every matching subscriber in one synchronous pass, so
 * their resolutions start within the same tick. Whatever does not depend on who the subscriber is
 * (the EntityManager fork, the entity's row, the rows its fields load) or depends only on their
 * permission class (the visibility decision, the executed result) can be computed once per pass
 * and awaited by all of them.
 *
 * Values hang off the event object itself (a WeakMap), so they go away with the last subscriber
 * holding the event, and replayed events (read per subscriber from the table, distinct objects)
 * never share anything. A value is reused only for `ttlMs` after it was made: a subscriber that
 * falls behind and reads the event later resolves it afresh, "as it may see it now", instead of
 * inheriting an old permission decision.
 *
 * @module
 */

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
