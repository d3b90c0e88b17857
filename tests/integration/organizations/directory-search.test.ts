import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededOrganization } from '../../setup/seed.js';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import { EvaluationGrade, FoundingType } from '../../../src/modules/organizations/organization.enums.js';
import {
  DIRECTORY_PREPARED_SHAPES,
  directoryPageShapes,
} from '../../../src/modules/organizations/directory-search.service.js';

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

  // Text matches are found and ordered in organization_search: the keyset cursor must continue
  // exactly where the page ended, on the gram path (one to three characters) and the trigram path
  // (four or more) alike.
  it.each([
    ['NAME', '组织'],
    ['NEWEST', '组织'],
    ['RATING', '组织'],
    ['NAME', '量组织'],
    ['RELEVANCE', '量组织'],
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

describe('organization_search, the copy text search reads', () => {
  const UPDATE = `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { name } } }`;
  const ADD_SERVICE = `mutation($input: AddServiceInput!) { addService(input: $input) { service { id } } }`;
  const UPDATE_SERVICE = `mutation($input: UpdateServiceInput!) { updateService(input: $input) { service { id } } }`;
  const REMOVE_SERVICE = `mutation($input: RemoveServiceInput!) { removeService(input: $input) { removedServiceId } }`;
  const SUSPEND = `mutation($input: SuspendOrganizationInput!) { suspendOrganization(input: $input) { organization { id } } }`;
  const VERIFY = `mutation($input: VerifyOrganizationInput!) { verifyOrganization(input: $input) { organization { id } } }`;

  /** Organizations whose copy differs from their row in any copied column, or that have none. */
  async function driftedCopies(): Promise<string[]> {
    const columns =
      'verification_status, home_region_code, sponsor_id, hub_id, is_hub, provider_kind, founding_type, grade, ' +
      'rating_score, created_at, name, search_text, region_codes, category_codes, target_groups';
    const gramColumns = columns.replace('search_text, ', '');
    const rows = await t.orm.em.getConnection().execute<{ id: string }[]>(
      `select o.id from organization o left join organization_search s on s.id = o.id
        where s.id is null or (${columns.replace(/(\w+)/g, 's.$1')}) is distinct from (${columns.replace(/(\w+)/g, 'o.$1')})
       union all
       select s.id from organization_search s where not exists (select from organization o where o.id = s.id)
       union all
       select o.id from organization o left join organization_search_gram g on g.id = o.id
        where g.id is null
           or (${gramColumns.replace(/(\w+)/g, 'g.$1')}) is distinct from (${gramColumns.replace(/(\w+)/g, 'o.$1')})
           or g.grams is distinct from directory_text_grams(o.search_text)
       union all
       select g.id from organization_search_gram g where not exists (select from organization o where o.id = g.id)`,
    );
    return rows.map((r) => r.id);
  }

  it('stays exact through renames, descriptions, services, verification and suspension', async () => {
    const admin = await t.seed.admin();
    const worker = await t.seed.worker();
    const org = await t.seed.organization({
      name: '同步检验站',
      description: '初始简介',
      homeRegionCode: '370102',
    });
    const id = toGlobalId('Organization', org.organization.id);
    const ok = async (query: string, input: Record<string, unknown>, token: string) => {
      const res = await t.gql(query, { input }, token);
      expect(res.body.errors).toBeUndefined();
      expect(await driftedCopies()).toEqual([]);
      return res.body.data as Record<string, { service?: { id: string } }>;
    };
    expect(await driftedCopies()).toEqual([]);

    await ok(UPDATE, { organizationId: id, name: '同步核对站' }, org.token);
    expect(await names({ text: '检验' })).toEqual([]);
    expect(await names({ text: '核对站' })).toEqual(['同步核对站']);

    await ok(UPDATE, { organizationId: id, description: '面向新就业形态劳动者的夜间驿站' }, org.token);
    expect(await names({ text: '初始' })).toEqual([]);
    expect(await names({ text: '夜间驿站' })).toEqual(['同步核对站']);

    const added = await ok(
      ADD_SERVICE,
      { organizationId: id, name: '骑手充电桩', categoryCodes: ['LIFE'], mode: 'ON_SITE', fee: 'FREE' },
      org.token,
    );
    expect(await names({ text: '充电' })).toEqual(['同步核对站']);
    const serviceId = added.addService!.service!.id;
    await ok(UPDATE_SERVICE, { serviceId, name: '骑手热饭点' }, org.token);
    expect(await names({ text: '热饭' })).toEqual(['同步核对站']);
    await ok(REMOVE_SERVICE, { serviceId }, org.token);

    // Visibility: a suspended organization leaves a worker's search and comes back when verified.
    await ok(SUSPEND, { organizationId: id, reason: '年检不合格' }, admin.token);
    expect(await names({ text: '核对站' }, worker.token)).toEqual([]);
    expect(await names({ text: '核' }, worker.token)).not.toContain('同步核对站');
    expect(await names({ text: '核对站' }, admin.token)).toEqual(['同步核对站']);
    await ok(VERIFY, { organizationId: id, reason: '整改完成' }, admin.token);
    expect(await names({ text: '核对站' }, worker.token)).toEqual(['同步核对站']);
  });

  it('follows writes made by SQL alone: ratings, hub membership, deletion', async () => {
    const conn = t.orm.em.getConnection();
    const org = await t.seed.organization({ name: '直写评分站' });
    const hub = await t.seed.organization({ name: '直写枢纽', isHub: true });
    await conn.execute('update organization set rating_sum = 9, rating_count = 2, hub_id = ? where id = ?', [
      hub.organization.id,
      org.organization.id,
    ]);
    expect(await driftedCopies()).toEqual([]);
    const [copy] = await conn.execute<{ rating_score: number; hub_id: string }[]>(
      'select rating_score, hub_id from organization_search where id = ?',
      [org.organization.id],
    );
    expect(copy).toEqual({ rating_score: 450, hub_id: String(hub.organization.id) });
    await conn.execute('delete from organization_member where organization_id = ?', [org.organization.id]);
    await conn.execute('delete from organization where id = ?', [org.organization.id]);
    expect(await driftedCopies()).toEqual([]);
    expect(await names({ text: '评分站' })).toEqual([]);
  });
});

describe('text search pages', () => {
  const PAGE = `query($filter: OrganizationFilter, $first: Int, $after: String, $orderBy: OrganizationOrder) {
    organizations(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name description grade foundingType createdAt rating } } } }`;
  // Only columns that organization_search copies: the text search reads no organization row.
  const COPIED_PAGE = PAGE.replace(
    'description grade foundingType createdAt rating',
    'grade foundingType createdAt',
  );
  interface Edge {
    cursor: string;
    node: { name: string };
  }
  interface Page {
    organizations: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] };
  }
  const everyEdge = async (orderBy: string, filter: Record<string, unknown>, first: number, query = PAGE) => {
    const edges: Edge[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: Page = await t.data<Page>(query, { filter, first, after, orderBy });
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

  // A text search orders its matches' keys in organization_search and reads the page's other columns
  // afterwards, for the page's rows only, or none when the copy holds them all (docs/architecture.md,
  // "Directory text search"); the directory without a filter reads them in the statement that
  // orders. Both must list these organizations alike: same order, same columns, same cursors, across
  // page boundaries, on the gram path (one to three characters) and the trigram path.
  it.each([
    ['NAME', '逆序'],
    ['NAME', '逆序机'],
    ['NAME', '逆序机构'],
    ['NEWEST', '逆序'],
    ['NEWEST', '逆序机'],
    ['NEWEST', '逆序机构'],
    ['RATING', '逆序机构'],
  ])(
    'pages a text search by %s for %s as the unfiltered directory lists the same rows',
    async (orderBy, text) => {
      for (const query of [PAGE, COPIED_PAGE]) {
        const expected = (await everyEdge(orderBy, {}, 100, query)).filter((e) =>
          e.node.name.startsWith('逆序机构'),
        );
        expect(expected).toHaveLength(9);
        expect(await everyEdge(orderBy, { text }, 4, query)).toEqual(expected);
      }
    },
  );
});

/** The directory search statement the app runs for `text`, with its parameters, as sent to PostgreSQL. */
async function searchStatement(
  text: string,
  order: { orderBy?: string; after?: string } = {},
): Promise<{ sql: string; bindings: unknown[] }> {
  const knex = t.orm.em.getConnection().getKnex();
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const capture = (query: { sql: string; bindings?: unknown[] }) =>
    void seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', capture);
  try {
    await t.data(
      `query($text: String, $orderBy: OrganizationOrder, $after: String) {
        organizations(first: 20, filter: { text: $text }, orderBy: $orderBy, after: $after) { edges { node { id name } } } }`,
      { text, ...order },
    );
  } finally {
    knex.off('query', capture);
  }
  const found = seen.find((q) => /from organization_search(_gram)? o/.test(q.sql));
  if (!found) throw new Error('no directory search statement was run');
  return found;
}

describe('RELEVANCE order', () => {
  // What RELEVANCE promises (docs/architecture.md, "Directory text search"): a name match first,
  // then the trigram similarity of the whole text (4 places), then the newest id; on every page, as
  // one ordered list. The key is computed once per match: the plan shows similarity() once.
  it.each([
    ['相关度', '甲'],
    ['relevance', '乙'],
  ])(
    'orders %s by name match, then similarity, then id, computing the similarity once',
    async (term, tag) => {
      const texts: [string, string][] = [
        [`${tag}${term}之家`, '社区'],
        [`${tag}泉城${term}服务中心`, '长期为职工提供服务'.repeat(6)],
        [`${tag}泉城工友驿站`, term],
        [`${tag}泉城工友之家`, `关于${term}的介绍${'内容'.repeat(30)}`],
        [`${tag}济南职工书屋`, `${term} ${term} 书屋`],
        [`${tag}历城工友中心`, `${term}之家`],
        [`${tag}历城工友中心`, `${term}之家`],
      ];
      for (const [name, description] of texts) await t.seed.organization({ name, description });
      await t.seed.organization({ name: `${tag}待审${term}`, verified: false });
      const conn = t.orm.em.getConnection();
      const expected = await conn.execute<{ name: string; key: string }[]>(
        `select name, key::text from (select o.name, o.id, ((case when o.name ilike ? then 1 else 0 end)
         + round(similarity(o.search_text, ?)::numeric, 4)) as key
         from organization_search o where o.verification_status = 'VERIFIED' and o.search_text like ?) m
       order by key desc, id desc`,
        [`%${term}%`, term, `%${term}%`],
      );
      expect(expected).toHaveLength(texts.length);
      // Name matches, distinct similarities and a tie broken by id.
      expect(new Set(expected.map((row) => row.key)).size).toBeGreaterThanOrEqual(4);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const res: SearchResult = await t.data<SearchResult>(SEARCH, {
          first: 2,
          after,
          orderBy: 'RELEVANCE',
          filter: { text: term },
        });
        seen.push(...res.organizations.edges.map((e) => e.node.name));
        if (!res.organizations.pageInfo.hasNextPage) break;
        after = res.organizations.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected.map((row) => row.name));
      const first = await t.data<SearchResult>(SEARCH, {
        first: 2,
        orderBy: 'RELEVANCE',
        filter: { text: term },
      });
      for (const order of [{}, { after: first.organizations.pageInfo.endCursor! }]) {
        const statement = await searchStatement(term, { orderBy: 'RELEVANCE', ...order });
        const plan = await conn.execute<unknown[]>(
          `explain (verbose, format json) ${statement.sql.replace(/\$\d+/g, '?')}`,
          statement.bindings,
        );
        expect(JSON.stringify(plan).match(/similarity\(/g), JSON.stringify(order)).toHaveLength(1);
      }
    },
  );
});

describe('the prepared page statement', () => {
  it('sends the text as a parameter, prepares each shape once, and answers the same past the cap', async () => {
    const statement = await searchStatement('托育');
    expect(statement.sql).not.toContain('托育');
    expect(statement.bindings).toContain('托育');
    const shapes = directoryPageShapes();
    const before = shapes.size;
    const filter = { text: '托育', categoryCode: 'LIFE' };
    const prepared = await pageThrough('NAME', filter);
    expect(prepared.seen.length).toBeGreaterThan(0);
    expect(shapes.size).toBeGreaterThan(before);
    const again = shapes.size;
    expect(await pageThrough('NAME', filter)).toEqual(prepared);
    expect(shapes.size).toBe(again); // the same shapes, named once
    // Fill the registry: every shape not named yet now runs unprepared, with the same answers.
    for (let i = shapes.size; i < DIRECTORY_PREPARED_SHAPES; i++) shapes.nameOf(`-- filler ${i}`);
    expect(shapes.nameOf('-- one more')).toBeUndefined();
    const unprepared = { text: '托育', categoryCode: 'LIFE', isHub: false };
    expect(await pageThrough('NAME', unprepared)).toEqual(prepared);
    expect(shapes.size).toBe(DIRECTORY_PREPARED_SHAPES);
  });
});

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
    // Statistics as after a bulk load: ANALYZE but no VACUUM yet, so each GIN index's metapage still
    // counts the few rows it had before (only VACUUM or an index build updates those counters).
    await conn.execute('analyze organization_search');
    // Each statement is held to the size of the search copy it reads.
    const pagesOf = async (table: string) => {
      const [size] = await conn.execute<{ pages: number }[]>(
        `select (pg_relation_size(?) / current_setting('block_size')::int)::int as pages`,
        [table],
      );
      return size!.pages;
    };
    const pages = {
      organization_search: await pagesOf('organization_search'),
      organization_search_gram: await pagesOf('organization_search_gram'),
    };
    // The statements the app itself sends: 4 or more characters use the trigram index, one to three
    // characters (Chinese or not) the gram index, exactly (no LIKE: no text is read); neither reads
    // the whole table.
    // The statement is prepared (docs/architecture.md, "Directory text search"), so after five runs
    // PostgreSQL may keep its generic plan, planned without the text: that plan is checked too.
    type Plan = { 'QUERY PLAN': [{ Plan: Record<string, number> }] }[];
    const blocksOf = (plan: Plan) => {
      const root = plan[0]!['QUERY PLAN'][0].Plan;
      return root['Shared Hit Blocks']! + root['Shared Read Blocks']!;
    };
    for (const text of ['托育服务', 'Legal Aid', '规模组织12', '托育服', 'aid', '托育', '托', 'qz']) {
      const statement = await searchStatement(text);
      expect(statement.sql).not.toMatch(/ilike/i);
      const gramPath = [...text].length <= 3;
      if (gramPath) expect(statement.sql, text).not.toMatch(/ like /i);
      const size = { pages: pages[gramPath ? 'organization_search_gram' : 'organization_search'] };
      expect(statement.sql).toContain(
        gramPath ? 'from organization_search_gram o' : 'from organization_search o',
      );
      const custom = await conn.execute<Plan>(
        `explain (analyze, buffers, format json) ${statement.sql.replace(/\$\d+/g, '?')}`,
        statement.bindings,
      );
      expect(blocksOf(custom), text).toBeLessThan(size.pages / 4);
      const generic = await t.orm.em.fork().transactional(async (em) => {
        const tx = em.getTransactionContext();
        const run = (sql: string, params: unknown[] = []) => conn.execute(sql, params, 'all', tx);
        await run('set local plan_cache_mode = force_generic_plan');
        await run(`prepare directory_generic as ${statement.sql}`);
        const values = statement.bindings.map(() => '?').join(', ');
        const plan = (await run(
          `explain (analyze, buffers, format json) execute directory_generic(${values})`,
          statement.bindings,
        )) as Plan;
        await run('deallocate directory_generic');
        return plan;
      });
      expect(blocksOf(generic), `${text} (generic plan)`).toBeLessThan(size.pages / 4);
    }
    // The search itself, over 10,000 rows, still pages as before.
    expect(await names({ text: '规模组织1234' })).toEqual(['规模组织1234']);
    // 10,000 inserts (each copied by the trigger) and 6 EXPLAIN ANALYZE: more than the default 30 s
    // on a loaded machine.
  }, 120_000);
});
