import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { decodeGlobalId, toGlobalId } from '../../../src/core/relay/global-id.js';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';

const MAX_OPEN_CLAIMS = 3;
const LAPSE_HOURS = 48;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    DEMAND_MAX_OPEN_CLAIMS: String(MAX_OPEN_CLAIMS),
    DEMAND_CLAIM_LAPSE_HOURS: String(LAPSE_HOURS),
    DEMAND_EXPIRY_DAYS: '30',
    DEMAND_SWEEP_INTERVAL_SECONDS: '0',
  });
});
afterAll(() => t.stop());

const FIELDS = `id title status urgency endorsementCount peopleAffected contact anonymous source targetGroups
  submittedBy { id } claimedBy { id } category { code } region { code } closeReason rating ratingComment
  duplicateOf { id }`;

interface DemandView {
  id: string;
  title: string;
  status: string;
  urgency: string;
  endorsementCount: number;
  peopleAffected: number;
  contact: string | null;
  anonymous: boolean;
  source: string;
  targetGroups: string[];
  submittedBy: { id: string } | null;
  claimedBy: { id: string } | null;
  category: { code: string };
  region: { code: string };
  closeReason: string | null;
  rating: number | null;
  ratingComment: string | null;
  duplicateOf: { id: string } | null;
}

const SUBMIT = `mutation($input: SubmitDemandInput!) {
  submitDemand(input: $input) { demand { ${FIELDS} } similarOpenDemands { id title } } }`;
const DEMAND = `query($id: ID!) { demand(id: $id) { ${FIELDS} } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on Demand { title } } }`;
const FEED = `query($filter: DemandFilter, $first: Int, $after: String, $orderBy: DemandOrder) {
  demands(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title status } } } }`;
const MATCHING = `query($demandId: ID!, $first: Int, $after: String) {
  matchingOrganizations(demandId: $demandId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { score reasons organization { id name foundingType } } } } }`;

/** The mutations that take `{ demandId, … }` and return `{ demand }`. */
type DemandMutation =
  | 'endorseDemand'
  | 'withdrawDemand'
  | 'claimDemand'
  | 'releaseDemand'
  | 'reportDemandProgress'
  | 'fulfilDemand'
  | 'rateDemand'
  | 'closeDemand';

const INPUT_TYPE: Record<DemandMutation, string> = {
  endorseDemand: 'EndorseDemandInput',
  withdrawDemand: 'WithdrawDemandInput',
  claimDemand: 'ClaimDemandInput',
  releaseDemand: 'ReleaseDemandInput',
  reportDemandProgress: 'ReportDemandProgressInput',
  fulfilDemand: 'FulfilDemandInput',
  rateDemand: 'RateDemandInput',
  closeDemand: 'CloseDemandInput',
};

function act(
  name: DemandMutation,
  input: Record<string, unknown>,
  token: string | null,
): Promise<GqlResponse<Record<string, { demand: DemandView }>>> {
  return t.gql(
    `mutation($input: ${INPUT_TYPE[name]}!) { ${name}(input: $input) { demand { ${FIELDS} } } }`,
    { input },
    token,
  );
}

async function ok(name: DemandMutation, input: Record<string, unknown>, token: string): Promise<DemandView> {
  const { body } = await act(name, input, token);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return (body.data as Record<string, { demand: DemandView }>)[name]!.demand;
}

function errorOf(response: GqlResponse<unknown>): { code?: string; [k: string]: unknown } {
  return (response.body.errors?.[0]?.extensions ?? {}) as { code?: string };
}

async function submit(
  token: string,
  input: Record<string, unknown> = {},
): Promise<{ demand: DemandView; similarOpenDemands: { id: string; title: string }[] }> {
  const data = await t.data<{
    submitDemand: { demand: DemandView; similarOpenDemands: { id: string; title: string }[] };
  }>(
    SUBMIT,
    {
      input: {
        title: '需要周末儿童托管',
        description: '双职工家庭周末无人照看孩子',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370102',
        ...input,
      },
    },
    token,
  );
  return data.submitDemand;
}

const orgId = (o: SeededOrganization): string => toGlobalId('Organization', o.organization.id);
const keyOf = (id: string): number => Number(decodeGlobalId(id)?.key);

/** An organization that serves childcare in Jinan, for all workers. */
function jinanChildcareOrg(options: Parameters<TestApp['seed']['organization']>[0] = {}) {
  return t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370100'], ...options });
}

describe('demand lifecycle', () => {
  it('runs submit → claim → progress → fulfil → rate → close, feeding the organization’s rating', async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const staff = await t.seed.unionStaff('370100');
    const { demand } = await submit(worker.token, { peopleAffected: 3, urgency: 'HIGH' });
    expect(demand).toMatchObject({ status: 'OPEN', source: 'WORKER', peopleAffected: 3, urgency: 'HIGH' });
    expect(demand.targetGroups).toEqual(['ALL_WORKERS']);

    const claimed = await ok('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    expect(claimed).toMatchObject({ status: 'CLAIMED', claimedBy: { id: orgId(org) } });

    const progress = await t.data<{
      reportDemandProgress: { demand: DemandView; progress: { note: string } };
    }>(
      `mutation($input: ReportDemandProgressInput!) { reportDemandProgress(input: $input) {
        demand { status } progress { note } } }`,
      { input: { demandId: demand.id, note: '已联系社区托管点' } },
      org.token,
    );
    expect(progress.reportDemandProgress).toMatchObject({
      demand: { status: 'IN_SERVICE' },
      progress: { note: '已联系社区托管点' },
    });

    expect((await ok('fulfilDemand', { demandId: demand.id }, org.token)).status).toBe('FULFILLED');
    const rated = await ok('rateDemand', { demandId: demand.id, rating: 4, comment: '很及时' }, worker.token);
    expect(rated).toMatchObject({ rating: 4, ratingComment: '很及时', status: 'FULFILLED' });
    const closed = await ok('closeDemand', { demandId: demand.id, reason: '服务完成，归档' }, staff.token);
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: '服务完成，归档' });

    const again = await act('rateDemand', { demandId: demand.id, rating: 5 }, worker.token);
    expect(errorOf(again).code).toBe('CONFLICT');

    const em = t.orm.em.fork();
    const actions = (await em.find(AuditEntry, { subjectId: demand.id }, { orderBy: { id: 'asc' } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual([
      'demand.submit',
      'demand.claim',
      'demand.progress',
      'demand.fulfil',
      'demand.rate',
      'demand.close',
    ]);
    const row = await em
      .getConnection()
      .execute<{ rating_sum: number; rating_count: number }[]>(
        'select rating_sum, rating_count from organization where id = ?',
        [org.organization.id],
      );
    expect(row[0]).toEqual({ rating_sum: 4, rating_count: 1 });
  });

  it('releases a claim so the demand is OPEN for other organizations', async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const { demand } = await submit(worker.token);
    await ok('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    const released = await ok('releaseDemand', { demandId: demand.id, reason: '人手不足' }, org.token);
    expect(released).toMatchObject({ status: 'OPEN', claimedBy: null });
  });

  it('refuses illegal transitions with CONFLICT naming the current status', async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const { demand } = await submit(worker.token);

    const fulfilOpen = await act('fulfilDemand', { demandId: demand.id }, org.token);
    expect(errorOf(fulfilOpen)).toMatchObject({ code: 'CONFLICT', currentStatus: 'OPEN' });
    expect(fulfilOpen.body.errors?.[0]?.message).toContain('OPEN');

    const rateOpen = await act('rateDemand', { demandId: demand.id, rating: 5 }, worker.token);
    expect(errorOf(rateOpen)).toMatchObject({ code: 'CONFLICT', currentStatus: 'OPEN' });

    await ok('withdrawDemand', { demandId: demand.id }, worker.token);
    const again = await act('withdrawDemand', { demandId: demand.id }, worker.token);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', currentStatus: 'WITHDRAWN' });
    expect(again.body.errors?.[0]?.message).toContain('WITHDRAWN');

    const claimWithdrawn = await act(
      'claimDemand',
      { demandId: demand.id, organizationId: orgId(org) },
      org.token,
    );
    expect(errorOf(claimWithdrawn)).toMatchObject({ code: 'CONFLICT', currentStatus: 'WITHDRAWN' });
  });

  it('lets each worker endorse a demand once, counting them among the people affected', async () => {
    const [author, other] = await Promise.all([t.seed.worker(), t.seed.worker()]);
    const { demand } = await submit(author.token, { peopleAffected: 2 });
    const endorsed = await ok('endorseDemand', { demandId: demand.id }, other.token);
    expect(endorsed).toMatchObject({ endorsementCount: 1, peopleAffected: 3 });

    const twice = await act('endorseDemand', { demandId: demand.id }, other.token);
    expect(errorOf(twice).code).toBe('CONFLICT');
    const own = await act('endorseDemand', { demandId: demand.id }, author.token);
    expect(errorOf(own).code).toBe('CONFLICT');
    const after = await t.data<{ demand: DemandView }>(DEMAND, { id: demand.id }, author.token);
    expect(after.demand).toMatchObject({ endorsementCount: 1, peopleAffected: 3 });
  });

  it('lets exactly one of two organizations claiming at the same moment win; the other gets CONFLICT', async () => {
    const worker = await t.seed.worker();
    const [a, b] = await Promise.all([jinanChildcareOrg(), jinanChildcareOrg()]);
    const { demand } = await submit(worker.token);
    const results = await Promise.all([
      act('claimDemand', { demandId: demand.id, organizationId: orgId(a) }, a.token),
      act('claimDemand', { demandId: demand.id, organizationId: orgId(b) }, b.token),
    ]);
    const winners = results.filter((r) => !r.body.errors);
    const losers = results.filter((r) => r.body.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(errorOf(losers[0]!)).toMatchObject({ code: 'CONFLICT', currentStatus: 'CLAIMED' });
    const row = await t.orm.em.fork().findOneOrFail(Demand, { id: keyOf(demand.id) });
    const winner = winners[0]!.body.data!.claimDemand!.demand.claimedBy!.id;
    expect(toGlobalId('Organization', row.claimedBy!.id)).toBe(winner);
    const claims = await t.orm.em.fork().count(AuditEntry, { subjectId: demand.id, action: 'demand.claim' });
    expect(claims).toBe(1);
  });

  it(`caps an organization at ${MAX_OPEN_CLAIMS} open claims, even when claiming in parallel`, async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const demands = await Promise.all(
      Array.from({ length: MAX_OPEN_CLAIMS + 2 }, (_, i) => submit(worker.token, { title: `托管需求 ${i}` })),
    );
    const results = await Promise.all(
      demands.map(({ demand }) =>
        act('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token),
      ),
    );
    const refused = results.filter((r) => r.body.errors);
    expect(results.length - refused.length).toBe(MAX_OPEN_CLAIMS);
    for (const r of refused)
      expect(errorOf(r)).toMatchObject({ code: 'CONFLICT', maxOpenClaims: MAX_OPEN_CLAIMS });
  });
});

describe('who may do what', () => {
  it('refuses claims by unverified organizations, organizations that cannot serve it, and non-members', async () => {
    const worker = await t.seed.worker();
    const { demand } = await submit(worker.token);
    const pending = await jinanChildcareOrg({ verified: false });
    const elsewhere = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370200'] });
    const wrongGroup = await jinanChildcareOrg({ targetGroups: [TargetGroup.DISABLED_WORKERS] });
    const fine = await jinanChildcareOrg();

    for (const org of [pending, elsewhere]) {
      const r = await act('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
      expect(errorOf(r).code).toBe('FORBIDDEN');
    }
    // A demand for all workers may be served by an organization for one group.
    const groupOk = await act(
      'claimDemand',
      { demandId: demand.id, organizationId: orgId(wrongGroup) },
      wrongGroup.token,
    );
    expect(groupOk.body.errors).toBeUndefined();
    await ok('releaseDemand', { demandId: demand.id }, wrongGroup.token);

    const notMember = await act(
      'claimDemand',
      { demandId: demand.id, organizationId: orgId(fine) },
      worker.token,
    );
    expect(errorOf(notMember).code).toBe('FORBIDDEN');

    // Nothing half-written: the refused claims left no audit entry and no claimant.
    const em = t.orm.em.fork();
    const row = await em.findOneOrFail(Demand, { id: keyOf(demand.id) });
    expect(row.status).toBe('OPEN');
    expect(row.claimedBy).toBeNull();
    expect(await em.count(AuditEntry, { subjectId: demand.id, action: 'demand.claim' })).toBe(1);
  });

  it('refuses a claim from an organization serving other target groups than the demand’s', async () => {
    const worker = await t.seed.worker();
    const { demand } = await submit(worker.token, { targetGroups: ['FEMALE_WORKERS'] });
    const org = await jinanChildcareOrg({ targetGroups: [TargetGroup.DISABLED_WORKERS] });
    const r = await act('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    expect(errorOf(r).code).toBe('FORBIDDEN');
  });

  it('shows each viewer only what it may see, hiding anonymous submitters and private contacts', async () => {
    const submitter = await t.seed.worker();
    const otherWorker = await t.seed.worker();
    const claimant = await jinanChildcareOrg();
    const otherOrg = await jinanChildcareOrg();
    const staffIn = await t.seed.unionStaff('370100');
    const staffOut = await t.seed.unionStaff('370200');
    const admin = await t.seed.admin();
    const { demand } = await submit(submitter.token, {
      anonymous: true,
      contact: '13800000000',
      contactConsent: true,
    });

    // While OPEN: workers and verified organizations browse it, without the submitter or the contact.
    const openForOther = await t.data<{ demand: DemandView }>(DEMAND, { id: demand.id }, otherWorker.token);
    expect(openForOther.demand).toMatchObject({ submittedBy: null, contact: null });
    const openForOrg = await t.data<{ demand: DemandView }>(DEMAND, { id: demand.id }, otherOrg.token);
    expect(openForOrg.demand).toMatchObject({ submittedBy: null, contact: null });

    await ok('claimDemand', { demandId: demand.id, organizationId: orgId(claimant) }, claimant.token);
    const submitterId = toGlobalId('User', submitter.user.id);
    const cases: [string, SeededUser | SeededOrganization | null, null | Partial<DemandView>][] = [
      ['submitter', submitter, { submittedBy: { id: submitterId }, contact: '13800000000' }],
      ['claiming organization', claimant, { submittedBy: null, contact: '13800000000' }],
      ['other organization', otherOrg, null],
      ['other worker', otherWorker, null],
      ['union staff in scope', staffIn, { submittedBy: { id: submitterId }, contact: null }],
      ['union staff out of scope', staffOut, null],
      ['admin', admin, { submittedBy: null, contact: null }],
    ];
    for (const [who, viewer, expected] of cases) {
      const res = await t.gql<{ demand: DemandView | null }>(DEMAND, { id: demand.id }, viewer!.token);
      expect(res.body.errors, who).toBeUndefined();
      if (expected === null) expect(res.body.data?.demand, who).toBeNull();
      else expect(res.body.data?.demand, who).toMatchObject(expected);
      const node = await t.gql<{ node: { id: string } | null }>(NODE, { id: demand.id }, viewer!.token);
      expect(node.body.data?.node?.id ?? null, `node(id) for ${who}`).toBe(
        expected === null ? null : demand.id,
      );
    }

    const anonymous = await t.gql(DEMAND, { id: demand.id }, null);
    expect(errorOf(anonymous).code).toBe('UNAUTHENTICATED');
    const anonymousFeed = await t.gql(FEED, {}, null);
    expect(errorOf(anonymousFeed).code).toBe('UNAUTHENTICATED');
    const anonymousNode = await t.gql<{ node: unknown }>(NODE, { id: demand.id }, null);
    expect(anonymousNode.body.data?.node).toBeNull();
  });

  it('hides the contact from the claiming organization when the worker did not consent', async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const { demand } = await submit(worker.token, { contact: '13900000000', contactConsent: false });
    const claimed = await ok('claimDemand', { demandId: demand.id, organizationId: orgId(org) }, org.token);
    expect(claimed.contact).toBeNull();
    expect(claimed.submittedBy).not.toBeNull();
  });

  it('lets only the submitter withdraw and rate, and only union staff in scope or admins close', async () => {
    const [author, other] = await Promise.all([t.seed.worker(), t.seed.worker()]);
    const staffOut = await t.seed.unionStaff('370200');
    const { demand } = await submit(author.token);
    expect(errorOf(await act('withdrawDemand', { demandId: demand.id }, other.token)).code).toBe('FORBIDDEN');
    expect(
      errorOf(await act('closeDemand', { demandId: demand.id, reason: '重复提交' }, other.token)).code,
    ).toBe('FORBIDDEN');
    // Out-of-scope staff cannot even see a claimed demand; an OPEN one they may not close.
    const outOfScope = await act('closeDemand', { demandId: demand.id, reason: '重复提交' }, staffOut.token);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorOf(outOfScope).code);
  });

  it('lets union staff submit on workers’ behalf inside their scope only', async () => {
    const staff = await t.seed.unionStaff('370100');
    const { demand } = await submit(staff.token, { source: 'UNION_SURVEY', peopleAffected: 40 });
    expect(demand).toMatchObject({ source: 'UNION_SURVEY', peopleAffected: 40 });
    const outside = await t.gql(
      SUBMIT,
      {
        input: {
          title: '调研需求',
          description: '问卷',
          categoryCode: 'LIFE',
          regionCode: '370202',
          source: 'UNION_SURVEY',
        },
      },
      staff.token,
    );
    expect(errorOf(outside).code).toBe('FORBIDDEN');
    const worker = await t.seed.worker();
    const pretending = await t.gql(
      SUBMIT,
      {
        input: {
          title: '调研需求',
          description: '问卷',
          categoryCode: 'LIFE',
          regionCode: '370102',
          source: 'ENTERPRISE',
        },
      },
      worker.token,
    );
    expect(errorOf(pretending).code).toBe('FORBIDDEN');
  });

  it('closes a demand as a duplicate of another', async () => {
    const [a, b] = await Promise.all([t.seed.worker(), t.seed.worker()]);
    const staff = await t.seed.unionStaff('370100');
    const first = (await submit(a.token)).demand;
    const second = (await submit(b.token)).demand;
    const closed = await ok(
      'closeDemand',
      { demandId: second.id, reason: '与已有需求重复', duplicateOfId: first.id },
      staff.token,
    );
    expect(closed).toMatchObject({ status: 'CLOSED_DUPLICATE', duplicateOf: { id: first.id } });
    const self = await act(
      'closeDemand',
      { demandId: first.id, reason: '自身重复', duplicateOfId: first.id },
      staff.token,
    );
    expect(errorOf(self)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.duplicateOfId' }],
    });
  });
});

describe('bad input', () => {
  it('names each invalid field and writes nothing', async () => {
    const worker = await t.seed.worker();
    const before = await t.orm.em.fork().count(Demand, {});
    const invalid = await t.gql(
      SUBMIT,
      { input: { title: '', description: 'x', categoryCode: 'LIFE', regionCode: '3701', peopleAffected: 0 } },
      worker.token,
    );
    const fields = (errorOf(invalid).fields as { path: string }[]).map((f) => f.path).sort();
    expect(errorOf(invalid).code).toBe('BAD_USER_INPUT');
    expect(fields).toEqual(
      expect.arrayContaining(['input.peopleAffected', 'input.regionCode', 'input.title']),
    );

    const unknown = await t.gql(
      SUBMIT,
      { input: { title: '托管', description: 'x', categoryCode: 'NOPE', regionCode: '370000' } },
      worker.token,
    );
    expect(errorOf(unknown)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [
        { path: 'input.categoryCode', message: 'no such service category' },
        { path: 'input.regionCode', message: 'must be a city or a district, not a province' },
      ],
    });
    expect(await t.orm.em.fork().count(Demand, {})).toBe(before);

    const badId = await act('endorseDemand', { demandId: 'not-an-id' }, worker.token);
    expect(errorOf(badId)).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.demandId' }] });
    const { demand } = await submit(worker.token);
    const badRating = await act('rateDemand', { demandId: demand.id, rating: 6 }, worker.token);
    expect(errorOf(badRating)).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.rating' }] });
  });
});

describe('similar demands', () => {
  it('returns open demands in the same category and region with a similar title', async () => {
    const [a, b] = await Promise.all([t.seed.worker(), t.seed.worker()]);
    const first = await submit(a.token, {
      title: 'Weekend childcare for shift workers',
      regionCode: '370104',
    });
    await submit(a.token, { title: 'Weekend childcare for shift workers', regionCode: '370103' });
    const second = await submit(b.token, {
      title: 'Weekend childcare for shift worker families',
      regionCode: '370104',
    });
    expect(second.similarOpenDemands.map((d) => d.id)).toEqual([first.demand.id]);
  });

  it('finds similar Chinese titles too', async () => {
    const [a, b] = await Promise.all([t.seed.worker(), t.seed.worker()]);
    const first = await submit(a.token, { title: '周末儿童托管服务', regionCode: '370105' });
    const second = await submit(b.token, { title: '周末儿童托管服务需求', regionCode: '370105' });
    expect(second.similarOpenDemands.map((d) => d.id)).toEqual([first.demand.id]);
  });
});

describe('the feed', () => {
  const QINGDAO = '370200';
  let worker: SeededUser;
  let titles: string[];

  beforeAll(async () => {
    worker = await t.seed.worker();
    const specs = [
      {
        title: 'Q1 托管',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370202',
        targetGroups: ['FEMALE_WORKERS'],
        urgency: 'URGENT',
      },
      { title: 'Q2 养老', categoryCode: 'LIFE.ELDERLY_CARE', regionCode: '370203' },
      {
        title: 'Q3 维权',
        categoryCode: 'WORK.RIGHTS',
        regionCode: '370202',
        targetGroups: ['MIGRANT_WORKERS'],
      },
      {
        title: 'Q4 托管',
        categoryCode: 'LIFE.CHILDCARE',
        regionCode: '370211',
        targetGroups: ['MIGRANT_WORKERS'],
      },
      { title: 'Q5 技能', categoryCode: 'CAREER.SKILLS', regionCode: QINGDAO, urgency: 'LOW' },
    ];
    titles = [];
    for (const spec of specs) titles.push((await submit(worker.token, spec)).demand.title);
  });

  type Feed = {
    demands: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; title: string; status: string } }[];
    };
  };
  const feed = (vars: Record<string, unknown>, token = worker.token) => t.data<Feed>(FEED, vars, token);
  const titlesOf = (f: Feed) => f.demands.edges.map((e) => e.node.title);

  it('pages newest first with keyset cursors and a total count', async () => {
    const first = await feed({ filter: { regionCode: QINGDAO }, first: 2 });
    expect(first.demands.totalCount).toBe(5);
    expect(titlesOf(first)).toEqual(['Q5 技能', 'Q4 托管']);
    expect(first.demands.pageInfo.hasNextPage).toBe(true);
    const second = await feed({
      filter: { regionCode: QINGDAO },
      first: 2,
      after: first.demands.pageInfo.endCursor,
    });
    expect(titlesOf(second)).toEqual(['Q3 维权', 'Q2 养老']);
    const third = await feed({
      filter: { regionCode: QINGDAO },
      first: 2,
      after: second.demands.pageInfo.endCursor,
    });
    expect(titlesOf(third)).toEqual(['Q1 托管']);
    expect(third.demands.pageInfo.hasNextPage).toBe(false);
    const oldest = await feed({ filter: { regionCode: QINGDAO }, first: 1, orderBy: 'OLDEST' });
    expect(titlesOf(oldest)).toEqual(['Q1 托管']);
  });

  it('filters by category subtree, region subtree, target groups, urgency, status and date', async () => {
    expect(titlesOf(await feed({ filter: { regionCode: QINGDAO, categoryCode: 'LIFE' } }))).toEqual([
      'Q4 托管',
      'Q2 养老',
      'Q1 托管',
    ]);
    expect(titlesOf(await feed({ filter: { regionCode: '370202' } }))).toEqual(['Q3 维权', 'Q1 托管']);
    expect(
      titlesOf(await feed({ filter: { regionCode: QINGDAO, targetGroups: ['MIGRANT_WORKERS'] } })),
    ).toEqual(['Q4 托管', 'Q3 维权']);
    expect(titlesOf(await feed({ filter: { regionCode: QINGDAO, urgency: ['URGENT', 'LOW'] } }))).toEqual([
      'Q5 技能',
      'Q1 托管',
    ]);
    expect((await feed({ filter: { regionCode: QINGDAO, statuses: ['CLAIMED'] } })).demands.totalCount).toBe(
      0,
    );
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await feed({ filter: { regionCode: QINGDAO, createdAfter: future } })).demands.totalCount).toBe(
      0,
    );
    expect((await feed({ filter: { regionCode: QINGDAO, createdBefore: future } })).demands.totalCount).toBe(
      5,
    );
  });

  it('shows only what an organization can serve with matchingOrganization', async () => {
    const org = await t.seed.organization({
      categoryCodes: ['LIFE.CHILDCARE'],
      regionCodes: ['370202', '370211'],
      targetGroups: [TargetGroup.FEMALE_WORKERS],
    });
    expect(titlesOf(await feed({ filter: { matchingOrganization: orgId(org) } }, org.token))).toEqual([
      'Q1 托管',
    ]);
    const broad = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: [QINGDAO] });
    expect(
      titlesOf(
        await feed({ filter: { matchingOrganization: orgId(broad), regionCode: QINGDAO } }, broad.token),
      ),
    ).toEqual(['Q4 托管', 'Q2 养老', 'Q1 托管']);
  });

  it('refuses a malformed cursor or organization id as bad input', async () => {
    const badCursor = await t.gql(FEED, { first: 1, after: 'garbage' }, worker.token);
    expect(errorOf(badCursor).code).toBe('BAD_USER_INPUT');
    const badOrg = await t.gql(FEED, { filter: { matchingOrganization: 'nope' } }, worker.token);
    expect(errorOf(badOrg).code).toBe('BAD_USER_INPUT');
  });

  it('ranks matching organizations with reasons, ignoring how they were founded', async () => {
    const { demand } = await submit(worker.token, {
      title: 'Q6 托管',
      regionCode: '370202',
      targetGroups: ['FEMALE_WORKERS'],
    });
    const exact = {
      categoryCodes: ['LIFE.CHILDCARE'],
      regionCodes: ['370202'],
      targetGroups: [TargetGroup.FEMALE_WORKERS],
    };
    const unionFounded = await t.seed.organization({ ...exact, foundingType: FoundingType.UNION_FOUNDED });
    const independent = await t.seed.organization({ ...exact, foundingType: FoundingType.INDEPENDENT });
    const ancestor = await t.seed.organization({ categoryCodes: ['LIFE'], regionCodes: ['370000'] });
    const pending = await t.seed.organization({ ...exact, verified: false });
    const otherCategory = await t.seed.organization({ ...exact, categoryCodes: ['WORK'] });

    type Matches = {
      matchingOrganizations: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { score: number; reasons: string[]; organization: { id: string } } }[];
      };
    };
    const all = (await t.data<Matches>(MATCHING, { demandId: demand.id, first: 50 }, worker.token))
      .matchingOrganizations;
    const byId = new Map(all.edges.map((e) => [e.node.organization.id, e.node]));
    expect(all.totalCount).toBe(all.edges.length);
    const union = byId.get(orgId(unionFounded))!;
    const indie = byId.get(orgId(independent))!;
    expect(union.score).toBe(indie.score);
    expect(union.reasons).toEqual(indie.reasons);
    expect(union.reasons[0]).toMatch(/exactly this category/);
    expect(byId.get(orgId(ancestor))!.score).toBeLessThan(union.score);
    expect(all.edges.length).toBe(byId.size);
    const scores = all.edges.map((e) => e.node.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    // Unverified organizations and those in another category are not candidates.
    expect(byId.has(orgId(pending))).toBe(false);
    expect(byId.has(orgId(otherCategory))).toBe(false);

    // Keyset pages over the ranking add up to the whole list, in order.
    const page1 = (await t.data<Matches>(MATCHING, { demandId: demand.id, first: 2 }, worker.token))
      .matchingOrganizations;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (
      await t.data<Matches>(
        MATCHING,
        { demandId: demand.id, first: 10, after: page1.pageInfo.endCursor },
        worker.token,
      )
    ).matchingOrganizations;
    expect([...page1.edges, ...page2.edges].map((e) => e.node.organization.id)).toEqual(
      all.edges.map((e) => e.node.organization.id),
    );
  });
});

// Last: the sweep changes every demand in this file's database.
describe('the sweep', () => {
  it(`reopens claims with no progress for ${LAPSE_HOURS} h and expires unclaimed demands`, async () => {
    const worker = await t.seed.worker();
    const org = await jinanChildcareOrg();
    const { demand: claimed } = await submit(worker.token);
    const { demand: fresh } = await submit(worker.token);
    await ok('claimDemand', { demandId: claimed.id, organizationId: orgId(org) }, org.token);

    const demandSweep = t.app.services.demandSweep;
    const early = await demandSweep.run(
      t.orm.em.fork(),
      new Date(Date.now() + (LAPSE_HOURS - 1) * 3_600_000),
    );
    expect(early).toEqual({ expired: 0, lapsed: 0 });

    const lapse = await demandSweep.run(
      t.orm.em.fork(),
      new Date(Date.now() + (LAPSE_HOURS + 1) * 3_600_000),
    );
    expect(lapse.expired).toBe(0);
    expect(lapse.lapsed).toBeGreaterThanOrEqual(1);
    const reopened = await t.data<{ demand: DemandView }>(DEMAND, { id: claimed.id }, worker.token);
    expect(reopened.demand).toMatchObject({ status: 'OPEN', claimedBy: null });

    const expiry = await demandSweep.run(t.orm.em.fork(), new Date(Date.now() + 31 * 24 * 3_600_000));
    expect(expiry.expired).toBeGreaterThanOrEqual(1);
    const expired = await t.data<{ demand: DemandView }>(DEMAND, { id: fresh.id }, worker.token);
    expect(expired.demand.status).toBe('EXPIRED');
    // The reopened demand got a fresh window, from the time its claim lapsed.
    const stillOpen = await t.data<{ demand: DemandView }>(DEMAND, { id: claimed.id }, worker.token);
    expect(stillOpen.demand.status).toBe('OPEN');
    const em = t.orm.em.fork();
    expect(await em.count(AuditEntry, { subjectId: fresh.id, action: 'demand.expire' })).toBe(1);
    expect(await em.count(AuditEntry, { subjectId: claimed.id, action: 'demand.claimLapse' })).toBe(1);
  });
});
