/**
 * Fills the hub's database (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR, the same one
 * `npm start` uses; stop the hub first in the embedded case) with demo data: organizations across
 * Shandong's 16 cities with services, hubs and members, workers' needs, publishers, projects,
 * applications and awards. Deterministic for a seed and idempotent: running it again with the same
 * flags adds nothing; larger sizes add only what is missing.
 *
 *   npm run seed -- [--orgs 200] [--demands 2000] [--projects 40] [--seed 1]
 *
 * With NODE_ENV=development (the default) it also creates demo accounts with a known password and
 * prints them.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { withHubDatabase } from './lib/hub-database.js';
import { DataDirectoryError } from '../src/core/db/embedded-postgres.js';
import { createLogger } from '../src/core/logger.js';
import {
  SEED_DEFAULTS,
  SeedOptionsError,
  SeedWorldError,
  seedDemo,
  type SeedPhase,
  type SeedProgress,
} from '../src/seed/index.js';

const USAGE =
  'usage: npm run seed -- [--orgs N] [--demands N] [--projects N] [--seed S]\n' +
  `  defaults: --orgs ${SEED_DEFAULTS.organizations} --demands ${SEED_DEFAULTS.demands} ` +
  `--projects ${SEED_DEFAULTS.projects} --seed ${SEED_DEFAULTS.seed}`;

/** Below this many items a phase prints one line instead of a bar. */
const BAR_THRESHOLD = 5000;

function parseCount(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const text = raw.replace(/[_,]/g, '');
  if (!/^\d+$/.test(text)) {
    problems.push(`--${name} must be a whole number, got '${raw}'`);
    return fallback;
  }
  return Number(text);
}

/** Shows a bar per large phase on a terminal, and a line per phase otherwise. */
function progressReporter(): { report: (p: SeedProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  let phase: SeedPhase | null = null;
  const finish = () => {
    bar?.stop();
    bar = null;
  };
  return {
    report(progress) {
      if (progress.phase !== phase) {
        finish();
        phase = progress.phase;
        if (process.stdout.isTTY && progress.total >= BAR_THRESHOLD) {
          bar = new cliProgress.SingleBar(
            {
              format: `${progress.phase.padEnd(13)} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(progress.total, 0);
        }
      }
      if (bar) bar.update(progress.done);
      else if (progress.done === progress.total) console.log(`${progress.phase}: ${progress.total}`);
    },
    stop: finish,
  };
}

async function main(): Promise<number> {
  let values: { orgs?: string; demands?: string; projects?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        orgs: { type: 'string' },
        demands: { type: 'string' },
        projects: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const problems: string[] = [];
  const options = {
    organizations: parseCount('orgs', values.orgs, SEED_DEFAULTS.organizations, problems),
    demands: parseCount('demands', values.demands, SEED_DEFAULTS.demands, problems),
    projects: parseCount('projects', values.projects, SEED_DEFAULTS.projects, problems),
    seed: parseCount('seed', values.seed, SEED_DEFAULTS.seed, problems),
  };
  if (problems.length) {
    console.error(`${problems.join('\n')}\n${USAGE}`);
    return 2;
  }

  // The first-admin variables belong to `npm start`; loadConfig would insist on both.
  const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...env } = process.env;
  const config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  const log = createLogger(config.logLevel);
  const demoAccounts = config.nodeEnv === 'development';
  const progress = progressReporter();
  const started = performance.now();
  const report = await withHubDatabase(config, log, (orm) =>
    seedDemo(orm, { ...options, demoAccounts, limits: config.limits }, progress.report),
  ).finally(progress.stop);

  const { created, totals } = report;
  console.log(
    `Seed ${options.seed}: created ${created.organizations} organizations, ${created.demands} needs, ` +
      `${created.projects} projects in ${((performance.now() - started) / 1000).toFixed(1)} s.\n` +
      `It now owns ${totals.organizations} organizations (${totals.hubs} hubs), ${totals.demands} needs, ` +
      `${totals.projects} projects with ${totals.applications} applications.\n` +
      `Seconds per phase: ${Object.entries(report.seconds)
        .map(([phase, s]) => `${phase} ${s}`)
        .join(', ')}.`,
  );
  if (demoAccounts) {
    console.log('\nDemo accounts (development only):');
    for (const account of report.demoAccounts)
      console.log(`  ${account.email.padEnd(28)} ${account.password}   ${account.description}`);
  } else {
    console.log(`No demo accounts: NODE_ENV is ${config.nodeEnv}, not development.`);
  }
  return 0;
}

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError ||
        error instanceof DataDirectoryError ||
        error instanceof SeedOptionsError ||
        error instanceof SeedWorldError
        ? error.message
        : `seed failed: ${(error as Error).stack ?? String(error)}`,
    );
    process.exit(1);
  },
);
