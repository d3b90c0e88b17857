import type { Options } from '@mikro-orm/core';
import { MikroORM, type PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { ormOptions } from './orm-config.js';

/** Connects MikroORM to `url` (no schema changes: migrations do that). */
export async function connectOrm(
  url: string,
  log?: Pick<Logger, 'debug'>,
  overrides: Partial<Options<PostgreSqlDriver>> = {},
): Promise<MikroORM> {
  return MikroORM.init(
    ormOptions(url, {
      logger: (message) => log?.debug({ sql: message }, 'sql'),
      ...overrides,
    }),
  );
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** Names of migrations not yet applied (for /readyz). */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
