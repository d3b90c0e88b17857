import { TargetGroup } from '../categories/target-group.js';

/**
 * How well an organization fits a demand: pure functions shared by the feed filter, the claim check
 * and the ranking of `matchingOrganizations` (whether it can serve it at all is `canServe`,
 * demand.policy.ts). An organization's codes each cover their whole subtree;
 * a demand carries its category and region paths (root → self), so "covers" is "shares a code with
 * the path".
 */

/** What a demand asks for, as the matcher sees it. */
export interface DemandScope {
  categoryPath: readonly string[];
  regionPath: readonly string[];
  targetGroups: readonly string[];
}

/** What an organization offers, as the matcher sees it. Founding type is deliberately absent. */
export interface OrganizationScope {
  categoryCodes: readonly string[];
  regionCodes: readonly string[];
  targetGroups: readonly string[];
}

/** Empty or ALL_WORKERS: serves, or concerns, every group. */
export function isGeneralAudience(groups: readonly string[]): boolean {
  return groups.length === 0 || groups.includes(TargetGroup.ALL_WORKERS);
}

/** A demand's target groups as stored: no duplicates, and "no group given" means all workers. */
export function normalizeTargetGroups(groups: readonly TargetGroup[]): TargetGroup[] {
  const unique = [...new Set(groups)];
  return unique.length === 0 ? [TargetGroup.ALL_WORKERS] : unique;
}

/** Whether the target groups fit: either side is general, or they share a group. */
export function targetGroupsFit(organization: readonly string[], demand: readonly string[]): boolean {
  return (
    isGeneralAudience(organization) ||
    isGeneralAudience(demand) ||
    organization.some((g) => demand.includes(g))
  );
}

/** What ranking needs beyond the scope: track record and current load. */
export interface MatchCandidate extends OrganizationScope {
  ratingSum: number;
  ratingCount: number;
  /** Demands it currently holds CLAIMED or IN_SERVICE. */
  openClaims: number;
}

export interface MatchScore {
  /** 0–100; higher is a better fit. */
  score: number;
  /** Why, one line per component that contributed, in the order of the weights below. */
  reasons: string[];
}

/** The weights, documented as data so clients and tests read the same numbers. */
export const MATCH_WEIGHTS = {
  /** Offers exactly the demand's category; an ancestor loses `categoryPerLevel` per level up. */
  categoryExact: 35,
  categoryPerLevel: 10,
  categoryMin: 10,
  /** Serves exactly the demand's region; an ancestor (city, province) loses `regionPerLevel` per level. */
  regionExact: 25,
  regionPerLevel: 10,
  regionMin: 5,
  /** Names one of the demand's own groups; general audiences on either side get `targetGeneral`. */
  targetSpecific: 15,
  targetGeneral: 5,
  /** Average rating mapped linearly from 1..5 to 0..rating; unrated organizations get half. */
  rating: 15,
  /** Share of the open-claim cap still free. */
  capacity: 10,
} as const;

/**
 * How many levels above the demand's own code the organization's closest covering code sits
 * (0 = exact), or null when it covers none of the path.
 */
export function coverDistance(path: readonly string[], codes: readonly string[]): number | null {
  for (let i = path.length - 1; i >= 0; i--) {
    if (codes.includes(path[i] as string)) return path.length - 1 - i;
  }
  return null;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Scores how well an organization fits a demand it can serve. The inputs are scope, rating and
 * load only — never how the organization was founded — so union-founded and independent
 * organizations with the same offer rank the same (the fairness the paper asks for).
 */
export function scoreMatch(
  candidate: MatchCandidate,
  demand: DemandScope,
  maxOpenClaims: number,
): MatchScore {
  const w = MATCH_WEIGHTS;
  const reasons: string[] = [];
  let score = 0;

  const categoryDistance = coverDistance(demand.categoryPath, candidate.categoryCodes);
  if (categoryDistance !== null) {
    const points = Math.max(w.categoryMin, w.categoryExact - w.categoryPerLevel * categoryDistance);
    score += points;
    reasons.push(
      categoryDistance === 0
        ? `offers exactly this category (+${points})`
        : `offers a parent category, ${categoryDistance} level(s) up (+${points})`,
    );
  }

  const regionDistance = coverDistance(demand.regionPath, candidate.regionCodes);
  if (regionDistance !== null) {
    const points = Math.max(w.regionMin, w.regionExact - w.regionPerLevel * regionDistance);
    score += points;
    reasons.push(
      regionDistance === 0
        ? `serves exactly this region (+${points})`
        : `serves an enclosing region, ${regionDistance} level(s) up (+${points})`,
    );
  }

  const specific = isGeneralAudience(demand.targetGroups)
    ? []
    : candidate.targetGroups.filter((g) => demand.targetGroups.includes(g));
  if (specific.length > 0) {
    score += w.targetSpecific;
    reasons.push(`serves the target group(s) ${specific.join(', ')} (+${w.targetSpecific})`);
  } else if (targetGroupsFit(candidate.targetGroups, demand.targetGroups)) {
    score += w.targetGeneral;
    reasons.push(`serves all workers (+${w.targetGeneral})`);
  }

  if (candidate.ratingCount > 0) {
    const average = candidate.ratingSum / candidate.ratingCount;
    const points = round2(((Math.min(5, Math.max(1, average)) - 1) / 4) * w.rating);
    score += points;
    reasons.push(`rated ${round2(average)}/5 by ${candidate.ratingCount} worker(s) (+${points})`);
  } else {
    const points = w.rating / 2;
    score += points;
    reasons.push(`not rated yet (+${points})`);
  }

  const free = Math.max(0, maxOpenClaims - candidate.openClaims);
  const capacityPoints = maxOpenClaims > 0 ? round2((free / maxOpenClaims) * w.capacity) : 0;
  score += capacityPoints;
  reasons.push(`${free} of ${maxOpenClaims} claim slots free (+${capacityPoints})`);

  return { score: round2(score), reasons };
}
