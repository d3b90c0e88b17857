import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Region } from '../../../src/modules/regions/region.entity.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

interface RegionView {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  level: string;
  parent: { code: string } | null;
  children: { code: string }[];
  path: { code: string }[];
}

const REGION = `query Region($code: String!) {
  region(code: $code) { id code name nameEn level parent { code } children { code } path { code } }
}`;
const IMPORT = `mutation Import($input: ImportRegionsInput!) { importRegions(input: $input) { created updated } }`;

describe('the region tree', () => {
  it('lists Shandong at the top and its 16 cities below it', async () => {
    const top = await t.data<{ regions: { code: string }[] }>(`{ regions { code } }`);
    expect(top.regions.map((r) => r.code)).toContain('370000');
    const cities = await t.data<{ regions: { code: string; level: string }[] }>(
      `{ regions(parentCode: "370000") { code level } }`,
    );
    expect(cities.regions).toHaveLength(16);
    expect(new Set(cities.regions.map((r) => r.level))).toEqual(new Set(['CITY']));
  });

  it('lists the districts of each of the seven cities the paper names', async () => {
    for (const city of ['370100', '370200', '370300', '370500', '370900', '371000', '371700']) {
      const res = await t.data<{ regions: { code: string }[] }>(
        `query($p: String) { regions(parentCode: $p, level: DISTRICT) { code } }`,
        { p: city },
      );
      expect(res.regions.length, city).toBeGreaterThan(2);
      expect(
        res.regions.every((r) => r.code.startsWith(city.slice(0, 4))),
        city,
      ).toBe(true);
    }
  });

  it('gives a region its parent, children and path from the province down', async () => {
    const jinan = (await t.data<{ region: RegionView }>(REGION, { code: '370100' })).region;
    expect(jinan).toMatchObject({
      name: '济南市',
      nameEn: 'Jinan',
      level: 'CITY',
      parent: { code: '370000' },
    });
    expect(jinan.children.map((c) => c.code)).toContain('370102');
    const lixia = (await t.data<{ region: RegionView }>(REGION, { code: '370102' })).region;
    expect(lixia.path.map((r) => r.code)).toEqual(['370000', '370100', '370102']);
    expect(lixia.children).toEqual([]);
    expect((await t.data<{ region: null }>(REGION, { code: '999999' })).region).toBeNull();
  });

  it('round-trips a region through node(id)', async () => {
    const { region } = await t.data<{ region: RegionView }>(REGION, { code: '370200' });
    const { node } = await t.data<{ node: { __typename: string; code: string } }>(
      `query($id: ID!) { node(id: $id) { __typename id ... on Region { code } } }`,
      { id: region.id },
    );
    expect(node).toMatchObject({ __typename: 'Region', code: '370200' });
    const missing = await t.data<{ node: null }>(`{ node(id: "bm90LWFuLWlk") { id } }`);
    expect(missing.node).toBeNull();
  });
});

describe('the service categories and target groups', () => {
  it('lists top-level categories with children, and finds one by code', async () => {
    const { serviceCategories } = await t.data<{
      serviceCategories: { id: string; code: string; children: { code: string }[] }[];
    }>(`{ serviceCategories { id code name nameEn children { code } } }`);
    expect(serviceCategories.length).toBeGreaterThan(3);
    const withChildren = serviceCategories.find((c) => c.children.length > 0);
    expect(withChildren).toBeDefined();
    const child = withChildren!.children[0]!.code;
    const one = await t.data<{ serviceCategory: { code: string; parent: { code: string } } }>(
      `query($c: String!) { serviceCategory(code: $c) { code parent { code } } }`,
      { c: child },
    );
    expect(one.serviceCategory.parent.code).toBe(withChildren!.code);
    const below = await t.data<{ serviceCategories: { code: string }[] }>(
      `query($p: String) { serviceCategories(parentCode: $p) { code } }`,
      { p: withChildren!.code },
    );
    expect(below.serviceCategories.map((c) => c.code)).toEqual(withChildren!.children.map((c) => c.code));
    const { node } = await t.data<{ node: { code: string } }>(
      `query($id: ID!) { node(id: $id) { ... on ServiceCategory { code } } }`,
      { id: withChildren!.id },
    );
    expect(node.code).toBe(withChildren!.code);
  });

  it('labels every target group in Chinese and English', async () => {
    const { targetGroups } = await t.data<{ targetGroups: { code: string; name: string; nameEn: string }[] }>(
      `{ targetGroups { code name nameEn } }`,
    );
    expect(targetGroups.length).toBeGreaterThan(2);
    for (const group of targetGroups) {
      expect(group.name).toMatch(/[\u4e00-\u9fff]/);
      expect(group.nameEn).not.toBe('');
    }
  });
});

describe('importRegions', () => {
  const csv = [
    'code,name,nameEn,parentCode',
    '370102,历下区,Lixia District (updated),370100',
    '370199,测试新区,Test New Area,370100',
  ].join('\n');

  it('lets an admin import divisions: new ones created, known ones updated', async () => {
    const admin = await t.seed.admin();
    const res = await t.data<{ importRegions: { created: number; updated: number } }>(
      IMPORT,
      { input: { csv } },
      admin.token,
    );
    expect(res.importRegions).toEqual({ created: 1, updated: 1 });
    const added = (await t.data<{ region: RegionView }>(REGION, { code: '370199' })).region;
    expect(added).toMatchObject({ level: 'DISTRICT', parent: { code: '370100' } });
    expect(added.path.map((r) => r.code)).toEqual(['370000', '370100', '370199']);
    const again = await t.data<{ importRegions: { created: number; updated: number } }>(
      IMPORT,
      { input: { csv } },
      admin.token,
    );
    expect(again.importRegions).toEqual({ created: 0, updated: 2 });
  });

  it('refuses bad rows by line and writes nothing', async () => {
    const admin = await t.seed.admin();
    const bad = [
      'code,name,nameEn,parentCode',
      '370198,好区,Good District,370100',
      '37019,短码,Short Code,370100',
      '370197,,No Name,370100',
    ].join('\n');
    const res = await t.gql(IMPORT, { input: { csv: bad } }, admin.token);
    const error = res.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = (error?.extensions?.fields as { path: string }[]).map((f) => f.path);
    expect(paths).toEqual(['input.csv[line 3]', 'input.csv[line 4]']);
    expect(await t.orm.em.fork().count(Region, { code: { $in: ['370198', '370197'] } })).toBe(0);
  });

  it('refuses a row whose parent is unknown, writing none of the file', async () => {
    const admin = await t.seed.admin();
    const orphan = [
      'code,name,nameEn,parentCode',
      '370196,甲区,A District,370100',
      '990101,乙区,B District,990100',
    ];
    const res = await t.gql(IMPORT, { input: { csv: orphan.join('\n') } }, admin.token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'input.csv' }],
    });
    expect(await t.orm.em.fork().count(Region, { code: '370196' })).toBe(0);
  });

  it('is for admins only', async () => {
    const staff = await t.seed.unionStaff();
    const forbidden = await t.gql(IMPORT, { input: { csv } }, staff.token);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql(IMPORT, { input: { csv } });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
