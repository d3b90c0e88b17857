/**
 * Demo workers' needs: a pure generator (need j of seed s is always the same, given the same
 * organizations) and the set-based writer. Claimed, in-service and fulfilled needs are generated
 * from the claiming organization's own regions and categories, so every claim is one the matching
 * rules allow; open needs expire in the future, active claims are recent enough not to lapse, and no
 * organization is given more active claims than the hub allows.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { TargetGroup } from '../modules/categories/target-group.js';
import { DemandSource, DemandStatus, DemandUrgency } from '../modules/demands/demand.enums.js';
import { Random } from './random.js';
import { insertRows, type ColumnSpec } from './sql.js';
import { themeOf } from './organizations.js';
import { WORKPLACES } from './vocabulary.js';
import { pickCity, type SeedRegion, type SeedWorld } from './world.js';

const DAY_MS = 86_400_000;
/** Workers: demand j is submitted by one of the first ⌊j / DEMANDS_PER_WORKER⌋ + 1 workers. */
export const DEMANDS_PER_WORKER = 20;

/** A verified organization, as claims and applications need it. */
export interface ClaimingOrganization {
  id: number;
  name: string;
  regionCodes: string[];
  categoryCodes: string[];
  targetGroups: string[];
  grade: string;
  foundingType: string;
  /** Its first ORG_ADMIN, who files its applications; null if it has none. */
  adminId: number | null;
}

/** What the demand generator reads besides the world. */
export interface DemandContext {
  world: SeedWorld;
  seed: number;
  now: Date;
  /** Generated workers' ids; index k is worker k. */
  workerIds: readonly number[];
  /** Union staff ids by city (and province) code, for needs entered from surveys. */
  unionStaffByRegion: ReadonlyMap<string, number>;
  verifiedOrganizations: readonly ClaimingOrganization[];
  /** Active (CLAIMED or IN_SERVICE) claims per organization id; updated as claims are generated. */
  activeClaims: Map<number, number>;
  maxOpenClaims: number;
  expiryDays: number;
  claimLapseHours: number;
}

/** A generated need, keyed like the `demand` table's columns. */
export interface DemandDraft {
  title: string;
  description: string;
  category_code: string;
  category_path: string[];
  region_code: string;
  region_path: string[];
  target_groups: string[];
  urgency: DemandUrgency;
  people_affected: number;
  source: DemandSource;
  submitted_by_id: number;
  anonymous: boolean;
  contact: string | null;
  contact_consent: boolean;
  status: DemandStatus;
  claimed_by_id: number | null;
  claimed_at: string | null;
  last_progress_at: string | null;
  close_reason: string | null;
  rating: number | null;
  rating_comment: string | null;
  rated_at: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

const WHO_BY_GROUP: Readonly<Record<string, readonly string[]>> = {
  [TargetGroup.FEMALE_WORKERS]: ['纺织厂女职工', '商超女营业员', '医院护理人员', '电子厂女工'],
  [TargetGroup.DISABLED_WORKERS]: ['残疾职工', '福利企业残疾职工'],
  [TargetGroup.MIGRANT_WORKERS]: ['建筑工地农民工', '进城务工人员', '园区外来务工人员'],
  [TargetGroup.HARDSHIP_WORKERS]: ['困难职工家庭', '因病致困职工'],
  [TargetGroup.NEW_EMPLOYMENT_FORMS]: ['外卖骑手', '快递小哥', '网约车司机', '货车司机'],
};

const SPECIFIC_GROUPS = Object.keys(WHO_BY_GROUP);

const DETAILS: readonly string[] = [
  '希望在工作日晚上或周末开展',
  '此前向工会反映过，希望能尽快落实',
  '企业职工之家可以提供活动场地',
  '大家都很关心这件事，希望得到专业帮助',
  '希望能长期、定期开展',
  '可以配合做好人员组织工作',
];

const RATING_COMMENTS: readonly string[] = [
  '服务很专业，解决了大问题',
  '社工老师很耐心，感谢工会和社会组织',
  '活动组织得很好，希望多开展',
  '整体不错，时间安排可以再灵活些',
  '响应有点慢，但最后解决了',
];

const CLOSE_REASONS: readonly string[] = [
  '内容与平台服务范围不符',
  '已由企业工会直接解决',
  '信息不全，无法联系',
];

/** A region below `code` where a need can be filed (a city or district, never the province). */
function needRegion(world: SeedWorld, rnd: Random, code: string): SeedRegion {
  const region = world.regions.get(code);
  const city =
    region && region.path.length >= 2
      ? world.cities.find((c) => c.code === region.path[1])
      : pickCity(world, rnd);
  if (region && region.path.length >= 3) return region;
  if (!city) return pickCity(world, rnd);
  return city.districts.length > 0 && rnd.chance(0.85) ? rnd.pick(city.districts) : city;
}

/** A leaf category at or below `code` (itself when it is a leaf). */
function needCategory(world: SeedWorld, rnd: Random, code: string | null) {
  if (code === null) return rnd.pick(world.leafCategories);
  const below = world.leafCategories.filter((c) => c.path.includes(code));
  return below.length > 0 ? rnd.pick(below) : (world.categories.get(code) ?? rnd.pick(world.leafCategories));
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Generates need `index`. Deterministic for the same context; the only state it changes is
 * `context.activeClaims` (so claims respect the cap across a run).
 */
export function makeDemand(context: DemandContext, index: number): DemandDraft {
  const { world, now } = context;
  const rnd = new Random(context.seed, 'demand', index);
  const nowMs = now.getTime();
  let status = rnd.weighted([
    [DemandStatus.OPEN, 55],
    [DemandStatus.CLAIMED, 5],
    [DemandStatus.IN_SERVICE, 7],
    [DemandStatus.FULFILLED, 20],
    [DemandStatus.WITHDRAWN, 3],
    [DemandStatus.EXPIRED, 8],
    [DemandStatus.CLOSED, 2],
  ]);
  const claimed = [DemandStatus.CLAIMED, DemandStatus.IN_SERVICE, DemandStatus.FULFILLED].includes(status);
  const orgs = context.verifiedOrganizations;
  const claimer = claimed && orgs.length > 0 ? rnd.pick(orgs) : null;
  if (claimed && !claimer) status = DemandStatus.OPEN;
  if (claimer && status !== DemandStatus.FULFILLED) {
    const active = context.activeClaims.get(claimer.id) ?? 0;
    if (active >= context.maxOpenClaims) status = DemandStatus.FULFILLED;
    else context.activeClaims.set(claimer.id, active + 1);
  }

  const region = claimer
    ? needRegion(world, rnd, rnd.pick(claimer.regionCodes))
    : needRegion(world, rnd, pickCity(world, rnd).code);
  const category = needCategory(world, rnd, claimer ? rnd.pick(claimer.categoryCodes) : null);
  const orgGroups = claimer?.targetGroups.filter((g) => g !== TargetGroup.ALL_WORKERS) ?? [];
  const group =
    orgGroups.length > 0
      ? rnd.pick(orgGroups)
      : rnd.chance(0.6)
        ? TargetGroup.ALL_WORKERS
        : rnd.pick(SPECIFIC_GROUPS);
  const who = rnd.pick(WHO_BY_GROUP[group] ?? WORKPLACES);
  const template = rnd.pick(themeOf(category.code).demands);
  const place = region.path.length >= 3 && template.startsWith('{who}') && rnd.chance(0.5) ? region.name : '';
  const title = place + template.replace('{who}', who);
  const people = rnd.weighted([
    [1, 30],
    [rnd.int(2, 10), 35],
    [rnd.int(11, 60), 25],
    [rnd.int(61, 500), 10],
  ]);

  const source = rnd.weighted([
    [DemandSource.WORKER, 75],
    [DemandSource.UNION_SURVEY, 20],
    [DemandSource.ENTERPRISE, 5],
  ]);
  const staff =
    source === DemandSource.WORKER
      ? undefined
      : (context.unionStaffByRegion.get(region.path[1] ?? '') ??
        context.unionStaffByRegion.get(world.province.code));
  const submitter =
    staff ??
    context.workerIds[
      rnd.int(0, Math.min(Math.floor(index / DEMANDS_PER_WORKER), context.workerIds.length - 1))
    ];
  const byWorker = staff === undefined;

  // When: open needs are younger than the expiry period, expired ones older; claims are fresh enough not to lapse.
  const expiryMs = context.expiryDays * DAY_MS;
  const ageMs =
    status === DemandStatus.OPEN
      ? rnd.next() * expiryMs * 0.95
      : status === DemandStatus.EXPIRED
        ? expiryMs + rnd.next() * 300 * DAY_MS
        : rnd.next() * 360 * DAY_MS;
  const createdMs = nowMs - ageMs;
  const lapseMs = context.claimLapseHours * 3_600_000;
  let claimedMs: number | null = null;
  let progressMs: number | null = null;
  if (claimer) {
    if (status === DemandStatus.FULFILLED) {
      claimedMs = createdMs + rnd.next() * Math.min(ageMs, 10 * DAY_MS) * 0.5;
      progressMs = claimedMs + rnd.next() * (nowMs - claimedMs);
    } else {
      // An active claim whose last word is older than the lapse period would be released by the sweep.
      progressMs = nowMs - rnd.next() * Math.min(ageMs, lapseMs * 0.8);
      claimedMs = createdMs + rnd.next() * (progressMs - createdMs);
      if (status === DemandStatus.CLAIMED) progressMs = claimedMs;
    }
  }
  const rated = status === DemandStatus.FULFILLED && rnd.chance(0.7);
  const rating = rated
    ? rnd.weighted([
        [5, 50],
        [4, 30],
        [3, 12],
        [2, 5],
        [1, 3],
      ] as const)
    : null;
  const contact =
    byWorker && rnd.chance(0.6)
      ? `1${rnd.pick(['3', '5', '7', '8', '9'])}${String(rnd.int(0, 999_999_999)).padStart(9, '0')}`
      : null;

  return {
    title,
    description: `${title}。涉及职工约${people}人，${rnd.pick(DETAILS)}。`,
    category_code: category.code,
    category_path: [...category.path],
    region_code: region.code,
    region_path: [...region.path],
    target_groups: [group],
    urgency: rnd.weighted([
      [DemandUrgency.LOW, 15],
      [DemandUrgency.NORMAL, 60],
      [DemandUrgency.HIGH, 20],
      [DemandUrgency.URGENT, 5],
    ]),
    people_affected: people,
    source,
    submitted_by_id: submitter ?? 0,
    anonymous: byWorker && rnd.chance(0.1),
    contact,
    contact_consent: contact !== null && rnd.chance(0.5),
    status,
    claimed_by_id: claimer && claimed ? claimer.id : null,
    claimed_at: claimedMs === null ? null : iso(claimedMs),
    last_progress_at: progressMs === null ? null : iso(progressMs),
    close_reason: status === DemandStatus.CLOSED ? rnd.pick(CLOSE_REASONS) : null,
    rating,
    rating_comment: rated && rnd.chance(0.6) ? rnd.pick(RATING_COMMENTS) : null,
    rated_at: rated && progressMs !== null ? iso(progressMs + rnd.next() * (nowMs - progressMs)) : null,
    expires_at: iso(createdMs + expiryMs),
    created_at: iso(createdMs),
    updated_at: iso(progressMs ?? createdMs),
  };
}

const DEMAND_COLUMNS: readonly ColumnSpec[] = [
  ['title', 'text'],
  ['description', 'text'],
  ['category_code', 'text'],
  ['category_path', 'text[]'],
  ['region_code', 'text'],
  ['region_path', 'text[]'],
  ['target_groups', 'text[]'],
  ['urgency', 'text'],
  ['people_affected', 'int'],
  ['source', 'text'],
  ['submitted_by_id', 'bigint'],
  ['anonymous', 'boolean'],
  ['contact', 'text'],
  ['contact_consent', 'boolean'],
  ['status', 'text'],
  ['claimed_by_id', 'bigint'],
  ['claimed_at', 'timestamptz'],
  ['last_progress_at', 'timestamptz'],
  ['close_reason', 'text'],
  ['rating', 'smallint'],
  ['rating_comment', 'text'],
  ['rated_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

/** Inserts generated needs in one statement. */
export async function writeDemands(db: Knex, drafts: readonly DemandDraft[]): Promise<void> {
  await insertRows(db, 'demand', DEMAND_COLUMNS, drafts);
}
