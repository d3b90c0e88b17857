import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_CODE_SCHEME } from '../../../src/modules/opendata/hsds.js';
import type { HsdsOrganization } from '../../../src/modules/opendata/hsds.js';
import type { OcdsRelease } from '../../../src/modules/opendata/ocds.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { seedPublisher } from '../projects/project-helpers.js';
import { awardedProject, seedDemand, setCapacity } from './report-helpers.js';

let t: TestApp;
let verified: SeededOrganization;
let pending: SeededOrganization;
let publisher: Awaited<ReturnType<typeof seedPublisher>>;
let worker: SeededUser;
const CONTACT = '13912345678 王女士';

beforeAll(async () => {
  t = await startTestApp();
  worker = await t.seed.worker();
  verified = await t.seed.organization({
    name: '济南职工心理服务中心',
    publicContact: '13800001111',
    brandName: '暖心驿站',
    categoryCodes: ['WORK.PSYCHOLOGY'],
    services: [{ name: '心理咨询', description: '一对一心理咨询' }],
  });
  await setCapacity(t, verified.services[0]!.id, 40);
  pending = await t.seed.organization({ verified: false, name: '待认证组织' });
  await seedDemand(t, worker.user.id, {
    regionCode: '370102',
    categoryCode: 'WORK.PSYCHOLOGY',
    contact: CONTACT,
  });
  publisher = await seedPublisher(t);
  await awardedProject(t, publisher.token, { categoryCode: 'WORK.PSYCHOLOGY' }, [
    { organizationId: verified.organization.id, token: verified.token, awardFen: 1_234_567 },
  ]);
  // A draft is never published.
  await t.data(
    `mutation($input: PublishProjectInput!) { publishProject(input: $input) { project { id } } }`,
    {
      input: {
        title: '草稿项目',
        categoryCode: 'LIFE',
        regionCodes: ['370100'],
        budgetFen: 100,
        applicationOpensAt: new Date().toISOString(),
        applicationClosesAt: new Date(Date.now() + 86_400_000).toISOString(),
        publish: false,
      },
    },
    publisher.token,
  );
});
afterAll(() => t.stop());

async function get(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${t.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Every piece of personal data the seeded database holds. */
function personalData(): string[] {
  return [
    CONTACT,
    '13800001111',
    worker.user.email!,
    verified.admin.user.email!,
    pending.admin.user.email!,
    publisher.staff.user.email!,
    worker.user.displayName,
    verified.admin.user.displayName,
    publisher.staff.user.displayName,
  ];
}

describe('open data', () => {
  it('streams verified organizations and their services as HSDS, one per line', async () => {
    const res = await get('/opendata/hsds/organizations.ndjson');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/application\/x-ndjson/);
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HsdsOrganization);
    expect(lines.map((o) => o.name)).toEqual(['济南职工心理服务中心']);
    const org = lines[0]!;
    expect(org).toMatchObject({
      id: verified.organization.globalId(),
      alternate_name: '暖心驿站',
      parent_organization_id: null,
      organization_identifiers: [
        { identifier_scheme: CREDIT_CODE_SCHEME, identifier: verified.organization.creditCode },
      ],
    });
    expect(org.attributes.map((a) => a.taxonomy_term.taxonomy)).toContain('niudai-founding-type');
    expect(org.services).toHaveLength(1);
    expect(org.services[0]).toMatchObject({
      organization_id: org.id,
      name: '心理咨询',
      status: 'active',
      service_areas: [{ name: '济南市', extent: '370100', extent_type: 'text' }],
    });
    expect(org.services[0]!.attributes.find((a) => a.taxonomy_term.code === 'MONTHLY_CAPACITY')?.value).toBe(
      '40',
    );
  });

  it('publishes projects and awards as an OCDS release package, drafts left out', async () => {
    const res = await get('/opendata/ocds/releases.json');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/application\/json/);
    const pkg = JSON.parse(res.text) as { version: string; publishedDate: string; releases: OcdsRelease[] };
    expect(pkg.version).toBe('1.1');
    expect(pkg.releases).toHaveLength(1);
    const release = pkg.releases[0]!;
    expect(release.ocid).toMatch(/^ocds-niudai-\d+$/);
    expect(release).toMatchObject({
      tag: ['award'],
      initiationType: 'tender',
      buyer: { id: publisher.publisherId },
      tender: {
        status: 'complete',
        procurementMethod: 'open',
        mainProcurementCategory: 'services',
        numberOfTenderers: 1,
        value: { amount: 100000, currency: 'CNY' },
      },
      awards: [
        {
          status: 'active',
          value: { amount: 12345.67, currency: 'CNY' },
          suppliers: [{ id: verified.organization.globalId(), name: '济南职工心理服务中心' }],
        },
      ],
    });
    expect(release.parties.find((p) => p.roles.includes('supplier'))?.identifier).toEqual({
      scheme: CREDIT_CODE_SCHEME,
      id: verified.organization.creditCode,
      legalName: '济南职工心理服务中心',
    });
  });

  it('also serves the releases one per line', async () => {
    const res = await get('/opendata/ocds/releases.ndjson');
    expect(res.type).toMatch(/application\/x-ndjson/);
    const lines = res.text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0]!) as OcdsRelease).awards).toHaveLength(1);
  });

  it('contains no personal data: no emails, mobiles, names of users or demand contacts', async () => {
    const bodies = await Promise.all(
      [
        '/opendata/hsds/organizations.ndjson',
        '/opendata/ocds/releases.json',
        '/opendata/ocds/releases.ndjson',
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
