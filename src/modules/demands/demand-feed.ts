import type { PathSpec } from '../../core/events/match-index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '../../core/errors.js';
import { outboxHead, Topic } from '../../core/events/outbox.js';

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

/**
 * The seq a subscription's `after` names (null without one), for every feed. BAD_USER_INPUT when it
 * is not a cursor, or names an event that does not exist yet: such a subscription would wait,
 * silently, for events it can never be told about in order.
 */
export async function feedCursor(
  em: EntityManager,
  after: string | null | undefined,
): Promise<number | null> {
  if (after === null || after === undefined) return null;
  const seq = parseEventCursor(after);
  if (seq === null) throw BadUserInputError.field('after', 'is not a valid cursor');
  if (seq > (await outboxHead(em))) throw BadUserInputError.field('after', 'is beyond the newest event');
  return seq;
}

/**
 * What a pushed demand event may share between subscribers of one permission class (see
 * shared-execution.ts): fields whose value depends only on the demand and on the class, which
 * {@link demandViewClass} spells out. Deliberately a list, not "every leaf of Demand": a field added
 * later is executed per subscriber until someone checks it and adds it here. Left out on purpose:
 * `Demand.claimedBy` (Organization has member-only fields), `Demand.duplicateOf` (another demand's
 * visibility), and User's private fields.
 */
export const DEMAND_EVENT_SHAREABLE: ReadonlySet<string> = new Set([
  'Subscription.demandPublished',
  'Subscription.demandUpdated',
  'DemandEvent.cursor',
  'DemandEvent.demand',
  ...[
    'id',
    'title',
    'description',
    'category',
    'region',
    'targetGroups',
    'urgency',
    'peopleAffected',
    'endorsementCount',
    'source',
    'anonymous',
    'contactConsent',
    'status',
    'claimedAt',
    'lastProgressAt',
    'closeReason',
    'rating',
    'ratingComment',
    'ratedAt',
    'expiresAt',
    'createdAt',
    'updatedAt',
    // Decided by the class: revealsSubmitter / revealsContact.
    'submittedBy',
    'contact',
  ].map((field) => `Demand.${field}`),
  ...['id', 'code', 'name', 'nameEn', 'sortOrder', 'parent', 'children'].map((f) => `ServiceCategory.${f}`),
  ...['id', 'code', 'name', 'nameEn', 'level', 'parent', 'children', 'path'].map((f) => `Region.${f}`),
  'User.id',
  'User.displayName',
]);

/** The per-viewer decisions about one demand that the shareable fields depend on. */
export interface DemandViewDecisions {
  revealsSubmitter: boolean;
  revealsContact: boolean;
}

/**
 * A subscriber's permission class for one demand (given that it may see it): subscribers with the
 * same class get the same value for every field in {@link DEMAND_EVENT_SHAREABLE}.
 */
export function demandViewClass(decisions: DemandViewDecisions): string {
  return VIEW_CLASSES[(decisions.revealsSubmitter ? 2 : 0) + (decisions.revealsContact ? 1 : 0)]!;
}

/** The four classes, made once: every subscriber of every event names one. */
const VIEW_CLASSES = [
  'submitter=0,contact=0',
  'submitter=0,contact=1',
  'submitter=1,contact=0',
  'submitter=1,contact=1',
] as const;

/** Who may follow one demand's updates, and whether they hear of it whatever its status. */
export interface UpdateFollower {
  /** May subscribe to `demandUpdated` for the demand. */
  follows: boolean;
  /**
   * Hears of every status change even where browsing would not show the demand (an endorser of a
   * CLAIMED demand). Submitter and claimant need no exception: the visibility rules already cover them.
   */
  seesAnyStatus: boolean;
}

/**
 * The endorser's place in `demandUpdated`: the submitter, the claiming organization's members and
 * the workers who endorsed the demand follow it; endorsers hear of every later change (the claim by
 * a project's winner, service, fulfilment). What they see of it is a browsing worker's view — the
 * field rules (`revealsContact`, `revealsSubmitter`) give an endorser neither the contact nor an
 * anonymous submitter.
 */
export function endorserView(endorsed: boolean, submitted: boolean, claimant: boolean): UpdateFollower {
  return { follows: endorsed || submitted || claimant, seesAnyStatus: endorsed };
}
