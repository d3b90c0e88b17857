/**
 * Scale data for the measuring scripts, made by the one demo generator (`src/seed`, as `npm run
 * seed` and the bench make theirs), and the accounts and rows the measurements act as or on.
 *
 * @module
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { DEMO_USERS, seedDemo, type SeedReport } from '../../src/seed/index.js';
import type { Sql } from './scratch.js';

/** Sizes of the generated data. */
export interface ScaleOptions {
  demands: number;
  organizations: number;
  projects: number;
}

/** What the measurements act as and on. */
export interface ScaleFixture {
  /** The demo organization admin: ORG_ADMIN of the showcase organization (Lixia, Jinan; LIFE.CHILDCARE among its categories). */
  viewerUserId: number;
  organizationId: number;
  /** The newest OPEN LIFE.CHILDCARE need in Jinan, to rank organizations for. */
  demandId: number;
  /** The demo ADMIN. */
  adminUserId: number;
  /** The demo UNION_STAFF member of 济南市总工会 (scoped to Jinan, 370100). */
  unionStaffUserId: number;
  /** The publisher with the most projects. */
  busiestPublisherId: number;
  report: SeedReport;
}

/** Generates `options` with seed 1 and the demo accounts, ANALYZEs, and finds the fixture's rows. */
export async function generateScaleData(
  orm: MikroORM,
  sql: Sql,
  options: ScaleOptions,
): Promise<ScaleFixture> {
  const report = await seedDemo(orm, { ...options, seed: 1, demoAccounts: true });
  const idOf = async (email: string | undefined): Promise<number> => {
    const [row] = await sql<{ id: string }>('select id from app_user where email = $1', [email]);
    if (!row) throw new Error(`the generator made no account ${email}`);
    return Number(row.id);
  };
  const [admin, unionStaff, orgAdmin] = DEMO_USERS;
  const viewerUserId = await idOf(orgAdmin?.email);
  const [organization] = await sql<{ id: string }>(
    `select organization_id as id from organization_member where user_id = $1 and role = 'ORG_ADMIN'
      order by organization_id limit 1`,
    [viewerUserId],
  );
  const [demand] = await sql<{ id: string }>(
    `select id from demand where status = 'OPEN' and category_path @> '{LIFE.CHILDCARE}'
        and region_path @> '{370100}' order by created_at desc, id desc limit 1`,
  );
  const [busiest] = await sql<{ id: string }>(
    `select publisher_id as id from project group by publisher_id order by count(*) desc, publisher_id limit 1`,
  );
  if (!organization || !demand) throw new Error('the generated data has no showcase organization or need');
  await sql('analyze');
  return {
    viewerUserId,
    organizationId: Number(organization.id),
    demandId: Number(demand.id),
    adminUserId: await idOf(admin?.email),
    unionStaffUserId: await idOf(unionStaff?.email),
    busiestPublisherId: Number(busiest?.id ?? 0),
    report,
  };
}
