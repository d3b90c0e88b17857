import { describe, expect, it } from 'vitest';
import { matches, type FeedEvent } from '../../../src/core/events/match-index.js';
import { replayQuery } from '../../../src/core/events/event-rows.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { endorserView } from '../../../src/modules/demands/demand-feed.js';
import { applicationDecisionSpec, decisionConcerns } from '../../../src/modules/projects/application-feed.js';
import {
  checkFulfilmentReport,
  REPORTABLE_DEMAND_STATUSES,
  type ReportedDemand,
} from '../../../src/modules/projects/project-from-demands.js';
import { DEMAND_REPORT_STATUSES } from '../../../src/modules/projects/project-lifecycle.js';
import { ProjectStatus } from '../../../src/modules/projects/project.enums.js';

const WINNER = 7;

function reported(overrides: Partial<ReportedDemand> = {}): ReportedDemand {
  return {
    globalId: 'RGVtYW5kOjE',
    linked: true,
    status: DemandStatus.CLAIMED,
    claimedById: WINNER,
    ...overrides,
  };
}

describe('checkFulfilmentReport', () => {
  it('accepts linked demands CLAIMED or IN_SERVICE by the reporting organization', () => {
    expect(
      checkFulfilmentReport([reported(), reported({ status: DemandStatus.IN_SERVICE })], WINNER),
    ).toBeNull();
    expect(REPORTABLE_DEMAND_STATUSES).toEqual([DemandStatus.CLAIMED, DemandStatus.IN_SERVICE]);
  });

  it('refuses a demand not linked to the project (or missing) as BAD_USER_INPUT at its position', () => {
    expect(
      checkFulfilmentReport([reported(), reported({ globalId: 'x', linked: false })], WINNER),
    ).toMatchObject({ code: 'BAD_USER_INPUT', index: 1, demandId: 'x' });
    expect(checkFulfilmentReport([reported({ status: null, claimedById: null })], WINNER)).toMatchObject({
      code: 'BAD_USER_INPUT',
      index: 0,
    });
  });

  it('refuses every other status with CONFLICT naming it', () => {
    for (const status of Object.values(DemandStatus).filter((s) => !REPORTABLE_DEMAND_STATUSES.includes(s))) {
      const refusal = checkFulfilmentReport([reported(), reported({ status, globalId: 'y' })], WINNER);
      expect(refusal).toMatchObject({ code: 'CONFLICT', index: 1, demandId: 'y', currentStatus: status });
      expect(refusal?.message).toContain(status);
    }
  });

  it('refuses a demand claimed by another organization with CONFLICT', () => {
    expect(checkFulfilmentReport([reported({ claimedById: 99 })], WINNER)).toMatchObject({
      code: 'CONFLICT',
      currentStatus: DemandStatus.CLAIMED,
      message: expect.stringContaining('another organization'),
    });
  });

  it('checks linkage before state, and state before the claimant, over the whole list', () => {
    const refusal = checkFulfilmentReport(
      [
        reported({ claimedById: 99, globalId: 'elsewhere' }),
        reported({ status: DemandStatus.OPEN, claimedById: null, globalId: 'open' }),
        reported({ linked: false, globalId: 'unlinked' }),
      ],
      WINNER,
    );
    expect(refusal?.demandId).toBe('unlinked');
    expect(
      checkFulfilmentReport(
        [
          reported({ claimedById: 99, globalId: 'elsewhere' }),
          reported({ status: DemandStatus.OPEN, globalId: 'open' }),
        ],
        WINNER,
      )?.demandId,
    ).toBe('open');
  });

  it('is open while the project is delivered or complete only', () => {
    expect(DEMAND_REPORT_STATUSES).toEqual([ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED]);
  });
});

describe('applicationDecided rules', () => {
  const event = (entityId: number, topic = Topic.APPLICATION_DECIDED): FeedEvent => ({
    seq: 10,
    topic,
    entityId,
    categoryPath: ['LIFE'],
    regionPath: ['370000', '370100'],
    targetGroups: [],
  });

  it('listens to its organization’s key on the APPLICATION_DECIDED topic only, live and in replay', () => {
    const spec = applicationDecisionSpec(5);
    expect(matches(spec, event(5))).toBe(true);
    expect(matches(spec, event(6))).toBe(false);
    expect(matches(spec, event(5, Topic.DEMAND_UPDATED))).toBe(false);
    const query = replayQuery(spec, 3, 50);
    expect(query.params).toEqual([Topic.APPLICATION_DECIDED, 3, 5, 50]);
  });

  it('delivers an application to members of its applicant, narrowed to a project when asked', () => {
    const memberOf = (id: number) => id === 5;
    const application = { organizationId: 5, projectId: 9 };
    expect(decisionConcerns(application, { organizationId: 5, projectId: null, memberOf })).toBe(true);
    expect(decisionConcerns(application, { organizationId: 5, projectId: 9, memberOf })).toBe(true);
    expect(decisionConcerns(application, { organizationId: 5, projectId: 8, memberOf })).toBe(false);
    // Another organization's application, or a viewer who left the organization.
    expect(
      decisionConcerns({ organizationId: 6, projectId: 9 }, { organizationId: 5, projectId: null, memberOf }),
    ).toBe(false);
    expect(decisionConcerns(application, { organizationId: 5, projectId: null, memberOf: () => false })).toBe(
      false,
    );
  });
});

describe('endorserView', () => {
  it('lets the submitter, the claimant and endorsers follow; only endorsers need every status', () => {
    expect(endorserView(false, false, false)).toEqual({ follows: false, seesAnyStatus: false });
    expect(endorserView(false, true, false)).toEqual({ follows: true, seesAnyStatus: false });
    expect(endorserView(false, false, true)).toEqual({ follows: true, seesAnyStatus: false });
    expect(endorserView(true, false, false)).toEqual({ follows: true, seesAnyStatus: true });
  });
});
