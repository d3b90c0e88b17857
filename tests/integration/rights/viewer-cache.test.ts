/**
 * Requests reuse a signed-in account's rights for a while (RecentViewers, src/core/rights/
 * recent-viewers.ts), never past a rights change: on the process that commits it, the very next
 * request reads them anew; on another process over the same database, once its relay has handed it
 * the rights event. A rolled-back change changes nothing; VIEWER_CACHE_SECONDS=0 keeps nothing.
 *
 * The reuse lasts 60 s here, longer than any test: what ends it is the change, not the clock.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { announceRightsChange, onCommittedRightsChange } from '../../../src/core/rights/rights-change.js';
import { createSchema } from '../../../src/schema.js';
import { OrganizationMember } from '../../../src/modules/organizations/membership.entity.js';
import { MemberRole, OrganizationKind } from '../../../src/modules/organizations/organization.enums.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { statementsDuring } from '../../setup/probes.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';

const jwtSecret = randomBytes(32).toString('base64url');

/** Another process of the hub: its own ORM, relay and recent viewers, over the same database. */
interface OtherApp {
  app: App;
  orm: MikroORM;
  url: string;
}

let t: TestApp;
let other: OtherApp;
let uncached: OtherApp;
let admin: SeededUser;

async function startOther(viewerCacheSeconds: string): Promise<OtherApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.databaseUrl,
    HOST: '127.0.0.1',
    JWT_SECRET: jwtSecret,
    NOTIFY_POLL_MS: '0',
    VIEWER_CACHE_SECONDS: viewerCacheSeconds,
  });
  const log = pino({ level: 'silent' });
  const orm = await connectOrm(t.databaseUrl, log);
  const app = await createApp({ config, orm, log, schema: await createSchema(), backgroundJobs: false });
  return { app, orm, url: `${await app.listen(0, '127.0.0.1')}/graphql` };
}

beforeAll(async () => {
  t = await startTestApp({ JWT_SECRET: jwtSecret, VIEWER_CACHE_SECONDS: '60' });
  other = await startOther('60');
  uncached = await startOther('0');
  admin = await t.seed.admin();
}, 60_000);

afterAll(async () => {
  for (const o of [other, uncached]) {
    await o?.app.stop();
    await o?.orm.close();
  }
  await t?.stop();
});

async function gqlAt(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<GqlResponse['body']> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GqlResponse['body'];
}

/** Resolves once `app`'s relay has handed its RightsWatch the rights event of this user or organization. */
function relayed(app: App, of: { userId: number } | { organizationId: number }): Promise<void> {
  const rights = app.services.events.rights;
  return new Promise((resolve) => {
    const told = (wanted: number) => (id: number) => {
      if (id !== wanted) return;
      stop();
      resolve();
    };
    const stop =
      'userId' in of
        ? rights.onUserRightsChanged(told(of.userId))
        : rights.onOrganizationRightsChanged(told(of.organizationId));
  });
}

/** How many times the viewer statement (the account and its memberships) ran on `orm` during `fn`. */
async function viewerReads(orm: MikroORM, fn: () => Promise<unknown>): Promise<number> {
  const statements = await statementsDuring(orm, fn);
  return statements.filter((sql) => sql.includes('from app_user u where u.id')).length;
}

const orgId = (o: SeededOrganization) => toGlobalId('Organization', o.organization.id);
const userId = (u: SeededUser) => toGlobalId('User', u.user.id);

const MEMBERS = `query($id: ID!) { organization(id: $id) { members { role } } }`;
const DOCUMENTS = `query($id: ID!) { organization(id: $id) { documents { id } } }`;
const ME = `{ viewer { id } }`;
const DEMAND = `query($id: ID!) { demand(id: $id) { id } }`;

/** The probe's answer on the test app (this process) and on the other one. */
async function both(query: string, variables: Record<string, unknown>, token: string) {
  return Promise.all([gqlAt(t.httpUrl, query, variables, token), gqlAt(other.url, query, variables, token)]);
}

async function mutate(query: string, input: Record<string, unknown>, token: string): Promise<void> {
  const { body } = await t.gql(query, { input }, token);
  expect(body.errors).toBeUndefined();
}

describe('reusing the viewer', () => {
  it('reads the account once, then reuses it; with VIEWER_CACHE_SECONDS=0 on every request', async () => {
    const worker = await t.seed.worker();
    expect(await viewerReads(t.orm, () => t.data(ME, {}, worker.token))).toBe(1);
    expect(await viewerReads(t.orm, () => t.data(ME, {}, worker.token))).toBe(0);
    for (let i = 0; i < 2; i++)
      expect(await viewerReads(uncached.orm, () => gqlAt(uncached.url, ME, {}, worker.token))).toBe(1);
  });

  it('keeps each account apart: a token answers as its own account', async () => {
    const [a, b] = [await t.seed.worker(), await t.seed.worker()];
    for (let i = 0; i < 2; i++) {
      expect((await t.data<{ viewer: { id: string } }>(ME, {}, a.token)).viewer.id).toBe(userId(a));
      expect((await t.data<{ viewer: { id: string } }>(ME, {}, b.token)).viewer.id).toBe(userId(b));
    }
  });
});

describe('a rights change ends the reuse', () => {
  it('a member removed: refused at once here, and on the other process once its relay told it', async () => {
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const vars = { id: orgId(org) };
    for (const body of await both(MEMBERS, vars, member.token))
      expect(body.data?.organization).toMatchObject({ members: expect.any(Array) });
    const told = relayed(other.app, { userId: member.user.id });

    await mutate(
      `mutation($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }`,
      { organizationId: orgId(org), userId: userId(member) },
      org.token,
    );
    expect(
      (await t.data<{ organization: { members: unknown } }>(MEMBERS, vars, member.token)).organization
        .members,
    ).toBeNull();
    await told;
    expect((await gqlAt(other.url, MEMBERS, vars, member.token)).data?.organization).toMatchObject({
      members: null,
    });
  });

  it('an account suspended: UNAUTHENTICATED at once here, and on the other process once told', async () => {
    const worker = await t.seed.worker();
    for (const body of await both(ME, {}, worker.token)) expect(body.errors).toBeUndefined();
    const told = relayed(other.app, { userId: worker.user.id });

    await mutate(
      `mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id } } }`,
      { userId: userId(worker), status: 'SUSPENDED', reason: '冒用他人身份' },
      admin.token,
    );
    expect((await t.gql(ME, {}, worker.token)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await told;
    expect((await gqlAt(other.url, ME, {}, worker.token)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('an admin role revoked: its documents are hidden at once here, and on the other process once told', async () => {
    const org = await t.seed.organization();
    const second = await t.seed.organizationMember(org.organization.id, MemberRole.ORG_ADMIN);
    const vars = { id: orgId(org) };
    for (const body of await both(DOCUMENTS, vars, second.token))
      expect(body.data?.organization).toMatchObject({ documents: expect.any(Array) });
    const told = relayed(other.app, { userId: second.user.id });

    await mutate(
      `mutation($input: SetOrganizationMemberRoleInput!) { setOrganizationMemberRole(input: $input) { member { role } } }`,
      { organizationId: orgId(org), userId: userId(second), role: MemberRole.ORG_MEMBER },
      org.token,
    );
    expect(
      (await t.data<{ organization: { documents: unknown } }>(DOCUMENTS, vars, second.token)).organization
        .documents,
    ).toBeNull();
    await told;
    expect((await gqlAt(other.url, DOCUMENTS, vars, second.token)).data?.organization).toMatchObject({
      documents: null,
    });
  });

  it('an organization suspended: its members stop browsing OPEN demands at once here, and there once told', async () => {
    const org = await t.seed.organization();
    // No account role: she browses OPEN demands only as a member of a verified organization.
    const member = await t.seed.organizationMember(
      org.organization.id,
      MemberRole.ORG_MEMBER,
      await t.seed.user([]),
    );
    const demand = await t.seed.demand((await t.seed.worker()).user.id);
    const vars = { id: toGlobalId('Demand', demand.id) };
    for (const body of await both(DEMAND, vars, member.token))
      expect(body.data?.demand).toEqual({ id: vars.id });
    const told = relayed(other.app, { organizationId: org.organization.id });

    await mutate(
      `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`,
      { organizationId: orgId(org), reason: '年检不合格' },
      admin.token,
    );
    expect((await t.gql(DEMAND, vars, member.token)).body.data?.demand ?? null).toBeNull();
    await told;
    expect((await gqlAt(other.url, DEMAND, vars, member.token)).data?.demand ?? null).toBeNull();
  });

  it('an organization registered: its new admin manages it with the next request', async () => {
    const founder = await t.seed.worker();
    await t.data(ME, {}, founder.token); // her rights are now reused
    const registered = await t.data<{ registerOrganization: { organization: { id: string } } }>(
      `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`,
      {
        input: {
          name: '泉城职工互助服务中心',
          kind: 'SOCIAL_SERVICE_AGENCY',
          creditCode: makeCreditCode(OrganizationKind.SOCIAL_SERVICE_AGENCY, process.pid * 100_000 + 99_999),
          foundingType: 'INDEPENDENT',
          homeRegionCode: '370100',
          categoryCodes: ['LIFE'],
        },
      },
      founder.token,
    );
    const vars = { id: registered.registerOrganization.organization.id };
    expect(
      (await t.data<{ organization: { documents: unknown } }>(DOCUMENTS, vars, founder.token)).organization
        .documents,
    ).toEqual([]);
  });
});

describe('only a committed change counts', () => {
  it('is told to this process when the transaction commits, before its caller resumes; never on rollback', async () => {
    const told: number[][] = [];
    const stop = onCommittedRightsChange(t.orm.em, (change) => told.push([...change.userIds]));
    try {
      const [a, b, c] = [await t.seed.worker(), await t.seed.worker(), await t.seed.worker()];
      await t.orm.em.fork().transactional(async (em) => {
        await announceRightsChange(em, { userIds: [a.user.id] });
        expect(told).toEqual([]); // not before the commit
      });
      expect(told).toEqual([[a.user.id]]);
      await expect(
        t.orm.em.fork().transactional(async (em) => {
          await announceRightsChange(em, { userIds: [b.user.id] });
          throw new Error('rolled back on purpose');
        }),
      ).rejects.toThrow('rolled back on purpose');
      await t.orm.em.fork().transactional(async (outer) => {
        await outer.transactional((inner) => announceRightsChange(inner, { userIds: [c.user.id] }));
        expect(told).toEqual([[a.user.id]]); // a savepoint released commits nothing
      });
      expect(told).toEqual([[a.user.id], [c.user.id]]);
    } finally {
      stop();
    }
  });

  it('a change rolled back ends nothing and changes nothing', async () => {
    const org = await t.seed.organization();
    const member = await t.seed.organizationMember(org.organization.id);
    const vars = { id: orgId(org) };
    await t.data(MEMBERS, vars, member.token);
    await expect(
      t.orm.em.fork().transactional(async (em) => {
        await em.nativeDelete(OrganizationMember, {
          organization: org.organization.id,
          user: member.user.id,
        });
        await announceRightsChange(em, { userIds: [member.user.id] });
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    const reads = await viewerReads(t.orm, async () => {
      const data = await t.data<{ organization: { members: unknown[] } }>(MEMBERS, vars, member.token);
      expect(data.organization.members).toHaveLength(2);
    });
    expect(reads).toBe(0);
  });

  it('a change announced in a nested transaction counts when the outermost one commits', async () => {
    const worker = await t.seed.worker();
    await t.data(ME, {}, worker.token);
    await t.orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        await announceRightsChange(inner, { userIds: [worker.user.id] });
      });
      // Not committed yet: the reuse goes on until the outermost transaction commits.
      expect(await viewerReads(t.orm, () => t.data(ME, {}, worker.token))).toBe(0);
    });
    expect(await viewerReads(t.orm, () => t.data(ME, {}, worker.token))).toBe(1);
  });

  it('the other process learns of it from the rights event, the same one its subscriptions follow', async () => {
    const worker = await t.seed.worker();
    await gqlAt(other.url, ME, {}, worker.token);
    const told = relayed(other.app, { userId: worker.user.id });
    await t.orm.em.fork().transactional((em) => announceRightsChange(em, { userIds: [worker.user.id] }));
    await told;
    expect(await viewerReads(other.orm, () => gqlAt(other.url, ME, {}, worker.token))).toBe(1);
  });
});
