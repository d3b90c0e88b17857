import { describe, expect, it } from 'vitest';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { canServe } from '../../../src/modules/demands/demand.policy.js';
import {
  coverDistance,
  normalizeTargetGroups,
  scoreMatch,
  targetGroupsFit,
  type DemandScope,
  type MatchCandidate,
} from '../../../src/modules/demands/demand-matching.js';

const demand: DemandScope = {
  categoryPath: ['LIFE', 'LIFE.CHILDCARE'],
  regionPath: ['370000', '370100', '370102'],
  targetGroups: [TargetGroup.FEMALE_WORKERS],
};

const base: MatchCandidate = {
  categoryCodes: ['LIFE.CHILDCARE'],
  regionCodes: ['370102'],
  targetGroups: [TargetGroup.FEMALE_WORKERS],
  ratingSum: 0,
  ratingCount: 0,
  openClaims: 0,
};

describe('canServe', () => {
  it('accepts an organization whose category and region cover the demand through an ancestor', () => {
    expect(canServe({ ...base, categoryCodes: ['LIFE'], regionCodes: ['370100'] }, demand)).toBe(true);
  });

  it('refuses an organization in another category, region or target group', () => {
    expect(canServe({ ...base, categoryCodes: ['WORK'] }, demand)).toBe(false);
    expect(canServe({ ...base, regionCodes: ['370200'] }, demand)).toBe(false);
    expect(canServe({ ...base, targetGroups: [TargetGroup.MIGRANT_WORKERS] }, demand)).toBe(false);
  });

  it('refuses an organization that serves only a subcategory or a district of the demand', () => {
    const cityDemand = { ...demand, regionPath: ['370000', '370100'] };
    expect(canServe({ ...base, regionCodes: ['370102'] }, cityDemand)).toBe(false);
    const broadDemand = { ...demand, categoryPath: ['LIFE'] };
    expect(canServe(base, broadDemand)).toBe(false);
  });

  it('treats ALL_WORKERS or no group on either side as fitting every group', () => {
    expect(targetGroupsFit([TargetGroup.ALL_WORKERS], [TargetGroup.DISABLED_WORKERS])).toBe(true);
    expect(targetGroupsFit([], [TargetGroup.DISABLED_WORKERS])).toBe(true);
    expect(targetGroupsFit([TargetGroup.DISABLED_WORKERS], [TargetGroup.ALL_WORKERS])).toBe(true);
    expect(normalizeTargetGroups([])).toEqual([TargetGroup.ALL_WORKERS]);
    expect(normalizeTargetGroups([TargetGroup.FEMALE_WORKERS, TargetGroup.FEMALE_WORKERS])).toEqual([
      TargetGroup.FEMALE_WORKERS,
    ]);
  });
});

describe('scoreMatch', () => {
  it('counts levels between the demand and the closest covering code', () => {
    expect(coverDistance(demand.regionPath, ['370102'])).toBe(0);
    expect(coverDistance(demand.regionPath, ['370000', '370100'])).toBe(1);
    expect(coverDistance(demand.regionPath, ['370200'])).toBeNull();
  });

  it('ranks exact category and region above ancestors, and says why', () => {
    const exact = scoreMatch(base, demand, 20);
    const ancestor = scoreMatch({ ...base, categoryCodes: ['LIFE'], regionCodes: ['370000'] }, demand, 20);
    expect(exact.score).toBeGreaterThan(ancestor.score);
    expect(exact.reasons[0]).toMatch(/exactly this category/);
    expect(exact.reasons[1]).toMatch(/exactly this region/);
    expect(ancestor.reasons[0]).toMatch(/parent category, 1 level/);
    expect(ancestor.reasons[1]).toMatch(/enclosing region, 2 level/);
  });

  it('prefers a named target group to a general audience', () => {
    const specific = scoreMatch(base, demand, 20);
    const general = scoreMatch({ ...base, targetGroups: [TargetGroup.ALL_WORKERS] }, demand, 20);
    expect(specific.score - general.score).toBe(10);
  });

  it('rewards good ratings and spare capacity', () => {
    const rated = scoreMatch({ ...base, ratingSum: 10, ratingCount: 2 }, demand, 20);
    const unrated = scoreMatch(base, demand, 20);
    expect(rated.score).toBeGreaterThan(unrated.score);
    const busy = scoreMatch({ ...base, openClaims: 15 }, demand, 20);
    expect(unrated.score - busy.score).toBe(7.5);
    expect(busy.reasons.at(-1)).toBe('5 of 20 claim slots free (+2.5)');
  });

  it('never changes the score for how an organization was founded', () => {
    const scores = Object.values(FoundingType).map((foundingType) => {
      const organization = { ...base, foundingType, ratingSum: 8, ratingCount: 2, openClaims: 3 };
      return scoreMatch(organization, demand, 20);
    });
    for (const s of scores) expect(s).toEqual(scores[0]);
  });

  it('stays within 0–100', () => {
    const best = scoreMatch({ ...base, ratingSum: 5, ratingCount: 1 }, demand, 20);
    expect(best.score).toBe(100);
  });
});
