import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { Notification } from '../../../src/modules/notifications/notification.entity.js';
import { submitDemand } from '../../setup/operations.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { fannedOut, inbox, NOTIFY_ENV } from './helpers.js';
import { subscriptionsReach, until } from '../../setup/probes.js';
import { emitEvent, Topic } from '../../../src/core/events/outbox.js';
import { scopeOf } from '../../../src/modules/demands/demand-filters.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(NOTIFY_ENV);
});

afterAll(async () => {
  await t?.stop();
});

const orgId = (o: SeededOrganization) => o.organization.globalId();

/** A verified organization serving LIFE in Jinan: the demands submitted below concern it. */
const servingOrg = (options: Parameters<TestApp['seed']['organization']>[0] = {}) =>
  t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'], ...options });

async function demandAction(name: string, inputType: string, input: object, token: string): Promise<void> {
  await t.data(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { demand { id } } }`,
    { input },
    token,
  );
}

describe('notifications from the outbox', () => {
  it('tells the members of verified organizations that can serve a new demand, and nobody else', async () => {
    const worker = await t.seed.worker();
    const serving = await servingOrg();
    const colleague = await t.seed.organizationMember(serving.organization.id);
    const elsewhere = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370200'] });
    const otherCategory = await t.seed.organization({ categoryCodes: ['LEGAL'], regionCodes: ['370100'] });
    const pending = await servingOrg({ verified: false });
    const demandId = (await submitDemand(t, worker.token)).id;

    for (const member of [serving, { token: colleague.token }]) {
      const { items, unread } = await inbox(t, member.token);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ topic: 'DEMAND_MATCHED', subjectId: demandId, read: false });
      expect(items[0]!.title).toMatch(/^新需求：托育需求/);
      expect(items[0]!.body).toContain(serving.organization.name);
      expect(unread).toBe(1);
    }
    for (const outsider of [elsewhere, otherCategory, pending, worker])
      expect((await inbox(t, outsider.token)).items).toEqual([]);
  });

  it('leaves out a submitter who is a member, and a demand no longer open when the worker reads it', async () => {
    const serving = await servingOrg();
    const member = await t.seed.organizationMember(serving.organization.id); // a worker too
    const ownId = (await submitDemand(t, member.token)).id;
    // Published, then withdrawn before the worker read its event: nobody hears of it.
    const withdrawn = await t.seed.demand(member.user.id, {
      status: DemandStatus.WITHDRAWN,
      published: true,
    });
    const { items } = await inbox(t, serving.token);
    expect(items.map((n) => [n.topic, n.subjectId])).toEqual([['DEMAND_MATCHED', ownId]]);
    expect(items.map((n) => n.subjectId)).not.toContain(withdrawn.globalId());
    expect((await inbox(t, member.token)).items).toEqual([]);
  });

  it('tells a worker of her demand’s progress, and the endorsers of its fulfilment', async () => {
    const worker = await t.seed.worker();
    const endorser = await t.seed.worker();
    const org = await servingOrg();
    const demandId = (await submitDemand(t, worker.token)).id;
    await demandAction('endorseDemand', 'EndorseDemandInput', { demandId }, endorser.token);
    await demandAction(
      'claimDemand',
      'ClaimDemandInput',
      { demandId, organizationId: orgId(org) },
      org.token,
    );
    await demandAction(
      'reportDemandProgress',
      'ReportDemandProgressInput',
      { demandId, note: '已联系社区托管点' },
      org.token,
    );
    await demandAction('fulfilDemand', 'FulfilDemandInput', { demandId }, org.token);

    const mine = (await inbox(t, worker.token)).items;
    expect(mine.map((n) => n.topic)).toEqual([
      'OWN_DEMAND_UPDATED',
      'OWN_DEMAND_UPDATED',
      'OWN_DEMAND_UPDATED',
    ]);
    expect(mine.every((n) => n.subjectId === demandId)).toBe(true);
    const endorsed = (await inbox(t, endorser.token)).items;
    expect(endorsed.map((n) => [n.topic, n.title])).toEqual([
      ['ENDORSED_DEMAND_FULFILLED', '您附议的需求已完成'],
    ]);
  });

  it('tells an organization’s members of its suspension, with the reason', async () => {
    const org = await servingOrg();
    const staff = await t.seed.unionStaff('370100');
    await t.data(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { input: { organizationId: orgId(org), reason: '年检未通过' } },
      staff.token,
    );
    const { items } = await inbox(t, org.token);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ topic: 'VERIFICATION_DECIDED', subjectId: orgId(org) });
    expect(items[0]!.title).toBe(`${org.organization.name}已被暂停`);
    expect(items[0]!.body).toContain('年检未通过');
  });
});

describe('project notifications', () => {
  it('tells eligible organizations of a new project, and applicants of their decision', async () => {
    const publisher = await seedPublisher(t);
    const winner = await servingOrg();
    const loser = await servingOrg();
    const elsewhere = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370200'] });
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput({ title: '职工子女暑期托管项目' }) },
      publisher.token,
    );
    const projectId = published.publishProject.project.id;
    for (const org of [winner, loser]) {
      const { items } = await inbox(t, org.token);
      expect(items.map((n) => [n.topic, n.subjectId, n.title])).toEqual([
        ['PROJECT_ELIGIBLE', projectId, '新项目：职工子女暑期托管项目'],
      ]);
    }
    expect((await inbox(t, elsewhere.token)).items).toEqual([]);

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
          awards: [{ applicationId: applied[0], amountFen: 3_000_000 }],
        },
      },
      publisher.token,
    );
    const won = (await inbox(t, winner.token)).items[0]!;
    expect(won).toMatchObject({ topic: 'APPLICATION_DECIDED', subjectId: applied[0] });
    expect(won.body).toContain('已中标');
    const lost = (await inbox(t, loser.token)).items[0]!;
    expect(lost).toMatchObject({ topic: 'APPLICATION_DECIDED', subjectId: applied[1] });
    expect(lost.body).toContain('未中标');
  });
});

describe('the inbox', () => {
  it('pages, counts, filters unread and marks read — her own notifications only', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const other = await servingOrg();
    for (let i = 0; i < 3; i++) await submitDemand(t, worker.token);
    const first = await inbox(t, org.token, { first: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.hasNextPage).toBe(true);
    const rest = await inbox(t, org.token, { first: 2, after: first.endCursor });
    expect(rest.items).toHaveLength(1);
    expect(rest.hasNextPage).toBe(false);
    const [newest, middle, oldest] = [...first.items, ...rest.items];

    const MARK = `mutation($input: MarkNotificationsReadInput!) {
      markNotificationsRead(input: $input) { markedCount unreadCount } }`;
    // Another's notification is an unknown id: nothing is marked.
    const theirs = (await inbox(t, other.token)).items[0]!.id;
    const refused = await t.gql(MARK, { input: { ids: [newest!.id, theirs] } }, org.token);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await inbox(t, org.token)).unread).toBe(3);
    const bad = await t.gql(MARK, { input: {} }, org.token);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });

    expect(await t.data(MARK, { input: { ids: [newest!.id] } }, org.token)).toEqual({
      markNotificationsRead: { markedCount: 1, unreadCount: 2 },
    });
    const unread = await inbox(t, org.token, { unreadOnly: true });
    expect(unread.items.map((n) => n.id)).toEqual([middle!.id, oldest!.id]);
    expect(await t.data(MARK, { input: { all: true } }, org.token)).toEqual({
      markNotificationsRead: { markedCount: 2, unreadCount: 0 },
    });
    expect((await inbox(t, other.token)).unread).toBe(3);

    // By id: to its recipient only.
    const NODE = `query($id: ID!) { node(id: $id) { id ... on Notification { topic } } }`;
    expect(await t.data(NODE, { id: newest!.id }, org.token)).toEqual({
      node: { id: newest!.id, topic: 'DEMAND_MATCHED' },
    });
    expect(await t.data(NODE, { id: newest!.id }, other.token)).toEqual({ node: null });
  });

  it('marks all read up to the newest she has seen: one made meanwhile stays unread', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const other = await servingOrg();
    const seen = await submitDemand(t, worker.token);
    const listed = (await inbox(t, org.token)).items;
    expect(listed.map((n) => n.subjectId)).toEqual([seen.id]);
    // Made after she looked, before she pressed "mark all read".
    const meanwhile = await submitDemand(t, worker.token);
    await fannedOut(t);
    const MARK = `mutation($input: MarkNotificationsReadInput!) {
      markNotificationsRead(input: $input) { markedCount unreadCount } }`;
    const fieldsOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) =>
      ((body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path);
    const theirs = (await inbox(t, other.token)).items[0]!.id;
    const notMine = await t.gql(MARK, { input: { all: true, upTo: theirs } }, org.token);
    expect(notMine.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const withoutAll = await t.gql(MARK, { input: { ids: [listed[0]!.id], upTo: listed[0]!.id } }, org.token);
    expect(fieldsOf(withoutAll.body)).toEqual(['input.upTo']);
    expect((await inbox(t, org.token)).unread).toBe(2);

    expect(await t.data(MARK, { input: { all: true, upTo: listed[0]!.id } }, org.token)).toEqual({
      markNotificationsRead: { markedCount: 1, unreadCount: 1 },
    });
    const unread = await inbox(t, org.token, { unreadOnly: true });
    expect(unread.items.map((n) => n.subjectId)).toEqual([meanwhile.id]);
    // Without upTo: every one made by then, counted as it is marked.
    expect(await t.data(MARK, { input: { all: true } }, org.token)).toEqual({
      markNotificationsRead: { markedCount: 1, unreadCount: 0 },
    });
    expect((await inbox(t, other.token)).unread).toBe(2);
  });

  it('pushes her new notifications over notificationReceived, and nobody else’s', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    const bystander = await t.seed.worker();
    const received: { cursor: string; notifications: { topic: string; subjectId: string }[] }[] = [];
    const bystanderReceived: unknown[] = [];
    const SUB = `subscription { notificationReceived { cursor notifications { topic subjectId } } }`;
    const started = t.app.services.events.index.size;
    t.ws({ token: org.token }).subscribe(
      { query: SUB },
      {
        next: (value) =>
          received.push((value.data as { notificationReceived: (typeof received)[0] }).notificationReceived),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    t.ws({ token: bystander.token }).subscribe(
      { query: SUB },
      { next: (value) => bystanderReceived.push(value), error: () => undefined, complete: () => undefined },
    );
    await subscriptionsReach(t, started + 2);
    const demandId = (await submitDemand(t, worker.token)).id;
    await until(() => received.length > 0, 10_000, 20, 'the organization’s notification');
    expect(received).toEqual([
      { cursor: expect.any(String), notifications: [{ topic: 'DEMAND_MATCHED', subjectId: demandId }] },
    ]);
    // The bystander's own notification, made after the demand's, is the sentinel: it is all she got.
    const hers = (await submitDemand(t, bystander.token)).id;
    await demandAction(
      'claimDemand',
      'ClaimDemandInput',
      { demandId: hers, organizationId: orgId(org) },
      org.token,
    );
    await until(() => bystanderReceived.length > 0, 10_000, 20, 'the bystander’s notification');
    expect(bystanderReceived).toEqual([
      {
        data: {
          notificationReceived: {
            cursor: expect.any(String),
            notifications: [{ topic: 'OWN_DEMAND_UPDATED', subjectId: hers }],
          },
        },
      },
    ]);
  });
});

describe('durability', () => {
  it('tells an endorser of a fulfilment once, even when earlier updates are handled after it', async () => {
    const worker = await t.seed.worker();
    const endorser = await t.seed.worker();
    const org = await servingOrg();
    const demandId = (await submitDemand(t, worker.token)).id;
    await demandAction('endorseDemand', 'EndorseDemandInput', { demandId }, endorser.token);
    await demandAction(
      'claimDemand',
      'ClaimDemandInput',
      { demandId, organizationId: orgId(org) },
      org.token,
    );
    await fannedOut(t);
    // Handled late, the progress event reads the demand as FULFILLED too.
    await t.app.notificationWorker.stop();
    await demandAction(
      'reportDemandProgress',
      'ReportDemandProgressInput',
      { demandId, note: '已上门' },
      org.token,
    );
    await demandAction('fulfilDemand', 'FulfilDemandInput', { demandId }, org.token);
    const { NotificationWorker } = await import('../../../src/modules/notifications/notification-worker.js');
    const { createLogger } = await import('../../../src/core/logger.js');
    const late = new NotificationWorker({
      orm: t.orm,
      log: createLogger('silent'),
      config: { pollMs: 50 },
      events: t.app.services.events,
      signals: t.app.services.notificationSignals,
      projects: t.app.services.projectApplications,
    });
    await late.start();
    try {
      await fannedOut(t);
      const endorsed = (await inbox(t, endorser.token)).items;
      expect(endorsed.map((n) => n.topic)).toEqual(['ENDORSED_DEMAND_FULFILLED']);
    } finally {
      await late.stop();
    }
  });

  it('makes each notification once, whatever the rounds and processes, and resumes after a stop', async () => {
    const worker = await t.seed.worker();
    const org = await servingOrg();
    await t.app.notificationWorker.stop();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await submitDemand(t, worker.token)).id);
    const { NotificationWorker } = await import('../../../src/modules/notifications/notification-worker.js');
    const { createLogger } = await import('../../../src/core/logger.js');
    const workers = [0, 1].map(
      () =>
        new NotificationWorker({
          orm: t.orm,
          log: createLogger('silent'),
          config: { pollMs: 50 },
          events: t.app.services.events,
          signals: t.app.services.notificationSignals,
          projects: t.app.services.projectApplications,
        }),
    );
    for (const w of workers) await w.start();
    try {
      const { items } = await inbox(t, org.token);
      expect(items.map((n) => n.subjectId).sort()).toEqual([...ids].sort());
      // Stored once for the organization, not once per member.
      const em = t.orm.em.fork();
      const rows = await em.find(Notification, { organization: org.organization.id });
      expect(rows).toHaveLength(3);
      expect(new Set(rows.map((r) => r.eventSeq)).size).toBe(3);
      // Every one announced to the live feed, round after round.
      const newest = Math.max(...rows.map((r) => r.id));
      await until(
        () => (t.app.services.notificationSignals.signalledUpTo ?? 0) >= newest,
        10_000,
        20,
        'the rounds announced',
      );
    } finally {
      for (const w of workers) await w.stop();
    }
  });
});

describe('a database’s first start', () => {
  it('notifies every event committed once the worker has started, however soon, and none before', async () => {
    // Notifications off: nothing has fixed where this database's fan-out begins yet.
    const quiet = await startTestApp();
    try {
      const org = await quiet.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
      const worker = await quiet.seed.worker();
      // Published before the worker starts: not notified.
      await quiet.seed.demand(worker.user.id, { published: true });
      const { NotificationWorker } =
        await import('../../../src/modules/notifications/notification-worker.js');
      const { createLogger } = await import('../../../src/core/logger.js');
      const fanOut = new NotificationWorker({
        orm: quiet.orm,
        log: createLogger('silent'),
        config: { pollMs: 100 },
        events: quiet.app.services.events,
        signals: quiet.app.services.notificationSignals,
        projects: quiet.app.services.projectApplications,
      });
      // A demand whose publication commits the moment the worker has started: written before, held
      // open until then (an event committed before would rightly be none of its business).
      const demand = await quiet.seed.demand(worker.user.id);
      let emitted!: () => void;
      let commit!: () => void;
      const written = new Promise<void>((resolve) => (emitted = resolve));
      const committed = quiet.orm.em.fork().transactional(async (em) => {
        await emitEvent(em, { topic: Topic.DEMAND_PUBLISHED, entityId: demand.id, ...scopeOf(demand) });
        emitted();
        await new Promise<void>((resolve) => (commit = resolve));
      });
      await written;
      await fanOut.start();
      try {
        commit();
        await committed;
        const { items } = await inbox(quiet, org.token);
        expect(items.map((n) => [n.topic, n.subjectId])).toEqual([['DEMAND_MATCHED', demand.globalId()]]);
      } finally {
        await fanOut.stop();
      }
    } finally {
      await quiet.stop();
    }
  });
});
