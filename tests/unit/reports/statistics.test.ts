import { describe, expect, it } from 'vitest';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import {
  fairnessByFoundingType,
  gapScore,
  herfindahlFromSums,
  herfindahlIndex,
  isSuppressed,
  ratio,
  round4,
} from '../../../src/modules/reports/statistics.js';
import { moneyTotal } from '../../../src/modules/reports/report.types.js';
import { value } from '../../../src/modules/opendata/ocds.js';

describe('gap score P / (P + C)', () => {
  it('is 0.75 for 30 people waiting against a capacity of 10', () => {
    expect(gapScore(30, 10)).toBe(0.75);
  });
  it('is 0.5 when capacity equals the people waiting, 1 with no capacity, 0 with no demand', () => {
    expect(gapScore(10, 10)).toBe(0.5);
    expect(gapScore(5, 0)).toBe(1);
    expect(gapScore(0, 40)).toBe(0);
    expect(gapScore(0, 0)).toBe(0);
  });
  it('rounds to four decimals', () => {
    expect(gapScore(1, 2)).toBe(0.3333);
    expect(round4(2 / 3)).toBe(0.6667);
  });
});

describe('suppression', () => {
  it('hides cells with fewer than 5 open demands from viewers who are not staff', () => {
    expect(isSuppressed(0, false)).toBe(true);
    expect(isSuppressed(4, false)).toBe(true);
    expect(isSuppressed(5, false)).toBe(false);
    expect(isSuppressed(1, true)).toBe(false);
  });
});

describe('Herfindahl–Hirschman index', () => {
  it('is 0.38 for shares of 50 %, 30 % and 20 % (0.25 + 0.09 + 0.04)', () => {
    expect(herfindahlIndex([500, 300, 200])).toBe(0.38);
  });
  it('is 1/n for n equal winners and 1 for a single winner', () => {
    expect(herfindahlIndex([7, 7, 7, 7])).toBe(0.25);
    expect(herfindahlIndex([123])).toBe(1);
  });
  it('is null when nothing was awarded', () => {
    expect(herfindahlIndex([])).toBeNull();
    expect(herfindahlIndex([0, 0])).toBeNull();
    expect(herfindahlFromSums('0', '0')).toBeNull();
  });
  it('gives the same value from the sums SQL returns (Σa² ÷ (Σa)²)', () => {
    // 500² + 300² + 200² = 380,000; (1,000)² = 1,000,000
    expect(herfindahlFromSums('380000', '1000')).toBe(0.38);
    // Fen amounts whose squares exceed 2^53 still give the right ratio.
    expect(herfindahlFromSums('200000000000000000', '600000000')).toBe(0.5556);
    expect(herfindahlIndex([200_000_000, 400_000_000])).toBe(0.5556);
  });
});

describe('fairness by founding type', () => {
  const rows = fairnessByFoundingType([
    {
      foundingType: FoundingType.INDEPENDENT,
      eligibleOrganizations: 6,
      applicants: 4,
      applications: 6,
      awards: 1,
      awardedFen: 100,
    },
    {
      foundingType: FoundingType.UNION_FOUNDED,
      eligibleOrganizations: 2,
      applicants: 2,
      applications: 4,
      awards: 3,
      awardedFen: 900,
    },
  ]);

  it('reports every founding type in a fixed order, with zeros for a missing one', () => {
    expect(rows.map((r) => r.foundingType)).toEqual([
      FoundingType.UNION_FOUNDED,
      FoundingType.UNION_INCUBATED,
      FoundingType.INDEPENDENT,
    ]);
    expect(rows[1]).toMatchObject({
      applications: 0,
      awards: 0,
      awardedFen: 0,
      applicationShare: 0,
      moneyShare: 0,
      winRate: null,
      parityRatio: null,
    });
  });

  it('computes the shares, win rate and parity ratio of union-founded organizations by hand', () => {
    // totals: eligible 8, applicants 6, applications 10, awards 4, money 1000
    expect(rows[0]).toMatchObject({
      eligibleShare: 0.25,
      applicantShare: 0.3333,
      applicationShare: 0.4,
      awardShare: 0.75,
      moneyShare: 0.9,
      winRate: 0.75,
      parityRatio: 2.25, // 0.9 / 0.4
    });
  });

  it('computes those of independent organizations by hand', () => {
    expect(rows[2]).toMatchObject({
      eligibleShare: 0.75,
      applicantShare: 0.6667,
      applicationShare: 0.6,
      awardShare: 0.25,
      moneyShare: 0.1,
      winRate: 0.1667, // 1 / 6
      parityRatio: 0.1667, // 0.1 / 0.6
    });
  });

  it('leaves shares null when there is nothing to share', () => {
    const empty = fairnessByFoundingType([]);
    expect(empty.every((r) => r.applicationShare === null && r.moneyShare === null)).toBe(true);
    expect(ratio(1, 0)).toBeNull();
  });
});

describe('money in reports', () => {
  it('writes exact fen totals as decimal strings, also beyond 32 bits', () => {
    expect(moneyTotal('123456')).toMatchObject({ amountFen: '123456', yuan: '1234.56', currency: 'CNY' });
    expect(moneyTotal(5).yuan).toBe('0.05');
    expect(moneyTotal('300000000000').yuan).toBe('3000000000.00');
  });
  it('gives OCDS amounts in yuan', () => {
    expect(value(12345)).toEqual({ amount: 123.45, currency: 'CNY' });
    expect(value(10_000_000)).toEqual({ amount: 100000, currency: 'CNY' });
  });
});
