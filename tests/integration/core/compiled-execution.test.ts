import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { SeededUser } from '../../setup/seed.js';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { metricValue } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * A query document runs on graphql-js the first time and compiled (graphql-jit) from then on
 * (core/graphql/compiled-execution.ts). Whatever the engine, the answer must be the same, byte for byte:
 * data, errors with their paths, locations and codes, and the HTTP status.
 */

let t: TestApp;
let worker: SeededUser;
let stranger: SeededUser;
let demandId: string;
let orgId: string;
let pendingOrgId: string;

/** How many HTTP operations one engine has executed. */
const executions = (engine: 'compiled' | 'interpreted') =>
  metricValue(t.url, 'niudai_graphql_executions_total', { engine });

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  stranger = await t.seed.worker();
  const org = await t.seed.organization({ homeRegionCode: '370102' });
  orgId = toGlobalId('Organization', org.organization.id);
  pendingOrgId = toGlobalId('Organization', (await t.seed.organization({ verified: false })).organization.id);
  const submitted = await t.data<{ submitDemand: { demand: { id: string } } }>(
    SUBMIT_DEMAND,
    {
      input: {
        title: '编译执行测试',
        description: '同一问题，两种执行',
        categoryCode: 'LIFE',
        regionCode: '370102',
        targetGroups: ['ALL_WORKERS'],
        peopleAffected: 3,
      },
    },
    worker.token,
  );
  demandId = submitted.submitDemand.demand.id;
});

afterAll(() => t?.stop());

interface Case {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  token?: () => string;
  /** The error code the answer carries, if any (so each case is known to test what it says). */
  code?: string;
}

const CASES: Case[] = [
  {
    name: 'the nested feed read',
    query: `query Nested { demands(first: 20, filter: { statuses: [OPEN] }) {
      edges { cursor node { id title urgency peopleAffected createdAt category { code name parent { code } }
        region { code name parent { code name } } } }
      pageInfo { hasNextPage endCursor } } }`,
    token: () => worker.token,
  },
  {
    name: 'node(id) through the Node interface, with fragments and __typename',
    query: `query N($a: ID!, $b: ID!) {
      a: node(id: $a) { __typename id ... on Demand { title status region { name } } }
      b: node(id: $b) { __typename ... on Organization { name homeRegion { name } } } }`,
    variables: () => ({ a: demandId, b: orgId }),
    token: () => worker.token,
  },
  {
    name: 'a lookup with a variable default and @include/@skip',
    query: `query Org($id: ID!, $withRegion: Boolean = true, $skipName: Boolean = false) {
      organization(id: $id) { id name @skip(if: $skipName) homeRegion @include(if: $withRegion) { code } } }`,
    variables: () => ({ id: orgId }),
  },
  {
    name: 'a pending organization an anonymous caller may not see (null, no error)',
    query: `query Org($id: ID!) { organization(id: $id) { id name } }`,
    variables: () => ({ id: pendingOrgId }),
  },
  {
    name: 'a resolver error: a malformed id, with its path and code',
    query: `query D($id: ID!) { demand(id: $id) { id } }`,
    variables: () => ({ id: 'not-an-id' }),
    token: () => worker.token,
    code: 'BAD_USER_INPUT',
  },
  {
    name: "a permission error on a field (another organization's webhooks), beside data that is allowed",
    query: `query W($id: ID!, $org: ID!) { demand(id: $id) { id title } webhooks(organizationId: $org) { id } }`,
    variables: () => ({ id: demandId, org: orgId }),
    token: () => stranger.token,
    code: 'FORBIDDEN',
  },
  {
    name: 'variables that do not coerce (400 BAD_USER_INPUT, from graphql-js either way)',
    query: `query Feed($first: Int) { demands(first: $first) { edges { node { id } } } }`,
    variables: () => ({ first: 'ten' }),
    code: 'BAD_USER_INPUT',
  },
];

describe('compiled execution', () => {
  for (const c of CASES) {
    it(`answers ${c.name} the same once compiled`, async () => {
      const ask = (): Promise<GqlResponse> => t.gql(c.query, c.variables?.(), c.token?.());
      const compiledBefore = await executions('compiled');
      const first = await ask(); // graphql-js
      const again = [await ask(), await ask()]; // compiled (unless the variables do not coerce)
      expect(first.status).toBeLessThan(500);
      expect(first.body.errors?.[0]?.extensions?.code).toBe(c.code);
      for (const response of again) expect(response).toEqual(first);
      const compiledRuns = (await executions('compiled')) - compiledBefore;
      expect(compiledRuns).toBe(first.status === 400 ? 0 : 2);
    });
  }

  it('never compiles a mutation', async () => {
    const before = await executions('compiled');
    const interpretedBefore = await executions('interpreted');
    for (let i = 0; i < 3; i++) {
      const res = await t.gql(
        `mutation Endorse($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }`,
        { input: { demandId } },
        worker.token,
      );
      expect(res.status).toBe(200);
    }
    expect(await executions('compiled')).toBe(before);
    expect(await executions('interpreted')).toBe(interpretedBefore + 3);
  });
});

describe('GRAPHQL_COMPILE=false', () => {
  it('runs every query on graphql-js, with the same answers', async () => {
    const plain = await startTestApp({ GRAPHQL_COMPILE: 'false' });
    try {
      const query = `query R($code: String!) { region(code: $code) { id name parent { name } path { code } } }`;
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await plain.gql(query, { code: '370102' }));
      expect(answers[0]?.body.data).toMatchObject({ region: { name: '历下区', parent: { name: '济南市' } } });
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(await metricValue(plain.url, 'niudai_graphql_executions_total', { engine: 'compiled' })).toBe(0);
    } finally {
      await plain.stop();
    }
  });
});
