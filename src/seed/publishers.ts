/**
 * The bodies that buy services in the demo: the provincial and every city's federation of trade
 * unions, a few government departments and (fictional) enterprises, each with one generated staff
 * account per seed. Union staff also decide on organizations' verification in their city.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import { Role } from '../core/roles.js';
import { PublisherKind } from '../modules/projects/project.enums.js';
import { seedEmail, type UserDraft } from './accounts.js';
import { insertRows } from './sql.js';
import type { SeedWorld } from './world.js';

/** A publisher of the demo, before it is written. */
export interface PublisherDraft {
  kind: PublisherKind;
  name: string;
  regionCode: string;
  /** Its generated staff account. */
  staff: UserDraft;
  /** How often it publishes, relative to the others. */
  weight: number;
}

/** A publisher as written, with its staff account's id. */
export interface SeededPublisher extends PublisherDraft {
  id: number;
  staffId: number;
}

const GOVERNMENT: readonly [string, string][] = [
  ['370100', '人力资源和社会保障局'],
  ['370100', '民政局'],
  ['370200', '人力资源和社会保障局'],
  ['370600', '卫生健康委员会'],
  ['370700', '民政局'],
  ['371300', '人力资源和社会保障局'],
];

const ENTERPRISES: readonly [string, string][] = [
  ['370100', '鲁达重工机械有限公司'],
  ['370200', '海通达物流股份有限公司'],
  ['370300', '齐纺纺织有限公司'],
  ['370900', '东岳精细化工有限公司'],
];

/** The publishers of the demo, unions first (the same list for every seed). */
export function publisherDrafts(world: SeedWorld, seed: number): PublisherDraft[] {
  const unions = [world.province, ...world.cities].map((region): PublisherDraft => ({
    kind: PublisherKind.UNION,
    name: `${region.name}总工会`,
    regionCode: region.code,
    staff: {
      email: seedEmail(seed, `union${region.code}`),
      display_name: `${region.name}总工会工作人员`,
      roles: [Role.UNION_STAFF],
      region_scope_code: region.code,
    },
    weight: region.code === world.province.code ? 4 : 3,
  }));
  const cityName = (code: string) => world.regions.get(code)?.name ?? '';
  const government = GOVERNMENT.filter(([code]) => world.regions.has(code)).map(
    ([code, department], i): PublisherDraft => ({
      kind: PublisherKind.GOVERNMENT,
      name: `${cityName(code)}${department}`,
      regionCode: code,
      staff: {
        email: seedEmail(seed, `gov${i}`),
        display_name: `${cityName(code)}${department}工作人员`,
        roles: [Role.GOV_STAFF],
        region_scope_code: code,
      },
      weight: 1.5,
    }),
  );
  const enterprises = ENTERPRISES.filter(([code]) => world.regions.has(code)).map(
    ([code, name], i): PublisherDraft => ({
      kind: PublisherKind.ENTERPRISE,
      name: `${cityName(code).replace(/市$/, '')}${name}`,
      regionCode: code,
      staff: {
        email: seedEmail(seed, `enterprise${i}`),
        display_name: '企业工会干事',
        roles: [Role.ENTERPRISE_STAFF],
        region_scope_code: null,
      },
      weight: 1,
    }),
  );
  return [...unions, ...government, ...enterprises];
}

/**
 * Finds or creates each publisher (by kind, name and region) and its staff account, and links them.
 *
 * @param ensureUsers - creates missing accounts and returns ids by email
 */
export async function ensurePublishers(
  db: Knex,
  drafts: readonly PublisherDraft[],
  ensureUsers: (db: Knex, users: readonly UserDraft[]) => Promise<Map<string, number>>,
): Promise<SeededPublisher[]> {
  const existing = await db('publisher').select<
    { id: string; kind: string; name: string; region_code: string }[]
  >('id', 'kind', 'name', 'region_code');
  const key = (kind: string, name: string, region: string) => `${kind}|${name}|${region}`;
  const ids = new Map(existing.map((p) => [key(p.kind, p.name, p.region_code), Number(p.id)] as const));
  const missing = drafts.filter((d) => !ids.has(key(d.kind, d.name, d.regionCode)));
  const created = await insertRows<{ id: string; kind: string; name: string; region_code: string }>(
    db,
    'publisher',
    [
      ['kind', 'text'],
      ['name', 'text'],
      ['region_code', 'text'],
    ],
    missing.map((d) => ({ kind: d.kind, name: d.name, region_code: d.regionCode })),
    { returning: ['id', 'kind', 'name', 'region_code'] },
  );
  for (const p of created) ids.set(key(p.kind, p.name, p.region_code), Number(p.id));
  const staffIds = await ensureUsers(
    db,
    drafts.map((d) => d.staff),
  );
  const seeded = drafts.map((d) => ({
    ...d,
    id: ids.get(key(d.kind, d.name, d.regionCode)) ?? 0,
    staffId: staffIds.get(d.staff.email) ?? 0,
  }));
  await insertRows(
    db,
    'publisher_staff',
    [
      ['publisher_id', 'bigint'],
      ['user_id', 'bigint'],
    ],
    seeded.map((p) => ({ publisher_id: p.id, user_id: p.staffId })),
    { onConflict: 'on conflict do nothing' },
  );
  return seeded;
}
