import autocannon from 'autocannon';
import {
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
  await options.statements.reset();
  const serverCpu = () =>
    options.serverTree ? processTreeCpuSeconds(options.serverPid) : processCpuSeconds(options.serverPid);
  const cpu0 = serverCpu();
  const db0 = postgresCpuSeconds(options.postmasterPid);
  const result = await autocannon({
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
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    serverCpuMsPerRequest: round(((cpu1 - cpu0) * 1000) / total, 3),
    dbCpuMsPerRequest: round(((db1 - db0) * 1000) / total, 3),
    sqlPerRequest: round(sql.all / total, 2),
    sqlPerRequestExcludingTx: round((sql.all - sql.transactionControl) / total, 2),
    topStatements: sql.top,
  };
}
