import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade, FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import { searchGrams } from '../../../src/modules/organizations/search-text.js';

let t: TestApp;
const orgs: Record<string, SeededOrganization> = {};

const SEARCH = `query($filter: OrganizationFilter, $first: Int, $after: String, $orderBy: OrganizationOrder) {
  organizations(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }`;

interface SearchResult {
  organizations: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { name: string } }[];
  };
}

async function names(filter: Record<string, unknown>, token?: string): Promise<string[]> {
  const res = await t.data<SearchResult>(SEARCH, { filter, first: 100 }, token);
  return res.organizations.edges.map((e) => e.node.name).sort();
}

/** Every page of a search, 7 at a time, following `endCursor`: the names in order, and `totalCount`. */
async function pageThrough(
  orderBy: string,
  filter: Record<string, unknown>,
): Promise<{ seen: string[]; total: number }> {
  const seen: string[] = [];
  let after: string | null = null;
  let total = 0;
  for (let page = 0; page < 10; page++) {
    const res: SearchResult = await t.data<SearchResult>(SEARCH, { first: 7, after, orderBy, filter });
    total = res.organizations.totalCount;
    seen.push(...res.organizations.edges.map((e) => e.node.name));
    if (!res.organizations.pageInfo.hasNextPage) break;
    after = res.organizations.pageInfo.endCursor;
  }
  return { seen, total };
}

beforeAll(async () => {
  t = await startTestApp();
  orgs.childcare = await t.seed.organization({
    name: '历下区阳光托育服务中心',
    description: 'Childcare for working parents',
    homeRegionCode: '370102',
    categoryCodes: ['LIFE.CHILDCARE'],
    foundingType: FoundingType.UNION_INCUBATED,
    grade: EvaluationGrade.GRADE_4A,
    services: [{ name: '职工子女暑期托管', description: 'Summer day camp' }],
  });
  orgs.legal = await t.seed.organization({
    name: '青岛市职工法律援助协会',
    homeRegionCode: '370200',
    categoryCodes: ['WORK.RIGHTS'],
    foundingType: FoundingType.UNION_FOUNDED,
    grade: EvaluationGrade.GRADE_3A,
  });
  orgs.province = await t.seed.organization({
    name: '山东省职工生活服务联合会',
    homeRegionCode: '370000',
    regionCodes: ['370000'],
    categoryCodes: ['LIFE'],
    isHub: true,
  });
  orgs.pending = await t.seed.organization({
    name: '待审托育机构',
    verified: false,
    categoryCodes: ['LIFE.CHILDCARE'],
  });
  for (let i = 0; i < 23; i++)
    await t.seed.organization({
      name: `批量组织${String(i).padStart(2, '0')}`,
      homeRegionCode: '370300',
      categoryCodes: ['CULTURE.ARTS_SPORTS'],
    });
});
afterAll(() => t.stop());

describe('organizations search', () => {
  it('finds Chinese text in names and services, and English case-insensitively', async () => {
    expect(await names({ text: '托育' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ text: '暑期托管' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ text: '法律援助' })).toEqual(['青岛市职工法律援助协会']);
    expect(await names({ text: 'CHILDCARE' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ text: '100%' })).toEqual([]);
  });

  it('matches the category subtree both ways: LIFE lists a childcare organization, childcare lists a LIFE one', async () => {
    expect(await names({ categoryCode: 'LIFE' })).toEqual(
      expect.arrayContaining(['历下区阳光托育服务中心', '山东省职工生活服务联合会']),
    );
    expect(await names({ categoryCode: 'LIFE' })).not.toContain('青岛市职工法律援助协会');
    expect(await names({ categoryCode: 'LIFE.CHILDCARE' })).toEqual(
      expect.arrayContaining(['历下区阳光托育服务中心', '山东省职工生活服务联合会']),
    );
    expect(await names({ categoryCode: 'LIFE.CHILDCARE' })).toHaveLength(2);
  });

  it('matches regions served by subtree and home region by subtree', async () => {
    const jinan = await names({ regionCode: '370100' });
    expect(jinan).toEqual(['历下区阳光托育服务中心', '山东省职工生活服务联合会'].sort());
    expect(await names({ homeRegionCode: '370200' })).toEqual(['青岛市职工法律援助协会']);
  });

  it('filters by founding type, minimum grade, hub and hub membership', async () => {
    expect(await names({ foundingTypes: ['UNION_FOUNDED'] })).toEqual(['青岛市职工法律援助协会']);
    expect(await names({ minGrade: 'GRADE_4A' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ minGrade: 'GRADE_3A' })).toHaveLength(2);
    expect(await names({ isHub: true })).toEqual(['山东省职工生活服务联合会']);
    expect(await names({ hubId: toGlobalId('Organization', orgs.province!.organization.id) })).toEqual([]);
  });

  it('hides pending organizations from anonymous users and shows them to admins', async () => {
    expect(await names({ text: '待审' })).toEqual([]);
    const admin = await t.seed.admin();
    expect(await names({ text: '待审' }, admin.token)).toEqual(['待审托育机构']);
    expect(await names({ verificationStatus: 'PENDING' }, orgs.pending!.token)).toEqual(['待审托育机构']);
  });

  it.each(['NAME', 'NEWEST', 'RATING', 'RELEVANCE'])(
    'pages by %s without duplicates or gaps and counts the total',
    async (orderBy) => {
      const { seen, total } = await pageThrough(orderBy, orderBy === 'RELEVANCE' ? { text: '组织' } : {});
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(total);
      expect(total).toBe(orderBy === 'RELEVANCE' ? 23 : 26);
      if (orderBy === 'NAME') expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    },
  );

  // Text matches are found first and ordered afterwards (a materialized CTE): the keyset cursor must
  // still continue exactly where the page ended, on the gram path (two characters) and the trigram
  // path (three or more) alike.
  it.each([
    ['NAME', '组织'],
    ['NEWEST', '组织'],
    ['RATING', '组织'],
    ['NAME', '批量组织'],
    ['NEWEST', '批量组织'],
    ['RELEVANCE', '批量组织'],
  ])('pages a text search by %s for %s without duplicates or gaps', async (orderBy, text) => {
    const { seen, total } = await pageThrough(orderBy, { text });
    expect(total).toBe(23);
    expect([...seen].sort()).toEqual(
      Array.from({ length: 23 }, (_, i) => `批量组织${String(i).padStart(2, '0')}`),
    );
    if (orderBy === 'NAME') expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('rejects a cursor of another order as BAD_USER_INPUT', async () => {
    const res = await t.data<SearchResult>(SEARCH, { first: 2, orderBy: 'NAME' });
    const { body } = await t.gql(SEARCH, {
      first: 2,
      orderBy: 'NEWEST',
      after: res.organizations.pageInfo.endCursor,
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ path: 'after' }],
    });
  });

  it('counts verified organizations and services per child region and category', async () => {
    const res = await t.data<{
      organizationStats: {
        byRegion: { region: { code: string }; organizationCount: number; serviceCount: number }[];
        byCategory: { category: { code: string }; organizationCount: number }[];
      };
    }>(
      `{ organizationStats(regionCode: "370000") { byRegion { region { code } organizationCount serviceCount } byCategory { category { code } organizationCount } } }`,
    );
    const jinan = res.organizationStats.byRegion.find((r) => r.region.code === '370100');
    expect(jinan).toMatchObject({ organizationCount: 2, serviceCount: 1 });
    const zibo = res.organizationStats.byRegion.find((r) => r.region.code === '370300');
    expect(zibo?.organizationCount).toBe(24);
    const work = res.organizationStats.byCategory.find((c) => c.category.code === 'WORK');
    expect(work?.organizationCount).toBe(1);
  });
});

describe('no N+1', () => {
  it('runs the same number of SQL statements for 5 and for 50 organizations', async () => {
    const query = `query($text: String) { organizations(first: 50, filter: { text: $text }) { edges { node {
      services { categories { name } } regionsServed { name } hub { name } } } } }`;
    const hub = await t.seed.organization({ name: 'N1枢纽', isHub: true });
    for (let i = 0; i < 50; i++)
      await t.seed.organization({
        name: `N1组织${i}`,
        hubId: hub.organization.id,
        regionCodes: ['370102', '370103'],
        categoryCodes: ['LIFE.CHILDCARE', 'WORK.RIGHTS'],
        services: [{ name: 'a' }, { name: 'b', categoryCodes: ['CAREER.SKILLS'] }],
      });
    const five = await t.sqlCount(async () => {
      const res = await t.data<{ organizations: { edges: unknown[] } }>(query, { text: 'n1组织1' });
      expect(res.organizations.edges.length).toBeLessThan(20);
    });
    const fifty = await t.sqlCount(async () => {
      const res = await t.data<{ organizations: { edges: unknown[] } }>(query, { text: 'n1组织' });
      expect(res.organizations.edges).toHaveLength(50);
    });
    expect(fifty).toBe(five);
    expect(fifty).toBeLessThanOrEqual(8);
  });
});

describe('text search: short Chinese, mixed Latin, escaping, visibility', () => {
  const UPDATE = `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { name } } }`;
  const ADD_SERVICE = `mutation($input: AddServiceInput!) { addService(input: $input) { service { id } } }`;

  it('finds one and two Chinese characters, also in what an update or a new service wrote', async () => {
    expect(await names({ text: '托' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ text: ' 暑期 ' })).toEqual(['历下区阳光托育服务中心']);
    expect(await names({ text: '援助' })).toEqual(['青岛市职工法律援助协会']);
    const renamed = await t.seed.organization({ name: '泉城助残中心', homeRegionCode: '370102' });
    const id = toGlobalId('Organization', renamed.organization.id);
    expect(await names({ text: '助残' })).toEqual(['泉城助残中心']);
    await t.data(UPDATE, { input: { organizationId: id, name: '泉城康复驿站' } }, renamed.token);
    expect(await names({ text: '助残' })).toEqual([]);
    expect(await names({ text: '驿' })).toEqual(['泉城康复驿站']);
    expect(await names({ text: '康复' })).toEqual(['泉城康复驿站']);
    await t.data(
      ADD_SERVICE,
      {
        input: {
          organizationId: id,
          name: '盲人按摩培训',
          categoryCodes: ['LIFE'],
          mode: 'ON_SITE',
          fee: 'FREE',
        },
      },
      renamed.token,
    );
    expect(await names({ text: '盲人' })).toEqual(['泉城康复驿站']);
    expect(await names({ text: '摩' })).toEqual(['泉城康复驿站']);
  });

  it('matches Latin and mixed Latin–Chinese text case-insensitively', async () => {
    await t.seed.organization({ name: 'ABC互助会', description: 'Mutual Aid for Delivery Riders' });
    expect(await names({ text: 'abc互助' })).toEqual(['ABC互助会']);
    expect(await names({ text: 'C互' })).toEqual(['ABC互助会']);
    expect(await names({ text: 'delivery RIDERS' })).toEqual(['ABC互助会']);
    expect(await names({ text: 'Summer day' })).toEqual(['历下区阳光托育服务中心']);
  });

  it('matches % and _ as themselves, not as wildcards', async () => {
    await t.seed.organization({ name: '满意度100%服务社' });
    await t.seed.organization({ name: 'snake_case协会' });
    await t.seed.organization({ name: 'snakeXcase协会' });
    expect(await names({ text: '100%' })).toEqual(['满意度100%服务社']);
    expect(await names({ text: '%' })).toEqual(['满意度100%服务社']);
    expect(await names({ text: 'e_c' })).toEqual(['snake_case协会']);
    expect(await names({ text: '_' })).toEqual(['snake_case协会']);
    expect(await names({ text: '\\' })).toEqual([]);
  });

  it('keeps the visibility rules for one and two characters', async () => {
    expect(await names({ text: '审' })).toEqual([]);
    expect(await names({ text: '待审' })).toEqual([]);
    const admin = await t.seed.admin();
    expect(await names({ text: '审' }, admin.token)).toEqual(['待审托育机构']);
    expect(await names({ text: '待审' }, admin.token)).toEqual(['待审托育机构']);
    expect(await names({ text: '审' }, orgs.pending!.token)).toEqual(['待审托育机构']);
    const worker = await t.seed.worker();
    expect(await names({ text: '审' }, worker.token)).toEqual([]);
  });
});

describe('text search pages', () => {
  const PAGE = `query($filter: OrganizationFilter, $first: Int, $after: String, $orderBy: OrganizationOrder) {
    organizations(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name description grade foundingType createdAt rating } } } }`;
  interface Edge {
    cursor: string;
    node: { name: string };
  }
  interface Page {
    organizations: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] };
  }
  const everyEdge = async (orderBy: string, filter: Record<string, unknown>, first: number) => {
    const edges: Edge[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: Page = await t.data<Page>(PAGE, { filter, first, after, orderBy });
      edges.push(...res.organizations.edges);
      if (!res.organizations.pageInfo.hasNextPage) return edges;
      after = res.organizations.pageInfo.endCursor;
    }
    throw new Error('more pages than expected');
  };

  beforeAll(async () => {
    // Names in the reverse of insertion (id) order, so an order by id cannot pass for an order by name.
    for (let i = 0; i < 9; i++)
      await t.seed.organization({ name: `逆序机构${8 - i}`, description: `第${i}号` });
  });

  // A text search orders its matches' keys first and reads the page's columns afterwards, for the
  // page's rows only (docs/architecture.md, "Directory text search"); the directory without a filter
  // reads them in the statement that orders. Both must list these organizations alike: same order,
  // same columns, same cursors, across page boundaries, on the gram path and the trigram path.
  it.each([
    ['NAME', '逆序'],
    ['NAME', '逆序机构'],
    ['NEWEST', '逆序'],
    ['NEWEST', '逆序机构'],
    ['RATING', '逆序机构'],
  ])(
    'pages a text search by %s for %s as the unfiltered directory lists the same rows',
    async (orderBy, text) => {
      const expected = (await everyEdge(orderBy, {}, 100)).filter((e) => e.node.name.startsWith('逆序机构'));
      expect(expected).toHaveLength(9);
      expect(await everyEdge(orderBy, { text }, 4)).toEqual(expected);
    },
  );
});

/** The directory search statement the app runs for `text`, with its parameters, as sent to PostgreSQL. */
async function searchStatement(text: string): Promise<{ sql: string; bindings: unknown[] }> {
  const knex = t.orm.em.getConnection().getKnex();
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const capture = (query: { sql: string; bindings?: unknown[] }) =>
    void seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', capture);
  try {
    await t.data(
      `query($text: String) { organizations(first: 20, filter: { text: $text }) { edges { node { id name } } } }`,
      {
        text,
      },
    );
  } finally {
    knex.off('query', capture);
  }
  const found = seen.find((q) => /directory_(text|gram)_matches\(/.test(q.sql));
  if (!found) throw new Error('no directory search statement was run');
  return found;
}

describe('scale', () => {
  it('serves Chinese and English text search from the text indexes at 10,000 organizations, even before VACUUM', async () => {
    const conn = t.orm.em.getConnection();
    const [trgm] = await conn.execute<{ n: number }[]>(`select array_length(show_trgm('托育服务'), 1) as n`);
    // pg_trgm keeps CJK characters only in a UTF-8 locale whose ctype knows them as letters.
    expect(trgm?.n).toBeGreaterThan(0);
    await conn.execute(
      `insert into organization (name, credit_code, kind, founding_type, home_region_code, region_codes, category_codes,
         target_groups, verification_status, search_text)
       select '规模组织' || g, 'S' || lpad(g::text, 17, '0'), 'SOCIAL_GROUP', 'INDEPENDENT', '370100', '{370100}', '{LIFE}',
         '{ALL_WORKERS}', 'VERIFIED', lower('规模组织' || g || ' scale organization number ' || g || ' 提供职工服务 ' || md5(g::text))
       from generate_series(1, 10000) g`,
    );
    // Their Chinese grams, computed as the hub computes them on every write.
    const written = await conn.execute<{ id: string; search_text: string }[]>(
      `select id, search_text from organization where name like '规模组织%'`,
    );
    await conn.execute(
      `update organization o set search_grams = array(select jsonb_array_elements_text(g.value -> 'grams'))
         from jsonb_array_elements(?::jsonb) g where o.id = (g.value ->> 'id')::bigint`,
      [JSON.stringify(written.map((r) => ({ id: Number(r.id), grams: searchGrams(r.search_text) })))],
    );
    // Statistics as after a bulk load: ANALYZE but no VACUUM yet, so each GIN index's metapage still
    // counts the few rows it had before (only VACUUM or an index build updates those counters) and
    // the planner prices the index as if it were huge. Left to itself it then reads every row.
    await conn.execute('analyze organization');
    const [size] = await conn.execute<{ pages: number }[]>(
      `select (pg_relation_size('organization') / current_setting('block_size')::int)::int as pages`,
    );
    // The statements the app itself sends: 3 or more characters use the trigram index, one or two
    // Chinese characters the gram index; neither reads the whole table, whatever the statistics say.
    for (const text of ['托育服务', 'Legal Aid', '规模组织12', '托育', '托']) {
      const statement = await searchStatement(text);
      expect(statement.sql).not.toMatch(/ilike/i);
      // Seven times: from the sixth call on, PostgreSQL may plan a SQL function's statement once for
      // any argument (a generic plan), which must still read the right index.
      for (let run = 0; run < 7; run++) {
        const [plan] = await conn.execute<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }[]>(
          `explain (analyze, buffers, format json) ${statement.sql}`,
          statement.bindings,
        );
        const root = plan!['QUERY PLAN'][0].Plan;
        const blocks = root['Shared Hit Blocks']! + root['Shared Read Blocks']!;
        expect(blocks, `${text}, run ${run}`).toBeLessThan(size!.pages / 4);
      }
    }
    // The search itself, over 10,000 rows, still pages as before.
    expect(await names({ text: '规模组织1234' })).toEqual(['规模组织1234']);
    // 10,000 inserts and 35 EXPLAIN ANALYZE: more than the default 30 s on a loaded machine.
  }, 120_000);
});
