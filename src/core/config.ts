import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defaultDataDir, type DefaultDataDir } from './db/embedded-postgres.js';

/** Everything the process can be told through its environment, validated once at start. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /**
   * Where clients reach this hub (scheme, host, port, optional path prefix; no trailing slash): the
   * base of every URL the hub writes into a response. Never taken from a request's Host header,
   * which the client chooses and shared caches keep.
   */
  publicUrl: string;
  /** External PostgreSQL; when absent an embedded one is started in `dataDir/postgres`. */
  databaseUrl: string | null;
  /**
   * Streaming replicas that serve the reads which tolerate a little lag (anonymous queries, open data;
   * src/core/db/read-replicas.ts). Empty: everything reads from the primary.
   */
  databaseReplicaUrls: string[];
  /** How often a replica found unreachable is tried again (meanwhile its reads go to the primary). */
  databaseReplicaRetrySeconds: number;
  /**
   * Processes serving the port (node:cluster, src/core/cluster.ts). 1 runs everything in this process;
   * more start one primary (PostgreSQL, migrations, supervision) and this many workers.
   */
  workers: number;
  dataDir: string;
  /**
   * Set when DATA_DIR is unset and `./.data` was passed over for a folder under /var/lib/niudai
   * (running as root, the embedded PostgreSQL's `postgres` user cannot reach the checkout).
   */
  dataDirPassedOver: DefaultDataDir['passedOver'];
  jwtSecret: string;
  jwtTtlSeconds: number;
  /**
   * How long a process may answer HTTP requests with a signed-in account's viewer read before
   * (src/core/rights/recent-viewers.ts); rights changes end it sooner. 0: read it on every request.
   */
  viewerCacheSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminEmail: string | null;
  adminPassword: string | null;
  limits: Limits;
  /**
   * Whether HTTP queries seen before run compiled (graphql-jit, core/graphql/compiled-execution.ts); `false`
   * runs everything on graphql-js, the way back if a compiled answer ever differed.
   */
  compileQueries: boolean;
  /** Signed webhooks: URL rules and the delivery worker's timing (src/modules/webhooks). */
  webhooks: WebhookConfig;
  /** The open-data exports (src/modules/opendata; README, "Open data"). */
  openData: OpenDataConfig;
  /** Notifications: the worker that turns outbox events into each person's notifications. */
  notifications: NotificationConfig;
  /** The fairness flags' repeat-winner rule (docs/domain.md, "Fairness flags"). */
  fairness: FairnessConfig;
}

/** Fairness flags (docs/operations.md, "Settings"). */
export interface FairnessConfig {
  /** An award to an organization that already won this many of the publisher's projects is flagged. */
  repeatWinnerAwards: number;
  /** Over this many months before the award. */
  repeatWinnerWindowMonths: number;
}

/** Notifications (README, "Notifications"). */
export interface NotificationConfig {
  /** Safety-net poll of the notification worker (new events also wake it at once); 0 turns it off. */
  pollMs: number;
  /** The SMTP server e-mail goes through (`smtp://` or `smtps://`); null: no e-mail. */
  smtpUrl: string | null;
  /** The sender of every e-mail. */
  mailFrom: string;
  /** The hour (0–23, Asia/Shanghai) the daily digest goes out. */
  digestHour: number;
  /** The SMS gateway text messages are POSTed to; null: no SMS. */
  smsGatewayUrl: string | null;
  /** The HMAC key that signs each POST to the gateway. */
  smsGatewaySecret: string;
  /** Text messages to one mobile number in any 24 hours, at most. */
  smsMaxPerRecipientPerDay: number;
}

/** Open data (README, "Open data"). */
export interface OpenDataConfig {
  /** The licence every open-data file is published under, stated in the packages and a `Link` header. */
  licenseUrl: string;
  /**
   * The OCDS ocid prefix (`ocds-` and six letters or digits). The default `ocds-niudai` is not
   * registered: a publisher registers its own with the Open Contracting Partnership before publishing.
   */
  ocidPrefix: string;
}

/** CC BY 4.0, the default licence of the open data. */
export const DEFAULT_OPEN_DATA_LICENSE = 'https://creativecommons.org/licenses/by/4.0/';

/** Signed webhooks (README, "Webhooks"). */
export interface WebhookConfig {
  /**
   * `WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true` lets endpoints be on loopback (127.0.0.0/8, ::1, localhost)
   * and private networks (10/8, 172.16/12, 192.168/16, fc00::/7) and use `http://`: for tests and local
   * development only. Off (the default), an endpoint is `https://` on a public address only. Link-local
   * (cloud metadata), carrier-grade NAT and other special-purpose addresses are refused either way.
   */
  allowPrivateNetworks: boolean;
  /** First retry delay; each further retry doubles it, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery that failed this many attempts is given up (status FAILED). */
  maxAttempts: number;
  /** An endpoint whose deliveries failed this many times in a row is disabled and its owner told. */
  disableAfterFailures: number;
  /** How long one POST may take before it counts as failed. */
  timeoutMs: number;
  /** Safety-net poll of the worker (new events also wake it at once); 0 turns the worker off. */
  pollMs: number;
  /** Deliveries one process sends at once. */
  concurrency: number;
}

/** Abuse limits, applied alike over HTTP and WebSocket. */
export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Highest computed cost of an operation (src/core/graphql/query-cost.ts); above it, QUERY_TOO_COMPLEX. */
  maxCost: number;
  maxBodyBytes: number;
  /** Largest JSON result sent (HTTP response, WebSocket payload); above it, RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  /** Time budget of one query or mutation's execution; past it, EXECUTION_TIMEOUT. */
  executionMs: number;
  /** Largest document (PDF, JPEG, PNG) an organization's admin uploads, in bytes. */
  documentMaxBytes: number;
  /** Default and hard maximum of `first` on every connection. */
  pageDefault: number;
  pageMax: number;
  /** Anti-hoarding: how many demands one organization may hold CLAIMED or IN_SERVICE at once. */
  demandMaxOpenClaims: number;
  /** A claim with no progress report for this long lapses and the demand is OPEN again. */
  demandClaimLapseHours: number;
  /**
   * Its organization's members and webhooks are told this long before a claim lapses (the sweep
   * announces CLAIM_LAPSING once per claim period); 0: never. Less than the lapse; by default 48,
   * or half the lapse when that is shorter.
   */
  demandClaimLapseWarningHours: number;
  /** An OPEN demand that nobody claims within this many days becomes EXPIRED. */
  demandExpiryDays: number;
  /** How often the sweep (src/sweep.ts: demands' expiry and claim lapse, projects' closed periods) runs; 0 turns the timer off. */
  demandSweepIntervalSeconds: number;
  /**
   * How often the report rollups' deltas are folded (docs/architecture.md, "Report rollups"); 0: never
   * on this process (reports stay exact, reading more pending deltas). Off by default in tests, so
   * statement counts see only the operation under test.
   */
  reportRollupCompactionSeconds: number;
  /** Rate limits, shared by every process through PostgreSQL (src/core/rate-limit.ts). */
  rate: RateLimitConfig;
  /** WebSocket: how long a socket may stay open without `connection_init` (then closed 4408). */
  wsConnectionInitTimeoutMs: number;
  /** WebSocket: operations (subscriptions included) one socket may run at once. */
  wsMaxOperationsPerSocket: number;
  /** WebSocket: sockets one signed-in user may hold open on one process at once. */
  wsMaxSocketsPerUser: number;
  /** WebSocket: sockets without a signed-in user that one client address may hold open on one process. */
  wsMaxAnonymousSocketsPerAddress: number;
  /** Live subscribers handed one event per turn of the event loop (src/core/events/fan-out.ts). */
  liveFanOutSlice: number;
  /**
   * How many days after a project's award its applicants may file a complaint (质疑/投诉,
   * `fileComplaint`); counted by the database clock from `awardedAt`.
   */
  complaintPeriodDays: number;
}

/**
 * One limiter: at most `points` events per `windowSeconds`; `points` 0 turns it off. Under
 * NODE_ENV=test every limiter is off unless its variable is set, so other modules' tests never trip it.
 */
export interface RateLimitRule {
  points: number;
  windowSeconds: number;
}

export interface RateLimitConfig {
  /** Failed sign-ins per login (email or mobile), whatever the address. */
  signInPerAccount: RateLimitRule;
  /** Failed sign-ins per client address, whatever the login. */
  signInPerAddress: RateLimitRule;
  /**
   * Sign-up attempts per client address, successful or not: sign-up tells whether an email or mobile
   * number is registered, so this bounds how fast one address can ask.
   */
  signUpPerAddress: RateLimitRule;
  /** Mutations per signed-in user (per address for anonymous callers), over HTTP and WebSocket. */
  mutationsPerUser: RateLimitRule;
}

/** A configuration that cannot start the hub; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DEV_SECRET_FILE = 'jwt-secret';
/** Below this length an HMAC secret can be brute-forced offline from any token. */
const MIN_SECRET_LENGTH = 32;

/**
 * Reads and validates the configuration. Collects every problem before failing, so an operator fixes
 * them in one go rather than one restart per variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  };

  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  const nodeEnv = (['development', 'production', 'test'] as const).find((v) => v === nodeEnvRaw);
  if (!nodeEnv) problems.push(`NODE_ENV must be development, production or test, got '${nodeEnvRaw}'`);

  const logLevelRaw = env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info');
  const logLevel = LOG_LEVELS.find((v) => v === logLevelRaw);
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevelRaw}'`);

  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be a postgres:// or postgresql:// URL`);
  }

  const databaseReplicaUrls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  // A replica URL carries a password: the message names the position, never the URL.
  databaseReplicaUrls.forEach((url, index) => {
    if (!/^postgres(ql)?:\/\//.test(url))
      problems.push(`DATABASE_REPLICA_URLS: entry ${index + 1} must be a postgres:// or postgresql:// URL`);
  });

  const workersRaw = env.WORKERS ?? '';
  let workers = 1;
  if (workersRaw === 'auto') workers = availableParallelism();
  else if (workersRaw !== '') {
    workers = Number(workersRaw);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
      problems.push(`WORKERS must be auto or a whole number from 1 to 256, got '${workersRaw}'`);
      workers = 1;
    }
  }

  // An explicit DATA_DIR is used as given (and refused with a clear message if PostgreSQL cannot
  // reach it); only the default moves, and only when it would hold the embedded PostgreSQL.
  const { dataDir, passedOver: dataDirPassedOver } = env.DATA_DIR
    ? { dataDir: path.resolve(cwd, env.DATA_DIR), passedOver: null }
    : databaseUrl === null
      ? defaultDataDir(cwd)
      : { dataDir: path.resolve(cwd, '.data'), passedOver: null };
  const jwtSecret = resolveJwtSecret(env.JWT_SECRET, nodeEnv ?? 'development', dataDir, problems);

  const adminEmail = env.ADMIN_EMAIL || null;
  const adminPassword = env.ADMIN_PASSWORD || null;
  if ((adminEmail === null) !== (adminPassword === null)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminPassword !== null && adminPassword.length < 8)
    problems.push('ADMIN_PASSWORD must be at least 8 characters');

  const allowPrivateRaw = env.WEBHOOKS_ALLOW_PRIVATE_NETWORKS ?? 'false';
  if (allowPrivateRaw !== 'true' && allowPrivateRaw !== 'false')
    problems.push(`WEBHOOKS_ALLOW_PRIVATE_NETWORKS must be true or false, got '${allowPrivateRaw}'`);

  const compileRaw = env.GRAPHQL_COMPILE ?? 'true';
  if (compileRaw !== 'true' && compileRaw !== 'false')
    problems.push(`GRAPHQL_COMPILE must be true or false, got '${compileRaw}'`);

  const port = int('PORT', 4000, 0, 65535);
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, port, problems);

  const licenseUrl = env.OPENDATA_LICENSE_URL || DEFAULT_OPEN_DATA_LICENSE;
  if (!isHttpUrl(licenseUrl))
    problems.push(`OPENDATA_LICENSE_URL must be an http:// or https:// URL, got '${licenseUrl}'`);
  const ocidPrefix = env.OCDS_OCID_PREFIX || 'ocds-niudai';
  if (!/^ocds-[a-z0-9]{6}$/.test(ocidPrefix))
    problems.push(
      `OCDS_OCID_PREFIX must be 'ocds-' and six lower-case letters or digits, got '${ocidPrefix}'`,
    );

  const claimLapseHours = int('DEMAND_CLAIM_LAPSE_HOURS', 14 * 24, 1, 365 * 24);
  const config: Config = {
    nodeEnv: nodeEnv ?? 'development',
    port,
    publicUrl,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    databaseReplicaUrls,
    databaseReplicaRetrySeconds: int('DATABASE_REPLICA_RETRY_SECONDS', 5, 1, 3600),
    workers,
    dataDir,
    dataDirPassedOver,
    jwtSecret,
    jwtTtlSeconds: int('JWT_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    viewerCacheSeconds: int('VIEWER_CACHE_SECONDS', 3, 0, 60),
    logLevel: logLevel ?? 'info',
    adminEmail,
    adminPassword,
    limits: {
      maxDepth: int('LIMIT_MAX_DEPTH', 10, 2, 50),
      maxAliases: int('LIMIT_MAX_ALIASES', 15, 1, 1000),
      maxDirectives: int('LIMIT_MAX_DIRECTIVES', 20, 1, 1000),
      maxTokens: int('LIMIT_MAX_TOKENS', 2000, 100, 100000),
      maxCost: int('LIMIT_MAX_COST', 50_000, 100, 10_000_000),
      maxBodyBytes: int('LIMIT_MAX_BODY_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
      maxResponseBytes: int('LIMIT_MAX_RESPONSE_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      executionMs: int('LIMIT_EXECUTION_MS', 10_000, 1, 600_000),
      documentMaxBytes: int('DOCUMENT_MAX_BYTES', 5 * 1024 * 1024, 1024, 50 * 1024 * 1024),
      pageDefault: int('PAGE_DEFAULT', 20, 1, 100),
      pageMax: int('PAGE_MAX', 100, 1, 100),
      demandMaxOpenClaims: int('DEMAND_MAX_OPEN_CLAIMS', 20, 1, 10000),
      demandClaimLapseHours: claimLapseHours,
      demandClaimLapseWarningHours: int(
        'DEMAND_CLAIM_LAPSE_WARNING_HOURS',
        Math.min(48, Math.floor(claimLapseHours / 2)),
        0,
        365 * 24,
      ),
      demandExpiryDays: int('DEMAND_EXPIRY_DAYS', 60, 1, 3650),
      demandSweepIntervalSeconds: int('DEMAND_SWEEP_INTERVAL_SECONDS', 300, 0, 86400),
      reportRollupCompactionSeconds: int(
        'REPORT_ROLLUP_COMPACTION_SECONDS',
        nodeEnv === 'test' ? 0 : 5,
        0,
        3600,
      ),
      rate: {
        signInPerAccount: {
          points: int('RATE_SIGNIN_ACCOUNT_POINTS', nodeEnv === 'test' ? 0 : 10, 0, 100000),
          windowSeconds: int('RATE_SIGNIN_ACCOUNT_WINDOW_SECONDS', 15 * 60, 1, 86400),
        },
        signInPerAddress: {
          points: int('RATE_SIGNIN_ADDRESS_POINTS', nodeEnv === 'test' ? 0 : 100, 0, 100000),
          windowSeconds: int('RATE_SIGNIN_ADDRESS_WINDOW_SECONDS', 15 * 60, 1, 86400),
        },
        signUpPerAddress: {
          points: int('RATE_SIGNUP_ADDRESS_POINTS', nodeEnv === 'test' ? 0 : 20, 0, 100000),
          windowSeconds: int('RATE_SIGNUP_ADDRESS_WINDOW_SECONDS', 60 * 60, 1, 86400),
        },
        mutationsPerUser: {
          points: int('RATE_MUTATIONS_POINTS', nodeEnv === 'test' ? 0 : 300, 0, 1000000),
          windowSeconds: int('RATE_MUTATIONS_WINDOW_SECONDS', 60, 1, 86400),
        },
      },
      wsConnectionInitTimeoutMs: int('WS_CONNECTION_INIT_TIMEOUT_MS', 10_000, 50, 600_000),
      wsMaxOperationsPerSocket: int('WS_MAX_OPERATIONS_PER_SOCKET', 20, 1, 10000),
      wsMaxSocketsPerUser: int('WS_MAX_SOCKETS_PER_USER', 10, 1, 10000),
      wsMaxAnonymousSocketsPerAddress: int('WS_MAX_ANONYMOUS_SOCKETS_PER_ADDRESS', 8, 1, 10000),
      liveFanOutSlice: int('LIVE_FAN_OUT_SLICE', 500, 1, 1_000_000),
      complaintPeriodDays: int('COMPLAINT_PERIOD_DAYS', 7, 1, 365),
    },
    compileQueries: compileRaw !== 'false',
    webhooks: {
      allowPrivateNetworks: allowPrivateRaw === 'true',
      retryBaseMs: int('WEBHOOK_RETRY_BASE_MS', 30_000, 10, 24 * 3600_000),
      retryMaxMs: int('WEBHOOK_RETRY_MAX_MS', 6 * 3600_000, 10, 7 * 24 * 3600_000),
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 15, 1, 100),
      disableAfterFailures: int('WEBHOOK_DISABLE_AFTER_FAILURES', 10, 1, 1000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      pollMs: int('WEBHOOK_POLL_MS', 5_000, 0, 3600_000),
      concurrency: int('WEBHOOK_CONCURRENCY', 8, 1, 256),
    },
    notifications: {
      pollMs: int('NOTIFY_POLL_MS', 5_000, 0, 3600_000),
      smtpUrl: parseSmtpUrl(env.SMTP_URL, problems),
      mailFrom: env.MAIL_FROM?.trim() || `纽带 <no-reply@${new URL(publicUrl).hostname}>`,
      digestHour: int('NOTIFY_DIGEST_HOUR', 8, 0, 23),
      ...parseSmsGateway(env.SMS_GATEWAY_URL, env.SMS_GATEWAY_SECRET, problems),
      smsMaxPerRecipientPerDay: int('SMS_MAX_PER_RECIPIENT_PER_DAY', 10, 1, 1000),
    },
    openData: { licenseUrl, ocidPrefix },
    fairness: {
      repeatWinnerAwards: int('FAIRNESS_REPEAT_WINNER_AWARDS', 3, 1, 1000),
      repeatWinnerWindowMonths: int('FAIRNESS_REPEAT_WINNER_WINDOW_MONTHS', 12, 1, 120),
    },
  };
  if (config.limits.pageDefault > config.limits.pageMax)
    problems.push('PAGE_DEFAULT must not exceed PAGE_MAX');
  if (config.limits.demandClaimLapseWarningHours >= config.limits.demandClaimLapseHours)
    problems.push('DEMAND_CLAIM_LAPSE_WARNING_HOURS must be less than DEMAND_CLAIM_LAPSE_HOURS');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** `PUBLIC_URL`: an absolute http(s) URL without query or fragment; `http://localhost:<PORT>` by default. */
function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parsePublicUrl(raw: string | undefined, port: number, problems: string[]): string {
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    url.search ||
    url.hash
  ) {
    problems.push(
      `PUBLIC_URL must be an http:// or https:// URL without credentials, query or fragment, got '${raw}'`,
    );
    return `http://localhost:${port}`;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `SMTP_URL`: unset or empty turns e-mail off; otherwise an smtp:// or smtps:// URL. */
function parseSmtpUrl(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    if ((url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return url.href;
  } catch {
    // reported below
  }
  // Never echo the value: it may carry the SMTP password.
  problems.push('SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:password@host:587)');
  return null;
}

/** `SMS_GATEWAY_URL` (unset: no SMS) and its `SMS_GATEWAY_SECRET` (32 characters at least). */
function parseSmsGateway(
  rawUrl: string | undefined,
  rawSecret: string | undefined,
  problems: string[],
): { smsGatewayUrl: string | null; smsGatewaySecret: string } {
  const url = rawUrl?.trim() ?? '';
  const secret = rawSecret ?? '';
  if (url === '') return { smsGatewayUrl: null, smsGatewaySecret: '' };
  if (!isHttpUrl(url)) problems.push(`SMS_GATEWAY_URL must be an http:// or https:// URL`);
  if (secret.length < 32)
    problems.push('SMS_GATEWAY_SECRET must be set, 32 characters at least, with SMS_GATEWAY_URL');
  return { smsGatewayUrl: isHttpUrl(url) ? url : null, smsGatewaySecret: secret };
}

function resolveJwtSecret(
  raw: string | undefined,
  nodeEnv: Config['nodeEnv'],
  dataDir: string,
  problems: string[],
): string {
  if (raw) {
    if (raw.length < MIN_SECRET_LENGTH)
      problems.push(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    return raw;
  }
  if (nodeEnv === 'production') {
    problems.push('JWT_SECRET is required when NODE_ENV=production (at least 32 random characters)');
    return '';
  }
  if (nodeEnv === 'test') return randomBytes(32).toString('base64url');
  // Development: a generated secret kept under .data/ so that tokens survive a restart.
  const file = path.join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
