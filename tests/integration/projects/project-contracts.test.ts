import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { OrganizationMember } from '../../../src/modules/organizations/membership.entity.js';
import { ProjectContract } from '../../../src/modules/projects/project-contract.entity.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { inbox, NOTIFY_ENV } from '../notifications/helpers.js';
import { awardedProject, idOf, seedPublisher } from './project-helpers.js';

/**
 * After the award: signing the contract (which starts delivery), reporting and deciding its
 * milestones, recording payments — per role, with bad input, two decisions at once, the audit trail
 * and the notifications the organization and the publisher expect.
 */
const SIGN = `mutation($input: SignContractInput!) {
  signContract(input: $input) { project { id status startedAt }
    contract { id value { amountFen } period { startDate endDate } documents { title url }
      supplier { id } milestones { id title status payment { amountFen } } paidTotal { amountFen } } } }`;
const REPORT = `mutation($input: ReportMilestoneInput!) { reportMilestone(input: $input) { milestone { id status report } } }`;
const ACCEPT = `mutation($input: AcceptMilestoneInput!) { acceptMilestone(input: $input) { milestone { id status } } }`;
const RETURN = `mutation($input: ReturnMilestoneInput!) { returnMilestone(input: $input) { milestone { id status returnReason } } }`;
const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { contract { id paidTotal { amountFen } } } }`;
const CONTRACT = `query($id: ID!) { project(id: $id) { status contract { value { amountFen currency }
  period { startDate endDate } documents { title url } paidTotal { amountFen }
  milestones { title deliverables status report returnReason dueAt payment { amountFen } paidTotal { amountFen }
    payments { amount { amountFen } paidAt } }
  payments { amount { amountFen } milestone { id } } } } }`;

let t: TestApp;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let otherStaff: Awaited<ReturnType<typeof seedPublisher>>;
let winner: SeededOrganization;
let member: SeededUser;
let otherOrg: SeededOrganization;
let worker: SeededUser;
let admin: SeededUser;

beforeAll(async () => {
  t = await startTestApp(NOTIFY_ENV);
  publisher = await seedPublisher(t);
  otherStaff = await seedPublisher(t);
  winner = await t.seed.organization({ name: '济南职工服务中心' });
  member = await t.seed.organizationMember(winner.organization.id);
  otherOrg = await t.seed.organization();
  worker = await t.seed.worker();
  admin = await t.seed.admin();
});
afterAll(() => t.stop());

function errorOf(res: GqlResponse<unknown>): Record<string, unknown> {
  return res.body.errors?.[0]?.extensions ?? {};
}

const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();

/** A project published, applied to by the winner (and `loser`), closed and awarded `awardFen`. */
async function awarded(awardFen = 800_000, loser?: SeededOrganization) {
  const { projectId, applicationId, otherApplicationIds } = await awardedProject(t, publisher.token, winner, {
    requestedFen: awardFen,
    others: loser ? [loser] : [],
  });
  return { projectId, applicationId, losing: otherApplicationIds[0] ?? null };
}

function terms(projectId: string, applicationId: string, overrides: Record<string, unknown> = {}) {
  return {
    projectId,
    applicationId,
    valueFen: 800_000,
    periodStart: iso(-1),
    periodEnd: iso(90),
    documents: [{ title: '服务合同', url: 'https://example.cn/contract.pdf' }],
    milestones: [
      { title: '开班', deliverables: '完成报名与开班', dueAt: iso(10), paymentFen: 300_000 },
      { title: '中期', deliverables: '中期服务报告', dueAt: iso(45), paymentFen: 300_000 },
      { title: '结项', deliverables: '结项报告与满意度调查', dueAt: iso(85), paymentFen: 200_000 },
    ],
    ...overrides,
  };
}

interface Signed {
  contract: { id: string; milestones: { id: string; status: string }[] };
  project: { status: string };
}

async function signed(): Promise<{ projectId: string; contract: Signed['contract'] }> {
  const { projectId, applicationId } = await awarded();
  const res = await t.data<{ signContract: Signed }>(
    SIGN,
    { input: terms(projectId, applicationId) },
    publisher.token,
  );
  return { projectId, contract: res.signContract.contract };
}

const sign = (input: Record<string, unknown>, token = publisher.token) =>
  t.gql<{ signContract: Signed }>(SIGN, { input }, token);
const report = (milestoneId: string, token: string, text = '已完成开班，报名 42 人') =>
  t.gql<{ reportMilestone: { milestone: { status: string } } }>(
    REPORT,
    { input: { milestoneId, report: text } },
    token,
  );
const accept = (milestoneId: string, token = publisher.token) =>
  t.gql<{ acceptMilestone: { milestone: { status: string } } }>(ACCEPT, { input: { milestoneId } }, token);
const pay = (input: Record<string, unknown>, token = publisher.token) =>
  t.gql<{ recordPayment: { contract: { paidTotal: { amountFen: number } } } }>(PAY, { input }, token);

async function auditOf(projectId: string, action: string): Promise<AuditEntry[]> {
  return t.orm.em.fork().find(AuditEntry, { subjectId: projectId, action }, { orderBy: { id: 'asc' } });
}

describe('signContract', () => {
  it("is the publisher's staff's alone: other staff, organizations, workers and admins are refused", async () => {
    const { projectId, applicationId } = await awarded();
    const input = terms(projectId, applicationId);
    expect(errorOf(await sign(input, otherStaff.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await sign(input, winner.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await sign(input, worker.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await sign(input, admin.token)).code).toBe('FORBIDDEN');
    expect(errorOf(await sign(input, '')).code).toBe('UNAUTHENTICATED');
    expect(await t.orm.em.fork().count(ProjectContract, { project: idOf(projectId) })).toBe(0);
  });

  it('refuses bad terms naming the field, and writes nothing', async () => {
    const loser = await t.seed.organization();
    const { projectId, applicationId, losing } = await awarded(800_000, loser);
    const cases: [Record<string, unknown>, string][] = [
      [{ valueFen: 800_001 }, 'input.valueFen'],
      [{ periodEnd: iso(-2) }, 'input.periodEnd'],
      [{ applicationId: losing }, 'input.applicationId'],
      [
        {
          milestones: [
            { title: '一', deliverables: '一', dueAt: iso(10), paymentFen: 500_000 },
            { title: '二', deliverables: '二', dueAt: iso(20), paymentFen: 200_000 },
            { title: '三', deliverables: '三', dueAt: iso(30), paymentFen: 100_001 },
          ],
        },
        'input.milestones.2.paymentFen',
      ],
      [
        { milestones: [{ title: '一', deliverables: '一', dueAt: iso(200), paymentFen: 1 }] },
        'input.milestones.0.dueAt',
      ],
      [{ milestones: [] }, 'input.milestones'],
      [{ documents: [{ title: '合同', url: 'file:///etc/passwd' }] }, 'input.documents.0.url'],
    ];
    for (const [overrides, path] of cases) {
      const res = await sign(terms(projectId, applicationId, overrides));
      expect(errorOf(res), path).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [expect.objectContaining({ path })],
      });
    }
    const still = await t.data<{ project: { status: string; contract: null } }>(
      CONTRACT,
      { id: projectId },
      publisher.token,
    );
    expect(still.project).toMatchObject({ status: 'AWARDED', contract: null });
    expect(await t.orm.em.fork().count(ProjectContract, { project: idOf(projectId) })).toBe(0);
  });

  it('signs, starts delivery, shows the contract to everyone (no person in it), audits it; a second signing is a CONFLICT', async () => {
    const { projectId, applicationId } = await awarded();
    const res = await sign(terms(projectId, applicationId));
    expect(res.body.errors).toBeUndefined();
    const { project, contract } = res.body.data!.signContract;
    expect(project.status).toBe('IN_PROGRESS');
    expect(contract).toMatchObject({
      value: { amountFen: 800_000 },
      supplier: { id: toGlobalId('Organization', winner.organization.id) },
      milestones: [
        { title: '开班', status: 'PENDING', payment: { amountFen: 300_000 } },
        { title: '中期', status: 'PENDING' },
        { title: '结项', status: 'PENDING' },
      ],
      paidTotal: { amountFen: 0 },
    });
    const anonymous = await t.data<{ project: { contract: Record<string, unknown> } }>(CONTRACT, {
      id: projectId,
    });
    expect(anonymous.project.contract).toMatchObject({
      value: { amountFen: 800_000, currency: 'CNY' },
      documents: [{ title: '服务合同', url: 'https://example.cn/contract.pdf' }],
    });
    expect(JSON.stringify(anonymous)).not.toContain(publisher.staff.user.email!);

    const again = await sign(terms(projectId, applicationId));
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', status: 'IN_PROGRESS' });
    // startProject on a signed project is the same step: refused too.
    const start = await t.gql(
      `mutation($input: StartProjectInput!) { startProject(input: $input) { project { id } } }`,
      { input: { projectId } },
      publisher.token,
    );
    expect(errorOf(start).code).toBe('CONFLICT');

    const [entry] = await auditOf(projectId, 'signContract');
    expect(entry?.summary).toMatchObject({
      from: 'AWARDED',
      to: 'IN_PROGRESS',
      applicationId,
      valueFen: 800_000,
      milestones: [{ paymentFen: 300_000 }, { paymentFen: 300_000 }, { paymentFen: 200_000 }],
    });
    expect(entry?.actorRoles).toContain('UNION_STAFF');
  });

  it('of two signings at once, one wins and the other gets CONFLICT', async () => {
    const { projectId, applicationId } = await awarded();
    const results = await Promise.all([
      sign(terms(projectId, applicationId)),
      sign(terms(projectId, applicationId)),
    ]);
    expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    expect(results.map((r) => errorOf(r).code).filter(Boolean)).toEqual(['CONFLICT']);
    expect(await t.orm.em.fork().count(ProjectContract, { project: idOf(projectId) })).toBe(1);
  });
});

describe('milestones', () => {
  it('are reported by the organization’s members only, returned with a reason, reported again and accepted, each audited and told', async () => {
    const { projectId, contract } = await signed();
    const [first] = contract.milestones;
    const id = first!.id;
    for (const token of [otherOrg.token, worker.token, publisher.token, admin.token])
      expect(errorOf(await report(id, token)).code).toBe('FORBIDDEN');
    // A milestone not yet reported cannot be decided.
    expect(errorOf(await accept(id))).toMatchObject({ code: 'CONFLICT', status: 'PENDING' });

    const reported = await report(id, member.token);
    expect(reported.body.data?.reportMilestone.milestone.status).toBe('REPORTED');
    // The publisher's staff are told.
    const staffInbox = (await inbox(t, publisher.token)).items.filter(
      (n) => n.topic === 'MILESTONE_REPORTED',
    );
    expect(staffInbox[0]).toMatchObject({ subjectId: id, title: '里程碑已提交：职工子女托管服务' });

    const decideAs = (token: string) =>
      t.gql(RETURN, { input: { milestoneId: id, reason: '缺少签到表' } }, token);
    for (const token of [otherStaff.token, winner.token, worker.token, admin.token])
      expect(errorOf(await decideAs(token)).code).toBe('FORBIDDEN');
    const returned = await decideAs(publisher.token);
    expect(returned.body.data).toMatchObject({
      returnMilestone: { milestone: { status: 'RETURNED', returnReason: '缺少签到表' } },
    });
    // The organization's members are told, with the reason.
    const orgInbox = (await inbox(t, member.token)).items.filter((n) => n.topic === 'MILESTONE_DECIDED');
    expect(orgInbox).toHaveLength(1);
    expect(orgInbox[0]!.body).toContain('缺少签到表');
    expect((await inbox(t, otherOrg.token)).items.map((n) => n.topic)).not.toContain('MILESTONE_DECIDED');

    expect((await report(id, winner.token, '补充签到表')).body.data?.reportMilestone.milestone.status).toBe(
      'REPORTED',
    );
    expect((await accept(id)).body.data?.acceptMilestone.milestone.status).toBe('ACCEPTED');
    expect(errorOf(await report(id, member.token))).toMatchObject({ code: 'CONFLICT', status: 'ACCEPTED' });

    const seen = await t.data<{ project: { contract: { milestones: Record<string, unknown>[] } } }>(
      CONTRACT,
      { id: projectId },
    );
    expect(seen.project.contract.milestones[0]).toMatchObject({
      status: 'ACCEPTED',
      report: '补充签到表',
      returnReason: '缺少签到表',
    });
    const actions = (
      await t.orm.em.fork().find(AuditEntry, { subjectId: projectId }, { orderBy: { id: 'asc' } })
    ).map((e) => [e.action, e.summary.to]);
    expect(actions.slice(-4)).toEqual([
      ['reportMilestone', 'REPORTED'],
      ['returnMilestone', 'RETURNED'],
      ['reportMilestone', 'REPORTED'],
      ['acceptMilestone', 'ACCEPTED'],
    ]);
    const [returnEntry] = await auditOf(projectId, 'returnMilestone');
    expect(returnEntry?.summary).toMatchObject({ milestoneId: id, reason: '缺少签到表' });
  });

  it('of two acceptances at once, one wins and the other gets CONFLICT', async () => {
    const { projectId, contract } = await signed();
    const id = contract.milestones[0]!.id;
    await report(id, member.token);
    const results = await Promise.all([accept(id), accept(id)]);
    expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    expect(results.map((r) => errorOf(r)).filter((e) => e.code)).toEqual([
      expect.objectContaining({ code: 'CONFLICT', status: 'ACCEPTED' }),
    ]);
    expect(await auditOf(projectId, 'acceptMilestone')).toHaveLength(1);
  });

  it('are refused to a member removed between two reports', async () => {
    const leaving = await t.seed.organizationMember(winner.organization.id);
    const { contract } = await signed();
    const [a, b] = contract.milestones;
    expect(errorOf(await report(a!.id, leaving.token))).toEqual({});
    await t.orm.em.fork().nativeDelete(OrganizationMember, {
      organization: winner.organization.id,
      user: leaving.user.id,
    });
    expect(errorOf(await report(b!.id, leaving.token)).code).toBe('FORBIDDEN');
  });
});

describe('recordPayment', () => {
  it('pays accepted milestones up to what is due and the contract up to its value, audited and told', async () => {
    const { projectId, contract } = await signed();
    const [first, second] = contract.milestones;
    const now = new Date().toISOString();
    // Not due before acceptance.
    expect(errorOf(await pay({ milestoneId: first!.id, amountFen: 1, paidAt: now }))).toMatchObject({
      code: 'CONFLICT',
      status: 'PENDING',
    });
    await report(first!.id, member.token);
    await accept(first!.id);
    for (const token of [otherStaff.token, winner.token, worker.token, admin.token])
      expect(errorOf(await pay({ milestoneId: first!.id, amountFen: 1, paidAt: now }, token)).code).toBe(
        'FORBIDDEN',
      );
    const above = await pay({ milestoneId: first!.id, amountFen: 300_001, paidAt: now });
    expect(errorOf(above)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.amountFen', message: expect.stringContaining('300000 fen') }],
    });
    expect(
      errorOf(await pay({ milestoneId: first!.id, contractId: contract.id, amountFen: 1, paidAt: now })).code,
    ).toBe('BAD_USER_INPUT');
    expect(errorOf(await pay({ milestoneId: first!.id, amountFen: 1, paidAt: iso(1) }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.paidAt' }],
    });

    expect(
      (await pay({ milestoneId: first!.id, amountFen: 200_000, paidAt: now })).body.data?.recordPayment
        .contract.paidTotal.amountFen,
    ).toBe(200_000);
    expect(errorOf(await pay({ milestoneId: first!.id, amountFen: 100_001, paidAt: now })).code).toBe(
      'BAD_USER_INPUT',
    );
    await pay({ milestoneId: first!.id, amountFen: 100_000, paidAt: now });
    // An advance against the contract: up to what is left of its value (800,000 − 300,000).
    expect(errorOf(await pay({ contractId: contract.id, amountFen: 500_001, paidAt: now }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.amountFen', message: expect.stringContaining('500000 fen') }],
    });
    await pay({ contractId: contract.id, amountFen: 450_000, paidAt: now });
    // The second milestone, accepted, has 300,000 due but only 50,000 of the value is left.
    await report(second!.id, member.token);
    await accept(second!.id);
    expect(errorOf(await pay({ milestoneId: second!.id, amountFen: 60_000, paidAt: now })).code).toBe(
      'BAD_USER_INPUT',
    );

    const seen = await t.data<{
      project: {
        contract: {
          paidTotal: { amountFen: number };
          milestones: { paidTotal: { amountFen: number } }[];
          payments: unknown[];
        };
      };
    }>(CONTRACT, { id: projectId });
    expect(seen.project.contract.paidTotal.amountFen).toBe(750_000);
    expect(seen.project.contract.milestones.map((m) => m.paidTotal.amountFen)).toEqual([300_000, 0, 0]);
    expect(seen.project.contract.payments).toHaveLength(3);
    const entries = await auditOf(projectId, 'recordPayment');
    expect(entries.map((e) => e.summary.paidTotalFen)).toEqual([200_000, 300_000, 750_000]);
    expect(entries[2]?.summary).toMatchObject({ contractId: contract.id, amountFen: 450_000 });
    const told = (await inbox(t, winner.token)).items.filter((n) => n.topic === 'CONTRACT_PAYMENT_RECORDED');
    expect(told.map((n) => n.body).join()).toContain('4500.00');
  });

  it('of two payments at once that together pass the value, one is refused', async () => {
    const { contract } = await signed();
    const now = new Date().toISOString();
    const results = await Promise.all([
      pay({ contractId: contract.id, amountFen: 500_000, paidAt: now }),
      pay({ contractId: contract.id, amountFen: 500_000, paidAt: now }),
    ]);
    expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    expect(results.map((r) => errorOf(r).code).filter(Boolean)).toEqual(['BAD_USER_INPUT']);
  });
});
