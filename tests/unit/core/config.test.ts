import { chmodSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { availableParallelism, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/core/config.js';
import {
  assertReachableByPostgresUser,
  DataDirectoryError,
  makePostgresScratchDir,
} from '../../../src/core/db/embedded-postgres.js';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
/** A checkout the `postgres` user can reach, so that `./.data` is the default data directory. */
function tempDir(): string {
  const dir = makePostgresScratchDir('niudai-config-');
  scratch.push(dir);
  return dir;
}

/** The problems a configuration is refused for (fails the test if it is accepted). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ NODE_ENV: 'test', ...env }, tempDir());
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({ NODE_ENV: 'test' }, tempDir());
    expect(config).toMatchObject({ port: 4000, databaseUrl: null, nodeEnv: 'test' });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ NODE_ENV: 'test', PORT: '8080' }, tempDir()).publicUrl).toBe('http://localhost:8080');
  });

  it('takes PUBLIC_URL as an http(s) base URL, without a trailing slash', () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://hub.example.org/niudai/' }, tempDir());
    expect(config.publicUrl).toBe('https://hub.example.org/niudai');
  });

  it.each([
    'hub.example.org',
    'ftp://hub.example.org',
    'https://u:p@hub.example.org',
    'https://hub.example.org/?a=1',
  ])('refuses PUBLIC_URL=%s', (value) => {
    expect(problems({ PUBLIC_URL: value }).join('\n')).toMatch(/PUBLIC_URL/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['JWT_SECRET', 'short'],
    ['JWT_TTL_SECONDS', '5'],
    ['LIMIT_MAX_DEPTH', '0'],
    ['LIMIT_MAX_TOKENS', '1.5'],
    ['LIMIT_MAX_BODY_BYTES', '-1'],
    ['PAGE_MAX', '1000'],
    ['LIMIT_MAX_RESPONSE_BYTES', '10'],
    ['LIMIT_EXECUTION_MS', '0'],
    ['WS_MAX_ANONYMOUS_SOCKETS_PER_ADDRESS', '0'],
  ])('names %s when it is %s', (name, value) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(name);
  });

  it('has an open-data licence (CC BY 4.0 by default) and an OCDS ocid prefix of the registry form', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).openData).toEqual({
      licenseUrl: 'https://creativecommons.org/licenses/by/4.0/',
      ocidPrefix: 'ocds-niudai',
    });
    const set = {
      OPENDATA_LICENSE_URL: 'https://opendatacommons.org/licenses/by/1-0/',
      OCDS_OCID_PREFIX: 'ocds-a1b2c3',
    };
    expect(loadConfig({ NODE_ENV: 'test', ...set }, tempDir()).openData).toEqual({
      licenseUrl: set.OPENDATA_LICENSE_URL,
      ocidPrefix: set.OCDS_OCID_PREFIX,
    });
    expect(problems({ OPENDATA_LICENSE_URL: 'CC-BY' }).join('\n')).toMatch(/OPENDATA_LICENSE_URL/);
    expect(problems({ OCDS_OCID_PREFIX: 'niudai' }).join('\n')).toMatch(/OCDS_OCID_PREFIX/);
    expect(problems({ OCDS_OCID_PREFIX: 'ocds-ABCDEF' }).join('\n')).toMatch(/OCDS_OCID_PREFIX/);
  });

  it('lists every bad variable at once, in the message too', () => {
    try {
      loadConfig({ NODE_ENV: 'test', PORT: 'x', LOG_LEVEL: 'y', ADMIN_EMAIL: 'a@b.cn' }, tempDir());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems: found, message } = error as ConfigError;
      expect(found).toHaveLength(3);
      for (const name of ['PORT', 'LOG_LEVEL', 'ADMIN_PASSWORD']) expect(message).toContain(name);
    }
  });

  it('compiles repeated queries unless GRAPHQL_COMPILE is false, and refuses other values', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).compileQueries).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', GRAPHQL_COMPILE: 'false' }, tempDir()).compileQueries).toBe(false);
    expect(problems({ GRAPHQL_COMPILE: 'no' })).toEqual(["GRAPHQL_COMPILE must be true or false, got 'no'"]);
  });

  it('has request limits that pass the console and refuse runaway queries by default', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).limits).toMatchObject({
      maxCost: 50_000,
      maxResponseBytes: 4 * 1024 * 1024,
      executionMs: 10_000,
      wsMaxAnonymousSocketsPerAddress: 8,
      liveFanOutSlice: 500,
    });
  });

  it('keeps webhooks off private networks unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS is true', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).webhooks.allowPrivateNetworks).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'test', WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' }, tempDir()).webhooks
        .allowPrivateNetworks,
    ).toBe(true);
    expect(problems({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'yes' })).toEqual([
      "WEBHOOKS_ALLOW_PRIVATE_NETWORKS must be true or false, got 'yes'",
    ]);
  });

  it('has e-mail off without SMTP_URL, and refuses a non-SMTP URL without echoing it', () => {
    const off = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://niudai.example.org' }, tempDir());
    expect(off.notifications).toMatchObject({
      smtpUrl: null,
      mailFrom: '纽带 <no-reply@niudai.example.org>',
    });
    const on = loadConfig(
      {
        NODE_ENV: 'test',
        SMTP_URL: 'smtp://mailer:pw@127.0.0.1:2525',
        MAIL_FROM: 'Niudai <hub@example.org>',
      },
      tempDir(),
    );
    expect(on.notifications).toMatchObject({
      smtpUrl: 'smtp://mailer:pw@127.0.0.1:2525',
      mailFrom: 'Niudai <hub@example.org>',
    });
    const refused = problems({ SMTP_URL: 'https://mailer:secret@example.org' });
    expect(refused).toEqual([expect.stringMatching(/^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/)]);
    expect(refused.join()).not.toContain('secret');
    expect(off.notifications.digestHour).toBe(8);
    expect(problems({ NOTIFY_DIGEST_HOUR: '24' })).toEqual([
      "NOTIFY_DIGEST_HOUR must be a whole number from 0 to 23, got '24'",
    ]);
  });

  it('has SMS off without SMS_GATEWAY_URL, and wants a long secret with it', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).notifications).toMatchObject({
      smsGatewayUrl: null,
      smsMaxPerRecipientPerDay: 10,
    });
    expect(problems({ SMS_GATEWAY_URL: 'http://127.0.0.1:9000/sms', SMS_GATEWAY_SECRET: 'short' })).toEqual([
      'SMS_GATEWAY_SECRET must be set, 32 characters at least, with SMS_GATEWAY_URL',
    ]);
    expect(problems({ SMS_GATEWAY_URL: 'ftp://gateway', SMS_GATEWAY_SECRET: 'x'.repeat(32) })).toEqual([
      'SMS_GATEWAY_URL must be an http:// or https:// URL',
    ]);
    expect(problems({ SMS_MAX_PER_RECIPIENT_PER_DAY: '0' })).toHaveLength(1);
  });

  it('warns of a claim lapse 48 hours ahead (half the lapse when shorter), and only before it', () => {
    const limits = (env: Record<string, string>) =>
      loadConfig({ NODE_ENV: 'test', ...env }, tempDir()).limits;
    expect(limits({}).demandClaimLapseWarningHours).toBe(48);
    expect(limits({ DEMAND_CLAIM_LAPSE_HOURS: '24' }).demandClaimLapseWarningHours).toBe(12);
    expect(limits({ DEMAND_CLAIM_LAPSE_WARNING_HOURS: '0' }).demandClaimLapseWarningHours).toBe(0);
    expect(problems({ DEMAND_CLAIM_LAPSE_HOURS: '24', DEMAND_CLAIM_LAPSE_WARNING_HOURS: '24' })[0]).toContain(
      'DEMAND_CLAIM_LAPSE_WARNING_HOURS',
    );
  });

  it('refuses PAGE_DEFAULT above PAGE_MAX and a short ADMIN_PASSWORD', () => {
    expect(problems({ PAGE_DEFAULT: '50', PAGE_MAX: '40' })[0]).toContain('PAGE_DEFAULT');
    expect(problems({ ADMIN_EMAIL: 'a@b.cn', ADMIN_PASSWORD: 'short' })[0]).toContain('ADMIN_PASSWORD');
  });

  it('reads WORKERS (1 by default, auto = the cores) and DATABASE_REPLICA_URLS, naming bad entries by position', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).workers).toBe(1);
    expect(loadConfig({ NODE_ENV: 'test', WORKERS: '3' }, tempDir()).workers).toBe(3);
    expect(loadConfig({ NODE_ENV: 'test', WORKERS: 'auto' }, tempDir()).workers).toBe(availableParallelism());
    expect(problems({ WORKERS: '0' })).toEqual([
      "WORKERS must be auto or a whole number from 1 to 256, got '0'",
    ]);
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        DATABASE_REPLICA_URLS: ' postgres://a@127.0.0.1:1/x , postgresql://b@127.0.0.1:2/x,',
      },
      tempDir(),
    );
    expect(config.databaseReplicaUrls).toEqual([
      'postgres://a@127.0.0.1:1/x',
      'postgresql://b@127.0.0.1:2/x',
    ]);
    expect(config.databaseReplicaRetrySeconds).toBe(5);
    expect(loadConfig({ NODE_ENV: 'test' }, tempDir()).databaseReplicaUrls).toEqual([]);
    expect(problems({ DATABASE_REPLICA_URLS: 'postgres://127.0.0.1/x,mysql://secret@h/x' })).toEqual([
      'DATABASE_REPLICA_URLS: entry 2 must be a postgres:// or postgresql:// URL',
    ]);
  });

  it('refuses to start in production without a real JWT_SECRET', () => {
    expect(problems({ NODE_ENV: 'production' })[0]).toMatch(/JWT_SECRET is required/);
    expect(problems({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })[0]).toContain('JWT_SECRET');
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, tempDir());
    expect(config.jwtSecret).toBe('x'.repeat(32));
  });

  it('keeps a generated development secret in the data directory, private, across restarts', () => {
    const cwd = tempDir();
    const first = loadConfig({ NODE_ENV: 'development' }, cwd);
    const file = path.join(cwd, '.data', 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwtSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ NODE_ENV: 'development' }, cwd).jwtSecret).toBe(first.jwtSecret);
    const elsewhere = loadConfig({ NODE_ENV: 'development', DATA_DIR: 'other' }, cwd);
    expect(elsewhere.jwtSecret).not.toBe(first.jwtSecret);
    expect(elsewhere.dataDir).toBe(path.join(cwd, 'other'));
  });
});

const hasPostgresUser = (() => {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('assertReachableByPostgresUser', () => {
  it.runIf(userInfo().uid === 0 && hasPostgresUser)(
    'explains, when running as root, that a 0700 parent keeps the postgres user out',
    () => {
      const parent = tempDir();
      chmodSync(parent, 0o700);
      const dataDir = path.join(parent, 'data', 'postgres');
      expect(() => assertReachableByPostgresUser(dataDir)).toThrow(DataDirectoryError);
      expect(() => assertReachableByPostgresUser(dataDir)).toThrow(
        new RegExp(`cannot enter ${parent} \\(mode 700\\).*chmod o\\+x ${parent}.*DATABASE_URL`),
      );
      chmodSync(parent, 0o755);
      mkdirSync(path.join(parent, 'data'), { mode: 0o755 });
      expect(() => assertReachableByPostgresUser(dataDir)).not.toThrow();
    },
  );
});

describe('the default data directory, as root', () => {
  it.runIf(userInfo().uid === 0)(
    'stays ./.data with DATABASE_URL, even where the postgres user could not reach it (it only holds the secret)',
    () => {
      const cwd = tempDir();
      chmodSync(cwd, 0o700);
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://127.0.0.1/x' }, cwd);
      expect(config).toMatchObject({ dataDir: path.join(cwd, '.data'), dataDirPassedOver: null });
    },
  );
});
