import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureDatabase, withDatabase } from '../../../src/core/database-url.js';
import { TEMPLATE_DATABASE } from '../../setup/constants.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch: string[] = [];
const running = new Set<ChildProcess>();

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A folder the `postgres` user can enter (the tests may run as root). */
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'niudai-process-'));
  chmodSync(dir, 0o755);
  scratch.push(dir);
  return dir;
}

interface Hub {
  child: ChildProcess;
  /** The GraphQL URL the process logged. */
  url: string;
  output: () => string;
}

/** Runs `src/main.ts` as `npm start` does and waits for the line announcing its URL. */
async function startHub(env: Record<string, string>, timeoutMs = 60_000): Promise<Hub> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
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
function stopHub(hub: Hub, timeoutMs = 15_000): Promise<number | null> {
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

async function gql(hub: Hub, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { viewer { displayName } } }`;

/** Signs up on the first run; the second run must still know the account. */
async function provesDataSurvive(first: Hub, startAgain: () => Promise<Hub>): Promise<void> {
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
function processesMentioning(needle: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => line.trim().split(/\s+/)[0] ?? '');
}

describe('the process (npm start)', () => {
  it('serves on an external DATABASE_URL, stops on SIGTERM with 0, and keeps data across restarts', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const database = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await ensureDatabase(adminUrl, database, TEMPLATE_DATABASE);
    const env = { DATABASE_URL: withDatabase(adminUrl, database), DATA_DIR: tempDir() };
    const first = await startHub(env);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.url).not.toMatch(/:0\//);
    const health = await fetch(first.url.replace('/graphql', '/readyz'));
    expect(health.status).toBe(200);
    await provesDataSurvive(first, () => startHub(env));
  });

  it('starts its own PostgreSQL without DATABASE_URL, stops it on SIGTERM, and keeps data', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir };
    const first = await startHub(env, 120_000);
    expect(first.output()).toContain('embedded PostgreSQL started');
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    await provesDataSurvive(first, async () => {
      // Stopped with the hub: nothing is left running on its data directory.
      expect(processesMentioning(dataDir)).toEqual([]);
      return startHub(env, 120_000);
    });
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);
});
