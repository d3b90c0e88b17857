import { describe, expect, it } from 'vitest';
import {
  contractTermsProblem,
  outcomeSummary,
  paymentProblem,
} from '../../../src/modules/projects/project-contract.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));
const terms = (milestones: { dueAt: Date; paymentFen: number }[], valueFen = 1_000) => ({
  valueFen,
  periodStart: day(0),
  periodEnd: day(30),
  milestones,
});

describe('contractTermsProblem', () => {
  it('accepts terms within the award, milestones inside the period summing to at most the value', () => {
    expect(
      contractTermsProblem(
        terms([
          { dueAt: day(0), paymentFen: 600 },
          { dueAt: day(30), paymentFen: 400 },
        ]),
        1_000,
      ),
    ).toBeNull();
  });

  it('names the field at fault, first problem first', () => {
    expect(contractTermsProblem(terms([], 1_001), 1_000)?.path).toBe('input.valueFen');
    expect(contractTermsProblem({ ...terms([]), periodEnd: day(0) }, 1_000)?.path).toBe('input.periodEnd');
    expect(contractTermsProblem(terms([{ dueAt: day(31), paymentFen: 1 }]), 1_000)?.path).toBe(
      'input.milestones.0.dueAt',
    );
    const over = contractTermsProblem(
      terms([
        { dueAt: day(1), paymentFen: 500 },
        { dueAt: day(2), paymentFen: 400 },
        { dueAt: day(3), paymentFen: 101 },
      ]),
      1_000,
    );
    expect(over).toEqual({
      path: 'input.milestones.2.paymentFen',
      message: expect.stringContaining('1001 fen'),
    });
  });
});

describe('paymentProblem', () => {
  it('refuses more than the milestone has due, or than is left of the value', () => {
    const base = { contractValueFen: 1_000, paidOnContractFen: 700 };
    expect(paymentProblem({ ...base, amountFen: 300 })).toBeNull();
    expect(paymentProblem({ ...base, amountFen: 301 })).toContain('300 fen');
    expect(
      paymentProblem({ ...base, amountFen: 200, milestone: { paymentFen: 400, paidFen: 250 } }),
    ).toContain('150 fen');
    expect(
      paymentProblem({ ...base, amountFen: 150, milestone: { paymentFen: 400, paidFen: 250 } }),
    ).toBeNull();
  });
});

describe('outcomeSummary', () => {
  it('suppresses the mean below 5 ratings and the cost below 5 answers or with nobody served', () => {
    expect(
      outcomeSummary({ responses: 4, confirmedServed: 4, ratings: 4, ratingSum: 20 }, 1_000),
    ).toMatchObject({
      suppressed: true,
      meanRating: null,
      costPerConfirmedWorkerFen: null,
    });
    expect(
      outcomeSummary({ responses: 6, confirmedServed: 3, ratings: 4, ratingSum: 20 }, 1_000),
    ).toMatchObject({
      suppressed: false,
      meanRating: null,
      // 1,000 ÷ 3 = 333.33… → 333 fen.
      costPerConfirmedWorkerFen: 333,
    });
    expect(
      outcomeSummary({ responses: 5, confirmedServed: 0, ratings: 5, ratingSum: 7 }, 1_000),
    ).toMatchObject({
      meanRating: 1.4,
      costPerConfirmedWorkerFen: null,
    });
    expect(
      outcomeSummary({ responses: 5, confirmedServed: 5, ratings: 5, ratingSum: 22 }, null)
        .costPerConfirmedWorkerFen,
    ).toBeNull();
  });
});
