import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureDatabase, withDatabase } from '../../src/core/db/database-url.js';
import { TEMPLATE_DATABASE } from './constants.js';

/**
 * A fresh database copied from the migrated template on the suite's PostgreSQL (global-setup.ts):
 * its URL. Each test file gets its own, so files running side by side never see each other's rows.
 */
export async function scratchDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const database = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await ensureDatabase(adminUrl, database, TEMPLATE_DATABASE);
  return withDatabase(adminUrl, database);
}
