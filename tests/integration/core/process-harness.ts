// What the tests of the hub as a process (`npm start`, one file per theme so that they run in
// parallel) share: starting, stopping and asking a hub, and cleaning up after a file.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { makePostgresScratchDir } from '../../../src/core/db/embedded-postgres.js';
import { nodeArgs } from '../../setup/npm-script.js';

/** The checkout: what `npm start` runs in. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const scratch: string[] = [];
const running = new Set<ChildProcess>();
/** Embedded PostgreSQL servers of hubs under test: a hub killed by afterAll would leave its own behind. */
export const postmasters = new Set<number>();

/** Stops what a file's tests started; every file that starts hubs runs it after all its tests. */
export function stopEverythingStarted(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const pid of postmasters) if (isRunning(pid)) process.kill(pid, 'SIGQUIT');
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A folder the `postgres` user can enter (the tests may run as root). */
export function tempDir(): string {
  const dir = makePostgresScratchDir('niudai-process-');
  scratch.push(dir);
  return dir;
}

export interface Hub {
  child: ChildProcess;
  /** The GraphQL URL the process logged. */
  url: string;
  output: () => string;
}

/** The checkout's `npm run <script>` as the arguments of Node (tests/setup/npm-script.ts). */
function scriptArgs(cwd: string, script: string): string[] {
  const args = nodeArgs(cwd, script);
  expect(args, `npm run ${script}`).not.toBeNull();
  return args ?? [];
}

/** Each checkout's server bundle, built once per file (its sources do not change during a file). */
const builds = new Map<string, Promise<void>>();

/**
 * What `npm start` runs after its prestart: the `build:server` script, then the `start` script
 * (the bundle of src/main.ts, dist/server/main.mjs), both as the checkout's package.json says.
 * The console is built once for the run by global setup, so it is not built here again.
 */
function buildServer(cwd: string): Promise<void> {
  let build = builds.get(cwd);
  if (!build) {
    build = new Promise<void>((resolve, reject) => {
      execFile(process.execPath, scriptArgs(cwd, 'build:server'), { cwd }, (error, _stdout, stderr) =>
        error ? reject(new Error(`npm run build:server failed:\n${stderr}`)) : resolve(),
      );
    });
    builds.set(cwd, build);
  }
  return build;
}

/**
 * Runs the hub as `npm start` does (`build:server`, then `start`), in `cwd` (a checkout), and waits
 * for the line announcing its URL. `JWT_SECRET: ''` leaves the secret to the development default.
 */
export async function startHub(env: Record<string, string>, timeoutMs = 60_000, cwd = ROOT): Promise<Hub> {
  await buildServer(cwd);
  const child = spawn(process.execPath, scriptArgs(cwd, 'start'), {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      JWT_SECRET: 's'.repeat(40),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const look = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('Niudai is serving')) continue;
        clearTimeout(timer);
        // The log says localhost for people; connect to the address it listens on.
        resolve((JSON.parse(line) as { url: string }).url.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout?.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before serving:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** Sends SIGTERM and resolves with the exit code, failing after `timeoutMs`. */
export function stopHub(hub: Hub, timeoutMs = 15_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (hub.child.exitCode !== null) return resolve(hub.child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`still running after SIGTERM:\n${hub.output()}`)),
      timeoutMs,
    );
    hub.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    hub.child.kill('SIGTERM');
  });
}

export async function gql(hub: Hub, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

export const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
export const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { displayName } } }`;

/** Signs up on the first run; the second run must still know the account. */
export async function provesDataSurvive(first: Hub, startAgain: () => Promise<Hub>): Promise<void> {
  const input = { email: `restart-${randomUUID().slice(0, 8)}@example.cn`, password: 'secret-password' };
  const up = await gql(first, SIGN_UP, { input: { ...input, displayName: '重启' } });
  expect(up.errors).toBeUndefined();
  expect(await stopHub(first)).toBe(0);

  const second = await startAgain();
  try {
    const res = await gql(second, SIGN_IN, { input: { login: input.email, password: input.password } });
    expect(res.data).toEqual({ signIn: { viewer: { displayName: '重启' } } });
  } finally {
    expect(await stopHub(second)).toBe(0);
  }
}

/** PIDs of processes whose command line mentions `needle`. */
export function processesMentioning(needle: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => line.trim().split(/\s+/)[0] ?? '');
}

/** The process id in the first line of a running cluster's postmaster.pid. */
export function postmasterPid(pgdata: string): number {
  return Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One HTTP exchange on a connection of `agent` (a fresh one each time without it). */
export function httpRequest(
  url: string,
  options: {
    agent?: Agent;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; worker: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: options.agent ?? false, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, worker: res.headers['x-niudai-worker'] as string, body }),
        );
      },
    );
    req.on('error', reject);
    // A hub that accepts and never answers fails the test here, naming the request.
    const timeoutMs = options.timeoutMs ?? 15_000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${url} within ${timeoutMs} ms`)));
    req.end(options.body);
  });
}
