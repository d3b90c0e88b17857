import type { FeedEvent, MatchSpec } from './match-index.js';
import { ALL_WORKERS, ANY } from './match-index.js';
import { pgTextArray, type Topic } from './outbox.js';

// The outbox writes these literals too, so the helper lives there; readers of event rows import it here.
export { pgTextArray };

/** The columns every reader of the `event` table selects, in the shape {@link toFeedEvent} expects. */
export const EVENT_COLUMNS = '"seq", "topic", "entity_id", "category_path", "region_path", "target_groups"';

/** A row of the `event` table as the `pg` driver returns it (bigints arrive as strings). */
export interface EventRow {
  seq: string | number;
  topic: string;
  entity_id: string | number;
  category_path: string[];
  region_path: string[];
  target_groups: string[];
}

/** Converts a driver row; sequence numbers stay far below 2^53, so numbers are exact. */
export function toFeedEvent(row: EventRow): FeedEvent {
  return {
    seq: Number(row.seq),
    topic: row.topic as Topic,
    entityId: Number(row.entity_id),
    categoryPath: row.category_path,
    regionPath: row.region_path,
    targetGroups: row.target_groups,
  };
}

/** A parameterised query with `?` placeholders. */
export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

/**
 * The replay query: events matching `spec` with `after < seq <= upTo` (no upper bound when null),
 * oldest first. Its conditions are
 * those of `matches()` in SQL form (arrays overlap = "a code in the path"), so replay and live
 * delivery select the same events.
 */
export function replayQuery(
  spec: MatchSpec,
  after: number,
  limit: number,
  upTo: number | null = null,
): SqlQuery {
  const where = ['"topic" = ?', '"seq" > ?'];
  const params: (string | number)[] = [spec.topic, after];
  if (upTo !== null) {
    where.push('"seq" <= ?');
    params.push(upTo);
  }
  const add = (condition: string, ...values: (string | number)[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (spec.kind === 'entity') {
    add('"entity_id" = ?', spec.entityId);
  } else {
    if (!spec.categoryCodes.includes(ANY))
      add('"category_path" && ?::text[]', pgTextArray(spec.categoryCodes));
    if (!spec.regionCodes.includes(ANY)) add('"region_path" && ?::text[]', pgTextArray(spec.regionCodes));
    if (spec.requiredCategory !== null) add('? = any("category_path")', spec.requiredCategory);
    if (spec.requiredRegion !== null) add('? = any("region_path")', spec.requiredRegion);
    if (spec.servedGroups.length > 0 && !spec.servedGroups.includes(ALL_WORKERS))
      add(
        '(cardinality("target_groups") = 0 or "target_groups" && ?::text[])',
        pgTextArray([...spec.servedGroups, ALL_WORKERS]),
      );
    if (spec.requiredGroups.length > 0) add('"target_groups" && ?::text[]', pgTextArray(spec.requiredGroups));
  }
  return {
    sql: `select ${EVENT_COLUMNS} from "event" where ${where.join(' and ')} order by "seq" limit ?`,
    params: [...params, limit],
  };
}
