import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Region, RegionLevel } from '../../../src/modules/regions/region.entity.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { until } from '../../setup/probes.js';
import { gqlAt } from '../hardening/helpers.js';

/**
 * Regions and categories are answered from each process's in-memory snapshot
 * (modules/reference/reference-cache.ts). These are the promises that make that safe: an import is
 * visible at once in the process that made it and promptly in every other one, and a code the
 * snapshot has not seen is still answered, from the database.
 */

let t: TestApp;
let other: ServerProcess | undefined;
let lixiaOrgId: string;

const ORG = `query Org($id: ID!) {
  organization(id: $id) { homeRegion { code name nameEn parent { code name } path { code } } }
}`;
const IMPORT = `mutation Import($input: ImportRegionsInput!) { importRegions(input: $input) { created updated } }`;

interface OrgView {
  organization: {
    homeRegion: {
      code: string;
      name: string;
      nameEn: string;
      parent: { code: string; name: string } | null;
      path: { code: string }[];
    };
  };
}

/** The organization's home region as the server at `url` (this process or the other) answers it. */
async function homeRegionAt(url: string, id: string): Promise<OrgView['organization']['homeRegion']> {
  const { json } = await gqlAt(`${url}/graphql`, ORG, { id });
  expect(json.errors).toBeUndefined();
  return (json.data as unknown as OrgView).organization.homeRegion;
}

beforeAll(async () => {
  t = await startTestApp();
  const org = await t.seed.organization({ homeRegionCode: '370102' });
  lixiaOrgId = toGlobalId('Organization', org.organization.id);
  other = await spawnServer(t.config.databaseUrl ?? '');
});

afterAll(async () => {
  await other?.kill('SIGTERM');
  await t?.stop();
});

describe('the reference cache', () => {
  it('answers a region with its parent and path', async () => {
    expect(await homeRegionAt(t.url, lixiaOrgId)).toEqual({
      code: '370102',
      name: '历下区',
      nameEn: 'Lixia District',
      parent: { code: '370100', name: '济南市' },
      path: [{ code: '370000' }, { code: '370100' }, { code: '370102' }],
    });
  });

  it('shows an imported rename at once in the importing process, and soon in another one', async () => {
    const otherUrl = other?.url ?? '';
    expect((await homeRegionAt(otherUrl, lixiaOrgId)).name).toBe('历下区'); // its snapshot is loaded
    const admin = await t.seed.admin();
    const csv = 'code,name,nameEn,parentCode\n370102,历下区（更名）,Lixia (renamed),370100\n';
    await t.data(IMPORT, { input: { csv } }, admin.token);

    // No waiting in the process that imported: its snapshot was reloaded before the mutation answered.
    expect(await homeRegionAt(t.url, lixiaOrgId)).toMatchObject({
      name: '历下区（更名）',
      nameEn: 'Lixia (renamed)',
    });
    // The other process hears of it through the event feed's relay.
    await until(async () => (await homeRegionAt(otherUrl, lixiaOrgId)).name === '历下区（更名）');
  });

  it('answers a region written behind its back (no announcement) from the database, then caches it', async () => {
    const em = t.orm.em.fork();
    em.create(Region, {
      code: '370199',
      name: '测试新区',
      nameEn: 'Test New District',
      level: RegionLevel.DISTRICT,
      parent: em.getReference(Region, '370100'),
      path: ['370000', '370100', '370199'],
    });
    await em.flush();
    const org = await t.seed.organization({ homeRegionCode: '370199' });
    const id = toGlobalId('Organization', org.organization.id);

    expect(await homeRegionAt(t.url, id)).toEqual({
      code: '370199',
      name: '测试新区',
      nameEn: 'Test New District',
      parent: { code: '370100', name: '济南市' },
      path: [{ code: '370000' }, { code: '370100' }, { code: '370199' }],
    });
    // The miss started a reload, after which the new district is also among Jinan's children.
    await until(async () =>
      (
        await t.data<{ region: { children: { code: string }[] } }>(
          `{ region(code: "370100") { children { code } } }`,
        )
      ).region.children.some((c) => c.code === '370199'),
    );
  });

  it('retries a reload that failed (its table away for a moment) until it loads', async () => {
    const categoryName = async () =>
      (
        await t.data<{ organization: { categories: { code: string; name: string }[] } }>(
          `query Org($id: ID!) { organization(id: $id) { categories { code name } } }`,
          { id: lixiaOrgId },
        )
      ).organization.categories.find((c) => c.code === 'LIFE')?.name;
    const before = await categoryName();
    const connection = t.orm.em.getConnection();
    await connection.execute('alter table service_category rename to service_category_away');
    try {
      await connection.execute(
        `update service_category_away set name = name || '（更新）' where code = 'LIFE'`,
      );
      await t.app.services.reference.reload(); // fails: the table is not there
    } finally {
      await connection.execute('alter table service_category_away rename to service_category');
    }
    expect(await categoryName()).toBe(before); // the old snapshot kept serving
    await until(async () => (await categoryName()) === `${before}（更新）`, 15_000);
  });
});
