import { readFileSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { parseRegionCsv } from '../regions/region-csv.js';
import { RegionService } from '../regions/region.service.js';
import { CategoryService } from '../categories/category.service.js';
import { announceReferenceChange } from './reference-cache.js';

const SHANDONG_CSV = new URL('../regions/data/shandong.csv', import.meta.url);

/**
 * Loads the reference data every installation needs (Shandong's divisions, the service taxonomy).
 * Idempotent: safe on every start, and it never removes rows that an admin imported.
 */
export async function loadReferenceData(orm: MikroORM): Promise<void> {
  const rows = parseRegionCsv(readFileSync(SHANDONG_CSV, 'utf8'), 'shandong.csv');
  await orm.em.fork().transactional(async (em) => {
    await new RegionService().importRows(em, rows);
    await new CategoryService().seed(em);
    await announceReferenceChange(em);
  });
}
