import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { submitDemand } from '../../setup/operations.js';
import { subscriptionsReach, until } from '../../setup/probes.js';
import { fannedOut, inbox, NOTIFY_ENV } from './helpers.js';

/**
 * An organization's notifications are stored once for the organization and read by each member
 * (fan-out on read): who reads them is decided when she reads, by her memberships as they are then.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(NOTIFY_ENV);
});

afterAll(async () => {
  await t?.stop();
});

const servingOrg = () => t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });

const MARK = `mutation($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { markedCount unreadCount } }`;
const NODE = `query($id: ID!) { node(id: $id) { id } }`;
const SUB = `subscription { notificationReceived { cursor notifications { topic subjectId } } }`;

async function claim(demandId: string, organizationId: string, token: string): Promise<void> {
  await t.data(
    `mutation($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }`,
    { input: { demandId, organizationId } },
    token,
  );
}

describe('an organization’s notifications, read by its members', () => {
  it('are no longer seen by a removed member, in her inbox or live', async () => {
    const org = await servingOrg();
    const member = await t.seed.organizationMember(org.organization.id);
    const worker = await t.seed.worker();
    const before = await submitDemand(t, worker.token);
    const seen = (await inbox(t, member.token)).items;
    expect(seen.map((n) => n.subjectId)).toEqual([before.id]);
    expect((await inbox(t, member.token)).unread).toBe(1);

    const received: { notifications: { topic: string; subjectId: string }[] }[] = [];
    const started = t.app.services.events.index.size;
    t.ws({ token: member.token }).subscribe(
      { query: SUB },
      {
        next: (value) =>
          received.push((value.data as { notificationReceived: (typeof received)[0] }).notificationReceived),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await subscriptionsReach(t, started + 1);

    await t.data(
      `mutation($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { __typename } }`,
      { input: { organizationId: org.organization.globalId(), userId: member.user.globalId() } },
      org.token,
    );
    // At once: what she saw is gone, by list, count and id.
    const after = await inbox(t, member.token);
    expect(after.items).toEqual([]);
    expect(after.unread).toBe(0);
    expect(await t.data(NODE, { id: seen[0]!.id }, member.token)).toEqual({ node: null });
    const refused = await t.gql(MARK, { input: { ids: [seen[0]!.id] } }, member.token);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // Live: the organization's next notification does not reach her; her own, made after it, does.
    const next = await submitDemand(t, worker.token);
    const hers = await submitDemand(t, member.token);
    await claim(hers.id, org.organization.globalId(), org.token);
    await until(() => received.length > 0, 10_000, 20, 'her own notification');
    expect(received).toEqual([
      { cursor: expect.any(String), notifications: [{ topic: 'OWN_DEMAND_UPDATED', subjectId: hers.id }] },
    ]);
    // The admin, still a member, has both of the organization's.
    const adminSees = (await inbox(t, org.token)).items.map((n) => n.subjectId);
    expect(adminSees).toEqual(expect.arrayContaining([before.id, next.id]));
  });

  it('are seen by a member who joins later only from when she joined', async () => {
    const org = await servingOrg();
    const worker = await t.seed.worker();
    const older = await submitDemand(t, worker.token);
    await fannedOut(t);
    const newcomer = await t.seed.organizationMember(org.organization.id);
    const first = await inbox(t, newcomer.token);
    expect(first.items).toEqual([]);
    expect(first.unread).toBe(0);
    const newer = await submitDemand(t, worker.token);
    const later = await inbox(t, newcomer.token);
    expect(later.items.map((n) => n.subjectId)).toEqual([newer.id]);
    expect(later.unread).toBe(1);
    expect((await inbox(t, org.token)).items.map((n) => n.subjectId)).toEqual([newer.id, older.id]);
  });

  it('are stored once for 1,000 members, whose read state is each her own', async () => {
    const org = await servingOrg();
    const colleague = await t.seed.organizationMember(org.organization.id);
    const em = t.orm.em.fork();
    // 998 more members, written at once: 1,000 with the admin and the colleague.
    const others = await em.execute<{ id: string }[]>(
      `with made as (
         insert into "app_user" ("email", "password_hash", "display_name", "roles")
         select 'audience-' || i || '-' || ? || '@example.test', 'x', '成员' || i, '{WORKER}'
           from generate_series(1, 998) as i returning "id")
       insert into "organization_member" ("organization_id", "user_id", "role")
       select ?, "id", 'ORG_MEMBER' from made returning "user_id" as "id"`,
      [Date.now(), org.organization.id],
    );
    expect(others).toHaveLength(998);
    const worker = await t.seed.worker();
    const demands = [await submitDemand(t, worker.token), await submitDemand(t, worker.token)];
    await fannedOut(t);
    const [stored] = await em.execute<{ n: string }[]>(
      `select count(*) as "n" from "notification" where "organization_id" = ?`,
      [org.organization.id],
    );
    expect(Number(stored!.n)).toBe(2);

    // One member marks all read: one row of read state, whatever the audience's size.
    const members = `select "user_id" from "organization_member" where "organization_id" = ?`;
    expect(await t.data(MARK, { input: { all: true } }, org.token)).toEqual({
      markNotificationsRead: { markedCount: 2, unreadCount: 0 },
    });
    const [readState] = await em.execute<{ states: string; marks: string }[]>(
      `select (select count(*) from "notification_read_state" s where s."user_id" in (${members})) as "states",
              (select count(*) from "notification_read" r where r."user_id" in (${members})) as "marks"`,
      [org.organization.id, org.organization.id],
    );
    expect(readState).toEqual({ states: '1', marks: '0' });
    expect((await inbox(t, org.token)).items.every((n) => n.read)).toBe(true);

    // Everyone else still has both unread: the colleague, and members across the 998.
    const colleagueInbox = await inbox(t, colleague.token);
    expect(colleagueInbox.unread).toBe(2);
    expect(colleagueInbox.items.map((n) => [n.subjectId, n.read])).toEqual([
      [demands[1]!.id, false],
      [demands[0]!.id, false],
    ]);
    for (const { id } of others.filter((_, i) => i % 50 === 0)) {
      const { token } = await t.app.services.tokens.issue(Number(id));
      expect(await t.data(`{ unreadNotificationCount }`, {}, token)).toEqual({ unreadNotificationCount: 2 });
    }

    // Marked by id: hers alone, counted once.
    const [newest] = colleagueInbox.items;
    expect(await t.data(MARK, { input: { ids: [newest!.id] } }, colleague.token)).toEqual({
      markNotificationsRead: { markedCount: 1, unreadCount: 1 },
    });
    expect(await t.data(MARK, { input: { ids: [newest!.id] } }, colleague.token)).toEqual({
      markNotificationsRead: { markedCount: 0, unreadCount: 1 },
    });
    const { token } = await t.app.services.tokens.issue(Number(others[0]!.id));
    expect(await t.data(`{ unreadNotificationCount }`, {}, token)).toEqual({ unreadNotificationCount: 2 });
    // A new notification after "mark all read" is unread again for her.
    const third = await submitDemand(t, worker.token);
    const adminInbox = await inbox(t, org.token, { unreadOnly: true });
    expect(adminInbox.items.map((n) => n.subjectId)).toEqual([third.id]);
    expect(adminInbox.unread).toBe(1);
  });
});
