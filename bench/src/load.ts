import os from 'node:os';
import autocannon from 'autocannon';
import {
  percentile,
  postgresCpuSeconds,
  processCpuSeconds,
  processTreeCpuSeconds,
  round,
  type StatementCounter,
} from './util.js';

/** One HTTP load run's figures. */
export interface LoadResult {
  target: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Server process CPU (user + system) per request, in ms. */
  serverCpuMsPerRequest: number;
  /** PostgreSQL CPU (all its processes) per request, in ms. */
  dbCpuMsPerRequest: number;
  /** SQL statements per request, all (incl. BEGIN/COMMIT) and excluding transaction control. */
  sqlPerRequest: number;
  sqlPerRequestExcludingTx: number;
  topStatements: { query: string; calls: number }[];
  /** The machine's 1-minute load average as the measured window began (other work on its cores). */
  loadAverage1m: number;
}

export interface LoadOptions {
  target: string;
  url: string;
  serverPid: number;
  /** Count the CPU of the server's child processes too (a hub run with WORKERS > 1). */
  serverTree?: boolean;
  postmasterPid: number;
  statements: StatementCounter;
  body: string;
  /** Makes a distinct body per request (e.g. unique titles for writes). */
  bodyFor?: (n: number) => string;
  token?: string;
  connections: number;
  durationSeconds: number;
  /** Hard cap on the request count, so a loop is bounded in count as well as in time. */
  maxRequests: number;
  /** Runs after the warm-up, before the measured window (scenario 2-write: the same table state for every run). */
  beforeMeasure?: () => Promise<void>;
}

/**
 * An autocannon run and the latency of each 2xx response, in fractional milliseconds (sorted).
 * autocannon's own percentiles come from an integer histogram, which truncates each latency to a
 * whole millisecond: a report that answers in 1.9 ms and one in 1.1 ms both read "1", and a growth
 * ratio between two such figures says nothing (bench/README.md, "Latency").
 */
function timedRun(opts: autocannon.Options): Promise<{ result: autocannon.Result; latenciesMs: number[] }> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    const instance = autocannon(opts, (error, result) => {
      if (error) reject(error);
      else resolve({ result, latenciesMs: latenciesMs.sort((a, b) => a - b) });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}

/** Runs autocannon against one server and measures its CPU and the SQL it sent meanwhile. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let n = 0;
  const bodyFor = options.bodyFor;
  // Warm up (JIT, pools, caches) with a short run that is not measured.
  await autocannon({
    url: options.url,
    method: 'POST',
    headers,
    body: options.body,
    connections: options.connections,
    amount: Math.min(300, options.maxRequests),
    timeout: 30,
    ...(bodyFor
      ? { requests: [{ setupRequest: (r: autocannon.Request) => ({ ...r, body: bodyFor(++n) }) }] }
      : {}),
  });
  await options.beforeMeasure?.();
  await options.statements.reset();
  const loadAverage1m = round(os.loadavg()[0]!, 2);
  const serverCpu = () =>
    options.serverTree ? processTreeCpuSeconds(options.serverPid) : processCpuSeconds(options.serverPid);
  const cpu0 = serverCpu();
  const db0 = postgresCpuSeconds(options.postmasterPid);
  const { result, latenciesMs } = await timedRun({
    url: options.url,
    method: 'POST',
    headers,
    body: options.body,
    connections: options.connections,
    // Bounded in time; `amount` would override `duration`, so the count is bounded by
    // `maxOverallRequests` instead.
    duration: options.durationSeconds,
    maxOverallRequests: options.maxRequests,
    timeout: 30,
    ...(bodyFor
      ? { requests: [{ setupRequest: (r: autocannon.Request) => ({ ...r, body: bodyFor(++n) }) }] }
      : {}),
  });
  const cpu1 = serverCpu();
  const db1 = postgresCpuSeconds(options.postmasterPid);
  const sql = await options.statements.read();
  const total = result.requests.total || 1;
  return {
    target: options.target,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: round(percentile(latenciesMs, 50), 2),
    p99Ms: round(percentile(latenciesMs, 99), 2),
    errors: result.errors,
    non2xx: result.non2xx,
    serverCpuMsPerRequest: round(((cpu1 - cpu0) * 1000) / total, 3),
    dbCpuMsPerRequest: round(((db1 - db0) * 1000) / total, 3),
    sqlPerRequest: round(sql.all / total, 2),
    sqlPerRequestExcludingTx: round((sql.all - sql.transactionControl) / total, 2),
    topStatements: sql.top,
    loadAverage1m,
  };
}
