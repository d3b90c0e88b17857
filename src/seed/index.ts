/**
 * Demo data for Niudai: `seedDemo` fills a migrated hub database with organizations, services, hubs,
 * workers' needs, publishers, projects and applications, deterministically for a seed and
 * idempotently (a second run with the same options creates nothing), in batched set-based
 * statements so that 10,000 organizations and 1,000,000 needs take minutes. `npm run seed` and the
 * benchmarks call it.
 *
 * What "the same thing" means, per kind of row:
 * - organizations: their credit code (a function of seed and index);
 * - accounts: their email (`s<seed>.<role><n>@seed.niudai.example`);
 * - publishers: kind, name and region;
 * - needs and projects: their position — those submitted or created by the seed's accounts are
 *   counted, and only the missing positions are generated, so an interrupted run resumes.
 *
 * Rows are written straight to the tables (no audit entries, no outbox events): the demo is history,
 * not a stream of live changes.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../core/passwords.js';
import { Role } from '../core/roles.js';
import { MemberRole } from '../modules/organizations/organization.enums.js';
import {
  DEMO_PASSWORD,
  DEMO_USERS,
  ensureUsers,
  seedEmail,
  seedEmailPattern,
  type UserDraft,
} from './accounts.js';
import { DEMANDS_PER_WORKER, makeDemand, writeDemands, type ClaimingOrganization } from './demands.js';
import { DEMAND_ROLLUP_REBUILD } from '../modules/reports/demand-rollups.js';
import { linkHubMembers, refreshRatings } from './post-passes.js';
import { makeOrganization, MAX_ORGANIZATIONS, MAX_SEED, writeOrganizations } from './organizations.js';
import { makeProject, writeProjects } from './projects.js';
import { ensurePublishers, publisherDrafts } from './publishers.js';
import { Random } from './random.js';
import { GIVEN_CHARS, SURNAMES } from './vocabulary.js';
import { loadWorld } from './world.js';

export { loadWorld, SeedWorldError } from './world.js';
export { makeOrganization, seedCreditCode } from './organizations.js';
export { makeDemand } from './demands.js';
export { DEMO_PASSWORD, DEMO_USERS } from './accounts.js';

/** What to generate. */
export interface SeedOptions {
  /** How many organizations the seed should own (default 200). */
  organizations: number;
  /** How many workers' needs the seed should own (default 2,000). */
  demands: number;
  /** How many projects the seed should own (default 40). */
  projects: number;
  /**
   * At least this many worker accounts (default: as many as submit the needs, one per
   * {@link DEMANDS_PER_WORKER}); more give a benchmark a population to notify or subscribe.
   */
  workers?: number;
  /** The seed: the same seed gives the same data (default 1). */
  seed: number;
  /** Create the demo accounts with the known {@link DEMO_PASSWORD} (development only). */
  demoAccounts: boolean;
  /** The clock dates are generated against (default: now). */
  now?: Date;
  /** Rows per statement and transaction for needs (default 5,000). */
  batchSize?: number;
  /** The hub's demand limits, so generated claims and expiries agree with its sweep. */
  limits?: { demandMaxOpenClaims: number; demandExpiryDays: number; demandClaimLapseHours: number };
}

/** Defaults of {@link SeedOptions} for the CLI. */
export const SEED_DEFAULTS = { organizations: 200, demands: 2000, projects: 40, seed: 1 } as const;

/** A phase of the run, for progress reports. */
export type SeedPhase = 'accounts' | 'organizations' | 'hubs' | 'workers' | 'demands' | 'projects';

/** Progress: `done` of `total` items of `phase` (items skipped as already present count as done). */
export interface SeedProgress {
  phase: SeedPhase;
  done: number;
  total: number;
}

/** What a run did. */
export interface SeedReport {
  /** Rows this run inserted. */
  created: { organizations: number; demands: number; projects: number };
  /** What the seed owns now. */
  totals: { organizations: number; demands: number; projects: number; applications: number; hubs: number };
  /** Seconds per phase. */
  seconds: Partial<Record<SeedPhase, number>>;
  /** The demo accounts, when created. */
  demoAccounts: { email: string; password: string; description: string }[];
}

/** Thrown for options out of range. */
export class SeedOptionsError extends Error {}

function checkOptions(options: SeedOptions): void {
  const problems: string[] = [];
  const count = (name: string, value: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < 0 || value > max)
      problems.push(`${name} must be an integer from 0 to ${max}, got ${value}`);
  };
  count('organizations', options.organizations, MAX_ORGANIZATIONS - 1);
  count('demands', options.demands, 100_000_000);
  count('projects', options.projects, 1_000_000);
  count('workers', options.workers ?? 0, 10_000_000);
  count('seed', options.seed, MAX_SEED);
  if (options.demands > 0 && options.organizations === 0)
    problems.push('needs require at least one organization');
  if (problems.length) throw new SeedOptionsError(problems.join('; '));
}

/**
 * Generates the demo into a migrated hub database with reference data loaded.
 *
 * @param target - the hub's MikroORM instance, or a knex connection to its database
 * @param options - sizes, seed and whether to create demo accounts
 * @param onProgress - called after each batch
 * @returns what was created and what the seed owns
 * @throws SeedOptionsError for options out of range; SeedWorldError without reference data
 */
export async function seedDemo(
  target: MikroORM | Knex,
  options: SeedOptions,
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<SeedReport> {
  checkOptions(options);
  const knex: Knex = 'em' in target ? target.em.getConnection().getKnex() : target;
  const { seed } = options;
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 5000;
  const limits = options.limits ?? {
    demandMaxOpenClaims: 20,
    demandExpiryDays: 60,
    demandClaimLapseHours: 14 * 24,
  };
  const seconds: SeedReport['seconds'] = {};
  const timed = async <T>(phase: SeedPhase, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[phase] = Math.round(performance.now() - start) / 1000;
    }
  };

  const world = await loadWorld(knex);
  // Generated accounts share one hash of a password nobody knows: they exist to own data, not to sign in.
  const hash = await hashPassword(randomBytes(24).toString('base64url'));
  const users = (db: Knex, drafts: readonly UserDraft[]) => ensureUsers(db, drafts, hash);

  const publishers = await timed('accounts', () =>
    knex.transaction((trx) => ensurePublishers(trx, publisherDrafts(world, seed), users)),
  );
  onProgress({ phase: 'accounts', done: publishers.length, total: publishers.length });
  const unionStaffByRegion = new Map(
    publishers
      .filter((p) => p.staff.roles.includes(Role.UNION_STAFF))
      .map((p) => [p.regionCode, p.staffId] as const),
  );

  // Organizations, in batches of 500 (each with services, an admin and a membership).
  let createdOrganizations = 0;
  await timed('organizations', async () => {
    for (let start = 0; start < options.organizations; start += 500) {
      const end = Math.min(start + 500, options.organizations);
      const drafts = Array.from({ length: end - start }, (_, i) =>
        makeOrganization(world, seed, start + i, now),
      );
      createdOrganizations += await knex.transaction((trx) =>
        writeOrganizations(trx, seed, drafts, { overseerByRegion: unionStaffByRegion, ensureUsers: users }),
      );
      onProgress({ phase: 'organizations', done: end, total: options.organizations });
    }
  });
  await timed('hubs', () => knex.transaction((trx) => linkHubMembers(trx, seed, world.province.code)));

  const seedUsers = knex('app_user').select('id').whereLike('email', seedEmailPattern(seed));
  const organizations = await loadClaimingOrganizations(knex, seed);

  // Needs: only the missing positions, in batches, each in its own transaction (an interrupted run resumes).
  const existingDemands = await countWhere(knex, 'demand', 'submitted_by_id', seedUsers);
  let createdDemands = 0;
  const missingDemands = existingDemands < options.demands;
  const workerCount = Math.max(
    options.workers ?? 0,
    options.demands > 0 ? Math.floor((options.demands - 1) / DEMANDS_PER_WORKER) + 1 : 0,
  );
  // Workers are ensured when needs are missing or more of them are asked for (both idempotent).
  const workerIds =
    missingDemands || (options.workers ?? 0) > 0
      ? await timed('workers', async () => {
          const drafts = Array.from({ length: workerCount }, (_, k) => workerDraft(seed, k));
          const ids = await knex.transaction((trx) => users(trx, drafts));
          onProgress({ phase: 'workers', done: workerCount, total: workerCount });
          return drafts.map((d) => ids.get(d.email) ?? 0);
        })
      : [];
  if (missingDemands) {
    const activeClaims = await loadActiveClaims(knex);
    const context = {
      world,
      seed,
      now,
      workerIds,
      unionStaffByRegion,
      verifiedOrganizations: organizations,
      activeClaims,
      maxOpenClaims: limits.demandMaxOpenClaims,
      expiryDays: limits.demandExpiryDays,
      claimLapseHours: limits.demandClaimLapseHours,
    };
    await timed('demands', async () => {
      for (let start = existingDemands; start < options.demands; start += batchSize) {
        const end = Math.min(start + batchSize, options.demands);
        const drafts = Array.from({ length: end - start }, (_, j) => makeDemand(context, start + j));
        await knex.transaction((trx) => writeDemands(trx, drafts));
        createdDemands += drafts.length;
        onProgress({ phase: 'demands', done: end, total: options.demands });
      }
      await refreshRatings(knex);
      // The report rollups counted once, rather than folding a delta row per demand and cell.
      await knex.transaction(async (trx) => {
        for (const sql of DEMAND_ROLLUP_REBUILD) await trx.raw(sql);
      });
    });
  }

  // Projects: positions not yet created by the seed's publisher staff.
  const staffIds = publishers.map((p) => p.staffId);
  const existingProjects = await countWhere(knex, 'project', 'created_by_id', staffIds);
  let createdProjects = 0;
  await timed('projects', async () => {
    for (let start = existingProjects; start < options.projects; start += 200) {
      const end = Math.min(start + 200, options.projects);
      const drafts = Array.from({ length: end - start }, (_, k) =>
        makeProject(world, seed, start + k, now, publishers, organizations),
      );
      await knex.transaction((trx) => writeProjects(trx, drafts));
      createdProjects += drafts.length;
      onProgress({ phase: 'projects', done: end, total: options.projects });
    }
  });

  const demoAccounts = options.demoAccounts ? await createDemoAccounts(knex, seed, publishers) : [];
  return {
    created: { organizations: createdOrganizations, demands: createdDemands, projects: createdProjects },
    totals: await seedTotals(knex, seed, staffIds),
    seconds,
    demoAccounts,
  };
}

function workerDraft(seed: number, k: number): UserDraft {
  const rnd = new Random(seed, 'worker', k);
  return {
    email: seedEmail(seed, `worker${k}`),
    display_name: rnd.pick(SURNAMES) + rnd.pick(GIVEN_CHARS) + (rnd.chance(0.6) ? rnd.pick(GIVEN_CHARS) : ''),
    roles: [Role.WORKER],
    region_scope_code: null,
  };
}

async function countWhere(
  knex: Knex,
  table: string,
  column: string,
  values: Knex.QueryBuilder | readonly number[],
): Promise<number> {
  const [row] = await knex(table)
    .count<{ n: string }[]>({ n: '*' })
    .whereIn(column, values as Knex.QueryBuilder);
  return Number(row?.n ?? 0);
}

/** The seed's verified organizations (those whose admin is the seed's account), in credit-code order. */
async function loadClaimingOrganizations(knex: Knex, seed: number): Promise<ClaimingOrganization[]> {
  const { rows } = (await knex.raw(
    `select o.id, o.name, o.region_codes, o.category_codes, o.target_groups, o.grade, o.founding_type,
            min(m.user_id) as admin_id
       from organization o
       join organization_member m on m.organization_id = o.id and m.role = ?
       join app_user u on u.id = m.user_id and u.email like ?
      where o.verification_status = 'VERIFIED'
      group by o.id
      order by o.credit_code`,
    [MemberRole.ORG_ADMIN, seedEmailPattern(seed)],
  )) as {
    rows: {
      id: string;
      name: string;
      region_codes: string[];
      category_codes: string[];
      target_groups: string[];
      grade: string;
      founding_type: string;
      admin_id: string | null;
    }[];
  };
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    regionCodes: r.region_codes,
    categoryCodes: r.category_codes,
    targetGroups: r.target_groups,
    grade: r.grade,
    foundingType: r.founding_type,
    adminId: r.admin_id === null ? null : Number(r.admin_id),
  }));
}

async function loadActiveClaims(knex: Knex): Promise<Map<number, number>> {
  const rows = await knex('demand')
    .select<{ claimed_by_id: string; n: string }[]>('claimed_by_id', knex.raw('count(*) as n'))
    .whereIn('status', ['CLAIMED', 'IN_SERVICE'])
    .whereNotNull('claimed_by_id')
    .groupBy('claimed_by_id');
  return new Map(rows.map((r) => [Number(r.claimed_by_id), Number(r.n)] as const));
}

async function seedTotals(
  knex: Knex,
  seed: number,
  staffIds: readonly number[],
): Promise<SeedReport['totals']> {
  const { rows } = (await knex.raw(
    `with seed_users as (select id from app_user where email like ?),
          seed_orgs as (select distinct m.organization_id as id from organization_member m
                          join seed_users u on u.id = m.user_id where m.role = 'ORG_ADMIN'),
          seed_projects as (select id from project where created_by_id = any(?::bigint[]))
     select (select count(*) from seed_orgs)::int as organizations,
            (select count(*) from organization o join seed_orgs s on s.id = o.id where o.is_hub)::int as hubs,
            (select count(*) from demand where submitted_by_id in (select id from seed_users))::int as demands,
            (select count(*) from seed_projects)::int as projects,
            (select count(*) from project_application where project_id in (select id from seed_projects))::int
              as applications`,
    [seedEmailPattern(seed), [...staffIds]],
  )) as { rows: SeedReport['totals'][] };
  return rows[0] ?? { organizations: 0, demands: 0, projects: 0, applications: 0, hubs: 0 };
}

/**
 * The demo accounts with the known password: existing ones are left as they are (their password
 * included). The organization admin manages the seed's first (showcase) organization; the union
 * staff member works for 济南市总工会.
 */
async function createDemoAccounts(
  knex: Knex,
  seed: number,
  publishers: readonly { regionCode: string; id: number; staff: UserDraft }[],
): Promise<SeedReport['demoAccounts']> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await knex.transaction(async (trx) => {
    const ids = await ensureUsers(trx, DEMO_USERS, hash);
    const orgAdmin = ids.get(DEMO_USERS[2]?.email ?? '');
    const showcase = await trx('organization_member as m')
      .join('app_user as u', 'u.id', 'm.user_id')
      .where('u.email', seedEmail(seed, 'org0'))
      .first<{ organization_id: string } | undefined>('m.organization_id');
    if (orgAdmin && showcase)
      await trx('organization_member')
        .insert({ organization_id: showcase.organization_id, user_id: orgAdmin, role: MemberRole.ORG_ADMIN })
        .onConflict(['organization_id', 'user_id'])
        .ignore();
    const union = ids.get(DEMO_USERS[1]?.email ?? '');
    const jinan = publishers.find(
      (p) => p.regionCode === '370100' && p.staff.roles.includes(Role.UNION_STAFF),
    );
    if (union && jinan)
      await trx('publisher_staff')
        .insert({ publisher_id: jinan.id, user_id: union })
        .onConflict('user_id')
        .ignore();
  });
  return DEMO_USERS.map((u) => ({ email: u.email, password: DEMO_PASSWORD, description: u.description }));
}
