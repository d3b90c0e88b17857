/**
 * What `db:backup` and `db:restore` share: their one argument (a file) and `--force`, the embedded
 * database they act on, and how they end.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../src/core/config.js';
import { DataDirectoryError } from '../../src/core/db/embedded-postgres.js';

/** The parsed command line, or the exit code to stop with (usage printed). */
export function backupArguments(usage: string): { file: string; force: boolean } | number {
  let parsed: { values: { force?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  return { file: path.resolve(parsed.positionals[0]!), force: parsed.values.force === true };
}

/** The configuration, or null (after saying why) when it names an external database. */
export function embeddedConfig(externalAdvice: string): Config | null {
  const config = loadConfig();
  if (config.databaseUrl === null) return config;
  console.error(`DATABASE_URL is set: ${externalAdvice}`);
  return null;
}

/** Runs the command and exits: 2 for bad usage or a refused configuration, 1 for a failure. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof DataDirectoryError) {
        console.error(error.message);
        process.exit(2);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
