import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbstractSqlDriver } from '@mikro-orm/postgresql';
import { Migration20261207010000 } from '../../../migrations/Migration20261207010000.js';
import { Migration20261208010000 } from '../../../migrations/Migration20261208010000.js';
import { Migration20261208020000 } from '../../../migrations/Migration20261208020000.js';
import { VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/**
 * The migration that moved text search to `organization_search` fills it from the organizations
 * already there: taken back (its `down`) and run again on a directory written through the app, the
 * copy equals every organization's row, with the search text stored uncompressed, and search finds
 * what it found before (on each text path: two, three and more characters).
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** The migrations from the one that made organization_search to the latest, in the order they ran. */
const MIGRATIONS = [Migration20261207010000, Migration20261208010000, Migration20261208020000];

async function runMigrations(direction: 'up' | 'down'): Promise<void> {
  const em = t.orm.em.fork();
  for (const Class of direction === 'up' ? MIGRATIONS : [...MIGRATIONS].reverse()) {
    const migration = new Class(em.getDriver() as AbstractSqlDriver, t.orm.config);
    await migration[direction]();
    for (const query of migration.getQueries()) await em.execute(query as string);
  }
}

const SEARCH = `query($text: String) { organizations(first: 50, filter: { text: $text }) { edges { node { name } } } }`;
async function names(text: string, token?: string): Promise<string[]> {
  const data = await t.data<{ organizations: { edges: { node: { name: string } }[] } }>(
    SEARCH,
    { text },
    token,
  );
  return data.organizations.edges.map((e) => e.node.name).sort();
}

describe('Migration20261207010000', () => {
  it('fills organization_search from existing organizations, uncompressed', async () => {
    // A text long enough that the organization row stores it pglz-compressed.
    const longDescription = '为新就业形态劳动者提供夜间休息、热饭、充电和法律咨询服务。'.repeat(60);
    await t.seed.organization({ name: '迁移前托育站', services: [{ name: '暑期托管班' }] });
    await t.seed.organization({ name: '迁移前长简介驿站', description: longDescription });
    await t.seed.organization({ name: '迁移前待审机构', status: VerificationStatus.PENDING });
    const admin = await t.seed.admin();
    const before = {
      two: await names('托管'),
      three: await names('迁移前'),
      long: await names('热饭、充电'),
      pending: await names('待审', admin.token),
    };
    expect(before.three).toHaveLength(2);
    expect(before.long).toEqual(['迁移前长简介驿站']);

    // Taken back with every later migration (they redefine its gram function and move its index).
    await runMigrations('down');
    await runMigrations('up');

    const conn = t.orm.em.getConnection();
    const columns =
      'verification_status, home_region_code, sponsor_id, hub_id, is_hub, provider_kind, founding_type, grade, ' +
      'rating_score, created_at, name, search_text, region_codes, category_codes, target_groups';
    const drifted = await conn.execute<{ id: string }[]>(
      `select o.id from organization o left join organization_search s on s.id = o.id
        where s.id is null or (${columns.replace(/(\w+)/g, 's.$1')}) is distinct from (${columns.replace(/(\w+)/g, 'o.$1')})`,
    );
    expect(drifted).toEqual([]);
    const gramColumns = columns.replace('search_text, ', '');
    const gramDrifted = await conn.execute<{ id: string }[]>(
      `select o.id from organization o left join organization_search_gram g on g.id = o.id
        where g.id is null or (${gramColumns.replace(/(\w+)/g, 'g.$1')}) is distinct from (${gramColumns.replace(/(\w+)/g, 'o.$1')})
           or g.grams is distinct from directory_text_grams(o.search_text)`,
    );
    expect(gramDrifted).toEqual([]);
    const [compressed] = await conn.execute<{ inline: number; copy: number }[]>(
      `select (select count(*)::int from organization where pg_column_size(search_text) < octet_length(search_text)) as inline,
              (select count(*)::int from organization_search where pg_column_size(search_text) < octet_length(search_text)) as copy`,
    );
    expect(compressed!.inline).toBeGreaterThan(0);
    expect(compressed!.copy).toBe(0);

    expect({
      two: await names('托管'),
      three: await names('迁移前'),
      long: await names('热饭、充电'),
      pending: await names('待审', admin.token),
    }).toEqual(before);
    expect(await names('待审')).toEqual([]);
  });
});
