import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { Role } from '../../../src/core/roles.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const ACCOUNTS = `query ($first: Int, $after: String, $filter: AccountFilter) {
  accounts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id displayName email mobile roles status } }
  } }`;

interface Listed {
  accounts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        displayName: string;
        email: string | null;
        mobile: string | null;
        roles: string[];
        status: string;
      };
    }[];
  };
}

const SET_STATUS = `mutation ($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id status } } }`;

describe('accounts (the admin account list)', () => {
  it('searches name, e-mail and mobile; filters by role and status; pages by cursor, newest first', async () => {
    const admin = await t.seed.admin();
    const tag = `q${Date.now().toString(36)}`;
    const a = await t.seed.user([Role.UNION_STAFF], { displayName: `${tag} 张三`, regionCode: '370100' });
    const b = await t.seed.user([Role.WORKER], { email: `${tag}-li@example.test`, displayName: '李四' });
    const c = await t.seed.user([Role.WORKER], { displayName: `王五 ${tag}` });
    await t.orm.em
      .fork()
      .execute(`update "app_user" set "mobile" = ? where "id" = ?`, ['13912345678', c.user.id]);
    const org = await t.seed.organization();
    await t.seed.organizationMember(org.organization.id, MemberRole.ORG_MEMBER, b);

    const list = (variables: Record<string, unknown>) => t.data<Listed>(ACCOUNTS, variables, admin.token);
    const ids = (res: Listed) => res.accounts.edges.map((e) => e.node.id);
    const id = (u: { user: { id: number } }) => toGlobalId('User', u.user.id);

    const byText = await list({ filter: { text: tag.toUpperCase() } });
    // Newest first; the name matched anywhere, the e-mail case-insensitively.
    expect(ids(byText)).toEqual([id(c), id(b), id(a)]);
    expect(byText.accounts.totalCount).toBe(3);
    // Administrators read the whole e-mail and mobile.
    expect(byText.accounts.edges[0]!.node.mobile).toBe('13912345678');
    expect(byText.accounts.edges[1]!.node.email).toBe(`${tag}-li@example.test`);
    expect(ids(await list({ filter: { text: '912345' } }))).toEqual([id(c)]);
    expect(ids(await list({ filter: { text: '%' } }))).toEqual([]); // LIKE's wildcards match themselves

    const staffOnly = await list({ filter: { text: tag, role: 'UNION_STAFF' } });
    expect(ids(staffOnly)).toEqual([id(a)]);
    expect(ids(await list({ filter: { text: tag, role: 'ORG_MEMBER' } }))).toEqual([id(b)]);
    expect(ids(await list({ filter: { role: 'ORG_ADMIN', text: org.admin.user.displayName } }))).toEqual([
      id(org.admin),
    ]);

    await t.data(SET_STATUS, { input: { userId: id(a), status: 'SUSPENDED', reason: '离职' } }, admin.token);
    expect(ids(await list({ filter: { text: tag, status: 'SUSPENDED' } }))).toEqual([id(a)]);
    expect(ids(await list({ filter: { text: tag, status: 'ACTIVE' } }))).toEqual([id(c), id(b)]);

    // Pages of one: the cursors walk the same order without gaps or repeats.
    const first = await list({ first: 1, filter: { text: tag } });
    expect(first.accounts.pageInfo.hasNextPage).toBe(true);
    const second = await list({ first: 2, after: first.accounts.pageInfo.endCursor, filter: { text: tag } });
    expect([...ids(first), ...ids(second)]).toEqual([id(c), id(b), id(a)]);
    expect(second.accounts.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a blank search with its field, a page too large and a cursor that is not one', async () => {
    const admin = await t.seed.admin();
    for (const text of ['', '   ']) {
      const res = await t.gql(ACCOUNTS, { filter: { text } }, admin.token);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [expect.objectContaining({ path: 'filter.text' })],
      });
    }
    const tooMany = await t.gql(ACCOUNTS, { first: 101 }, admin.token);
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await t.gql(ACCOUNTS, { after: 'not-a-cursor' }, admin.token);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is for administrators only, and stops at once for an administrator suspended', async () => {
    const refusedTo = [
      await t.seed.unionStaff('370100'),
      await t.seed.worker(),
      (await t.seed.organization()).admin,
    ];
    for (const user of refusedTo) {
      const res = await t.gql(ACCOUNTS, {}, user.token);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.body.data).toBeNull();
    }
    const anonymous = await t.gql(ACCOUNTS, {}, null);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const admin = await t.seed.admin();
    const other = await t.seed.admin();
    await t.data(ACCOUNTS, { first: 1 }, other.token);
    await t.data(
      SET_STATUS,
      { input: { userId: toGlobalId('User', other.user.id), status: 'SUSPENDED', reason: '账号泄露' } },
      admin.token,
    );
    const after = await t.gql(ACCOUNTS, { first: 1 }, other.token);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.body.data ?? null).toBeNull();
  });
});
