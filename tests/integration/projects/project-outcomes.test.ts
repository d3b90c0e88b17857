import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStatus, User } from '../../../src/modules/accounts/user.entity.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { ProjectOutcomeConfirmation } from '../../../src/modules/projects/project-contract.entity.js';
import { PublisherKind } from '../../../src/modules/projects/project.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { awardTo, idOf, PUBLISH, seedPublisher } from './project-helpers.js';

/**
 * Worker-confirmed outcomes: the workers whose demands a project was made from say whether they were
 * served and rate it; the project shows the figures, the mean only from 5 ratings on, and the cost
 * per worker confirmed served.
 */
const CONFIRM = `mutation($input: ConfirmProjectOutcomeInput!) {
  confirmProjectOutcome(input: $input) { project { id outcomeConfirmations { responses confirmedServed } } } }`;
const OUTCOMES = `query($id: ID!) { project(id: $id) { status
  outcomeConfirmations { confirmedServed responses meanRating suppressed costPerConfirmedWorker { amountFen currency } } } }`;

interface Outcomes {
  confirmedServed: number;
  responses: number;
  meanRating: number | null;
  suppressed: boolean;
  costPerConfirmedWorker: { amountFen: number } | null;
}

let t: TestApp;
let union: Awaited<ReturnType<typeof seedPublisher>>;
let winner: SeededOrganization;
let admin: SeededUser;
/** Six workers, each with one demand linked to the project. */
const workers: SeededUser[] = [];
const demands: string[] = [];
let projectId: string;
let applicationId: string;
let unlinkedDemand: string;

beforeAll(async () => {
  t = await startTestApp();
  union = await seedPublisher(t, { kind: PublisherKind.UNION, regionCode: '370100' });
  winner = await t.seed.organization();
  admin = await t.seed.admin();
  for (let i = 0; i < 6; i += 1) {
    const worker = await t.seed.worker();
    workers.push(worker);
    demands.push((await t.seed.demand(worker.user.id)).globalId());
  }
  unlinkedDemand = (await t.seed.demand(workers[0]!.user.id)).globalId();
  const created = await t.data<{ createProjectFromDemands: { project: { id: string } } }>(
    `mutation($input: CreateProjectFromDemandsInput!) { createProjectFromDemands(input: $input) { project { id } } }`,
    { input: { demandIds: demands, publisherId: union.publisherId, budgetFen: 1_000_000 } },
    union.token,
  );
  projectId = created.createProjectFromDemands.project.id;
  await t.data(PUBLISH, { input: { projectId } }, union.token);
  ({ applicationId } = await awardTo(t, union.token, projectId, winner, { requestedFen: 700_000 }));
});
afterAll(() => t.stop());

function errorOf(res: GqlResponse<unknown>): Record<string, unknown> {
  return res.body.errors?.[0]?.extensions ?? {};
}

const confirm = (
  i: number,
  served: boolean,
  rating: number | null,
  token = workers[i]!.token,
  demandId = demands[i],
) => t.gql(CONFIRM, { input: { projectId, demandId, served, rating } }, token);

async function outcomes(token?: string): Promise<Outcomes & { status: string }> {
  const data = await t.data<{ project: { status: string; outcomeConfirmations: Outcomes } }>(
    OUTCOMES,
    { id: projectId },
    token,
  );
  return { status: data.project.status, ...data.project.outcomeConfirmations };
}

/** Signs the contract (600,000 fen): the project is IN_PROGRESS from then on. */
async function signContract(): Promise<void> {
  const day = 86_400_000;
  await t.data(
    `mutation($input: SignContractInput!) { signContract(input: $input) { project { id } } }`,
    {
      input: {
        projectId,
        applicationId,
        valueFen: 600_000,
        periodStart: new Date(Date.now() - day).toISOString(),
        periodEnd: new Date(Date.now() + 60 * day).toISOString(),
        milestones: [
          {
            title: '服务',
            deliverables: '托育服务',
            dueAt: new Date(Date.now() + 30 * day).toISOString(),
            paymentFen: 600_000,
          },
        ],
      },
    },
    union.token,
  );
}

describe('confirmProjectOutcome', () => {
  it('waits for delivery: an AWARDED project refuses confirmations (CONFLICT)', async () => {
    expect(errorOf(await confirm(0, true, 5))).toMatchObject({ code: 'CONFLICT', status: 'AWARDED' });
    await signContract();
    expect((await outcomes()).status).toBe('IN_PROGRESS');
  });

  it("is the demand's own worker's: other workers, staff, the organization and admins are refused; bad input names the field", async () => {
    expect(errorOf(await confirm(0, true, 5, workers[1]!.token)).code).toBe('FORBIDDEN');
    for (const token of [union.token, winner.token, admin.token])
      expect(errorOf(await confirm(0, true, 5, token)).code).toBe('FORBIDDEN');
    expect(errorOf(await confirm(0, true, 5, '')).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await confirm(0, true, 5, workers[0]!.token, unlinkedDemand))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.demandId' }],
    });
    for (const rating of [0, 6])
      expect(errorOf(await confirm(0, true, rating))).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ path: 'input.rating', message: 'must be 1 to 5' }],
      });
    expect(await t.orm.em.fork().count(ProjectOutcomeConfirmation, { project: idOf(projectId) })).toBe(0);
  });

  it('shows counts at once, the mean and the cost per worker served only from 5 answers on; a second answer replaces the first', async () => {
    // Four answers: counts only.
    expect(errorOf(await confirm(0, true, 5))).toEqual({});
    await confirm(1, true, 4);
    await confirm(2, true, 4);
    await confirm(3, false, 2);
    expect(await outcomes()).toMatchObject({
      confirmedServed: 3,
      responses: 4,
      meanRating: null,
      suppressed: true,
      costPerConfirmedWorker: null,
    });
    // The fifth: (5 + 4 + 4 + 2 + 3) / 5 = 3.6; 600,000 fen ÷ 4 workers served = 150,000 fen.
    await confirm(4, true, 3);
    expect(await outcomes()).toMatchObject({
      confirmedServed: 4,
      responses: 5,
      meanRating: 3.6,
      suppressed: false,
      costPerConfirmedWorker: { amountFen: 150_000, currency: 'CNY' },
    });
    // The fourth worker was served after all: (5 + 4 + 4 + 3 + 3) / 5 = 3.8; 600,000 ÷ 5 = 120,000.
    await confirm(3, true, 3);
    expect(await outcomes()).toMatchObject({
      confirmedServed: 5,
      responses: 5,
      meanRating: 3.8,
      costPerConfirmedWorker: { amountFen: 120_000 },
    });
    // The same figures for everyone; nobody's answer one by one.
    expect(await outcomes(workers[5]!.token)).toMatchObject({ confirmedServed: 5, meanRating: 3.8 });

    const entries = await t.orm.em
      .fork()
      .find(
        AuditEntry,
        { subjectId: demands[3], action: 'confirmProjectOutcome' },
        { orderBy: { id: 'asc' } },
      );
    expect(entries.map((e) => e.summary)).toEqual([
      { project: projectId, served: false, rating: 2, previous: null },
      { project: projectId, served: true, rating: 3, previous: { served: false, rating: 2 } },
    ]);
    expect(entries[1]!.actor?.id).toBe(workers[3]!.user.id);
  });

  it('is refused to a worker suspended between two answers, and still taken once the project is COMPLETED', async () => {
    const sixth = workers[5]!;
    await t.orm.em.fork().nativeUpdate(User, { id: sixth.user.id }, { status: AccountStatus.SUSPENDED });
    const refused = await confirm(5, true, 1);
    expect(errorOf(refused).code).toBe('UNAUTHENTICATED');
    expect(await t.orm.em.fork().count(ProjectOutcomeConfirmation, { demand: idOf(demands[5]!) })).toBe(0);
    await t.orm.em.fork().nativeUpdate(User, { id: sixth.user.id }, { status: AccountStatus.ACTIVE });

    await t.data(
      `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { project { id } } }`,
      { input: { projectId, outcome: '服务 6 户职工家庭', evaluationScore: 4 } },
      union.token,
    );
    expect(errorOf(await confirm(5, false, null))).toEqual({});
    // (5 + 4 + 4 + 3 + 3) / 5 still: an answer without a rating counts as a response only.
    expect(await outcomes()).toMatchObject({
      status: 'COMPLETED',
      confirmedServed: 5,
      responses: 6,
      meanRating: 3.8,
      costPerConfirmedWorker: { amountFen: 120_000 },
    });
  });
});
