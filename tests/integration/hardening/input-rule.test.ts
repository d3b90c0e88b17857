import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { makeCreditCode } from '../../../src/modules/organizations/credit-code.js';
import { startTestApp, wsRequest, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import { projectInput, PUBLISH, seedPublisher } from '../projects/project-helpers.js';
import { appTables, codes, rowCounts } from './helpers.js';

let t: TestApp;
let tables: string[];
beforeAll(async () => {
  t = await startTestApp();
  tables = await appTables(t);
});
afterAll(() => t.stop());

/** The control characters the input rule refuses: C0 except tab, line feed, carriage return; and DEL. */
const REFUSED = [0, 1, 7, 8, 11, 12, 14, 27, 31, 127].map((code) => String.fromCharCode(code));

const pathsOf = (body: GqlResponse['body']) =>
  ((body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path);

/** Asserts BAD_USER_INPUT naming exactly `path`, and no data. */
function expectRefused(body: GqlResponse['body'], path: string) {
  expect(codes(body), JSON.stringify(body)).toEqual(['BAD_USER_INPUT']);
  expect(pathsOf(body)).toContain(path);
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { token } }`;
const SUBMIT = `mutation($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id title description contact } } }`;
const REGISTER = `mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { organization { id name } } }`;
const UPDATE_ORG = `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id name } } }`;

const demand = (overrides: Record<string, unknown> = {}) => ({
  title: '需要托管孩子',
  description: '暑假期间需要托管。',
  categoryCode: 'LIFE',
  regionCode: '370102',
  ...overrides,
});

describe('control characters in string arguments', () => {
  it('refuses each of them in a query argument, on the first (graphql-js) and later (compiled) runs', async () => {
    const query = `query($code: String!) { region(code: $code) { code } }`;
    for (const c of REFUSED) {
      for (let run = 0; run < 2; run++) {
        const { body } = await t.gql(query, { code: `3701${c}0` });
        expectRefused(body, 'code');
      }
    }
    const compiled = await t.gql(`query($code: String!) { region(code: $code) { code } }`, {
      code: '370100',
    });
    expect(compiled.body.errors).toBeUndefined();
  });

  it('refuses them in every kind of argument, naming the field', async () => {
    const nul = 'a\u0000b';
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($t: String) { organizations(filter: { text: $t }) { totalCount } }`, { t: nul }, 'filter.text'],
      [`query($c: String!) { serviceCategory(code: $c) { code } }`, { c: nul }, 'code'],
      [`query($c: String) { organization(creditCode: $c) { id } }`, { c: nul }, 'creditCode'],
      [`query($c: String!) { region(code: $c) { code } }`, { c: '\u007f' }, 'code'],
      [`query { region(code: "37\\u00000") { code } }`, {}, 'code'], // a literal, not a variable
      [SIGN_IN, { input: { login: `a${nul}@example.cn`, password: 'whatever password' } }, 'input.login'],
      [
        SIGN_UP,
        { input: { email: 'ctl@example.cn', password: `pass\u0007word long`, displayName: '王' } },
        'input.password',
      ],
    ];
    for (const [query, variables, path] of cases) {
      const { body } = await t.gql(query, variables);
      expectRefused(body, path);
    }
  });

  it('refuses them inside input objects and lists of input objects, and writes nothing', async () => {
    const worker = await t.seed.worker();
    const { token: publisherToken } = await seedPublisher(t);
    const admin = await t.seed.admin();
    const org = await t.seed.organization();
    const before = await rowCounts(t, tables);
    expectRefused(
      (await t.gql(SUBMIT, { input: demand({ title: 'ab\u0000c' }) }, worker.token)).body,
      'input.title',
    );
    expectRefused(
      (await t.gql(SUBMIT, { input: demand({ contact: '139\u00001234' }) }, worker.token)).body,
      'input.contact',
    );
    const documents = [
      { title: '公告', url: 'https://example.cn/a.pdf' },
      { title: '附件\u001b', url: 'https://example.cn/b.pdf' },
    ];
    expectRefused(
      (await t.gql(PUBLISH, { input: projectInput({ documents }) }, publisherToken)).body,
      'input.documents.1.title',
    );
    expectRefused(
      (
        await t.gql(
          PUBLISH,
          { input: projectInput({ regionCodes: ['370100', '3701\u000200'] }) },
          publisherToken,
        )
      ).body,
      'input.regionCodes.1',
    );
    const csv = 'code,name,nameEn,parentCode\n370199,测试\u0000区,Test,370100';
    expectRefused(
      (
        await t.gql(
          `mutation($input: ImportRegionsInput!) { importRegions(input: $input) { __typename } }`,
          { input: { csv } },
          admin.token,
        )
      ).body,
      'input.csv',
    );
    expectRefused(
      (
        await t.gql(
          UPDATE_ORG,
          {
            input: { organizationId: toGlobalId('Organization', org.organization.id), name: '新\u0000名字' },
          },
          org.token,
        )
      ).body,
      'input.name',
    );
    expect(await rowCounts(t, tables)).toEqual(before);
  });

  it('accepts tab, line feed and carriage return', async () => {
    const worker = await t.seed.worker();
    const description = '第一行\r\n\t第二行';
    const { body } = await t.gql(SUBMIT, { input: demand({ description }) }, worker.token);
    expect(body.errors).toBeUndefined();
    expect(
      (body.data as { submitDemand: { demand: { description: string } } }).submitDemand.demand.description,
    ).toBe(description);
  });

  it('refuses them over WebSocket, in queries and in subscriptions', async () => {
    const query = await wsRequest(t.ws(), `query($c: String!) { region(code: $c) { code } }`, {
      c: 'x\u0000',
    });
    expectRefused(query, 'code');
    const org = await t.seed.organization();
    const subscription = await wsRequest(
      t.ws({ token: org.token }),
      `subscription($c: String) { demandPublished(filter: { categoryCode: $c }) { cursor } }`,
      { c: 'LIFE\u0000' },
    );
    expectRefused(subscription, 'filter.categoryCode');
  });
});

describe('free text is normalised, then validated', () => {
  it('refuses blank and too-short-after-trimming titles of a demand, and stores the normalised text', async () => {
    const worker = await t.seed.worker();
    const before = await rowCounts(t, tables);
    expectRefused(
      (await t.gql(SUBMIT, { input: demand({ title: '     ' }) }, worker.token)).body,
      'input.title',
    );
    expectRefused(
      (await t.gql(SUBMIT, { input: demand({ title: '  a  ' }) }, worker.token)).body,
      'input.title',
    );
    expectRefused(
      (await t.gql(SUBMIT, { input: demand({ description: ' \n\t ' }) }, worker.token)).body,
      'input.description',
    );
    expect(await rowCounts(t, tables)).toEqual(before);

    // "e" + combining acute accent is stored as the composed "é" (NFC); white space around is dropped.
    const { body } = await t.gql(
      SUBMIT,
      { input: demand({ title: '  Cafe\u0301 托管  ', contact: '  13912345678 ' }) },
      worker.token,
    );
    expect(body.errors).toBeUndefined();
    const stored = (body.data as { submitDemand: { demand: { title: string; contact: string } } })
      .submitDemand.demand;
    expect(stored.title).toBe('Caf\u00e9 托管');
    expect(stored.contact).toBe('13912345678');
  });

  it('refuses a blank organization name and a blank project title', async () => {
    const worker = await t.seed.worker();
    const registration = {
      name: '   ',
      creditCode: makeCreditCode('SOCIAL_SERVICE_AGENCY', 88_001, '370102'),
      kind: 'SOCIAL_SERVICE_AGENCY',
      foundingType: 'INDEPENDENT',
      homeRegionCode: '370102',
      categoryCodes: ['LIFE'],
    };
    expectRefused((await t.gql(REGISTER, { input: registration }, worker.token)).body, 'input.name');
    const { token } = await seedPublisher(t);
    expectRefused(
      (await t.gql(PUBLISH, { input: projectInput({ title: '   ' }) }, token)).body,
      'input.title',
    );
    const org = await t.seed.organization();
    expectRefused(
      (
        await t.gql(
          UPDATE_ORG,
          { input: { organizationId: toGlobalId('Organization', org.organization.id), name: ' 名 ' } },
          org.token,
        )
      ).body,
      'input.name',
    );
  });

  it('leaves passwords as typed', async () => {
    const email = `spaces-${Date.now()}@example.cn`;
    const password = '  spaced password  ';
    const signUp = await t.gql(SIGN_UP, { input: { email, password, displayName: '  王师傅 ' } });
    expect(signUp.body.errors).toBeUndefined();
    const exact = await t.gql(SIGN_IN, { input: { login: email, password } });
    expect(exact.body.errors).toBeUndefined();
    const trimmed = await t.gql(SIGN_IN, { input: { login: email, password: password.trim() } });
    expect(codes(trimmed.body)).toEqual(['UNAUTHENTICATED']);
  });
});
