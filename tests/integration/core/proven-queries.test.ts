import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { metricValue } from '../../setup/probes.js';

/**
 * A query document Apollo validated and the gateway compiled is answered from its third request on
 * without Apollo's pipeline (core/graphql/proven-queries.ts). Its answers must be Apollo's: status,
 * headers and body; each viewer's own rights; refusals (a bad token, a malformed id) as Apollo
 * formats them, executed once.
 */

let t: TestApp;
let worker: SeededUser;
let pending: SeededOrganization;
let pendingId: string;

const LOOKUP = `query Org($id: ID!) { organization(id: $id) { id name verificationStatus homeRegion { code } } }`;

/** How many HTTP operations the compiled engine has executed. */
const compiledExecutions = () =>
  metricValue(t.url, 'niudai_graphql_executions_total', { engine: 'compiled' });

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

async function ask(query: string, variables: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const headers: Record<string, string | null> = {};
  for (const name of ['content-type', 'cache-control', 'content-length'])
    headers[name] = response.headers.get(name);
  return { status: response.status, headers, body: await response.json() };
}

/** Asks the same document three times: graphql-js, the gateway's compiled query, the short path. */
async function threeTimes(query: string, variables: Record<string, unknown>, token?: string) {
  const before = await compiledExecutions();
  const answers = [
    await ask(query, variables, token),
    await ask(query, variables, token),
    await ask(query, variables, token),
  ];
  return { answers, compiledRuns: (await compiledExecutions()) - before };
}

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  pending = await t.seed.organization({ verified: false });
  pendingId = toGlobalId('Organization', pending.organization.id);
});

afterAll(() => t?.stop());

describe('proven queries', () => {
  it("answers with Apollo's status, headers and body, executing each request once", async () => {
    const org = await t.seed.organization({ homeRegionCode: '370102' });
    const id = toGlobalId('Organization', org.organization.id);
    const { answers, compiledRuns } = await threeTimes(LOOKUP, { id });
    expect(answers[0]).toMatchObject({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: { data: { organization: { id, name: org.organization.name, homeRegion: { code: '370102' } } } },
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(compiledRuns).toBe(2);
  });

  it("judges each request by its own viewer's rights once the document is proven", async () => {
    const other = `query PendingOrg($id: ID!) { organization(id: $id) { id name } }`;
    // Proven by anonymous requests, which may not see a pending organization.
    const anonymous = await threeTimes(other, { id: pendingId });
    for (const answer of anonymous.answers) expect(answer.body).toEqual({ data: { organization: null } });
    // Its admin sees it; another worker does not; anonymous still does not.
    expect((await ask(other, { id: pendingId }, pending.token)).body).toEqual({
      data: { organization: { id: pendingId, name: pending.organization.name } },
    });
    expect((await ask(other, { id: pendingId }, worker.token)).body).toEqual({
      data: { organization: null },
    });
    expect((await ask(other, { id: pendingId })).body).toEqual({ data: { organization: null } });
  });

  it('refuses a bad token on a proven document as Apollo does (401, nothing executed)', async () => {
    const other = `query Refused($id: ID!) { organization(id: $id) { name } }`;
    await threeTimes(other, { id: pendingId }); // proven
    const before = await compiledExecutions();
    const first = await ask(other, { id: pendingId }, 'not-a-token');
    const again = await ask(other, { id: pendingId }, 'not-a-token');
    expect(first.status).toBe(401);
    expect(again).toEqual(first);
    expect(await compiledExecutions()).toBe(before);
  });

  it("hands a result with errors to Apollo to format, executed once: a malformed id's BAD_USER_INPUT", async () => {
    const malformed = `query Malformed($id: ID!) { organization(id: $id) { id name } }`;
    const { answers, compiledRuns } = await threeTimes(malformed, { id: 'not-an-id' });
    expect(answers[0]!.status).toBe(200);
    expect(answers[0]!.body).toMatchObject({
      data: { organization: null },
      errors: [{ path: ['organization'], extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(compiledRuns).toBe(2);
  });

  it('leaves variables that do not coerce to Apollo (graphql-js reports them)', async () => {
    await threeTimes(LOOKUP, { id: pendingId });
    const wrong = await ask(LOOKUP, { id: { not: 'an id' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});
