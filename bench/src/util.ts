import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc's utime/stime (USER_HZ: 100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number, withReapedChildren = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const at = (field: number) => Number(fields[field - 3]);
  let ticks = at(14) + at(15);
  if (withReapedChildren) ticks += at(16) + at(17);
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds (user + system) of a process and, recursively, of its live children: a hub run with
 * WORKERS > 1 does its work in the workers its primary forked.
 */
export function processTreeCpuSeconds(pid: number): number {
  let total = processCpuSeconds(pid);
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean)) {
      try {
        total += processTreeCpuSeconds(Number(child));
      } catch {
        // the child exited meanwhile
      }
    }
  }
  return total;
}

/** Resident memory of a process in bytes (VmRSS). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

/**
 * CPU seconds used by a PostgreSQL server: the postmaster, its live children (backends, workers)
 * and the children it has already reaped (cutime/cstime).
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  let total = processCpuSeconds(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === postmasterPid)
        total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // the process ended between readdir and read
    }
  }
  return total;
}

/** The postmaster's pid, from the first line of postmaster.pid in the data directory. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A child server started by {@link spawnServer}. */
export interface Child {
  name: string;
  pid: number;
  url: string;
  child: ChildProcess;
  /** The last 8,000 characters it wrote to stderr (its warnings and errors, with LOG_LEVEL=warn). */
  stderr(): string;
  /** Ends it by its pid (SIGTERM, then SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns a server that prints `listening <url>` on stdout when ready, or, with `readyAt` (its base URL),
 * one whose `/readyz` answers 200 when ready (the hub's own `src/main.ts`, whose log is off in the
 * bench); rejects if it exits first or takes longer than `timeoutMs`.
 */
export function spawnServer(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; timeoutMs?: number; readyAt?: string },
): Promise<Child> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in time: ${err.slice(-2000)}`));
    }, options.timeoutMs ?? 120_000);
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-8000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening: ${err.slice(-4000)}`));
    });
    const ready = (url: string) => {
      if (child.pid === undefined) return;
      clearTimeout(timer);
      const pid = child.pid;
      child.stdout?.removeAllListeners('data');
      // BENCH_SERVER_LOG=<file>: keep the servers' own log lines (otherwise discarded).
      if (process.env.BENCH_SERVER_LOG)
        child.stdout?.pipe(createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }));
      else child.stdout?.resume();
      resolve({
        name,
        pid,
        url,
        child,
        stderr: () => err,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          process.kill(pid, 'SIGTERM');
          // A cluster's primary waits for its workers' drain (up to 10 s) before it exits.
          const timer = setTimeout(
            () => {
              if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
            },
            options.readyAt ? 20_000 : 5000,
          );
          await exited;
          clearTimeout(timer);
        },
      });
    };
    const readyAt = options.readyAt;
    if (readyAt) {
      const poll = async () => {
        const up = await fetch(`${readyAt}/readyz`).then(
          (res) => res.status === 200,
          () => false,
        );
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (up) ready(readyAt);
        else setTimeout(() => void poll(), 200);
      };
      void poll();
      child.stdout?.resume();
      return;
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match?.[1]) ready(match[1]);
    });
  });
}

/** Runs a command to completion, returning stdout; rejects on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.slice(-3000)}`)),
    );
  });
}

/** POSTs one GraphQL operation and returns the parsed body; throws on any GraphQL error. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || body.errors?.length || !body.data)
    throw new Error(`${url}: ${response.status} ${JSON.stringify(body).slice(0, 1500)}`);
  return body.data;
}

/** SQL statement counts from pg_stat_statements, for one database. */
export class StatementCounter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly database: string,
  ) {}

  async reset(): Promise<void> {
    await this.pool.query('select pg_stat_statements_reset()');
  }

  /** Statements executed since the last reset (excluding this counter's own), split by kind. */
  async read(): Promise<{
    all: number;
    transactionControl: number;
    top: { query: string; calls: number }[];
  }> {
    const { rows } = await this.pool.query<{ query: string; calls: string }>(
      `select s.query, s.calls::text from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = $1 and s.query not ilike '%pg_stat_statements%'
        order by s.calls desc`,
      [this.database],
    );
    let all = 0;
    let transactionControl = 0;
    for (const row of rows) {
      const calls = Number(row.calls);
      all += calls;
      if (
        /^\s*(begin|commit|rollback|savepoint|release|start transaction|set |reset |discard|listen|unlisten)/i.test(
          row.query,
        )
      )
        transactionControl += calls;
    }
    return {
      all,
      transactionControl,
      top: rows
        .slice(0, 8)
        .map((r) => ({ query: r.query.replace(/\s+/g, ' ').slice(0, 160), calls: Number(r.calls) })),
    };
  }
}
