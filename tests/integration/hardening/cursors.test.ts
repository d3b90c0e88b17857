import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, wsRequest, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';
import { codes } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors a client could forge: odd JSON, wrong shapes, not JSON, numbers out of range. */
const TAMPERED = [
  encode('["not-a-date",1]'),
  encode('[{"a":1},[1,2]]'),
  encode('not json at all'),
  encode('["2024-01-01T00:00:00.000Z",1e300]'),
  encode('["2024-02-31T00:00:00.000Z",1]'),
  encode('[99999999999999999999999]'),
  encode('[-1]'),
  encode('["NAME","x",1e300]'),
  encode('["NEWEST","not-a-date",1]'),
  encode('["RATING","99999999999",1]'),
  encode('null'),
  '%%%',
];

function expectInvalidCursor(body: GqlResponse['body'], argument: string, label: string) {
  expect(codes(body), `${label}: ${JSON.stringify(body)}`).toEqual(['BAD_USER_INPUT']);
  const fields = (body.errors?.[0]?.extensions?.fields ?? []) as { path: string; message: string }[];
  expect(fields, label).toEqual([
    expect.objectContaining({ path: argument, message: 'is not a valid cursor' }),
  ]);
}

describe('tampered cursors', () => {
  it('are BAD_USER_INPUT naming after or before on every connection, never a server error', async () => {
    const admin = await t.seed.admin();
    const staff = await t.seed.unionStaff();
    const { token: publisherToken } = await seedPublisher(t);
    const published = await t.data<{ publishProject: { project: { id: string } } }>(
      PUBLISH,
      { input: projectInput() },
      publisherToken,
    );
    const projectId = published.publishProject.project.id;
    const connections: {
      label: string;
      query: string;
      token: string | null;
      arguments: string[];
      /** Tampered cursors that are well-formed for this list's order (a name is any text). */
      wellFormed?: string[];
    }[] = [
      {
        label: 'demands',
        query: `demands(AFTER) { edges { cursor } }`,
        token: admin.token,
        arguments: ['after', 'before'],
      },
      {
        label: 'demands OLDEST',
        query: `demands(orderBy: OLDEST, AFTER) { edges { cursor } }`,
        token: admin.token,
        arguments: ['after', 'before'],
      },
      {
        label: 'projects',
        query: `projects(AFTER) { edges { cursor } }`,
        token: null,
        arguments: ['after', 'before'],
      },
      {
        label: 'projects CLOSING_SOON',
        query: `projects(orderBy: CLOSING_SOON, AFTER) { edges { cursor } }`,
        token: null,
        arguments: ['after', 'before'],
      },
      {
        label: 'projects BUDGET_DESC',
        query: `projects(orderBy: BUDGET_DESC, AFTER) { edges { cursor } }`,
        token: null,
        arguments: ['after', 'before'],
      },
      {
        label: 'project applications',
        query: `project(id: "${projectId}") { applications(AFTER) { edges { cursor } } }`,
        token: admin.token,
        arguments: ['after', 'before'],
      },
      {
        label: 'publishers',
        query: `publishers(AFTER) { edges { cursor } }`,
        token: null,
        arguments: ['after', 'before'],
        wellFormed: [TAMPERED[0]!, TAMPERED[4]!],
      },
      {
        label: 'auditTrail',
        query: `auditTrail(subjectId: "${projectId}", AFTER) { edges { cursor } }`,
        token: admin.token,
        arguments: ['after', 'before'],
      },
      {
        label: 'orphanDemands',
        query: `supplyDemandGap(regionCode: "370100") { orphanDemands(AFTER) { edges { cursor } } }`,
        token: staff.token,
        arguments: ['after', 'before'],
      },
      ...['NAME', 'NEWEST', 'RATING', 'RELEVANCE'].map((order) => ({
        label: `organizations ${order}`,
        query: `organizations(orderBy: ${order}, filter: { text: "服务" }, AFTER) { edges { cursor } }`,
        token: null,
        arguments: ['after'],
      })),
    ];
    for (const connection of connections) {
      for (const argument of connection.arguments) {
        for (const cursor of TAMPERED.filter((c) => !connection.wellFormed?.includes(c))) {
          const args = argument === 'before' ? `last: 5, before: $c` : `after: $c`;
          const query = `query($c: String) { ${connection.query.replace('AFTER', args)} }`;
          const { body } = await t.gql(query, { c: cursor }, connection.token);
          expectInvalidCursor(body, argument, `${connection.label} ${argument} ${cursor}`);
        }
      }
    }
  });

  it('accepts the cursors the connections hand out', async () => {
    const admin = await t.seed.admin();
    const first = await t.data<{ publishers: { pageInfo: { endCursor: string | null } } }>(
      `{ publishers(first: 1) { pageInfo { endCursor } } }`,
    );
    expect(first.publishers.pageInfo.endCursor).not.toBeNull();
    const next = await t.gql(`query($c: String) { publishers(first: 1, after: $c) { edges { cursor } } }`, {
      c: first.publishers.pageInfo.endCursor,
    });
    expect(next.body.errors).toBeUndefined();
    const directory = await t.data<{ organizations: { pageInfo: { endCursor: string | null } } }>(
      `{ organizations(orderBy: NEWEST, first: 1) { pageInfo { endCursor } } }`,
      {},
      admin.token,
    );
    if (directory.organizations.pageInfo.endCursor) {
      const page = await t.gql(
        `query($c: String) { organizations(orderBy: NEWEST, first: 1, after: $c) { edges { cursor } } }`,
        { c: directory.organizations.pageInfo.endCursor },
        admin.token,
      );
      expect(page.body.errors).toBeUndefined();
    }
  });
});

describe('subscription cursors', () => {
  it('refuses a cursor beyond the newest event, and a malformed one, over graphql-ws', async () => {
    const org = await t.seed.organization();
    const head = await t.orm.em
      .fork()
      .execute<{ head: string }[]>('select coalesce(max("seq"), 0) as "head" from "event"');
    const beyond = String(Number(head[0]!.head) + 1000);
    const subscriptions = [
      `subscription($a: String) { demandPublished(after: $a) { cursor } }`,
      `subscription($a: String) { projectPublished(after: $a) { cursor } }`,
      `subscription($a: String) { applicationDecided(after: $a) { cursor } }`,
      `subscription($a: String) { notificationReceived(after: $a) { cursor } }`,
    ];
    for (const query of subscriptions) {
      for (const after of [beyond, 'not-a-cursor', '1e3']) {
        const result = await wsRequest(t.ws({ token: org.token }), query, { a: after });
        expect(result.errors?.[0]?.extensions?.code, `${query} ${after}`).toBe('BAD_USER_INPUT');
        const fields = (result.errors?.[0]?.extensions?.fields ?? []) as { path: string }[];
        expect(fields.map((f) => f.path)).toEqual(['after']);
      }
    }
  });
});
