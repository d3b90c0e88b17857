/**
 * 职工点单、工会买单: the pure rules of turning workers' demands into a purchase-of-service project —
 * which demands union staff may link, what the draft gets from them, and who claims them on award.
 * No ORM and no clock, so every rule is unit-tested alone.
 *
 * @module
 */
import { MAX_FEN } from '../../core/money.js';
import { TargetGroup } from '../categories/target-group.js';
import { DemandStatus } from '../demands/demand.enums.js';

/** What the rules need to know about one selected demand. */
export interface LinkableDemand {
  /** Its global id, to name it in a refusal. */
  globalId: string;
  status: DemandStatus;
  categoryCode: string;
  regionCode: string;
  /** Region codes, province → self. */
  regionPath: readonly string[];
  targetGroups: readonly TargetGroup[];
  peopleAffected: number;
  endorsementCount: number;
}

/** Why a selection of demands cannot become a project: the first failing rule, naming the demand. */
export interface LinkRefusal {
  code: 'FORBIDDEN' | 'CONFLICT' | 'BAD_USER_INPUT';
  /** Position in the input's `demandIds`. */
  index: number;
  demandId: string;
  message: string;
  /** The demand's status, for CONFLICT. */
  currentStatus?: DemandStatus;
}

/**
 * The region rule of union staff's projects, for the demands they are made from and for the
 * project's own regions alike: every region (given by its path, province → itself) must lie inside
 * the staff's region scope. Returns the index of the first one outside, or -1.
 */
export function firstOutsideScope(regionPaths: readonly (readonly string[])[], unionScope: string): number {
  return regionPaths.findIndex((path) => !path.includes(unionScope));
}

/**
 * Checks, in a fixed order over the whole selection: every demand in the union's region scope
 * (FORBIDDEN), every demand OPEN (CONFLICT), one category for all (BAD_USER_INPUT, naming the first
 * demand of another category than the first). Returns null when the selection may be linked.
 */
export function checkLinkable(demands: readonly LinkableDemand[], unionScope: string): LinkRefusal | null {
  const outside = firstOutsideScope(
    demands.map((d) => d.regionPath),
    unionScope,
  );
  if (outside !== -1) {
    const demand = demands[outside]!;
    return {
      code: 'FORBIDDEN',
      index: outside,
      demandId: demand.globalId,
      message: `Demand ${demand.globalId} is outside your union's region scope.`,
    };
  }
  const notOpen = demands.findIndex((d) => d.status !== DemandStatus.OPEN);
  if (notOpen !== -1) {
    const demand = demands[notOpen]!;
    return {
      code: 'CONFLICT',
      index: notOpen,
      demandId: demand.globalId,
      currentStatus: demand.status,
      message: `Demand ${demand.globalId} is ${demand.status}; only OPEN demands become a project.`,
    };
  }
  const category = demands[0]?.categoryCode;
  const mixed = demands.findIndex((d) => d.categoryCode !== category);
  if (mixed !== -1) {
    const demand = demands[mixed]!;
    return {
      code: 'BAD_USER_INPUT',
      index: mixed,
      demandId: demand.globalId,
      message: `Demand ${demand.globalId} is in category ${demand.categoryCode}, not ${category}: a project serves one category.`,
    };
  }
  return null;
}

/** What a draft project takes from the demands it is made from. */
export interface DemandSummary {
  categoryCode: string;
  /** Distinct region codes, sorted. */
  regionCodes: string[];
  /** The union of their groups; ALL_WORKERS alone when any demand concerns all workers. */
  targetGroups: TargetGroup[];
  peopleAffected: number;
  endorsements: number;
}

/** Sums and merges a non-empty, linkable selection (see {@link checkLinkable}). */
export function summarizeDemands(demands: readonly LinkableDemand[]): DemandSummary {
  const first = demands[0];
  if (!first) throw new RangeError('summarizeDemands needs at least one demand');
  const groups = new Set(demands.flatMap((d) => d.targetGroups));
  return {
    categoryCode: first.categoryCode,
    regionCodes: [...new Set(demands.map((d) => d.regionCode))].sort(),
    targetGroups:
      groups.size === 0 || groups.has(TargetGroup.ALL_WORKERS)
        ? [TargetGroup.ALL_WORKERS]
        : [...groups].sort(),
    peopleAffected: demands.reduce((sum, d) => sum + d.peopleAffected, 0),
    endorsements: demands.reduce((sum, d) => sum + d.endorsementCount, 0),
  };
}

/** The default budget's estimate per person affected: 200 yuan, in fen. Staff edit it before publishing. */
export const DEFAULT_BUDGET_FEN_PER_PERSON = 20_000;

/** The default budget: the per-person estimate times the people affected, within Money's range. */
export function defaultBudgetFen(peopleAffected: number): number {
  return Math.min(MAX_FEN, Math.max(1, peopleAffected) * DEFAULT_BUDGET_FEN_PER_PERSON);
}

/** The default title, e.g. 「托育服务项目（源自 3 项职工需求）」. */
export function defaultTitle(categoryName: string, demandCount: number): string {
  return `${categoryName}服务项目（源自 ${demandCount} 项职工需求）`.slice(0, 200);
}

/** The default description: the demands' titles, one per line. */
export function defaultDescription(titles: readonly string[]): string {
  return ['本项目源自以下职工需求（职工点单、工会买单）：', ...titles.map((t) => `- ${t}`)].join('\n');
}

/** One winning application as the award hands it over. */
export interface AwardedLine {
  organizationId: number;
  awardedFen: number;
}

/**
 * The organization that claims a project's linked demands: the winner with the largest award, the
 * earliest listed among equals (a demand has one claimant, so a split award cannot share them).
 */
export function primaryWinner(lines: readonly AwardedLine[]): number | null {
  let best: AwardedLine | null = null;
  for (const line of lines) if (best === null || line.awardedFen > best.awardedFen) best = line;
  return best?.organizationId ?? null;
}

/** What the fulfilment report's rules need to know about one named demand. */
export interface ReportedDemand {
  /** Its global id, to name it in a refusal. */
  globalId: string;
  /** Whether it is linked to the project (a demand that does not exist is not linked either). */
  linked: boolean;
  /** Its status; null when it does not exist. */
  status: DemandStatus | null;
  claimedById: number | null;
}

/** Statuses a linked demand is in while the winner serves it, and from which it may be reported. */
export const REPORTABLE_DEMAND_STATUSES: readonly DemandStatus[] = [
  DemandStatus.CLAIMED,
  DemandStatus.IN_SERVICE,
];

/**
 * Checks a winner's report that demands were fulfilled, in a fixed order over the whole list: every
 * demand linked to the project (BAD_USER_INPUT), every one CLAIMED or IN_SERVICE (CONFLICT naming
 * its status), every one claimed by the reporting organization (CONFLICT: it lapsed and was claimed
 * by another meanwhile). Returns null when every named demand may become FULFILLED.
 */
export function checkFulfilmentReport(
  demands: readonly ReportedDemand[],
  organizationId: number,
): LinkRefusal | null {
  const unlinked = demands.findIndex((d) => !d.linked || d.status === null);
  if (unlinked !== -1) {
    const demand = demands[unlinked]!;
    return {
      code: 'BAD_USER_INPUT',
      index: unlinked,
      demandId: demand.globalId,
      message: `Demand ${demand.globalId} is not linked to this project.`,
    };
  }
  const wrongState = demands.findIndex((d) => !REPORTABLE_DEMAND_STATUSES.includes(d.status!));
  if (wrongState !== -1) {
    const demand = demands[wrongState]!;
    return {
      code: 'CONFLICT',
      index: wrongState,
      demandId: demand.globalId,
      currentStatus: demand.status!,
      message: `Demand ${demand.globalId} is ${demand.status}; only CLAIMED or IN_SERVICE demands can be reported fulfilled.`,
    };
  }
  const elsewhere = demands.findIndex((d) => d.claimedById !== organizationId);
  if (elsewhere !== -1) {
    const demand = demands[elsewhere]!;
    return {
      code: 'CONFLICT',
      index: elsewhere,
      demandId: demand.globalId,
      currentStatus: demand.status!,
      message: `Demand ${demand.globalId} is ${demand.status} by another organization, not yours.`,
    };
  }
  return null;
}
