import { describe, expect, it } from 'vitest';
import { ANY, matches, type FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { MAX_FEN } from '../../../src/core/money.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { projectFeedSpec } from '../../../src/modules/projects/project-feed.js';
import {
  checkLinkable,
  defaultBudgetFen,
  defaultTitle,
  DEFAULT_BUDGET_FEN_PER_PERSON,
  primaryWinner,
  summarizeDemands,
  type LinkableDemand,
} from '../../../src/modules/projects/project-from-demands.js';

function demand(overrides: Partial<LinkableDemand> = {}): LinkableDemand {
  return {
    globalId: 'RGVtYW5kOjE',
    status: DemandStatus.OPEN,
    categoryCode: 'LIFE.CHILDCARE',
    regionCode: '370102',
    regionPath: ['370000', '370100', '370102'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
    peopleAffected: 3,
    endorsementCount: 1,
    ...overrides,
  };
}

describe('checkLinkable', () => {
  it('accepts OPEN demands of one category inside the union scope', () => {
    expect(checkLinkable([demand(), demand({ regionCode: '370103' })], '370100')).toBeNull();
  });

  it('refuses a demand outside the scope first, naming it', () => {
    const outside = demand({ globalId: 'q', regionPath: ['370000', '370200', '370202'] });
    expect(checkLinkable([demand({ status: DemandStatus.CLAIMED }), outside], '370100')).toMatchObject({
      code: 'FORBIDDEN',
      index: 1,
      demandId: 'q',
    });
  });

  it('refuses a demand that is not OPEN with its status, then a second category', () => {
    expect(
      checkLinkable([demand(), demand({ globalId: 'w', status: DemandStatus.WITHDRAWN })], '370100'),
    ).toMatchObject({ code: 'CONFLICT', index: 1, demandId: 'w', currentStatus: DemandStatus.WITHDRAWN });
    expect(
      checkLinkable([demand(), demand({ globalId: 'e', categoryCode: 'LIFE.ELDERLY_CARE' })], '370100'),
    ).toMatchObject({ code: 'BAD_USER_INPUT', index: 1, demandId: 'e' });
  });
});

describe('summarizeDemands', () => {
  it('sums people and endorsements and merges regions and groups', () => {
    const summary = summarizeDemands([
      demand({ regionCode: '370103', peopleAffected: 4, endorsementCount: 2 }),
      demand({ targetGroups: [TargetGroup.MIGRANT_WORKERS] }),
      demand(),
    ]);
    expect(summary).toEqual({
      categoryCode: 'LIFE.CHILDCARE',
      regionCodes: ['370102', '370103'],
      targetGroups: [TargetGroup.FEMALE_WORKERS, TargetGroup.MIGRANT_WORKERS],
      peopleAffected: 10,
      endorsements: 4,
    });
  });

  it('collapses the groups to ALL_WORKERS when a demand concerns every worker', () => {
    const summary = summarizeDemands([demand(), demand({ targetGroups: [TargetGroup.ALL_WORKERS] })]);
    expect(summary.targetGroups).toEqual([TargetGroup.ALL_WORKERS]);
  });
});

describe('defaults', () => {
  it('estimates the budget per person in exact fen, within Money’s range', () => {
    expect(defaultBudgetFen(7)).toBe(7 * DEFAULT_BUDGET_FEN_PER_PERSON);
    expect(defaultBudgetFen(0)).toBe(DEFAULT_BUDGET_FEN_PER_PERSON);
    expect(defaultBudgetFen(10_000_000)).toBe(MAX_FEN);
  });

  it('names the category and the number of demands in the title', () => {
    expect(defaultTitle('抚幼与托育', 3)).toBe('抚幼与托育服务项目（源自 3 项职工需求）');
  });
});

describe('primaryWinner', () => {
  it('is the largest award, the first listed among equals', () => {
    expect(primaryWinner([])).toBeNull();
    expect(
      primaryWinner([
        { organizationId: 1, awardedFen: 100 },
        { organizationId: 2, awardedFen: 300 },
        { organizationId: 3, awardedFen: 300 },
      ]),
    ).toBe(2);
  });
});

describe('projectFeedSpec', () => {
  const scope = { categoryCodes: ['LIFE'], regionCodes: ['370100'], targetGroups: [TargetGroup.ALL_WORKERS] };
  const event = (overrides: Partial<FeedEvent> = {}): FeedEvent => ({
    seq: 1,
    topic: Topic.PROJECT_PUBLISHED,
    entityId: 1,
    categoryPath: ['LIFE', 'LIFE.CHILDCARE'],
    regionPath: ['370000', '370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
    ...overrides,
  });
  const noFilter = { categoryPath: null, regionPath: null, targetGroups: [] };

  it('listens for new projects in the categories and regions the organization serves', () => {
    const spec = projectFeedSpec(scope, noFilter);
    expect(spec).toMatchObject({
      topic: Topic.PROJECT_PUBLISHED,
      categoryCodes: ['LIFE'],
      regionCodes: ['370100'],
    });
    expect(matches(spec, event())).toBe(true);
    expect(matches(spec, event({ categoryPath: ['CULTURE'] }))).toBe(false);
    expect(matches(spec, event({ regionPath: ['370000', '370200'] }))).toBe(false);
    expect(matches(spec, event({ topic: Topic.DEMAND_PUBLISHED }))).toBe(false);
  });

  it('narrows to the filter’s subtree', () => {
    const spec = projectFeedSpec(scope, { ...noFilter, categoryPath: ['LIFE', 'LIFE.ELDERLY_CARE'] });
    expect(spec.categoryCodes).toEqual(['LIFE.ELDERLY_CARE']);
    expect(spec.categoryCodes).not.toContain(ANY);
    expect(matches(spec, event())).toBe(false);
  });
});
