/**
 * The arithmetic of the transparency reports: pure functions over aggregates that SQL has already
 * computed (counts and sums), so every formula is unit-tested against hand-computed examples and the
 * database never ships individual rows to JavaScript.
 *
 * @module
 */
import { FoundingType } from '../organizations/organization.enums.js';

/** Cells with fewer demands than this are suppressed for viewers who are not staff. */
export const SUPPRESSION_THRESHOLD = 5;

/** Ratios are reported to 4 decimal places: enough to compare, and stable across platforms. */
const DECIMALS = 4;

/** Rounds to {@link DECIMALS} places (half away from zero, as people round by hand). */
export function round4(value: number): number {
  const factor = 10 ** DECIMALS;
  return Math.sign(value) * (Math.round(Math.abs(value) * factor) / factor);
}

/** `part / whole`, rounded; null when the whole is zero (no meaningful share or rate). */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : round4(part / whole);
}

/**
 * The supply–demand gap score of one cell: `P / (P + C)`, where P is the people affected by open
 * demands (the submitters' estimates plus one per endorsement) and C the monthly capacity of the
 * active services of verified organizations serving the cell. 0 = no unmet demand (or no demand at
 * all), 0.5 = capacity equals the people waiting, 1 = people waiting and no declared capacity.
 */
export function gapScore(peopleAffected: number, monthlyCapacity: number): number {
  const total = peopleAffected + monthlyCapacity;
  return total === 0 ? 0 : round4(peopleAffected / total);
}

/** Whether a cell with `openDemands` demands must be hidden from a viewer who is not staff. */
export function isSuppressed(openDemands: number, viewerIsStaff: boolean): boolean {
  return !viewerIsStaff && openDemands < SUPPRESSION_THRESHOLD;
}

/** What SQL counts per founding type for the fairness ledger. */
export interface FoundingTypeAggregate {
  foundingType: FoundingType;
  /** Verified organizations of this type serving the report's region. */
  eligibleOrganizations: number;
  /** Distinct organizations of this type with at least one (not withdrawn) application. */
  applicants: number;
  /** Applications (not withdrawn). */
  applications: number;
  /** Awarded applications. */
  awards: number;
  /** Money awarded, integer fen. */
  awardedFen: number;
}

/** One founding type's row of the ledger, with its shares of the totals and the derived rates. */
export interface FoundingTypeFairness extends FoundingTypeAggregate {
  eligibleShare: number | null;
  applicantShare: number | null;
  applicationShare: number | null;
  awardShare: number | null;
  moneyShare: number | null;
  /** awards ÷ applications. */
  winRate: number | null;
  /** moneyShare ÷ applicationShare (1 = money in proportion to applications). */
  parityRatio: number | null;
}

/** The order founding types are reported in. */
export const FOUNDING_TYPE_ORDER: readonly FoundingType[] = [
  FoundingType.UNION_FOUNDED,
  FoundingType.UNION_INCUBATED,
  FoundingType.INDEPENDENT,
];

/**
 * Shares, win rates and parity ratios by founding type. Every founding type is present (zeros when
 * SQL returned no row for it). The parity ratio uses the unrounded shares, so rounding does not
 * compound.
 */
export function fairnessByFoundingType(rows: readonly FoundingTypeAggregate[]): FoundingTypeFairness[] {
  const byType = new Map(rows.map((r) => [r.foundingType, r]));
  const full = FOUNDING_TYPE_ORDER.map(
    (foundingType): FoundingTypeAggregate =>
      byType.get(foundingType) ?? {
        foundingType,
        eligibleOrganizations: 0,
        applicants: 0,
        applications: 0,
        awards: 0,
        awardedFen: 0,
      },
  );
  const sum = (pick: (r: FoundingTypeAggregate) => number) => full.reduce((s, r) => s + pick(r), 0);
  const totals = {
    eligible: sum((r) => r.eligibleOrganizations),
    applicants: sum((r) => r.applicants),
    applications: sum((r) => r.applications),
    awards: sum((r) => r.awards),
    money: sum((r) => r.awardedFen),
  };
  return full.map((r) => {
    const applicationShare = totals.applications === 0 ? null : r.applications / totals.applications;
    const moneyShare = totals.money === 0 ? null : r.awardedFen / totals.money;
    return {
      ...r,
      eligibleShare: ratio(r.eligibleOrganizations, totals.eligible),
      applicantShare: ratio(r.applicants, totals.applicants),
      applicationShare: applicationShare === null ? null : round4(applicationShare),
      awardShare: ratio(r.awards, totals.awards),
      moneyShare: moneyShare === null ? null : round4(moneyShare),
      winRate: ratio(r.awards, r.applications),
      parityRatio:
        applicationShare === null || applicationShare === 0 || moneyShare === null
          ? null
          : round4(moneyShare / applicationShare),
    };
  });
}

/**
 * The Herfindahl–Hirschman index of amounts (e.g. money awarded per organization): Σ sᵢ² where sᵢ is
 * each amount's share of the total. 1/n when n organizations got equal amounts, 1 when one got all;
 * null when nothing was awarded. On the 0–1 scale (multiply by 10,000 for the antitrust convention).
 */
export function herfindahlIndex(amounts: readonly number[]): number | null {
  const total = amounts.reduce((s, a) => s + a, 0);
  if (total === 0) return null;
  return round4(amounts.reduce((s, a) => s + (a / total) ** 2, 0));
}

/**
 * The same index from the two sums SQL returns: Σ aᵢ² ÷ (Σ aᵢ)². Taken as decimal strings because
 * the sum of squares of fen amounts overflows a double's exact range long before the ratio loses
 * meaning; the ratio itself needs no more than a double's precision.
 */
export function herfindahlFromSums(sumOfSquares: string | number, total: string | number): number | null {
  const t = Number(total);
  if (t === 0) return null;
  return round4(Number(sumOfSquares) / (t * t));
}
