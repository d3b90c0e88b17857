import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { emitEvent, outboxHead, Topic } from '../../../src/core/events/outbox.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { Webhook, WebhookDelivery } from '../../../src/modules/webhooks/webhook.entity.js';
import { verifyWebhook } from '../../../src/modules/webhooks/webhook-signature.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  idOf,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { register, startReceiver, submitDemand, WEBHOOK_ENV, type Receiver } from './helpers.js';
import { until } from '../../setup/probes.js';

let t: TestApp;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  // The notification worker on: its events follow the decisions in the outbox, as in production.
  t = await startTestApp({ ...WEBHOOK_ENV, NOTIFY_POLL_MS: '1000' });
});

afterAll(async () => {
  await t?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

const orgId = (o: SeededOrganization) => o.organization.globalId();
const servingOrg = (options: Parameters<TestApp['seed']['organization']>[0] = {}) =>
  t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'], ...options });
const endpointIdOf = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64url').toString().split(':')[1]);

interface Body {
  id: number;
  topic: string;
  data: Record<string, unknown>;
}

/**
 * Waits until the worker has looked at every event committed so far for these endpoints (their
 * `lastEventSeq` reached the outbox head), then returns the topic and data id of each delivery
 * queued for each, in event order: what each was (and was not) told, final for those events.
 */
async function fannedOut(...webhookIds: string[]): Promise<{ topic: string; dataId: unknown }[][]> {
  const head = await outboxHead(t.orm.em.fork());
  await until(
    async () => {
      const endpoints = await t.orm.em.fork().find(Webhook, { id: { $in: webhookIds.map(endpointIdOf) } });
      return endpoints.length === webhookIds.length && endpoints.every((e) => e.lastEventSeq >= head);
    },
    10_000,
    25,
    'endpoints fanned out to the outbox head',
  );
  const em = t.orm.em.fork();
  return Promise.all(
    webhookIds.map(async (id) =>
      (await em.find(WebhookDelivery, { endpoint: endpointIdOf(id) }, { orderBy: { eventSeq: 'asc' } })).map(
        (d) => {
          const body = JSON.parse(d.payload) as Body;
          const award = body.data.yourApplication as { id: string } | undefined;
          return { topic: body.topic, dataId: body.data.id ?? body.data.organizationId ?? award?.id };
        },
      ),
    ),
  );
}

/** Resolves once the notification worker has made a notification of an outbox event after `seq`. */
async function notificationAfter(seq: number): Promise<void> {
  await until(
    async () =>
      (
        await t.orm.em
          .fork()
          .execute<unknown[]>('select 1 from "notification" where "event_seq" > ? limit 1', [seq])
      ).length > 0,
    10_000,
    25,
    'a notification',
  );
}

/** The bodies the receiver got, each checked against the endpoint's signature first. */
function signedBodies(r: Receiver, secret: string): Body[] {
  return r.received.map((request) => {
    const timestamp = request.headers['x-niudai-timestamp'] as string;
    const signature = request.headers['x-niudai-signature'] as string;
    expect(verifyWebhook(secret, { timestamp, signature }, request.body)).toBe(true);
    return JSON.parse(request.body) as Body;
  });
}

async function demandAction(name: string, inputType: string, input: object, token: string): Promise<void> {
  await t.data(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { demand { id } } }`,
    { input },
    token,
  );
}

const claim = (demandId: string, org: SeededOrganization) =>
  demandAction('claimDemand', 'ClaimDemandInput', { demandId, organizationId: orgId(org) }, org.token);
const release = (demandId: string, org: SeededOrganization) =>
  demandAction('releaseDemand', 'ReleaseDemandInput', { demandId }, org.token);

const WEBHOOKS = `query($org: ID!) { webhooks(organizationId: $org) { id enabled consecutiveFailures disabledReason } }`;
const ENABLE = `mutation($id: ID!) { enableWebhook(id: $id) { id enabled consecutiveFailures disabledReason disabledAt } }`;
const PING = `mutation($id: ID!) { pingWebhook(id: $id) { delivered statusCode error webhook { id } } }`;

describe('DEMAND_UPDATED', () => {
  it('tells the claiming organization of its demand’s changes, the end of its claim included, without the contact', async () => {
    const worker = await t.seed.worker();
    const first = await servingOrg();
    const second = await servingOrg();
    const [hitFirst, hitSecond] = [await receiver(), await receiver()];
    const a = await register(t, first.token, orgId(first), `${hitFirst.url}/a`, ['DEMAND_UPDATED']);
    const b = await register(t, second.token, orgId(second), `${hitSecond.url}/b`, ['DEMAND_UPDATED']);
    const demandId = await submitDemand(t, worker.token);

    await claim(demandId, first);
    await hitFirst.waitFor(1);
    await release(demandId, first);
    await hitFirst.waitFor(2);
    await claim(demandId, second);
    await hitSecond.waitFor(1);
    await release(demandId, second);

    const [toFirst, toSecond] = await fannedOut(a.id, b.id);
    // Each hears its own claim and its release, never the other's.
    expect(toFirst).toEqual([
      { topic: 'DEMAND_UPDATED', dataId: demandId },
      { topic: 'DEMAND_UPDATED', dataId: demandId },
    ]);
    expect(toSecond).toHaveLength(2);
    await hitSecond.waitFor(2);
    const bodies = signedBodies(hitFirst, a.secret);
    expect(bodies.map((body) => [body.data.status, body.data.claimedByYou]).sort()).toEqual([
      ['CLAIMED', true],
      ['OPEN', false],
    ]);
    // The worker consented to show her contact to the claiming organization: still never in a body.
    for (const request of [...hitFirst.received, ...hitSecond.received]) {
      expect(request.body).not.toContain('13800000000');
      expect(request.body).not.toMatch(/contact|submittedBy/);
    }
  });

  it('holds the end of a suspended organization’s claim until it is verified again', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const staff = await t.seed.unionStaff('370100');
    const hit = await receiver();
    const hook = await register(t, org.token, orgId(org), `${hit.url}/s`, [
      'DEMAND_UPDATED',
      'VERIFICATION_DECIDED',
    ]);
    const demandId = await submitDemand(t, worker.token);
    await claim(demandId, org);
    await hit.waitFor(1);
    await t.data(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: orgId(org), reason: '年检未通过' } },
      staff.token,
    );
    // Its webhooks are held: a ping is refused too.
    const refused = await t.gql(PING, { id: hook.id }, org.token);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await t.data(
      `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: orgId(org), reason: '整改完成' } },
      staff.token,
    );
    const [told] = await fannedOut(hook.id);
    // The claim, the end of the claim (held, then sent), and only the latest verification decision:
    // the suspension it superseded is not repeated with the standing of now.
    expect(told).toEqual([
      { topic: 'DEMAND_UPDATED', dataId: demandId },
      { topic: 'DEMAND_UPDATED', dataId: demandId },
      { topic: 'VERIFICATION_DECIDED', dataId: orgId(org) },
    ]);
    await hit.waitFor(3);
    const verification = signedBodies(hit, hook.secret).find((b) => b.topic === 'VERIFICATION_DECIDED')!;
    expect(verification.data).toMatchObject({ verificationStatus: 'VERIFIED', reason: '整改完成' });
  });
});

describe('DEMAND_UPDATED on a lapsed claim', () => {
  it('tells the organization whose claim lapsed, and no other', async () => {
    const worker = await t.seed.worker();
    const claimant = await servingOrg();
    const other = await servingOrg();
    const [hitClaimant, hitOther] = [await receiver(), await receiver()];
    const mine = await register(t, claimant.token, orgId(claimant), `${hitClaimant.url}/lapse`, [
      'DEMAND_UPDATED',
    ]);
    const theirs = await register(t, other.token, orgId(other), `${hitOther.url}/lapse`, ['DEMAND_UPDATED']);
    const demandId = await submitDemand(t, worker.token);
    await claim(demandId, claimant);
    await hitClaimant.waitFor(1);
    // The sweep as of just past the lapse period: the claim lapses, the demand is OPEN again.
    const lapseMs = (t.config.limits.demandClaimLapseHours + 1) * 3_600_000;
    const swept = await t.app.services.demandSweep.run(t.orm.em.fork(), new Date(Date.now() + lapseMs));
    expect(swept.lapsed).toBeGreaterThanOrEqual(1);
    const [toClaimant, toOther] = await fannedOut(mine.id, theirs.id);
    expect(toClaimant).toEqual([
      { topic: 'DEMAND_UPDATED', dataId: demandId },
      { topic: 'DEMAND_UPDATED', dataId: demandId },
    ]);
    expect(toOther).toEqual([]);
    await hitClaimant.waitFor(2);
    const lapsed = signedBodies(hitClaimant, mine.secret)
      .filter((body) => body.data.id === demandId)
      .map((body) => [body.data.status, body.data.claimedByYou]);
    expect(lapsed.sort()).toEqual([
      ['CLAIMED', true],
      ['OPEN', false],
    ]);
    expect(hitOther.received).toEqual([]);
  });
});

describe('CLAIM_LAPSING', () => {
  it('warns the claimant once per claim period, never another organization, without the contact', async () => {
    const worker = await t.seed.worker();
    const claimant = await servingOrg();
    const former = await servingOrg();
    const [hitClaimant, hitFormer] = [await receiver(), await receiver()];
    const mine = await register(t, claimant.token, orgId(claimant), `${hitClaimant.url}/lapsing`, [
      'CLAIM_LAPSING',
    ]);
    const theirs = await register(t, former.token, orgId(former), `${hitFormer.url}/lapsing`, [
      'CLAIM_LAPSING',
    ]);
    const demandId = await submitDemand(t, worker.token);
    // The former claimant released it: it lost the claim and hears nothing of its lapse.
    await claim(demandId, former);
    await release(demandId, former);
    await claim(demandId, claimant);
    const { demandClaimLapseHours: lapse, demandClaimLapseWarningHours: warning } = t.config.limits;
    const inWarning = new Date(Date.now() + (lapse - warning + 1) * 3_600_000);
    const demandSweep = t.app.services.demandSweep;
    expect((await demandSweep.run(t.orm.em.fork(), inWarning)).lapsed).toBe(0);
    // Announced once: the next sweep in the same claim period adds nothing.
    await demandSweep.run(t.orm.em.fork(), inWarning);
    const [toClaimant, toFormer] = await fannedOut(mine.id, theirs.id);
    expect(toClaimant).toEqual([{ topic: 'CLAIM_LAPSING', dataId: demandId }]);
    expect(toFormer).toEqual([]);
    const [request] = await hitClaimant.waitFor(1);
    const [body] = signedBodies(hitClaimant, mine.secret);
    const claimed = await t.orm.em.fork().findOneOrFail(Demand, { id: idOf(demandId) });
    expect(body).toMatchObject({
      topic: 'CLAIM_LAPSING',
      data: {
        id: demandId,
        status: 'CLAIMED',
        lapsesAt: new Date(claimed.lastProgressAt!.getTime() + lapse * 3_600_000).toISOString(),
      },
    });
    expect(request!.body).not.toContain('13800000000');
    expect(request!.body).not.toMatch(/contact|submittedBy/);
    expect(hitFormer.received).toEqual([]);
  });
});

describe('APPLICATION_DECIDED and VERIFICATION_DECIDED', () => {
  it('tells each applicant of its own decision only', async () => {
    const publisher = await seedPublisher(t);
    const winner = await servingOrg();
    const loser = await servingOrg();
    const [hitWinner, hitLoser] = [await receiver(), await receiver()];
    const w = await register(t, winner.token, orgId(winner), `${hitWinner.url}/w`, ['APPLICATION_DECIDED']);
    const l = await register(t, loser.token, orgId(loser), `${hitLoser.url}/l`, ['APPLICATION_DECIDED']);
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: '职工子女暑期托管项目' }) },
      publisher.token,
    );
    const projectId = published.publishProject.project.id;
    const applied: string[] = [];
    for (const org of [winner, loser]) {
      const res = await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen: 3_000_000 } },
        org.token,
      );
      applied.push(res.applyToProject.application.id);
    }
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: applied[0], amountFen: 2_500_000 }],
        },
      },
      publisher.token,
    );
    const [toWinner, toLoser] = await fannedOut(w.id, l.id);
    expect(toWinner).toEqual([{ topic: 'APPLICATION_DECIDED', dataId: applied[0] }]);
    expect(toLoser).toEqual([{ topic: 'APPLICATION_DECIDED', dataId: applied[1] }]);
    await hitWinner.waitFor(1);
    await hitLoser.waitFor(1);
    expect(signedBodies(hitWinner, w.secret)[0]!.data).toEqual({
      id: applied[0],
      projectId,
      organizationId: orgId(winner),
      status: 'AWARDED',
      requested: { amountFen: 3_000_000, currency: 'CNY' },
      awarded: { amountFen: 2_500_000, currency: 'CNY' },
    });
    expect(signedBodies(hitLoser, l.secret)[0]!.data).toMatchObject({ status: 'REJECTED', awarded: null });
  });

  it('tells an organization of its own verification, and no other organization', async () => {
    const staff = await t.seed.unionStaff('370100');
    const pending = await servingOrg({ verified: false });
    const bystander = await servingOrg({ verified: false });
    const hit = await receiver();
    const mine = await register(t, pending.token, orgId(pending), `${hit.url}/v`, ['VERIFICATION_DECIDED']);
    const other = await register(t, bystander.token, orgId(bystander), `${hit.url}/o`, [
      'VERIFICATION_DECIDED',
    ]);
    const before = await outboxHead(t.orm.em.fork());
    await t.data(
      `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: orgId(pending), reason: '材料齐全' } },
      staff.token,
    );
    // The decision's members are notified by another worker meanwhile, and the latest event is then
    // one no endpoint listens to: each endpoint must still reach the head.
    await notificationAfter(before);
    await t.orm.em.fork().transactional((em) =>
      emitEvent(em, {
        topic: Topic.USER_RIGHTS_CHANGED,
        entityId: 0,
        categoryPath: [],
        regionPath: [],
        targetGroups: [],
      }),
    );
    const [toMine, toOther] = await fannedOut(mine.id, other.id);
    expect(toMine).toEqual([{ topic: 'VERIFICATION_DECIDED', dataId: orgId(pending) }]);
    expect(toOther).toEqual([]);
    const [request] = await hit.waitFor(1, 10_000, '/v');
    const body = JSON.parse(request!.body) as Body;
    expect(
      verifyWebhook(
        mine.secret,
        {
          timestamp: request!.headers['x-niudai-timestamp'] as string,
          signature: request!.headers['x-niudai-signature'] as string,
        },
        request!.body,
      ),
    ).toBe(true);
    expect(body).toMatchObject({
      topic: 'VERIFICATION_DECIDED',
      data: { organizationId: orgId(pending), verificationStatus: 'VERIFIED', reason: '材料齐全' },
    });
  });
});

describe('PROJECT_AWARDED', () => {
  it('tells each organization the award decided of the project and of its own application only', async () => {
    const publisher = await seedPublisher(t);
    const winner = await servingOrg();
    const loser = await servingOrg();
    const withdrawn = await servingOrg();
    // Eligible for the project, but never applied.
    const bystander = await servingOrg();
    const orgs = [winner, loser, withdrawn, bystander];
    const hits = await Promise.all(orgs.map(() => receiver()));
    const hooks = await Promise.all(
      orgs.map((org, i) => register(t, org.token, orgId(org), `${hits[i]!.url}/award`, ['PROJECT_AWARDED'])),
    );
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: '职工子女暑期托管项目' }) },
      publisher.token,
    );
    const projectId = published.publishProject.project.id;
    const applied: string[] = [];
    for (const org of [winner, loser, withdrawn]) {
      const res = await t.data<{ applyToProject: { application: { id: string } } }>(
        APPLY,
        { input: { projectId, organizationId: orgId(org), proposal: '服务方案', requestedFen: 3_000_000 } },
        org.token,
      );
      applied.push(res.applyToProject.application.id);
    }
    await t.data(
      `mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { application { id } } }`,
      { input: { applicationId: applied[2] } },
      withdrawn.token,
    );
    await closePeriod(t, projectId);
    await t.data(
      AWARD,
      {
        input: {
          projectId,
          fairnessRationale: SOLE_APPLICANT_RATIONALE,
          awards: [{ applicationId: applied[0], amountFen: 2_500_000 }],
        },
      },
      publisher.token,
    );

    const told = await fannedOut(...hooks.map((h) => h.id));
    expect(told).toEqual([
      [{ topic: 'PROJECT_AWARDED', dataId: applied[0] }],
      [{ topic: 'PROJECT_AWARDED', dataId: applied[1] }],
      [],
      [],
    ]);
    const [toWinner] = await hits[0]!.waitFor(1);
    const [toLoser] = await hits[1]!.waitFor(1);
    const [winnerBody] = signedBodies(hits[0]!, hooks[0]!.secret);
    const [loserBody] = signedBodies(hits[1]!, hooks[1]!.secret);
    expect(winnerBody).toMatchObject({
      topic: 'PROJECT_AWARDED',
      data: {
        project: { id: projectId, status: 'AWARDED', title: '职工子女暑期托管项目' },
        yourApplication: {
          id: applied[0],
          projectId,
          organizationId: orgId(winner),
          status: 'AWARDED',
          awarded: { amountFen: 2_500_000, currency: 'CNY' },
        },
      },
    });
    expect(loserBody).toMatchObject({
      topic: 'PROJECT_AWARDED',
      data: {
        project: { id: projectId },
        yourApplication: { id: applied[1], organizationId: orgId(loser), status: 'REJECTED', awarded: null },
      },
    });
    // The loser learns nothing of the winner's application, nor the winner of the loser's.
    expect(toLoser!.body).not.toContain(applied[0]);
    expect(toLoser!.body).not.toContain(orgId(winner));
    expect(toLoser!.body).not.toContain('2500000');
    expect(toWinner!.body).not.toContain(applied[1]);
    expect(hits[2]!.received).toEqual([]);
    expect(hits[3]!.received).toEqual([]);
  });
});

describe('enableWebhook and pingWebhook', () => {
  it('re-enables a disabled endpoint: failures reset, audit entry, held deliveries resume', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const hit = await receiver();
    hit.fallback = 500;
    const hook = await register(t, org.token, orgId(org), `${hit.url}/e`);
    const before = await submitDemand(t, worker.token);
    await until(
      async () =>
        !(await t.data<{ webhooks: { enabled: boolean }[] }>(WEBHOOKS, { org: orgId(org) }, org.token))
          .webhooks[0]!.enabled,
      15_000,
      50,
      'endpoint disabled',
    );
    // Committed while disabled: fanned out once it is enabled again.
    const during = await submitDemand(t, worker.token);
    hit.fallback = 200;
    const enabled = await t.data<{ enableWebhook: Record<string, unknown> }>(
      ENABLE,
      { id: hook.id },
      org.token,
    );
    expect(enabled.enableWebhook).toEqual({
      id: hook.id,
      enabled: true,
      consecutiveFailures: 0,
      disabledReason: null,
      disabledAt: null,
    });
    const audit = await t.orm.em.fork().find(AuditEntry, { action: 'enableWebhook' });
    expect(audit.map((a) => a.summary)).toContainEqual(expect.objectContaining({ webhookId: hook.id }));
    const delivered = () =>
      hit.received.filter((r) => r.status === 200).map((r) => (JSON.parse(r.body) as Body).data.id);
    await until(
      () => delivered().includes(before) && delivered().includes(during),
      10_000,
      25,
      () => `resumed delivery (got ${JSON.stringify(delivered())})`,
    );
  });

  it('pings, signed, and answers the outcome; a closed port is `connection failed`', async () => {
    const org = await servingOrg();
    const hit = await receiver();
    const hook = await register(t, org.token, orgId(org), `${hit.url}/p`);
    const pinged = await t.data<{ pingWebhook: Record<string, unknown> }>(PING, { id: hook.id }, org.token);
    expect(pinged.pingWebhook).toEqual({
      delivered: true,
      statusCode: 200,
      error: null,
      webhook: { id: hook.id },
    });
    const [body] = signedBodies(hit, hook.secret);
    expect(body).toMatchObject({ id: 0, topic: 'PING', data: { webhookId: hook.id } });

    hit.respond = [503];
    const refused = await t.data<{ pingWebhook: Record<string, unknown> }>(PING, { id: hook.id }, org.token);
    expect(refused.pingWebhook).toMatchObject({ delivered: false, statusCode: 503, error: 'HTTP 503' });

    const closed = await startReceiver();
    const closedHook = await register(t, org.token, orgId(org), `${closed.url}/gone`);
    await closed.close();
    const failed = await t.data<{ pingWebhook: Record<string, unknown> }>(
      PING,
      { id: closedHook.id },
      org.token,
    );
    expect(failed.pingWebhook).toMatchObject({
      delivered: false,
      statusCode: null,
      error: 'connection failed',
    });
    const audit = await t.orm.em
      .fork()
      .find(AuditEntry, { action: 'pingWebhook' }, { orderBy: { id: 'asc' } });
    expect(audit.filter((a) => a.summary?.['webhookId'] === closedHook.id).map((a) => a.summary)).toEqual([
      expect.objectContaining({ delivered: false, error: 'connection failed' }),
    ]);
    // A ping is no delivery: nothing stored, the failure count left alone.
    expect(await t.orm.em.fork().count(WebhookDelivery, { endpoint: endpointIdOf(closedHook.id) })).toBe(0);
  });

  it('is for the organization’s admins: FORBIDDEN to its members, NOT_FOUND to other admins', async () => {
    const org = await servingOrg();
    const other = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER);
    const hit = await receiver();
    const hook = await register(t, org.token, orgId(org), `${hit.url}/perm`);
    for (const mutation of [ENABLE, PING]) {
      const forbidden = await t.gql(mutation, { id: hook.id }, member.token);
      expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const hidden = await t.gql(mutation, { id: hook.id }, other.token);
      expect(hidden.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const audit = await t.orm.em
      .fork()
      .find(AuditEntry, { action: { $in: ['enableWebhook', 'pingWebhook'] } });
    expect(audit.filter((a) => a.summary?.['webhookId'] === hook.id)).toEqual([]);
  });
});
