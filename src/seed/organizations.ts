/**
 * Demo organizations: a pure generator (organization i of seed s is always the same) and the batch
 * writer that inserts the new ones with their services and admins.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { TargetGroup } from '../modules/categories/target-group.js';
import { makeCreditCode } from '../modules/organizations/credit-code.js';
import {
  EvaluationGrade,
  FoundingType,
  MemberRole,
  OrganizationKind,
  ServiceFee,
  ServiceMode,
  ServiceStatus,
  VerificationStatus,
} from '../modules/organizations/organization.enums.js';
import { buildSearchText } from '../modules/organizations/search-text.js';
import { Random } from './random.js';
import { insertRows, type ColumnSpec } from './sql.js';
import {
  AGENCY_SUFFIXES,
  AREA_CODES,
  BRAND_WORDS,
  CATEGORY_THEMES,
  GENERIC_THEME,
  GROUP_SUFFIXES,
  type CategoryTheme,
} from './vocabulary.js';
import { pickCity, type SeedCity, type SeedRegion, type SeedWorld } from './world.js';
import { seedEmail, type UserDraft } from './accounts.js';

const DAY_MS = 86_400_000;
/** 31^9: the number of distinct 9-character credit-code bodies. */
const BODY_SPACE = 31n ** 9n;
/** Organizations per seed the credit-code serials leave room for. */
export const MAX_ORGANIZATIONS = 10_000_000;
/** Largest `--seed`: seed × MAX_ORGANIZATIONS must stay inside the body space. */
export const MAX_SEED = 1_000_000;

/** A service of a generated organization. */
export interface ServiceDraft {
  name: string;
  description: string;
  category_codes: string[];
  region_codes: string[];
  target_groups: TargetGroup[];
  mode: ServiceMode;
  fee: ServiceFee;
  monthly_capacity: number;
  status: ServiceStatus;
}

/** A generated organization, keyed like the `organization` table's columns. */
export interface OrganizationDraft {
  index: number;
  name: string;
  credit_code: string;
  kind: OrganizationKind;
  founding_type: FoundingType;
  home_region_code: string;
  region_codes: string[];
  category_codes: string[];
  target_groups: TargetGroup[];
  description: string;
  public_contact: string;
  brand_name: string | null;
  brand_description: string | null;
  brand_since: string | null;
  grade: EvaluationGrade;
  grade_valid_until: string | null;
  verification_status: VerificationStatus;
  verification_reason: string | null;
  verification_decided_at: string | null;
  is_hub: boolean;
  search_text: string;
  created_at: string;
  services: ServiceDraft[];
  /** The city (or province) whose union staff decided on it. */
  overseeingRegionCode: string;
}

/** Hand-written organizations that always come first, so a small demo has recognisable names. */
const SHOWCASE: readonly {
  name: string;
  kind: OrganizationKind;
  foundingType: FoundingType;
  home: string;
  regionCodes: string[];
  categoryCodes: string[];
  status: VerificationStatus;
  grade: EvaluationGrade;
  isHub: boolean;
  brand: string | null;
}[] = [
  {
    name: '济南市历下区阳光社会工作服务中心',
    kind: OrganizationKind.SOCIAL_SERVICE_AGENCY,
    foundingType: FoundingType.UNION_INCUBATED,
    home: '370102',
    regionCodes: ['370100'],
    categoryCodes: ['WORK.PSYCHOLOGY', 'LIFE.FAMILY', 'LIFE.CHILDCARE'],
    status: VerificationStatus.VERIFIED,
    grade: EvaluationGrade.GRADE_5A,
    isHub: true,
    brand: '阳光驿站',
  },
  {
    name: '青岛市职工心理健康促进会',
    kind: OrganizationKind.SOCIAL_GROUP,
    foundingType: FoundingType.UNION_FOUNDED,
    home: '370200',
    regionCodes: ['370200'],
    categoryCodes: ['WORK.PSYCHOLOGY'],
    status: VerificationStatus.VERIFIED,
    grade: EvaluationGrade.GRADE_4A,
    isHub: false,
    brand: '心灵港湾',
  },
  {
    name: '山东省职工服务社会组织联合会',
    kind: OrganizationKind.SOCIAL_GROUP,
    foundingType: FoundingType.UNION_FOUNDED,
    home: '370000',
    regionCodes: ['370000'],
    categoryCodes: ['WORK', 'LIFE', 'UNION_SUPPORT'],
    status: VerificationStatus.VERIFIED,
    grade: EvaluationGrade.GRADE_5A,
    isHub: true,
    brand: null,
  },
  {
    name: '淄博市张店区春晖托育服务中心',
    kind: OrganizationKind.SOCIAL_SERVICE_AGENCY,
    foundingType: FoundingType.INDEPENDENT,
    home: '370303',
    regionCodes: ['370303'],
    categoryCodes: ['LIFE.CHILDCARE'],
    status: VerificationStatus.PENDING,
    grade: EvaluationGrade.NONE,
    isHub: false,
    brand: null,
  },
];

const KIND_LABEL: Readonly<Record<OrganizationKind, string>> = {
  [OrganizationKind.SOCIAL_GROUP]: '社会团体',
  [OrganizationKind.SOCIAL_SERVICE_AGENCY]: '社会服务机构',
  [OrganizationKind.FOUNDATION]: '基金会',
  [OrganizationKind.OTHER]: '社会组织',
};

const GROUP_LABEL: Readonly<Record<TargetGroup, string>> = {
  [TargetGroup.FEMALE_WORKERS]: '女职工',
  [TargetGroup.DISABLED_WORKERS]: '残疾职工',
  [TargetGroup.MIGRANT_WORKERS]: '农民工',
  [TargetGroup.HARDSHIP_WORKERS]: '困难职工家庭',
  [TargetGroup.NEW_EMPLOYMENT_FORMS]: '新就业形态劳动者',
  [TargetGroup.ALL_WORKERS]: '广大职工',
};

const SPECIFIC_GROUPS = Object.values(TargetGroup).filter((g) => g !== TargetGroup.ALL_WORKERS);

/** The words of a category (its own theme, or its first themed descendant's for a broad one). */
export function themeOf(code: string): CategoryTheme {
  const own = CATEGORY_THEMES[code];
  if (own) return own;
  const child = Object.keys(CATEGORY_THEMES).find((c) => c.startsWith(`${code}.`));
  return child ? (CATEGORY_THEMES[child] ?? GENERIC_THEME) : GENERIC_THEME;
}

/**
 * The credit code of organization `index` in seed `seed`: an affine bijection of
 * `seed × MAX_ORGANIZATIONS + index` over the 31^9 bodies, so codes are unique per (seed, index) and
 * do not look sequential.
 */
export function seedCreditCode(
  seed: number,
  index: number,
  kind: OrganizationKind,
  regionCode: string,
): string {
  const x = BigInt(seed) * BigInt(MAX_ORGANIZATIONS) + BigInt(index);
  const serial = (x * 7_368_787n + 1_000_003n) % BODY_SPACE; // 7,368,787 is prime and not 31
  return makeCreditCode(kind, Number(serial), regionCode);
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Generates organization `index` of seed `seed`. Pure: the same arguments give the same draft.
 *
 * @param world - regions and categories
 * @param seed - the run's seed
 * @param index - 0-based position; the first few are the hand-written showcase organizations
 * @param now - the run's clock, for dates
 */
export function makeOrganization(
  world: SeedWorld,
  seed: number,
  index: number,
  now: Date,
): OrganizationDraft {
  const rnd = new Random(seed, 'org', index);
  const showcase = SHOWCASE[index];
  const city = pickCity(world, rnd);

  const kind =
    showcase?.kind ??
    rnd.weighted([
      [OrganizationKind.SOCIAL_SERVICE_AGENCY, 55],
      [OrganizationKind.SOCIAL_GROUP, 35],
      [OrganizationKind.FOUNDATION, 5],
      [OrganizationKind.OTHER, 5],
    ]);
  const foundingType =
    showcase?.foundingType ??
    rnd.weighted([
      [FoundingType.UNION_FOUNDED, 25],
      [FoundingType.UNION_INCUBATED, 30],
      [FoundingType.INDEPENDENT, 45],
    ]);
  const status =
    showcase?.status ??
    rnd.weighted([
      [VerificationStatus.VERIFIED, 75],
      [VerificationStatus.PENDING, 20],
      [VerificationStatus.SUSPENDED, 5],
    ]);
  const verified = status === VerificationStatus.VERIFIED;

  // Where it is: mostly a district; some city-level; a few provincial.
  const district: SeedRegion | null =
    city.districts.length > 0 && rnd.chance(0.8) ? rnd.pick(city.districts) : null;
  let home: SeedRegion = district ?? city;
  if (showcase) home = world.regions.get(showcase.home) ?? home;
  const homeCity = world.cities.find((c) => c.code === home.path[1]) ?? null;
  const regionCodes = showcase?.regionCodes ?? servedRegions(rnd, city, district);

  const isHub = showcase?.isHub ?? (verified && kind === OrganizationKind.SOCIAL_GROUP && rnd.chance(0.12));
  const categoryCodes = showcase?.categoryCodes ?? chooseCategories(world, rnd, isHub);
  const primary = themeOf(categoryCodes[0] ?? '');
  const targetGroups: TargetGroup[] = rnd.chance(0.55)
    ? [TargetGroup.ALL_WORKERS]
    : rnd.sample(SPECIFIC_GROUPS, rnd.int(1, 2));

  const brandWord = rnd.pick(BRAND_WORDS);
  const name =
    showcase?.name ?? organizationName(rnd, kind, isHub, homeCity ?? city, district, brandWord, primary);

  const createdMs = now.getTime() - rnd.int(30, 1500) * DAY_MS;
  const registeredYear = new Date(createdMs).getUTCFullYear() - rnd.int(0, 6);
  const hasBrand = showcase ? showcase.brand !== null : verified && rnd.chance(0.35);
  const brandName = hasBrand
    ? (showcase?.brand ?? `${brandWord}${rnd.pick(['驿站', '行动', '计划', '课堂', '伙伴'])}`)
    : null;

  const grade =
    showcase?.grade ??
    (verified
      ? rnd.weighted([
          [EvaluationGrade.NONE, 35],
          [EvaluationGrade.GRADE_1A, 4],
          [EvaluationGrade.GRADE_2A, 10],
          [EvaluationGrade.GRADE_3A, 26],
          [EvaluationGrade.GRADE_4A, foundingType === FoundingType.INDEPENDENT ? 14 : 19],
          [EvaluationGrade.GRADE_5A, foundingType === FoundingType.INDEPENDENT ? 5 : 8],
        ])
      : EvaluationGrade.NONE);
  const decidedMs = createdMs + rnd.int(2, 25) * DAY_MS;

  const description =
    `${name}成立于${registeredYear}年，是经${homeCity?.name ?? world.province.name}民政部门登记的${KIND_LABEL[kind]}，` +
    `主要面向${targetGroups.map((g) => GROUP_LABEL[g]).join('、')}，提供` +
    `${categoryCodes.map((c) => world.categories.get(c)?.name ?? c).join('、')}等服务。`;

  const services = makeServices(rnd, world, categoryCodes, regionCodes, targetGroups);
  const creditCode = seedCreditCode(seed, index, kind, homeCity?.code ?? world.province.code);
  const draft: Omit<OrganizationDraft, 'search_text'> = {
    index,
    name,
    credit_code: creditCode,
    kind,
    founding_type: foundingType,
    home_region_code: home.code,
    region_codes: regionCodes,
    category_codes: categoryCodes,
    target_groups: targetGroups,
    description,
    public_contact: `${AREA_CODES[homeCity?.code ?? ''] ?? '0531'}-${rnd.int(5, 8)}${String(rnd.int(0, 9_999_999)).padStart(7, '0')}`,
    brand_name: brandName,
    brand_description: brandName
      ? `「${brandName}」是${name}打造的一组织一品牌项目，已持续服务职工${rnd.int(1, 8)}年。`
      : null,
    brand_since: brandName ? isoDate(createdMs + rnd.int(30, 400) * DAY_MS) : null,
    grade,
    grade_valid_until: grade === EvaluationGrade.NONE ? null : isoDate(decidedMs + 5 * 365 * DAY_MS),
    verification_status: status,
    verification_reason:
      status === VerificationStatus.VERIFIED
        ? '登记证书与统一社会信用代码核验一致'
        : status === VerificationStatus.SUSPENDED
          ? rnd.pick(['未按期参加年度检查', '服务对象投诉核查中', '登记证书已过有效期'])
          : null,
    verification_decided_at: status === VerificationStatus.PENDING ? null : new Date(decidedMs).toISOString(),
    is_hub: isHub,
    created_at: new Date(createdMs).toISOString(),
    services,
    overseeingRegionCode: homeCity?.code ?? world.province.code,
  };
  return { ...draft, search_text: buildSearchText(draft, services) };
}

function servedRegions(rnd: Random, city: SeedCity, district: SeedRegion | null): string[] {
  if (!district) return rnd.chance(0.03) ? ['370000'] : [city.code];
  if (rnd.chance(0.25)) return [city.code];
  const others = city.districts.filter((d) => d.code !== district.code);
  return others.length > 0 && rnd.chance(0.3) ? [district.code, rnd.pick(others).code] : [district.code];
}

function chooseCategories(world: SeedWorld, rnd: Random, isHub: boolean): string[] {
  const tops = [...new Set(world.leafCategories.map((c) => c.path[0] as string))];
  if (isHub) return rnd.sample(tops, rnd.int(1, 3));
  const first = rnd.pick(world.leafCategories);
  if (rnd.chance(0.08)) return [first.path[0] as string];
  const siblings = world.leafCategories.filter((c) => c.path[0] === first.path[0] && c.code !== first.code);
  const extra =
    rnd.chance(0.7) && siblings.length ? siblings : world.leafCategories.filter((c) => c !== first);
  return [first.code, ...rnd.sample(extra, rnd.int(0, 2)).map((c) => c.code)];
}

function organizationName(
  rnd: Random,
  kind: OrganizationKind,
  isHub: boolean,
  city: SeedCity,
  district: SeedRegion | null,
  brandWord: string,
  theme: CategoryTheme,
): string {
  // A county-level city (海阳市) is named on its own, not after its prefecture (烟台市海阳市).
  const place = district?.name.endsWith('市') ? district.name : city.name + (district?.name ?? '');
  if (isHub) return `${place}${rnd.pick(['职工服务', '公益', ''])}社会组织联合会`;
  switch (kind) {
    case OrganizationKind.SOCIAL_GROUP:
      return `${rnd.chance(0.6) ? city.name : place}${rnd.chance(0.5) ? brandWord : ''}${theme.groupField}${rnd.pick(GROUP_SUFFIXES)}`;
    case OrganizationKind.FOUNDATION:
      return `${city.name}${brandWord}${theme.groupField}基金会`;
    case OrganizationKind.OTHER:
      return `${place}${brandWord}${theme.agencyField}服务站`;
    default:
      return `${place}${brandWord}${theme.agencyField}${rnd.pick(AGENCY_SUFFIXES)}`;
  }
}

function makeServices(
  rnd: Random,
  world: SeedWorld,
  categoryCodes: readonly string[],
  regionCodes: string[],
  targetGroups: TargetGroup[],
): ServiceDraft[] {
  const count = rnd.int(1, 4);
  const services: ServiceDraft[] = [];
  const used = new Set<string>();
  for (let s = 0; s < count; s += 1) {
    let code = rnd.pick(categoryCodes);
    // A broad category's service is filed under one of its leaves.
    const leaves = world.leafCategories.filter((c) => c.path.includes(code));
    if (!world.leafCategories.some((c) => c.code === code) && leaves.length) code = rnd.pick(leaves).code;
    const name = rnd.pick(themeOf(code).services);
    if (used.has(name)) continue;
    used.add(name);
    services.push({
      name,
      description: `${name}：${rnd.pick(['免费预约', '线上线下结合', '常年开展', '按季度开展', '工会资助'])}，${rnd.pick(['由专业社工和志愿者提供', '由持证专业人员提供', '与基层工会合作开展'])}。`,
      category_codes: [code],
      region_codes: regionCodes,
      target_groups: targetGroups,
      mode: rnd.weighted([
        [ServiceMode.ON_SITE, 55],
        [ServiceMode.BOTH, 30],
        [ServiceMode.ONLINE, 15],
      ]),
      fee: rnd.weighted([
        [ServiceFee.FREE, 55],
        [ServiceFee.SUBSIDISED, 30],
        [ServiceFee.PAID, 15],
      ]),
      monthly_capacity: rnd.int(2, 50) * 10,
      status: rnd.chance(0.95) ? ServiceStatus.ACTIVE : ServiceStatus.PAUSED,
    });
  }
  return services;
}

const ORGANIZATION_COLUMNS: readonly ColumnSpec[] = [
  ['name', 'text'],
  ['credit_code', 'text'],
  ['kind', 'text'],
  ['founding_type', 'text'],
  ['home_region_code', 'text'],
  ['region_codes', 'text[]'],
  ['category_codes', 'text[]'],
  ['target_groups', 'text[]'],
  ['description', 'text'],
  ['public_contact', 'text'],
  ['brand_name', 'text'],
  ['brand_description', 'text'],
  ['brand_since', 'date'],
  ['grade', 'text'],
  ['grade_valid_until', 'date'],
  ['verification_status', 'text'],
  ['verification_reason', 'text'],
  ['verification_decided_by_id', 'bigint'],
  ['verification_decided_at', 'timestamptz'],
  ['is_hub', 'boolean'],
  ['search_text', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

const SERVICE_COLUMNS: readonly ColumnSpec[] = [
  ['organization_id', 'bigint'],
  ['name', 'text'],
  ['description', 'text'],
  ['category_codes', 'text[]'],
  ['region_codes', 'text[]'],
  ['target_groups', 'text[]'],
  ['mode', 'text'],
  ['fee', 'text'],
  ['monthly_capacity', 'int'],
  ['status', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

/** The account that registered organization `index` (and is its ORG_ADMIN). */
export function organizationAdmin(
  seed: number,
  index: number,
  rnd = new Random(seed, 'org-admin', index),
): UserDraft {
  return {
    email: seedEmail(seed, `org${index}`),
    display_name: `${rnd.pick(['王', '李', '张', '刘', '陈', '赵'])}${rnd.pick(['老师', '社工', '主任', '秘书长'])}`,
    roles: ['WORKER'],
    region_scope_code: null,
  };
}

/** What {@link writeOrganizations} needs besides the drafts. */
export interface OrganizationWriteContext {
  /** Union staff user id by the region they oversee (cities and the province). */
  overseerByRegion: ReadonlyMap<string, number>;
  /** Inserts accounts (skipping existing emails) and returns their ids by email. */
  ensureUsers: (db: Knex, users: readonly UserDraft[]) => Promise<Map<string, number>>;
}

/**
 * Inserts the drafts whose credit code is not yet registered, with their services, their admin
 * account and its ORG_ADMIN membership. Existing organizations are left untouched.
 *
 * @returns how many organizations were inserted
 */
export async function writeOrganizations(
  db: Knex,
  seed: number,
  drafts: readonly OrganizationDraft[],
  context: OrganizationWriteContext,
): Promise<number> {
  const now = new Date().toISOString();
  const rows = drafts.map((d) => ({
    ...d,
    verification_decided_by_id:
      d.verification_status === VerificationStatus.PENDING
        ? null
        : (context.overseerByRegion.get(d.overseeingRegionCode) ?? null),
    updated_at: now,
  }));
  const inserted = await insertRows<{ id: string; credit_code: string }>(
    db,
    'organization',
    ORGANIZATION_COLUMNS,
    rows,
    {
      onConflict: 'on conflict ("credit_code") do nothing',
      returning: ['id', 'credit_code'],
    },
  );
  if (inserted.length === 0) return 0;
  const idByCode = new Map(inserted.map((r) => [r.credit_code, Number(r.id)] as const));
  const fresh = drafts.filter((d) => idByCode.has(d.credit_code));

  await insertRows(
    db,
    'service',
    SERVICE_COLUMNS,
    fresh.flatMap((d) =>
      d.services.map((s) => ({
        ...s,
        organization_id: idByCode.get(d.credit_code),
        created_at: d.created_at,
        updated_at: now,
      })),
    ),
  );
  const admins = fresh.map((d) => organizationAdmin(seed, d.index));
  const userIds = await context.ensureUsers(db, admins);
  await insertRows(
    db,
    'organization_member',
    [
      ['organization_id', 'bigint'],
      ['user_id', 'bigint'],
      ['role', 'text'],
      ['created_at', 'timestamptz'],
    ],
    fresh.map((d, i) => ({
      organization_id: idByCode.get(d.credit_code),
      user_id: userIds.get(admins[i]?.email ?? ''),
      role: MemberRole.ORG_ADMIN,
      created_at: d.created_at,
    })),
    { onConflict: 'on conflict do nothing' },
  );
  return inserted.length;
}
