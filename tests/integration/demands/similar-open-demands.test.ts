import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededUser } from '../../setup/seed.js';
import { submitDemand } from '../../setup/operations.js';

/**
 * `similarOpenDemands`: what a worker sees before she submits — the OPEN demands of the category and
 * region she chose (narrowed to similar titles once she typed one), the most endorsed first, never her
 * own, never a contact; and the same search behind `submitDemand { similarOpenDemands }`.
 *
 * In Lixia childcare: `popular` (endorsed twice), `older` and `newer` (none), `mine` (the viewer's),
 * `anonymous` (hides its submitter) and a claimed one; elsewhere, one in Shizhong (370103) and one
 * in elder care.
 */
let t: TestApp;
let viewer: SeededUser;
let other: SeededUser;
const ids: Record<string, string> = {};

const QUERY = `query ($categoryCode: String!, $regionCode: String!, $title: String, $first: Int) {
  similarOpenDemands(categoryCode: $categoryCode, regionCode: $regionCode, title: $title, first: $first) {
    id title contact submittedBy { id } endorsementCount
  }
}`;

interface Similar {
  id: string;
  title: string;
  contact: string | null;
  submittedBy: { id: string } | null;
  endorsementCount: number;
}

const ask = (variables: Record<string, unknown>, token: string | null = viewer.token) =>
  t.gql<{ similarOpenDemands: Similar[] | null }>(
    QUERY,
    { categoryCode: 'LIFE.CHILDCARE', regionCode: '370102', ...variables },
    token,
  );

async function list(variables: Record<string, unknown> = {}): Promise<string[]> {
  const res = await ask(variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.similarOpenDemands!.map((d) => d.id);
}

const errorOf = (res: Awaited<ReturnType<typeof ask>>) => ({
  code: res.body.errors?.[0]?.extensions?.code,
  paths: ((res.body.errors?.[0]?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path),
});

beforeAll(async () => {
  t = await startTestApp();
  viewer = await t.seed.worker();
  other = await t.seed.worker();
  const contact = { contact: '13700001111', contactConsent: true };
  ids.older = (await submitDemand(t, other.token, { title: '夜班职工孩子周末托管', ...contact })).id;
  ids.popular = (await submitDemand(t, other.token, { title: '双职工家庭课后托管', ...contact })).id;
  ids.newer = (await submitDemand(t, other.token, { title: '社区老年食堂送餐' })).id;
  ids.anonymous = (await submitDemand(t, other.token, { title: '暑假托管班', anonymous: true })).id;
  ids.mine = (await submitDemand(t, viewer.token, { title: '夜班职工孩子周末托管服务' })).id;
  ids.elsewhere = (await submitDemand(t, other.token, { title: '夜班孩子托管', regionCode: '370103' })).id;
  ids.elderCare = (
    await submitDemand(t, other.token, { title: '夜班孩子托管', categoryCode: 'LIFE.ELDERLY_CARE' })
  ).id;
  for (const endorser of [await t.seed.worker(), await t.seed.worker()])
    await t.data(
      'mutation ($input: EndorseDemandInput!) { endorseDemand(input: $input) { demand { id } } }',
      { input: { demandId: ids.popular } },
      endorser.token,
    );
  const org = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'] });
  ids.claimed = (await submitDemand(t, other.token, { title: '夜班职工孩子托管' })).id;
  await t.data(
    'mutation ($input: ClaimDemandInput!) { claimDemand(input: $input) { demand { id } } }',
    { input: { demandId: ids.claimed, organizationId: org.organization.globalId() } },
    org.token,
  );
});

afterAll(() => t.stop());

describe('similarOpenDemands', () => {
  it('lists the OPEN demands of exactly that category and region, the most endorsed then the newest, never her own', async () => {
    expect(await list()).toEqual([ids.popular, ids.anonymous, ids.newer, ids.older]);
    expect(await list({ first: 2 })).toEqual([ids.popular, ids.anonymous]);
  });

  it('narrows to similar titles once she typed one', async () => {
    expect(await list({ title: '夜班职工孩子托管' })).toEqual([ids.older]);
    // White space alone is no title.
    expect(await list({ title: '  ' })).toHaveLength(4);
  });

  it('shows no contact, and no anonymous submitter', async () => {
    const res = await ask({});
    const shown = new Map(res.body.data!.similarOpenDemands!.map((d) => [d.id, d]));
    expect([...shown.values()].every((d) => d.contact === null)).toBe(true);
    expect(shown.get(ids.anonymous!)!.submittedBy).toBeNull();
    expect(shown.get(ids.popular!)).toMatchObject({
      submittedBy: { id: other.user.globalId() },
      endorsementCount: 2,
    });
  });

  it('is for workers: anonymous callers, union staff and admins are refused', async () => {
    expect(errorOf(await ask({}, null)).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await ask({}, (await t.seed.unionStaff()).token)).code).toBe('FORBIDDEN');
    expect(errorOf(await ask({}, (await t.seed.admin()).token)).code).toBe('FORBIDDEN');
  });

  it('refuses bad input naming the argument', async () => {
    expect(errorOf(await ask({ categoryCode: 'NO.SUCH' }))).toEqual({
      code: 'BAD_USER_INPUT',
      paths: ['categoryCode'],
    });
    expect(errorOf(await ask({ regionCode: '999999' }))).toEqual({
      code: 'BAD_USER_INPUT',
      paths: ['regionCode'],
    });
    expect(errorOf(await ask({ regionCode: 'Jinan' }))).toEqual({
      code: 'BAD_USER_INPUT',
      paths: ['regionCode'],
    });
    for (const first of [0, 21])
      expect(errorOf(await ask({ first }))).toEqual({ code: 'BAD_USER_INPUT', paths: ['first'] });
    expect(errorOf(await ask({ title: '托'.repeat(201) }))).toEqual({
      code: 'BAD_USER_INPUT',
      paths: ['title'],
    });
  });

  it('is the search submitDemand answers with: similar titles, never the submitter’s own', async () => {
    const { submitDemand: submitted } = await t.data<{
      submitDemand: { demand: { id: string }; similarOpenDemands: { id: string }[] };
    }>(
      `mutation ($input: SubmitDemandInput!) { submitDemand(input: $input) { demand { id } similarOpenDemands { id } } }`,
      {
        input: {
          title: '夜班职工孩子周末托管',
          description: '周末加班',
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
        },
      },
      viewer.token,
    );
    // Her earlier, near-identical demand is hers: she cannot endorse it, so it is not offered.
    expect(submitted.similarOpenDemands.map((d) => d.id)).toEqual([ids.older]);
  });
});
