import type { Topic } from './outbox.js';

/** An outbox row as the relay hands it on: `seq` is the feed's cursor. */
export interface FeedEvent {
  seq: number;
  topic: Topic;
  entityId: number;
  categoryPath: readonly string[];
  regionPath: readonly string[];
  targetGroups: readonly string[];
}

/** Matches any code on that axis (a subscriber not limited by category or by region). */
export const ANY = '*';

/** The target group that means "every worker": on either side it matches every group. */
export const ALL_WORKERS = 'ALL_WORKERS';

/**
 * What a subscriber listens to on a path-matched topic (new demands, new projects). An event matches
 * when its category path holds one of `categoryCodes` (a code covers its subtree, so an ancestor in
 * the path is enough), its region path holds one of `regionCodes`, and the target groups agree.
 */
export interface PathSpec {
  kind: 'paths';
  topic: Topic;
  /** Codes whose subtrees are served; `[ANY]` for every category. Empty matches nothing. */
  categoryCodes: readonly string[];
  /** Codes whose subtrees are served; `[ANY]` for every region. Empty matches nothing. */
  regionCodes: readonly string[];
  /** A filter's narrowing: the event's category path must also hold this code. */
  requiredCategory: string | null;
  /** A filter's narrowing: the event's region path must also hold this code. */
  requiredRegion: string | null;
  /** Groups the subscriber serves; empty (or ALL_WORKERS) serves every group. */
  servedGroups: readonly string[];
  /** A filter's narrowing: the event must name at least one of these groups; empty = no narrowing. */
  requiredGroups: readonly string[];
}

/** What a subscriber listens to on an entity-keyed topic (status changes of one demand). */
export interface EntitySpec {
  kind: 'entity';
  topic: Topic;
  entityId: number;
}

export type MatchSpec = PathSpec | EntitySpec;

/** Whether an organization serving `served` can serve a demand for `wanted` (empty/ALL_WORKERS = all). */
export function groupsAgree(served: readonly string[], wanted: readonly string[]): boolean {
  if (served.length === 0 || wanted.length === 0) return true;
  if (served.includes(ALL_WORKERS) || wanted.includes(ALL_WORKERS)) return true;
  return wanted.some((group) => served.includes(group));
}

/** Whether `event` matches `spec`: the single definition the index and the replay SQL both follow. */
export function matches(spec: MatchSpec, event: FeedEvent): boolean {
  if (spec.topic !== event.topic) return false;
  if (spec.kind === 'entity') return spec.entityId === event.entityId;
  return (
    onAxis(spec.categoryCodes, event.categoryPath) &&
    onAxis(spec.regionCodes, event.regionPath) &&
    (spec.requiredCategory === null || event.categoryPath.includes(spec.requiredCategory)) &&
    (spec.requiredRegion === null || event.regionPath.includes(spec.requiredRegion)) &&
    groupsAgree(spec.servedGroups, event.targetGroups) &&
    (spec.requiredGroups.length === 0 || event.targetGroups.some((g) => spec.requiredGroups.includes(g)))
  );
}

/** Whether a path lies in one of the served subtrees (or the axis is not limited). */
function onAxis(codes: readonly string[], path: readonly string[]): boolean {
  if (codes.includes(ANY)) return true;
  for (const code of codes) if (path.includes(code)) return true;
  return false;
}

const SEP = '\u0000';

/** The buckets a subscriber sits in: one per (category code, region code) it listens to. */
export function specKeys(spec: MatchSpec): string[] {
  if (spec.kind === 'entity') return [`${spec.topic}${SEP}#${spec.entityId}`];
  const keys: string[] = [];
  for (const category of new Set(spec.categoryCodes))
    for (const region of new Set(spec.regionCodes))
      keys.push(`${spec.topic}${SEP}${category}${SEP}${region}`);
  return keys;
}

/**
 * The buckets an event can match: its category ancestors (and ANY) × its region ancestors (and
 * ANY), plus its entity key. At most (3 + 1) × (3 + 1) + 1 lookups, whatever the subscriber count.
 */
export function eventKeys(event: FeedEvent): string[] {
  const keys = [`${event.topic}${SEP}#${event.entityId}`];
  for (const category of [ANY, ...event.categoryPath])
    for (const region of [ANY, ...event.regionPath])
      keys.push(`${event.topic}${SEP}${category}${SEP}${region}`);
  return keys;
}

/** A live subscriber as the index sees it. `deliver` must be synchronous and cheap (it only buffers). */
export interface IndexedSubscriber {
  readonly spec: MatchSpec;
  deliver(event: FeedEvent): void;
}

/**
 * The subscribers of one bucket that listen to an equal spec: `matches` is decided once per group
 * and event, not once per subscriber (docs/architecture.md, "Live path", 3).
 */
interface SpecGroup {
  /** The first member's spec; every member's spec is equal to it (same {@link specIdentity}). */
  readonly spec: MatchSpec;
  readonly members: Set<IndexedSubscriber>;
  /** The buckets the group sits in (those of its spec). */
  readonly keys: string[];
}

/**
 * A string equal for two specs exactly when they hold the same values: then `matches` answers alike
 * for them. Subscribers of one feed with the same filter (one organization's members, a bench's
 * 10,000 subscriptions) share it. Made from every field the spec has, in name order, rather than a
 * list of the fields `matches` reads today, so that a field added to a spec can never be left out.
 */
export function specIdentity(spec: MatchSpec): string {
  return JSON.stringify(spec, Object.keys(spec).sort());
}

/**
 * Live subscribers in buckets keyed by what they listen to, grouped by equal specs. Publishing an
 * event costs a fixed number of bucket lookups plus one `matches` per distinct spec in those
 * buckets and one step per matching subscriber: it grows with the subscribers the event concerns,
 * not with all of them.
 */
export class MatchIndex {
  /** Per bucket key, the groups sitting in it. */
  private readonly buckets = new Map<string, Set<SpecGroup>>();
  private readonly groups = new Map<string, SpecGroup>();
  private readonly groupOf = new Map<IndexedSubscriber, SpecGroup>();

  /** Number of registered subscribers. */
  get size(): number {
    return this.groupOf.size;
  }

  /** Every registered subscriber (diagnostics and tests). */
  subscribers(): IterableIterator<IndexedSubscriber> {
    return this.groupOf.keys();
  }

  add(subscriber: IndexedSubscriber): void {
    if (this.groupOf.has(subscriber)) return;
    const identity = specIdentity(subscriber.spec);
    let group = this.groups.get(identity);
    if (!group) {
      group = { spec: subscriber.spec, members: new Set(), keys: specKeys(subscriber.spec) };
      this.groups.set(identity, group);
      for (const key of group.keys) {
        let bucket = this.buckets.get(key);
        if (!bucket) this.buckets.set(key, (bucket = new Set()));
        bucket.add(group);
      }
    }
    group.members.add(subscriber);
    this.groupOf.set(subscriber, group);
  }

  remove(subscriber: IndexedSubscriber): void {
    const group = this.groupOf.get(subscriber);
    if (!group) return;
    this.groupOf.delete(subscriber);
    group.members.delete(subscriber);
    if (group.members.size > 0) return;
    this.groups.delete(specIdentity(group.spec));
    for (const key of group.keys) {
      const bucket = this.buckets.get(key);
      bucket?.delete(group);
      if (bucket?.size === 0) this.buckets.delete(key);
    }
  }

  /** The subscribers `event` matches, each once. */
  match(event: FeedEvent): IndexedSubscriber[] {
    const matched: IndexedSubscriber[] = [];
    /** Groups in several of the event's buckets are met more than once: decided the first time. */
    let seen: Set<SpecGroup> | null = null;
    for (const key of eventKeys(event)) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      for (const group of bucket) {
        if (group.keys.length > 1) {
          seen ??= new Set();
          if (seen.has(group)) continue;
          seen.add(group);
        }
        if (matches(group.spec, event)) for (const subscriber of group.members) matched.push(subscriber);
      }
    }
    return matched;
  }

  /**
   * Hands `event` to every matching subscriber in one synchronous pass: no subscriber can hear of it
   * before the others have it queued. Returns how many matched. The EventHub hands relayed events
   * on a slice per turn instead (fan-out.ts).
   */
  publish(event: FeedEvent): number {
    const matched = this.match(event);
    for (const subscriber of matched) subscriber.deliver(event);
    return matched.length;
  }
}
