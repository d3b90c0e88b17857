import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { record } from '../events/feed-client.js';
import { subscriptionsReach } from '../../setup/probes.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from './project-helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';
const ENDORSE = `mutation($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }`;
const CREATE = `mutation($input: CreateProjectFromDemandsInput!) {
  createProjectFromDemands(input: $input) { project { id status title budget { amountFen }
    category { code } regions { code } targetGroups linkedDemandCount demandPeopleAffected demandEndorsements
    linkedDemands { id status } publisher { id } } } }`;
const DEMAND = `query($id: ID!) { demand(id: $id) { id status claimedBy { id } } }`;
const DEMAND_UPDATED = `subscription($demandId: ID!) { demandUpdated(demandId: $demandId) { cursor demand { id status } } }`;

interface CreatedProject {
  id: string;
  status: string;
  title: string;
  budget: { amountFen: number };
  category: { code: string };
  regions: { code: string }[];
  targetGroups: string[];
  linkedDemandCount: number;
  demandPeopleAffected: number;
  demandEndorsements: number;
  linkedDemands: { id: string; status: string }[];
  publisher: { id: string };
}

let t: TestApp;
let worker: SeededUser;
let union: Awaited<ReturnType<typeof seedPublisher>>;
beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  // Jinan union staff (scope 370100) acting for a union publisher.
  union = await seedPublisher(t, { kind: PublisherKind.UNION, regionCode: '370100' });
});
// Each test counts the subscriptions it opens; the previous test's must be gone by then.
afterEach(() => subscriptionsReach(t, 0));
afterAll(() => t.stop());

let serial = 0;
/** A worker's OPEN demand (childcare in Lixia, Jinan, by default). */
async function demand(overrides: Record<string, unknown> = {}, by = worker): Promise<string> {
  serial += 1;
  const res = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: `托育需求 ${serial}`,
        description: '双职工家庭需要课后托管服务',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        targetGroups: ['FEMALE_WORKERS'],
        peopleAffected: 3,
        ...overrides,
      },
    },
    by.token,
  );
  return res.submitDemand.demand.id;
}

function create(demandIds: string[], extra: Record<string, unknown> = {}, token = union.token) {
  return t.gql<{ createProjectFromDemands: { project: CreatedProject } }>(
    CREATE,
    { input: { demandIds, publisherId: union.publisherId, ...extra } },
    token,
  );
}

function errorOf(res: GqlResponse<unknown>): Record<string, unknown> {
  return res.body.errors?.[0]?.extensions ?? {};
}

describe('createProjectFromDemands', () => {
  it('turns OPEN demands in scope into a DRAFT linked to them, with people affected and endorsements summed', async () => {
    const a = await demand({ peopleAffected: 5 });
    const b = await demand({ peopleAffected: 2, regionCode: '370103', targetGroups: ['MIGRANT_WORKERS'] });
    const endorser = await t.seed.worker();
    await t.data(ENDORSE, { input: { demandId: a } }, endorser.token);

    const res = await create([a, b]);
    expect(res.body.errors).toBeUndefined();
    const project = res.body.data!.createProjectFromDemands.project;
    expect(project).toMatchObject({
      status: 'DRAFT',
      category: { code: 'LIFE.CHILDCARE' },
      regions: expect.arrayContaining([{ code: '370102' }, { code: '370103' }]),
      targetGroups: ['FEMALE_WORKERS', 'MIGRANT_WORKERS'],
      linkedDemandCount: 2,
      // 5 + 1 endorsement, and 2.
      demandPeopleAffected: 8,
      demandEndorsements: 1,
      // The default budget: 200 yuan per person affected.
      budget: { amountFen: 8 * 20_000 },
      linkedDemands: [
        { id: a, status: 'OPEN' },
        { id: b, status: 'OPEN' },
      ],
      publisher: { id: union.publisherId },
    });
    expect(project.title).toContain('抚幼与托育');

    // The draft is the publisher's alone; the audit trail records the link.
    const anonymous = await t.data<{ project: null }>(`query($id: ID!) { project(id: $id) { id } }`, {
      id: project.id,
    });
    expect(anonymous.project).toBeNull();
    const audit = await t.orm.em
      .fork()
      .find(AuditEntry, { subjectId: project.id, action: 'createProjectFromDemands' });
    expect(audit[0]?.summary).toMatchObject({ demands: [a, b], peopleAffected: 8, endorsements: 1 });
  });

  it('refuses demands outside the union’s scope (FORBIDDEN), not OPEN (CONFLICT) or of mixed categories, naming the demand', async () => {
    const inScope = await demand();
    const qingdao = await demand({ regionCode: '370202' });
    const outside = await create([inScope, qingdao]);
    expect(errorOf(outside)).toMatchObject({ code: 'FORBIDDEN', demandId: qingdao });
    expect(outside.body.errors?.[0]?.message).toContain(qingdao);

    const withdrawn = await demand();
    await t.data(
      `mutation($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id } } }`,
      { input: { demandId: withdrawn } },
      worker.token,
    );
    const closed = await create([inScope, withdrawn]);
    expect(errorOf(closed)).toMatchObject({
      code: 'CONFLICT',
      demandId: withdrawn,
      currentStatus: 'WITHDRAWN',
    });

    const elderly = await demand({ categoryCode: 'LIFE.ELDERLY_CARE' });
    const mixed = await create([inScope, elderly]);
    expect(errorOf(mixed)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.demandIds.1', message: expect.stringContaining(elderly) }],
    });

    // Nothing was linked by the refused attempts: the demand can still become a project.
    const ok = await create([inScope]);
    expect(ok.body.errors).toBeUndefined();
    // …but only one live project at a time.
    const again = await create([inScope]);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', demandId: inScope });
  });

  it('is for union staff acting for the union publisher only', async () => {
    const id = await demand();
    const otherUnion = await seedPublisher(t, { kind: PublisherKind.UNION, regionCode: '370100' });
    const wrongPublisher = await create([id], {}, otherUnion.token);
    expect(errorOf(wrongPublisher).code).toBe('FORBIDDEN');
    const gov = await seedPublisher(t, { kind: PublisherKind.GOVERNMENT, regionCode: '370100' });
    expect(errorOf(await create([id], {}, gov.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await create([id], {}, worker.token)).code).toBe('FORBIDDEN');
  });
});

describe('awarding a project made from demands', () => {
  it('makes the linked demands CLAIMED by the winner in the award’s transaction, pushes demandUpdated to the submitter and records it', async () => {
    const submitter = await t.seed.worker();
    const a = await demand({}, submitter);
    const b = await demand({}, submitter);
    const created = await create([a, b], { budgetFen: 1_000_000 });
    const projectId = created.body.data!.createProjectFromDemands.project.id;
    await t.data(PUBLISH, { input: { projectId } }, union.token);

    const winner = await t.seed.organization();
    const loser = await t.seed.organization();
    const applyAs = async (org: typeof winner, requestedFen: number) =>
      (
        await t.data<{ applyToProject: { application: { id: string } } }>(
          APPLY,
          {
            input: {
              projectId,
              organizationId: toGlobalId('Organization', org.organization.id),
              proposal: '托育服务方案',
              requestedFen,
            },
          },
          org.token,
        )
      ).applyToProject.application.id;
    const winning = await applyAs(winner, 800_000);
    await applyAs(loser, 700_000);
    await closePeriod(t, projectId);

    const updates = record(
      t.ws({ token: submitter.token }),
      { demandId: a },
      DEMAND_UPDATED,
      'demandUpdated',
    );
    await subscriptionsReach(t, 1);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: winning, amountFen: 800_000 }],
        },
      },
      union.token,
    );

    const [event] = await updates.waitFor(1, 2_000);
    expect(event).toMatchObject({ demand: { id: a, status: 'CLAIMED' } });
    updates.stop();

    const winnerId = toGlobalId('Organization', winner.organization.id);
    for (const id of [a, b]) {
      const seen = await t.data<{ demand: { status: string; claimedBy: { id: string } } }>(
        DEMAND,
        { id },
        submitter.token,
      );
      expect(seen.demand).toMatchObject({ status: 'CLAIMED', claimedBy: { id: winnerId } });
      const [entry] = await t.orm.em.fork().find(AuditEntry, { subjectId: id, action: 'demand.claim' });
      expect(entry?.summary).toMatchObject({
        project: projectId,
        via: 'awardProject',
        organizationId: winner.organization.globalId(), // audit summaries name objects by global id
        from: 'OPEN',
        to: 'CLAIMED',
      });
    }
  });

  it('leaves a linked demand that is no longer OPEN as it is', async () => {
    const submitter = await t.seed.worker();
    const kept = await demand({}, submitter);
    const gone = await demand({}, submitter);
    const projectId = (await create([kept, gone], { budgetFen: 1_000_000 })).body.data!
      .createProjectFromDemands.project.id;
    await t.data(PUBLISH, { input: { projectId } }, union.token);
    const org = await t.seed.organization();
    const application = await t.data<{ applyToProject: { application: { id: string } } }>(
      APPLY,
      {
        input: {
          projectId,
          organizationId: toGlobalId('Organization', org.organization.id),
          proposal: '方案',
          requestedFen: 500_000,
        },
      },
      org.token,
    );
    await t.data(
      `mutation($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id } } }`,
      { input: { demandId: gone } },
      submitter.token,
    );
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: application.applyToProject.application.id, amountFen: 500_000 }],
        },
      },
      union.token,
    );
    const status = async (id: string) =>
      (await t.data<{ demand: { status: string } }>(DEMAND, { id }, submitter.token)).demand.status;
    expect(await status(kept)).toBe('CLAIMED');
    expect(await status(gone)).toBe('WITHDRAWN');
  });
});

const START = `mutation($input: StartProjectInput!) { startProject(input: $input) { project { id status } } }`;
const COMPLETE = `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { project { id status } } }`;
const REPORT = `mutation($input: ReportProjectDemandsInput!) {
  reportProjectDemands(input: $input) { project { id status } fulfilled { id status } } }`;
const DEMAND_UPDATED_VIEW = `subscription($demandId: ID!) {
  demandUpdated(demandId: $demandId) { cursor demand { id status anonymous contact submittedBy { id } claimedBy { id } } } }`;

interface SeededOrg {
  organization: { id: number };
  token: string;
}

/**
 * A project made from `demandIds`, published, applied to by `winner` (and `loser`, when given),
 * closed and awarded to `winner`. Returns the project's id.
 */
async function awardedProject(demandIds: string[], winner: SeededOrg, loser?: SeededOrg): Promise<string> {
  const created = await create(demandIds, { budgetFen: 1_000_000 });
  expect(created.body.errors).toBeUndefined();
  const projectId = created.body.data!.createProjectFromDemands.project.id;
  await t.data(PUBLISH, { input: { projectId } }, union.token);
  const applyAs = async (org: SeededOrg, requestedFen: number) =>
    (
      await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        {
          input: {
            projectId,
            organizationId: toGlobalId('Organization', org.organization.id),
            proposal: '托育服务方案',
            requestedFen,
          },
        },
        org.token,
      )
    ).applyToProject.application.id;
  const winning = await applyAs(winner, 800_000);
  if (loser) await applyAs(loser, 700_000);
  await closePeriod(t, projectId);
  await t.data(
    AWARD,
    {
      input: {
        projectId,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId: winning, amountFen: 800_000 }],
      },
    },
    union.token,
  );
  return projectId;
}

describe('endorsers of a project’s demands', () => {
  it('hear the claim by the winner over demandUpdated, seeing the demand as a browsing worker would', async () => {
    const submitter = await t.seed.worker();
    const endorser = await t.seed.worker();
    const stranger = await t.seed.worker();
    const id = await demand({ anonymous: true, contact: '13800138000', contactConsent: true }, submitter);
    await t.data(ENDORSE, { input: { demandId: id } }, endorser.token);
    // A worker who did not endorse it may browse it, but not follow it.
    const refused = record(
      t.ws({ token: stranger.token }),
      { demandId: id },
      DEMAND_UPDATED,
      'demandUpdated',
    );
    expect(JSON.stringify(await refused.failed())).toContain('FORBIDDEN');

    const updates = record(
      t.ws({ token: endorser.token }),
      { demandId: id },
      DEMAND_UPDATED_VIEW,
      'demandUpdated',
    );
    await subscriptionsReach(t, 1);
    const winner = await t.seed.organization();
    await awardedProject([id], winner);
    const [event] = await updates.waitFor(1, 2_000);
    expect(event).toMatchObject({
      demand: {
        id,
        status: 'CLAIMED',
        anonymous: true,
        // No contact and no anonymous submitter for an endorser, even though the worker consented.
        contact: null,
        submittedBy: null,
        claimedBy: { id: toGlobalId('Organization', winner.organization.id) },
      },
    });
    updates.stop();
    await subscriptionsReach(t, 0);

    // Once CLAIMED the demand is out of the browsing feed, yet its endorser may still follow it.
    const later = record(
      t.ws({ token: endorser.token }),
      { demandId: id },
      DEMAND_UPDATED_VIEW,
      'demandUpdated',
    );
    await subscriptionsReach(t, 1);
    await t.data(
      `mutation($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) { demand { id } } }`,
      { input: { demandId: id, note: '已开始服务' } },
      winner.token,
    );
    const [progress] = await later.waitFor(1, 2_000);
    expect(progress).toMatchObject({
      demand: { id, status: 'IN_SERVICE', contact: null, submittedBy: null },
    });
    later.stop();
  });
});

describe('reportProjectDemands', () => {
  it('turns the named linked demands FULFILLED for the winner once the project is under way or complete, leaving the others, with audit entries and events', async () => {
    const submitter = await t.seed.worker();
    const endorser = await t.seed.worker();
    const [a, b, c] = [await demand({}, submitter), await demand({}, submitter), await demand({}, submitter)];
    await t.data(ENDORSE, { input: { demandId: a } }, endorser.token);
    const winner = await t.seed.organization();
    const loser = await t.seed.organization();
    const projectId = await awardedProject([a, b, c], winner, loser);
    const report = (ids: string[], token = winner.token, org: SeededOrg = winner) =>
      t.gql<{
        reportProjectDemands: { project: { status: string }; fulfilled: { id: string; status: string }[] };
      }>(
        REPORT,
        {
          input: {
            projectId,
            organizationId: toGlobalId('Organization', org.organization.id),
            fulfilledDemandIds: ids,
          },
        },
        token,
      );

    // AWARDED: delivery has not started.
    const early = await report([a]);
    expect(errorOf(early)).toMatchObject({ code: 'CONFLICT', status: 'AWARDED' });
    expect(early.body.errors?.[0]?.message).toContain('AWARDED');

    await t.data(START, { input: { projectId } }, union.token);
    // Not the winner: the loser's admin, and a mere member of the winner.
    expect(errorOf(await report([a], loser.token, loser)).code).toBe('FORBIDDEN');
    const member = await t.seed.organizationMember(winner.organization.id);
    expect(errorOf(await report([a], member.token)).code).toBe('FORBIDDEN');
    // Not linked to this project.
    const unlinked = await demand({}, submitter);
    expect(errorOf(await report([a, unlinked]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.fulfilledDemandIds.1', message: expect.stringContaining(unlinked) }],
    });

    const updates = record(
      t.ws({ token: endorser.token }),
      { demandId: a },
      DEMAND_UPDATED_VIEW,
      'demandUpdated',
    );
    await subscriptionsReach(t, 1);
    const first = await report([a]);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.reportProjectDemands.fulfilled).toEqual([{ id: a, status: 'FULFILLED' }]);
    const [event] = await updates.waitFor(1, 2_000);
    expect(event).toMatchObject({ demand: { id: a, status: 'FULFILLED' } });
    updates.stop();

    await t.data(
      COMPLETE,
      { input: { projectId, outcome: '托育服务已完成', evaluationScore: 5 } },
      union.token,
    );
    // Wrong state: already FULFILLED, named along with one still CLAIMED — all or nothing.
    const again = await report([b, a]);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', demandId: a, currentStatus: 'FULFILLED' });
    expect(again.body.errors?.[0]?.message).toContain('FULFILLED');
    const status = async (id: string) =>
      (await t.data<{ demand: { status: string } }>(DEMAND, { id }, submitter.token)).demand.status;
    expect(await status(b)).toBe('CLAIMED');

    // After completion: the final report; c is left as it is.
    const last = await report([b]);
    expect(last.body.data?.reportProjectDemands).toMatchObject({
      project: { status: 'COMPLETED' },
      fulfilled: [{ id: b, status: 'FULFILLED' }],
    });
    expect(await status(c)).toBe('CLAIMED');

    const em = t.orm.em.fork();
    const [entry] = await em.find(AuditEntry, { subjectId: b, action: 'demand.fulfil' });
    expect(entry?.summary).toMatchObject({
      project: projectId,
      via: 'reportProjectDemands',
      organizationId: winner.organization.globalId(),
      from: 'CLAIMED',
      to: 'FULFILLED',
    });
    const reports = await em.find(
      AuditEntry,
      { subjectId: projectId, action: 'reportProjectDemands' },
      { orderBy: { id: 'asc' } },
    );
    expect(reports.map((r) => r.summary)).toMatchObject([
      { fulfilled: [a], projectStatus: 'IN_PROGRESS' },
      { fulfilled: [b], projectStatus: 'COMPLETED' },
    ]);
  });

  it('refuses a demand that left the winner’s hands (withdrawn) with CONFLICT naming its state', async () => {
    const submitter = await t.seed.worker();
    const kept = await demand({}, submitter);
    const gone = await demand({}, submitter);
    const winner = await t.seed.organization();
    const projectId = await awardedProject([kept, gone], winner);
    await t.data(START, { input: { projectId } }, union.token);
    await t.data(
      `mutation($input: WithdrawDemandInput!) { withdrawDemand(input: $input) { demand { id } } }`,
      { input: { demandId: gone } },
      submitter.token,
    );
    const res = await t.gql(
      REPORT,
      {
        input: {
          projectId,
          organizationId: toGlobalId('Organization', winner.organization.id),
          fulfilledDemandIds: [kept, gone],
        },
      },
      winner.token,
    );
    expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', demandId: gone, currentStatus: 'WITHDRAWN' });
    const seen = await t.data<{ demand: { status: string } }>(DEMAND, { id: kept }, submitter.token);
    expect(seen.demand.status).toBe('CLAIMED');
  });
});
