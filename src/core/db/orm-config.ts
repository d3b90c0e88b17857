import { DataloaderType, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from '../../entities.js';
import { MIGRATIONS } from '../../../migrations/index.js';

/**
 * The MikroORM options shared by the server, the CLI and the tests. Migrations are listed in
 * `migrations/index.ts` rather than discovered from disk, so that they load the same way under tsx,
 * vitest and the CLI.
 */
export function ormOptions(
  clientUrl: string,
  overrides: Partial<Options<PostgreSqlDriver>> = {},
): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: [...ENTITIES],
    extensions: [Migrator],
    // Batches Reference.load()/collection loads made in the same tick: the GraphQL fields that return
    // relations rely on it to avoid N+1.
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    migrations: {
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList: MIGRATIONS,
      snapshot: true,
      snapshotName: '.snapshot-niudai',
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
    },
    debug: false,
    ...overrides,
  };
}
