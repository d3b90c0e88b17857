/**
 * The reference data the generator draws from — regions and service categories as the database
 * holds them (so regions an admin imported are used too) — in the shapes the generators need.
 *
 * @module
 */
import type { Knex } from '@mikro-orm/postgresql';
import type { Random } from './random.js';
import { CITY_WEIGHTS } from './vocabulary.js';

/** A region as the generator uses it. */
export interface SeedRegion {
  code: string;
  name: string;
  /** Codes from the province down to this region. */
  path: readonly string[];
}

/** A city with its districts and counties. */
export interface SeedCity extends SeedRegion {
  districts: readonly SeedRegion[];
  /** Relative share of organizations and needs. */
  weight: number;
}

/** A service category as the generator uses it. */
export interface SeedCategory {
  code: string;
  name: string;
  /** Codes from the top level down to this category. */
  path: readonly string[];
}

/** Everything the generators read; built once per run by {@link loadWorld}. */
export interface SeedWorld {
  province: SeedRegion;
  cities: readonly SeedCity[];
  /** Every region by code. */
  regions: ReadonlyMap<string, SeedRegion>;
  /** Categories without children: what services and needs are filed under. */
  leafCategories: readonly SeedCategory[];
  /** Every category by code. */
  categories: ReadonlyMap<string, SeedCategory>;
}

/** Thrown when the database lacks the reference data the generator needs. */
export class SeedWorldError extends Error {}

/**
 * Reads regions and categories. Only Shandong (370000) is used: the demo names, phone area codes and
 * weights are Shandong's.
 *
 * @param knex - a connection to the hub's database, with reference data loaded
 * @throws SeedWorldError if Shandong or the category taxonomy is missing
 */
export async function loadWorld(knex: Knex): Promise<SeedWorld> {
  const regionRows = await knex('region')
    .select<{ code: string; name: string; path: string[] }[]>('code', 'name', 'path')
    .orderBy('code');
  const categoryRows = await knex('service_category')
    .select<{ code: string; name: string; path: string[] }[]>('code', 'name', 'path')
    .orderBy(['sort_order', 'code']);
  const regions = new Map(regionRows.map((r) => [r.code, r] as const));
  const province = regions.get('370000');
  if (!province)
    throw new SeedWorldError('Region 370000 (Shandong) is missing: load the reference data first.');
  const cities: SeedCity[] = regionRows
    .filter((r) => r.path.length === 2 && r.path[0] === province.code)
    .map((city) => ({
      ...city,
      districts: regionRows.filter((r) => r.path.length === 3 && r.path[1] === city.code),
      weight: CITY_WEIGHTS[city.code] ?? 3,
    }));
  if (cities.length === 0) throw new SeedWorldError('Shandong has no cities in the region table.');
  const categories = new Map(categoryRows.map((c) => [c.code, c] as const));
  const parents = new Set(categoryRows.flatMap((c) => c.path.slice(0, -1)));
  const leafCategories = categoryRows.filter((c) => !parents.has(c.code));
  if (leafCategories.length === 0) throw new SeedWorldError('The service category taxonomy is empty.');
  return { province, cities, regions, leafCategories, categories };
}

/** A city chosen by weight. */
export function pickCity(world: SeedWorld, rnd: Random): SeedCity {
  return rnd.weighted(world.cities.map((c) => [c, c.weight] as const));
}
