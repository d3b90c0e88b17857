import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade, FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import {
  CREDIT_CODE_SCHEME,
  type HsdsOrganization,
  type HsdsPage,
  type HsdsService,
} from '../../../src/modules/opendata/hsds.js';
import { partId } from '../../../src/modules/opendata/open-ids.js';
import { LOCATION_EXTENSION, type OcdsRecord, type OcdsRelease } from '../../../src/modules/opendata/ocds.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { Conformance, loadStandards, STANDARDS_DIR } from '../../setup/standards.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  APPLY,
  AWARD,
  closePeriod,
  projectInput,
  PUBLISH,
  seedPublisher,
  SOLE_APPLICANT_RATIONALE,
} from '../projects/project-helpers.js';
import { awardedProject, seedDemand, setCapacity } from '../reports/report-helpers.js';

const PUBLIC_URL = 'https://niudai.example.cn';
const PREFIX = 'ocds-t3st01';
const LICENSE = 'https://creativecommons.org/licenses/by-sa/4.0/';

let t: TestApp;
let hub: SeededOrganization;
let verified: SeededOrganization;
let pending: SeededOrganization;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let worker: SeededUser;
/** The project that went through amendment, award, contract and completion. */
let fullProject: string;
let cancelledProject: string;
const CONTACT = '13912345678 王女士';

const { standards, reason } = loadStandards();
if (!standards) console.warn(`[open data] conformance tests skipped: ${reason}`);
// Compiled now, before the app serves a request: compiling blocks the event loop for seconds, and a
// test that compiled between two requests had the server's keep-alive timer close, as the loop
// resumed, the pooled connection its next request was being sent on (ECONNRESET).
if (standards) {
  const { hsds, ocds } = standards;
  void [hsds.organization, hsds.service, hsds.organizationList, hsds.taxonomyTerm];
  void [ocds.releasePackage, ocds.recordPackage, ocds.release, ocds.record];
}

function ocidOf(projectGlobalId: string): string {
  return `${PREFIX}-${Buffer.from(projectGlobalId, 'base64url').toString('utf8').split(':')[1]}`;
}

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL, OCDS_OCID_PREFIX: PREFIX, OPENDATA_LICENSE_URL: LICENSE });
  worker = await t.seed.worker();
  hub = await t.seed.organization({
    name: '济南市职工服务社会组织联合会',
    isHub: true,
    publicContact: 'hub@jnlh.org.cn',
  });
  verified = await t.seed.organization({
    name: '济南职工心理服务中心',
    publicContact: '0531-88886666',
    brandName: '暖心驿站',
    hubId: hub.organization.id,
    categoryCodes: ['WORK.PSYCHOLOGY'],
    foundingType: FoundingType.UNION_INCUBATED,
    grade: EvaluationGrade.GRADE_4A,
    regionCodes: ['370102'],
    services: [{ name: '心理咨询', description: '一对一心理咨询' }, { name: '减压讲座' }],
  });
  await setCapacity(t, verified.services[0]!.id, 40);
  await t.orm.em
    .fork()
    .execute(`update organization set website = 'https://xinli.example.cn/' where id = ?`, [
      verified.organization.id,
    ]);
  pending = await t.seed.organization({ verified: false, name: '待认证组织' });
  await seedDemand(t, worker.user.id, {
    regionCode: '370102',
    categoryCode: 'WORK.PSYCHOLOGY',
    contact: CONTACT,
  });
  publisher = await seedPublisher(t);

  // Published, amended (budget and deadline, with a rationale), awarded, started and completed.
  const published = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ categoryCode: 'WORK.PSYCHOLOGY', regionCodes: ['370102'], publish: true }) },
    publisher.token,
  );
  fullProject = published.publishProject.project.id;
  await t.data(
    `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { amendment { id } } }`,
    { input: { projectId: fullProject, budgetFen: 12_000_000, rationale: '服务人数增加，追加预算' } },
    publisher.token,
  );
  const applied = await t.data<{ applyToProject: { application: { id: string } } }>(
    APPLY,
    {
      input: {
        projectId: fullProject,
        organizationId: toGlobalId('Organization', verified.organization.id),
        proposal: '服务方案',
        requestedFen: 11_000_000,
      },
    },
    verified.token,
  );
  await closePeriod(t, fullProject);
  await t.data(
    AWARD,
    {
      input: {
        projectId: fullProject,
        fairnessRationale: SOLE_APPLICANT_RATIONALE,
        awards: [{ applicationId: applied.applyToProject.application.id, amountFen: 10_500_000 }],
      },
    },
    publisher.token,
  );
  await t.data(
    `mutation($input: StartProjectInput!) { startProject(input: $input) { project { id } } }`,
    { input: { projectId: fullProject } },
    publisher.token,
  );
  await t.data(
    `mutation($input: CompleteProjectInput!) { completeProject(input: $input) { project { id } } }`,
    { input: { projectId: fullProject, outcome: '服务职工320人次', evaluationScore: 4 } },
    publisher.token,
  );

  // Awarded only; then one cancelled while open; then a draft, never published.
  await awardedProject(t, publisher.token, { categoryCode: 'WORK.PSYCHOLOGY', regionCodes: ['370102'] }, [
    { organizationId: verified.organization.id, token: verified.token, awardFen: 1_234_567 },
  ]);
  const toCancel = await t.data<{ publishProject: { project: { id: string } } }>(
    PUBLISH,
    { input: projectInput({ title: '将被取消的项目', publish: true }) },
    publisher.token,
  );
  cancelledProject = toCancel.publishProject.project.id;
  await t.data(
    `mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { id } } }`,
    { input: { projectId: cancelledProject, reason: '预算调整' } },
    publisher.token,
  );
  await t.data(PUBLISH, { input: projectInput({ title: '草稿项目', publish: false }) }, publisher.token);
});
afterAll(() => t.stop());

async function get(
  path: string,
): Promise<{ status: number; type: string | null; link: string | null; text: string }> {
  const res = await fetch(`${t.url}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    link: res.headers.get('link'),
    text: await res.text(),
  };
}

async function json<T>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return JSON.parse(res.text) as T;
}

function lines<T>(text: string): T[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

async function openDataId(table: 'organization' | 'service', id: number): Promise<string> {
  const rows = await t.orm.em
    .fork()
    .execute<{ open_data_id: string }[]>(`select open_data_id from "${table}" where id = ?`, [id]);
  return rows[0]!.open_data_id;
}

describe.skipIf(!standards)(`open data against the official schemas (${STANDARDS_DIR})`, () => {
  it('every HSDS document validates: bulk files, API pages and single objects', async () => {
    const s = standards!.hsds;
    const c = new Conformance();
    const organizations = lines<HsdsOrganization>((await get('/opendata/hsds/organizations.ndjson')).text);
    const services = lines<HsdsService>((await get('/opendata/hsds/services.ndjson')).text);
    expect(organizations.length).toBe(2);
    expect(services.length).toBe(2);
    organizations.forEach((o, i) => c.check(`organizations.ndjson:${i + 1}`, s.organization, o));
    services.forEach((o, i) => c.check(`services.ndjson:${i + 1}`, s.service, o));
    const servicePage = await json<HsdsPage<HsdsService>>('/opendata/hsds/services?per_page=1&page=2');
    servicePage.contents.forEach((o, i) => c.check(`/services contents/${i}`, s.service, o));
    const orgPage = await json<HsdsPage<HsdsOrganization>>('/opendata/hsds/organizations');
    orgPage.contents.forEach((o, i) => c.check(`/organizations contents/${i}`, s.organizationList, o));
    for (const o of organizations)
      c.check(`/organizations/${o.id}`, s.organization, await json(`/opendata/hsds/organizations/${o.id}`));
    for (const o of services)
      c.check(`/services/${o.id}`, s.service, await json(`/opendata/hsds/services/${o.id}`));
    const terms = await json<HsdsPage<unknown>>('/opendata/hsds/taxonomy_terms?per_page=200');
    terms.contents.forEach((o, i) => c.check(`/taxonomy_terms contents/${i}`, s.taxonomyTerm, o));
    expect(c.documents).toBeGreaterThan(20);
    expect(c.errors, c.summary()).toEqual([]);
  });

  it('every OCDS package, release and record validates, with no empty array or object', async () => {
    const s = standards!.ocds;
    const c = new Conformance();
    const releasePackage = await json<{ releases: OcdsRelease[] }>('/opendata/ocds/releases.json');
    c.check('releases.json', s.releasePackage, releasePackage);
    const recordPackage = await json<{ records: OcdsRecord[] }>('/opendata/ocds/records.json');
    c.check('records.json', s.recordPackage, recordPackage);
    lines((await get('/opendata/ocds/releases.ndjson')).text).forEach((r, i) =>
      c.check(`releases.ndjson:${i + 1}`, s.release, r),
    );
    lines<OcdsRecord>((await get('/opendata/ocds/records.ndjson')).text).forEach((r, i) => {
      c.check(`records.ndjson:${i + 1}`, s.record, r);
      c.check(`records.ndjson:${i + 1} compiledRelease`, s.release, r.compiledRelease);
    });
    expect(recordPackage.records).toHaveLength(3);
    expect(releasePackage.releases.length).toBeGreaterThan(8);
    expect(c.errors, c.summary()).toEqual([]);
  });
});

describe('HSDS', () => {
  it('gives UUIDs that stay the same across exports and other re-seeding, and links hub members', async () => {
    const first = lines<HsdsOrganization>((await get('/opendata/hsds/organizations.ndjson')).text);
    await t.seed.organization({ name: '后来加入的组织', services: [{ name: '新服务' }] });
    const second = lines<HsdsOrganization>((await get('/opendata/hsds/organizations.ndjson')).text);
    const member = second.find((o) => o.name === '济南职工心理服务中心')!;
    expect(member.id).toBe(await openDataId('organization', verified.organization.id));
    expect(first.find((o) => o.name === member.name)).toEqual(member);
    expect(member.parent_organization_id).toBe(await openDataId('organization', hub.organization.id));
    expect(member.services?.map((s) => s.id)).toEqual([
      await openDataId('service', verified.services[0]!.id),
      await openDataId('service', verified.services[1]!.id),
    ]);
  });

  it('leaves optional values out, carries the credit code, contact, home region and real taxonomy names', async () => {
    const organizations = lines<HsdsOrganization>((await get('/opendata/hsds/organizations.ndjson')).text);
    expect(JSON.stringify(organizations)).not.toContain('null');
    const org = organizations.find((o) => o.name === '济南职工心理服务中心')!;
    const hubOrg = organizations.find((o) => o.name === hub.organization.name)!;
    expect(hubOrg.email).toBe('hub@jnlh.org.cn');
    expect(hubOrg).not.toHaveProperty('phones');
    expect(org).toMatchObject({
      alternate_name: '暖心驿站',
      website: 'https://xinli.example.cn/',
      uri: `${PUBLIC_URL}/opendata/hsds/organizations/${org.id}`,
      phones: [{ number: '0531-88886666', organization_id: org.id }],
      locations: [{ location_type: 'physical', name: '山东省 济南市', external_identifier: '370100' }],
      organization_identifiers: [
        {
          identifier_scheme: CREDIT_CODE_SCHEME,
          identifier: verified.organization.creditCode,
          organization_id: org.id,
        },
      ],
    });
    const terms = Object.fromEntries((org.attributes ?? []).map((a) => [a.link_type, a.taxonomy_term]));
    expect(terms.founding_type).toMatchObject({ code: 'UNION_INCUBATED', name: '工会孵化', language: 'zh' });
    expect(terms.evaluation_grade).toMatchObject({ code: 'GRADE_4A', name: '4A级' });
    expect(terms.service_category).toMatchObject({
      name: '心理服务与人文关怀',
      description: 'Psychological services and humanistic care',
      id: partId('taxonomy', 'service_category', 'WORK.PSYCHOLOGY'),
      parent_id: partId('taxonomy', 'service_category', 'WORK'),
    });
    const service = org.services![0]!;
    expect(service).toMatchObject({
      organization_id: org.id,
      name: '心理咨询',
      status: 'active',
      service_areas: [{ name: '山东省 济南市 历下区', extent: '370102', extent_type: 'text' }],
    });
    expect(service.attributes?.find((a) => a.taxonomy_term.code === 'MONTHLY_CAPACITY')?.value).toBe('40');
    expect(org.services![1]).not.toHaveProperty('description');
  });

  it('serves the API reference endpoints: metadata, paginated filtered services, organizations, taxonomies', async () => {
    expect(await json('/opendata/hsds/')).toEqual({
      version: '3.0',
      profile: expect.stringMatching(/^https:\/\//),
      openapi_url: expect.stringMatching(/openapi\.json$/),
    });
    const orgId = await openDataId('organization', verified.organization.id);
    const all = await json<HsdsPage<HsdsService>>('/opendata/hsds/services?per_page=2');
    expect(all).toMatchObject({ page_number: 1, size: 2, first_page: true, empty: false });
    expect(all.total_items).toBeGreaterThanOrEqual(3);
    const second = await json<HsdsPage<HsdsService>>('/opendata/hsds/services?per_page=2&page=2');
    expect(second.first_page).toBe(false);
    expect(second.contents.map((s) => s.id)).not.toContain(all.contents[0]!.id);

    const byOrg = await json<HsdsPage<HsdsService>>(`/opendata/hsds/services?organization_id=${orgId}`);
    expect(byOrg.contents.map((s) => s.name)).toEqual(['心理咨询', '减压讲座']);
    const work = partId('taxonomy', 'service_category', 'WORK'); // covers WORK.PSYCHOLOGY
    const byTerm = await json<HsdsPage<HsdsService>>(
      `/opendata/hsds/services?taxonomy_term_id=${work}&search=${encodeURIComponent('咨询')}`,
    );
    expect(byTerm.contents.map((s) => s.name)).toEqual(['心理咨询']);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await json<HsdsPage<HsdsService>>(`/opendata/hsds/services?modified_after=${future}`);
    expect(none).toMatchObject({ total_items: 0, empty: true, contents: [] });

    const one = await json<HsdsService>(`/opendata/hsds/services/${byTerm.contents[0]!.id}`);
    expect(one.organization).toMatchObject({ id: orgId, name: '济南职工心理服务中心' });
    const orgs = await json<HsdsPage<HsdsOrganization>>('/opendata/hsds/organizations?per_page=200');
    expect(orgs.contents.map((o) => o.name)).not.toContain('待认证组织');
    expect(orgs.contents[0]).not.toHaveProperty('services');
    const taxonomies = await json<HsdsPage<{ id: string; name: string }>>('/opendata/hsds/taxonomies');
    expect(taxonomies.contents.map((x) => x.name)).toContain('服务类别');
    const term = await json<{ name: string }>(`/opendata/hsds/taxonomy_terms/${work}`);
    expect(term.name).toBe('职工工作服务类');
  });

  it('answers 404 for what the anonymous API does not show and 400 with the parameter for bad input', async () => {
    expect(
      (await get(`/opendata/hsds/organizations/${await openDataId('organization', pending.organization.id)}`))
        .status,
    ).toBe(404);
    expect((await get('/opendata/hsds/services/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/opendata/hsds/services/not-a-uuid')).status).toBe(404);
    for (const [query, field] of [
      ['per_page=0', 'per_page'],
      ['page=x', 'page'],
      ['organization_id=123', 'organization_id'],
      ['taxonomy_term_id=LIFE', 'taxonomy_term_id'],
      ['modified_after=yesterday', 'modified_after'],
    ]) {
      const res = await get(`/opendata/hsds/services?${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'BAD_USER_INPUT', field } });
    }
    const since = await get('/opendata/ocds/releases.json?since=soon');
    expect(since.status).toBe(400);
    expect(JSON.parse(since.text)).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'since' } });
  });
});

describe('OCDS', () => {
  it('states its URL, licence, publication policy and extensions from the settings', async () => {
    const res = await get('/opendata/ocds/releases.json');
    expect(res.link).toBe(`<${LICENSE}>; rel="license"`);
    const pkg = JSON.parse(res.text) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      uri: `${PUBLIC_URL}/opendata/ocds/releases.json`,
      version: '1.1',
      license: LICENSE,
      publicationPolicy: `${PUBLIC_URL}/opendata/policy`,
      extensions: [LOCATION_EXTENSION],
    });
    const policy = await get('/opendata/policy');
    expect(policy.type).toMatch(/text\/html/);
    expect(policy.text).toContain('开放数据发布政策');
    expect(policy.text).toContain('Open data publication policy');
    expect(policy.text).toContain(LICENSE);
  });

  it('keeps the whole history of a project: tender, amendment, close, award, contract, implementation', async () => {
    const { records } = await json<{ records: OcdsRecord[] }>('/opendata/ocds/records.json');
    const record = records.find((r) => r.ocid === ocidOf(fullProject))!;
    expect(record.releases.map((r) => r.tag)).toEqual([
      ['tender'],
      ['tenderAmendment'],
      ['tenderUpdate'],
      ['award'],
      ['contract'],
      ['implementation', 'contractTermination'],
    ]);
    const [tender, amendment, closed, award, contract, done] = record.releases as OcdsRelease[];
    expect(new Set(record.releases.map((r) => r.id)).size).toBe(6);
    expect(tender!.tender).toMatchObject({
      status: 'active',
      value: { amount: 100000 },
      procurementMethod: 'open',
      eligibilityCriteria: expect.stringContaining('verified organizations only'),
      documents: [{ documentType: 'biddingDocuments', url: 'https://example.cn/tender.pdf' }],
    });
    expect(tender!.tender).not.toHaveProperty('amendments');
    expect(amendment!.tender).toMatchObject({
      value: { amount: 120000 },
      amendments: [
        {
          rationale: '服务人数增加，追加预算',
          description: expect.stringContaining('10000000 → 12000000'),
          amendsReleaseID: tender!.id,
          releaseID: amendment!.id,
        },
      ],
    });
    expect(closed!.tender.numberOfTenderers).toBe(1);
    expect(award!.awards).toMatchObject([{ status: 'active', value: { amount: 105000 } }]);
    expect(award!.parties.find((p) => (p.roles as string[]).includes('supplier'))).toMatchObject({
      id: await openDataId('organization', verified.organization.id),
      identifier: { scheme: CREDIT_CODE_SCHEME, id: verified.organization.creditCode },
    });
    expect(contract!.contracts).toMatchObject([{ status: 'active' }]);
    expect(done!.contracts).toMatchObject([
      {
        status: 'terminated',
        implementation: {
          milestones: [
            { type: 'delivery', status: 'met', description: '服务职工320人次' },
            { type: 'assessment', description: expect.stringContaining('4/5') },
          ],
        },
      },
    ]);
    expect(record.compiledRelease).toMatchObject({ tag: ['compiled'], tender: { status: 'complete' } });
    const dates = record.releases.map((r) => r.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it('publishes a cancellation with its reason, never drafts, and filters by since', async () => {
    const { releases } = await json<{ releases: OcdsRelease[] }>('/opendata/ocds/releases.json');
    expect(releases.map((r) => r.tender.title)).not.toContain('草稿项目');
    const cancelled = releases.filter((r) => r.ocid === ocidOf(cancelledProject));
    expect(cancelled.map((r) => r.tag)).toEqual([['tender'], ['tenderCancellation']]);
    expect(cancelled[1]!.tender).toMatchObject({ status: 'cancelled', statusDetails: '预算调整' });
    const since = cancelled[1]!.date;
    const recent = await json<{ releases: OcdsRelease[] }>(`/opendata/ocds/releases.json?since=${since}`);
    expect(recent.releases.map((r) => r.id)).toEqual(
      releases.filter((r) => r.date >= since).map((r) => r.id),
    );
    expect(recent.releases.map((r) => r.id)).toContain(cancelled[1]!.id);
    const recentRecords = lines<OcdsRecord>((await get(`/opendata/ocds/records.ndjson?since=${since}`)).text);
    expect(recentRecords.map((r) => r.ocid)).toContain(ocidOf(cancelledProject));
    expect(recentRecords.find((r) => r.ocid === ocidOf(cancelledProject))!.releases).toHaveLength(2);
  });
});

describe('open data', () => {
  /** Every piece of personal data the seeded database holds (the organizations' published contacts are public). */
  function personalData(): string[] {
    return [
      CONTACT,
      worker.user.email!,
      verified.admin.user.email!,
      pending.admin.user.email!,
      publisher.staff.user.email!,
      worker.user.displayName,
      verified.admin.user.displayName,
      publisher.staff.user.displayName,
    ];
  }

  it('contains no personal data: no emails, mobiles, names of users or demand contacts', async () => {
    const bodies = await Promise.all(
      [
        '/opendata/hsds/organizations.ndjson',
        '/opendata/hsds/services.ndjson',
        '/opendata/ocds/releases.json',
        '/opendata/ocds/records.json',
      ].map(get),
    );
    for (const { text } of bodies) {
      for (const secret of personalData()) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/@example\.test/);
      expect(text).not.toContain('password');
    }
  });

  it('answers 404 for unknown open-data paths and 405 for other methods', async () => {
    expect((await get('/opendata/nope.json')).status).toBe(404);
    const post = await fetch(`${t.url}/opendata/ocds/releases.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();
  });
});

describe.skipIf(!standards)('OCDS contract and implementation of a signed contract', () => {
  let signedProject: string;
  let milestoneIds: string[];
  const REPORT_TEXT = '完成 12 场心理讲座';

  beforeAll(async () => {
    const projectId = await awardedProject(
      t,
      publisher.token,
      { title: '签约项目', categoryCode: 'WORK.PSYCHOLOGY', regionCodes: ['370102'] },
      [{ organizationId: verified.organization.id, token: verified.token, awardFen: 900_000 }],
    );
    signedProject = projectId;
    const application = await t.data<{ project: { awards: { id: string }[] } }>(
      `query($id: ID!) { project(id: $id) { awards { id } } }`,
      { id: projectId },
    );
    const day = 86_400_000;
    const signed = await t.data<{ signContract: { contract: { id: string; milestones: { id: string }[] } } }>(
      `mutation($input: SignContractInput!) { signContract(input: $input) { contract { id milestones { id } } } }`,
      {
        input: {
          projectId,
          applicationId: application.project.awards[0]!.id,
          valueFen: 850_000,
          periodStart: new Date(Date.now() - day).toISOString(),
          periodEnd: new Date(Date.now() + 90 * day).toISOString(),
          documents: [{ title: '服务合同', url: 'https://example.cn/contract.pdf' }],
          milestones: [
            {
              title: '讲座',
              deliverables: '12 场讲座',
              dueAt: new Date(Date.now() + 30 * day).toISOString(),
              paymentFen: 500_000,
            },
            {
              title: '咨询',
              deliverables: '100 人次咨询',
              dueAt: new Date(Date.now() + 80 * day).toISOString(),
              paymentFen: 350_000,
            },
          ],
        },
      },
      publisher.token,
    );
    milestoneIds = signed.signContract.contract.milestones.map((m) => m.id);
    await t.data(
      `mutation($input: ReportMilestoneInput!) { reportMilestone(input: $input) { milestone { id } } }`,
      { input: { milestoneId: milestoneIds[0], report: REPORT_TEXT } },
      verified.token,
    );
    await t.data(
      `mutation($input: AcceptMilestoneInput!) { acceptMilestone(input: $input) { milestone { id } } }`,
      { input: { milestoneId: milestoneIds[0] } },
      publisher.token,
    );
    await t.data(
      `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { contract { id } } }`,
      { input: { milestoneId: milestoneIds[0], amountFen: 500_000, paidAt: new Date().toISOString() } },
      publisher.token,
    );
  });

  it('validates, and carries the contract, its scheduled milestones, then milestones met and the payment', async () => {
    const s = standards!.ocds;
    const c = new Conformance();
    const releasePackage = await json<{ releases: OcdsRelease[] }>('/opendata/ocds/releases.json');
    c.check('releases.json', s.releasePackage, releasePackage);
    const recordPackage = await json<{ records: OcdsRecord[] }>('/opendata/ocds/records.json');
    c.check('records.json', s.recordPackage, recordPackage);
    expect(c.errors, c.summary()).toEqual([]);

    const record = recordPackage.records.find((r) => r.ocid === ocidOf(signedProject))!;
    expect(record.releases.map((r) => r.tag)).toEqual([
      ['tender'],
      ['tenderUpdate'],
      ['award'],
      ['contract'],
      ['implementationUpdate'],
    ]);
    const contract = record.releases[3]!.contracts![0]!;
    expect(contract).toMatchObject({
      status: 'active',
      value: { amount: 8500, currency: 'CNY' },
      documents: [{ documentType: 'contractSigned', url: 'https://example.cn/contract.pdf' }],
      milestones: [
        { title: '讲座', status: 'scheduled', type: 'delivery' },
        { title: '咨询', status: 'scheduled' },
      ],
    });
    expect(contract).not.toHaveProperty('implementation');
    const update = record.releases[4]!.contracts![0]!;
    const supplierId = await openDataId('organization', verified.organization.id);
    expect(update.implementation).toMatchObject({
      milestones: [
        { title: '讲座', status: 'met', dateMet: expect.any(String) },
        { title: '咨询', status: 'scheduled' },
      ],
      transactions: [
        {
          value: { amount: 5000, currency: 'CNY' },
          payee: { id: supplierId },
          payer: record.releases[0]!.buyer,
        },
      ],
    });
    expect(record.compiledRelease).toMatchObject({
      contracts: [
        { value: { amount: 8500 }, implementation: { transactions: [{ value: { amount: 5000 } }] } },
      ],
    });
    const text = JSON.stringify(record);
    expect(text).not.toContain(publisher.staff.user.email!);
    expect(text).not.toContain(verified.admin.user.email!);
    expect(text).not.toContain(verified.admin.user.displayName);
  });
});
