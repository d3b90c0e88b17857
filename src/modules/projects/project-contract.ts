/**
 * The rules of contracts and of workers' confirmed outcomes, pure (no ORM, no clock): the checks of
 * a contract's terms, what a payment may be, and the outcome figures with their suppression.
 * docs/domain.md, "After the award".
 *
 * @module
 */
import type { FieldProblem } from '../../core/errors.js';

/** Fewer ratings (or answers) than this are not summarised: the reports' small-cell rule. */
export const OUTCOME_SUPPRESSION_THRESHOLD = 5;

export interface ContractTerms {
  valueFen: number;
  periodStart: Date;
  periodEnd: Date;
  milestones: readonly { dueAt: Date; paymentFen: number }[];
}

/**
 * The first problem with a contract's terms, against the amount awarded to its application, with
 * the input path it concerns; null when they hold. The value is at most the award; the period ends
 * after it starts; every milestone falls due inside the period; the milestones' payments, added in
 * order, never pass the value (the path names the milestone whose payment passes it).
 */
export function contractTermsProblem(terms: ContractTerms, awardedFen: number): FieldProblem | null {
  if (terms.valueFen > awardedFen)
    return {
      path: 'input.valueFen',
      message: `must not exceed the ${awardedFen} fen awarded to the application`,
    };
  if (terms.periodEnd.getTime() <= terms.periodStart.getTime())
    return { path: 'input.periodEnd', message: 'must be after periodStart' };
  let scheduled = 0;
  for (const [i, milestone] of terms.milestones.entries()) {
    const due = milestone.dueAt.getTime();
    if (due < terms.periodStart.getTime() || due > terms.periodEnd.getTime())
      return { path: `input.milestones.${i}.dueAt`, message: 'must fall inside the contract period' };
    scheduled += milestone.paymentFen;
    if (scheduled > terms.valueFen)
      return {
        path: `input.milestones.${i}.paymentFen`,
        message: `brings the milestones' payments to ${scheduled} fen, more than the contract value of ${terms.valueFen} fen`,
      };
  }
  return null;
}

/** What has been paid, and what a new payment would be checked against. */
export interface PaymentPosition {
  amountFen: number;
  contractValueFen: number;
  paidOnContractFen: number;
  /** For a payment against a milestone: its payment and what was already paid against it. */
  milestone?: { paymentFen: number; paidFen: number };
}

/**
 * Why a payment may not be recorded (a message about `input.amountFen`), or null: never more than
 * the milestone still has due, and the contract's payments never sum to more than its value.
 */
export function paymentProblem(position: PaymentPosition): string | null {
  const { amountFen, milestone } = position;
  if (milestone) {
    const due = milestone.paymentFen - milestone.paidFen;
    if (amountFen > due) return `is more than the ${due} fen still due on the milestone`;
  }
  const left = position.contractValueFen - position.paidOnContractFen;
  if (amountFen > left)
    return `would bring the payments above the contract value: ${left} fen of it is left to pay`;
  return null;
}

/** The counts of a project's confirmations, as SQL sums them. */
export interface OutcomeCounts {
  responses: number;
  confirmedServed: number;
  ratings: number;
  ratingSum: number;
}

export interface OutcomeSummary extends OutcomeCounts {
  /** Fewer than {@link OUTCOME_SUPPRESSION_THRESHOLD} answers: no cost per worker is computed. */
  suppressed: boolean;
  /** The mean of the ratings, to two decimals; null below the threshold of ratings. */
  meanRating: number | null;
  /** The cost basis ÷ workers confirmed served, to the nearest fen; null when suppressed or none. */
  costPerConfirmedWorkerFen: number | null;
}

/**
 * The figures a project shows of its workers' confirmations. `costBasisFen`: the contract value,
 * or the amount awarded before a contract is signed; null before the award.
 */
export function outcomeSummary(counts: OutcomeCounts, costBasisFen: number | null): OutcomeSummary {
  const suppressed = counts.responses < OUTCOME_SUPPRESSION_THRESHOLD;
  const meanRating =
    counts.ratings < OUTCOME_SUPPRESSION_THRESHOLD
      ? null
      : Math.round((counts.ratingSum / counts.ratings) * 100) / 100;
  const costPerConfirmedWorkerFen =
    suppressed || counts.confirmedServed === 0 || costBasisFen === null
      ? null
      : Math.round(costBasisFen / counts.confirmedServed);
  return { ...counts, suppressed, meanRating, costPerConfirmedWorkerFen };
}
