import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/**
 * A hub's incoming membership requests: `Organization.hubMembershipRequests(status)` for the hub's
 * admins and platform admins, decided with `decideHubMembership` (once: a second decision is a
 * CONFLICT, also when two arrive at once).
 */
let t: TestApp;
let hub: SeededOrganization;
let hubId: string;
let hubMember: SeededUser;
let outsider: SeededOrganization;
const joiners: SeededOrganization[] = [];
/** Request ids, in the order they were sent. */
const requests: string[] = [];

const LIST = `query ($id: ID!, $status: HubMembershipStatus, $first: Int, $after: String) {
  organization(id: $id) {
    hubMembershipRequests(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id status reason organization { name } hub { id } } }
    }
  }
}`;
const DECIDE = `mutation ($input: DecideHubMembershipInput!) {
  decideHubMembership(input: $input) { request { id status reason } }
}`;

interface Listed {
  organization: {
    hubMembershipRequests: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: {
        node: { id: string; status: string; reason: string | null; organization: { name: string } };
      }[];
    } | null;
  } | null;
}

const list = (token: string | null, variables: Record<string, unknown> = {}) =>
  t.gql<Listed>(LIST, { id: hubId, ...variables }, token);

async function listed(token: string | null, variables: Record<string, unknown> = {}) {
  const res = await list(token, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.organization!.hubMembershipRequests;
}

const decide = (token: string, requestId: string, accept: boolean, reason?: string) =>
  t.gql<{ decideHubMembership: { request: { id: string; status: string } } }>(
    DECIDE,
    { input: { requestId, accept, reason } },
    token,
  );

const codeOf = (res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  res.body.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  t = await startTestApp();
  hub = await t.seed.organization({ isHub: true, name: '济南市社会组织联合会' });
  hubId = hub.organization.globalId();
  hubMember = await t.seed.organizationMember(hub.organization.id, MemberRole.ORG_MEMBER);
  outsider = await t.seed.organization();
  for (const name of ['甲组织', '乙组织', '丙组织']) {
    const joiner = await t.seed.organization({ name });
    joiners.push(joiner);
    const { requestHubMembership } = await t.data<{ requestHubMembership: { request: { id: string } } }>(
      `mutation ($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id } } }`,
      { input: { organizationId: joiner.organization.globalId(), hubId } },
      joiner.token,
    );
    requests.push(requestHubMembership.request.id);
  }
});

afterAll(() => t.stop());

describe('a hub’s membership requests', () => {
  it('lists them for the hub’s admins and platform admins, newest first, page by page', async () => {
    for (const token of [hub.token, (await t.seed.admin()).token]) {
      const all = (await listed(token))!;
      expect(all.edges.map((e) => e.node.organization.name)).toEqual(['丙组织', '乙组织', '甲组织']);
      expect(all.totalCount).toBe(3);
    }
    const first = (await listed(hub.token, { first: 2 }))!;
    expect(first.edges.map((e) => e.node.id)).toEqual([requests[2], requests[1]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await listed(hub.token, { first: 2, after: first.pageInfo.endCursor }))!;
    expect(rest.edges.map((e) => e.node.id)).toEqual([requests[0]]);
  });

  it('shows nothing to a plain member, another organization’s admin, a joiner’s admin, a worker or anyone anonymous', async () => {
    for (const token of [
      hubMember.token,
      outsider.token,
      joiners[0]!.token,
      (await t.seed.worker()).token,
      null,
    ])
      expect(await listed(token)).toBeNull();
  });

  it('accepts and declines from the list, once: a second decision is a CONFLICT', async () => {
    expect((await decide(hub.token, requests[0]!, true)).body.errors).toBeUndefined();
    const declined = await decide(hub.token, requests[1]!, false, '服务地区不在本枢纽范围');
    expect(declined.body.data?.decideHubMembership.request).toMatchObject({
      status: 'REJECTED',
      reason: '服务地区不在本枢纽范围',
    });
    const again = await decide(hub.token, requests[0]!, false);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentStatus: 'ACCEPTED' });

    const waiting = (await listed(hub.token, { status: 'REQUESTED' }))!;
    expect(waiting.edges.map((e) => e.node.id)).toEqual([requests[2]]);
    const accepted = (await listed(hub.token, { status: 'ACCEPTED' }))!;
    expect(accepted.edges.map((e) => e.node.organization.name)).toEqual(['甲组织']);
    const rejected = (await listed(hub.token, { status: 'REJECTED' }))!;
    expect(rejected.edges.map((e) => e.node.reason)).toEqual(['服务地区不在本枢纽范围']);
  });

  it('decides a request once when two decisions arrive at once', async () => {
    const joiner = await t.seed.organization({ name: '丁组织' });
    const { requestHubMembership } = await t.data<{ requestHubMembership: { request: { id: string } } }>(
      `mutation ($input: RequestHubMembershipInput!) { requestHubMembership(input: $input) { request { id } } }`,
      { input: { organizationId: joiner.organization.globalId(), hubId } },
      joiner.token,
    );
    const id = requestHubMembership.request.id;
    const both = await Promise.all([
      decide(hub.token, id, true),
      decide((await t.seed.admin()).token, id, false),
    ]);
    expect(both.map(codeOf).sort()).toEqual(['CONFLICT', undefined]);
  });

  it('refuses a plain member (FORBIDDEN), another organization’s admin (NOT_FOUND) and bad ids', async () => {
    expect(codeOf(await decide(hubMember.token, requests[2]!, true))).toBe('FORBIDDEN');
    expect(codeOf(await decide(outsider.token, requests[2]!, true))).toBe('NOT_FOUND');
    const wrongType = await decide(hub.token, hubId, true);
    expect(wrongType.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.requestId' }],
    });
    const badCursor = await list(hub.token, { after: 'not-a-cursor' });
    expect(badCursor.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'after' }],
    });
    expect(codeOf(await list(hub.token, { status: 'MAYBE' }))).toBe('BAD_USER_INPUT');
  });

  it('stops showing and deciding for an admin once she is removed from the hub', async () => {
    const second = await t.seed.organizationMember(hub.organization.id, MemberRole.ORG_ADMIN);
    expect((await listed(second.token, { status: 'REQUESTED' }))!.edges).toHaveLength(1);
    await t.data(
      'mutation ($input: RemoveOrganizationMemberInput!) { removeOrganizationMember(input: $input) { removedUserId } }',
      { input: { organizationId: hubId, userId: second.user.globalId() } },
      hub.token,
    );
    expect(await listed(second.token)).toBeNull();
    expect(codeOf(await decide(second.token, requests[2]!, true))).toBe('NOT_FOUND');
    const still = (await listed(hub.token, { status: 'REQUESTED' }))!;
    expect(still.edges.map((e) => e.node.id)).toEqual([requests[2]]);
  });
});
