import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';
import { projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';
import { appTables, codes, rowCounts, send } from './helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

let t: TestApp;
let tables: string[];
beforeAll(async () => {
  t = await startTestApp();
  tables = await appTables(t);
});
afterAll(() => t.stop());

const json = (body: unknown, headers: Record<string, string> = {}) =>
  send(t.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('malformed requests over HTTP', () => {
  it('answers an array of operations (a batch) with 400', async () => {
    const res = await json([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]);
    expect(res.status).toBe(400);
  });

  it('answers a POST with no body at all with 400, never 500', async () => {
    const bare = await send(t.httpUrl, { method: 'POST', headers: { 'apollo-require-preflight': 'true' } });
    expect(bare.status).toBe(400);
    const noQuery = await json({});
    expect(noQuery.status).toBe(400);
    const nullBody = await json('null');
    expect(nullBody.status).toBe(400);
  });

  it('answers an unsupported charset with 415', async () => {
    const res = await send(t.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(res.status).toBe(415);
  });

  it('answers a variable of the wrong type with 400 BAD_USER_INPUT naming the variable', async () => {
    const res = await json({
      query: 'query($code: String!) { region(code: $code) { code } }',
      variables: { code: 42 },
    });
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['BAD_USER_INPUT']);
    expect(res.json.errors?.[0]?.message).toContain('$code');
    const missing = await json({ query: 'query($code: String!) { region(code: $code) { code } }' });
    expect(missing.status).toBe(400);
    expect(codes(missing.json)).toEqual(['BAD_USER_INPUT']);
  });
});

/** Runs a mutation that must be refused with BAD_USER_INPUT naming `field`, and checks no row changed. */
async function refused(
  query: string,
  input: Record<string, unknown>,
  token: string | null,
  field: string,
): Promise<void> {
  const before = await rowCounts(t, tables);
  const { status, body } = await t.gql(query, { input }, token);
  expect(codes(body), JSON.stringify(body)).toEqual(['BAD_USER_INPUT']);
  const fields = (body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[];
  const named = fields.some((f) => f.path === field) || (body.errors?.[0]?.message ?? '').includes(field);
  expect(named, `${field} in ${JSON.stringify(body.errors)}`).toBe(true);
  expect([200, 400]).toContain(status);
  expect(await rowCounts(t, tables)).toEqual(before);
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
const REGISTER = `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id } } }`;

describe('invalid input is BAD_USER_INPUT with the field, and writes nothing', () => {
  const signUp = (overrides: Record<string, unknown>) => ({
    email: `ok-${Date.now()}@example.test`,
    password: 'long enough password',
    displayName: '王师傅',
    ...overrides,
  });

  it('refuses a bad email, mobile number and over-long name at sign-up', async () => {
    await refused(SIGN_UP, signUp({ email: 'not-an-email' }), null, 'input.email');
    await refused(SIGN_UP, signUp({ email: null, mobile: '12345' }), null, 'input.mobile');
    await refused(SIGN_UP, signUp({ displayName: '长'.repeat(51) }), null, 'input.displayName');
    await refused(SIGN_UP, signUp({ password: 'short' }), null, 'input.password');
  });

  it('refuses a credit code with a wrong check digit and an over-long name at registration', async () => {
    const worker = await t.seed.worker();
    const good = makeCreditCode('SOCIAL_SERVICE_AGENCY', 77_001, '370102');
    const last = good.at(-1) === '0' ? '1' : '0';
    const registration = (overrides: Record<string, unknown>) => ({
      name: '济南市历下区阳光职工服务中心',
      creditCode: good,
      kind: 'SOCIAL_SERVICE_AGENCY',
      foundingType: 'INDEPENDENT',
      homeRegionCode: '370102',
      categoryCodes: ['LIFE'],
      ...overrides,
    });
    await refused(
      REGISTER,
      registration({ creditCode: good.slice(0, -1) + last }),
      worker.token,
      'input.creditCode',
    );
    await refused(REGISTER, registration({ creditCode: '123' }), worker.token, 'input.creditCode');
    await refused(REGISTER, registration({ name: '名'.repeat(201) }), worker.token, 'input.name');
    await refused(REGISTER, registration({ homeRegionCode: 'jinan' }), worker.token, 'input.homeRegionCode');
    await refused(REGISTER, registration({ website: 'javascript:alert(1)' }), worker.token, 'input.website');
  });

  it('refuses over-long text and out-of-range numbers in a demand', async () => {
    const worker = await t.seed.worker();
    const demand = (overrides: Record<string, unknown>) => ({
      title: '需要托管孩子',
      description: '暑假期间需要托管。',
      categoryCode: 'LIFE',
      regionCode: '370102',
      ...overrides,
    });
    await refused(SUBMIT_DEMAND, demand({ title: '题'.repeat(201) }), worker.token, 'input.title');
    await refused(
      SUBMIT_DEMAND,
      demand({ description: '述'.repeat(5001) }),
      worker.token,
      'input.description',
    );
    await refused(SUBMIT_DEMAND, demand({ peopleAffected: 0 }), worker.token, 'input.peopleAffected');
    await refused(SUBMIT_DEMAND, demand({ contact: 'x'.repeat(201) }), worker.token, 'input.contact');
  });

  it('refuses bad money and bad dates in a project', async () => {
    const { token } = await seedPublisher(t);
    await refused(PUBLISH, projectInput({ budgetFen: 0 }), token, 'input.budgetFen');
    await refused(PUBLISH, projectInput({ budgetFen: -100 }), token, 'input.budgetFen');
    // Not an Int (money is never a float): refused while coercing the variable.
    await refused(PUBLISH, projectInput({ budgetFen: 12.5 }), token, 'budgetFen');
    await refused(
      PUBLISH,
      projectInput({ applicationClosesAt: 'next tuesday' }),
      token,
      'applicationClosesAt',
    );
    const now = Date.now();
    await refused(
      PUBLISH,
      projectInput({
        applicationOpensAt: new Date(now + 86_400_000).toISOString(),
        applicationClosesAt: new Date(now).toISOString(),
      }),
      token,
      'input.applicationClosesAt',
    );
  });

  it('names a field by its path from the field arguments: `filter.regionCode`, not `input.…`', async () => {
    const worker = await t.seed.worker();
    const DEMANDS = `query($filter: DemandFilter) { demands(filter: $filter) { totalCount } }`;
    const { body } = await t.gql(DEMANDS, { filter: { regionCode: 'jinan' } }, worker.token);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.extensions?.fields).toEqual([
      { path: 'filter.regionCode', message: 'must be a 6-digit GB/T 2260 code' },
    ]);
  });

  it('refuses an id of the wrong type or a malformed id as BAD_USER_INPUT or NOT_FOUND, never 500', async () => {
    const worker = await t.seed.worker();
    const ENDORSE = `mutation($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }`;
    for (const demandId of ['garbage', toGlobalId('Region', 370100), toGlobalId('Demand', 999_999_999)]) {
      const before = await rowCounts(t, tables);
      const { body } = await t.gql(ENDORSE, { input: { demandId } }, worker.token);
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(codes(body)[0]);
      expect(await rowCounts(t, tables)).toEqual(before);
    }
  });
});

describe('abusive documents over HTTP and WebSocket', () => {
  const both = async (query: string) => {
    const http = await json({ query });
    const ws = await wsRequest(t.ws(), query);
    return { http, ws };
  };

  it('refuses fragment cycles', async () => {
    const { http, ws } = await both(
      `query { region(code: "370100") { ...A } } fragment A on Region { parent { ...B } } fragment B on Region { children { ...A } }`,
    );
    expect(http.status).toBe(400);
    expect(codes(http.json)[0]).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(http.json.errors?.[0]?.message).toMatch(/cannot spread fragment/i);
    expect(ws.errors?.[0]?.message).toMatch(/cannot spread fragment/i);
  });

  it('refuses `first` above the maximum as BAD_USER_INPUT', async () => {
    const query = `{ organizations(first: ${t.config.limits.pageMax + 1}) { edges { node { id } } } }`;
    const { http, ws } = await both(query);
    expect(codes(http.json)).toEqual(['BAD_USER_INPUT']);
    expect(http.json.data?.organizations ?? null).toBeNull();
    expect(ws.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await json({
      query: `{ organizations(first: ${t.config.limits.pageMax}) { edges { node { id } } } }`,
    });
    expect(ok.json.errors).toBeUndefined();
  });

  it('refuses too many directives with 400 and a clear message', async () => {
    const directives = ' @include(if: true)'.repeat(t.config.limits.maxDirectives + 1);
    const { http, ws } = await both(`{ viewer${directives} { id } }`);
    expect(http.status).toBe(400);
    expect(http.json.errors?.[0]?.message).toMatch(/directives/i);
    expect(ws.errors?.[0]?.message).toMatch(/directives/i);
  });
});

describe('cost limit', () => {
  let cheap: TestApp;
  beforeAll(async () => {
    cheap = await startTestApp({ LIMIT_MAX_COST: '100' });
  });
  afterAll(() => cheap.stop());

  it('refuses a query over the cost limit with 400 over HTTP and an error over WebSocket', async () => {
    const fields = 'code name nameEn level '.repeat(10);
    const query = `{ regions { ${fields} children { ${fields} children { ${fields} children { ${fields} } } } } }`;
    const http = await send(cheap.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(http.status).toBe(400);
    expect(http.json.errors?.[0]?.message).toMatch(/cost/i);
    const ws = await wsRequest(cheap.ws(), query);
    expect(ws.errors?.[0]?.message).toMatch(/cost/i);
    // A small query passes the same limit.
    const small = await wsRequest<{ region: { code: string } }>(
      cheap.ws(),
      `{ region(code: "370100") { code } }`,
    );
    expect(small.data?.region.code).toBe('370100');
  });
});
