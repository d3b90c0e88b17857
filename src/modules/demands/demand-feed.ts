import type { PathSpec } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';

/** What an organization can serve, as stored on it. */
export interface ServingScope {
  categoryCodes: readonly string[];
  regionCodes: readonly string[];
  targetGroups: readonly string[];
}

/** A subscription filter with its codes resolved to their paths (root → self). */
export interface ResolvedFeedFilter {
  categoryPath: readonly string[] | null;
  regionPath: readonly string[] | null;
  targetGroups: readonly string[];
}

/**
 * Narrows one axis: when the filter's code lies inside a served subtree, listen on the filter's code
 * alone (a smaller bucket); otherwise keep the served codes and require the filter's code as well,
 * which matches the demands in both (none when the subtrees are disjoint).
 */
export function narrowAxis(
  served: readonly string[],
  filterPath: readonly string[] | null,
): { codes: readonly string[]; required: string | null } {
  const code = filterPath?.at(-1);
  if (!filterPath || code === undefined) return { codes: served, required: null };
  if (served.some((c) => filterPath.includes(c))) return { codes: [code], required: null };
  return { codes: served, required: code };
}

/** The match spec of `demandPublished`: what the organization serves, narrowed by the filter. */
export function demandFeedSpec(scope: ServingScope, filter: ResolvedFeedFilter): PathSpec {
  const category = narrowAxis(scope.categoryCodes, filter.categoryPath);
  const region = narrowAxis(scope.regionCodes, filter.regionPath);
  return {
    kind: 'paths',
    topic: Topic.DEMAND_PUBLISHED,
    categoryCodes: category.codes,
    regionCodes: region.codes,
    requiredCategory: category.required,
    requiredRegion: region.required,
    servedGroups: scope.targetGroups,
    requiredGroups: filter.targetGroups,
  };
}

/** Parses an event cursor (the decimal seq); null when malformed. */
export function parseEventCursor(cursor: string): number | null {
  if (!/^\d{1,15}$/.test(cursor)) return null;
  return Number(cursor);
}
