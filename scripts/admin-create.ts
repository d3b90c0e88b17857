/**
 * Creates a platform admin in the hub's database (DATABASE_URL, or the embedded PostgreSQL in
 * DATA_DIR, the same one `npm start` uses; stop the hub first in the embedded case).
 *
 *   npm run admin:create -- --email a@b.cn --password '…' [--name 'Platform admin']
 *
 * The password may come from ADMIN_PASSWORD instead, keeping it out of the process list and shell
 * history. An existing account with that email is left unchanged.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { isEmail } from 'class-validator';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { withHubDatabase } from './lib/hub-database.js';
import { DataDirectoryError } from '../src/core/db/embedded-postgres.js';
import { createLogger } from '../src/core/logger.js';
import { createServices } from '../src/services.js';

const USAGE = "usage: npm run admin:create -- --email a@b.cn --password '…'   (or ADMIN_PASSWORD=…)";

async function main(): Promise<number> {
  let values: { email?: string; password?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
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
  const email = (values.email ?? process.env.ADMIN_EMAIL ?? '').trim();
  const password = values.password ?? process.env.ADMIN_PASSWORD ?? '';
  const problems = [
    ...(isEmail(email) ? [] : [`--email must be an email address, got '${email}'`]),
    ...(password.length >= 8 && password.length <= 128 ? [] : ['--password must be 8 to 128 characters']),
  ];
  if (problems.length) {
    console.error(`${problems.join('\n')}\n${USAGE}`);
    return 2;
  }

  // The admin variables were read above; loadConfig would also act on them (and insist on both).
  const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...env } = process.env;
  const config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  const log = createLogger(config.logLevel);
  const { created } = await withHubDatabase(config, log, (orm) =>
    createServices(config).accounts.ensureAdmin(orm.em.fork(), email, password),
  );
  console.log(
    created
      ? `Admin ${email.toLowerCase()} created.`
      : `An account with ${email.toLowerCase()} already exists; nothing changed.`,
  );
  return 0;
}

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof DataDirectoryError
        ? error.message
        : `admin:create failed: ${(error as Error).message}`,
    );
    process.exit(1);
  },
);
