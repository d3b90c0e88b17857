import type { PathSpec } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';
import { narrowAxis, type ResolvedFeedFilter, type ServingScope } from '../demands/demand-feed.js';

/**
 * The match spec of `projectPublished`: projects in a category and a region the organization serves,
 * for target groups it serves, narrowed by the filter — the same bucketing (and the same replay SQL)
 * as the demand feed. The index only pre-selects by these paths; the rest of eligibility (grade,
 * founding type, verification, invitation, every region served) is checked per event on the project
 * as it is then.
 */
export function projectFeedSpec(scope: ServingScope, filter: ResolvedFeedFilter): PathSpec {
  const category = narrowAxis(scope.categoryCodes, filter.categoryPath);
  const region = narrowAxis(scope.regionCodes, filter.regionPath);
  return {
    kind: 'paths',
    topic: Topic.PROJECT_PUBLISHED,
    categoryCodes: category.codes,
    regionCodes: region.codes,
    requiredCategory: category.required,
    requiredRegion: region.required,
    servedGroups: scope.targetGroups,
    requiredGroups: filter.targetGroups,
  };
}
