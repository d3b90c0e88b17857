import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresUserIds, SHARED_STATE_ROOT } from '../../../src/core/db/embedded-postgres-loader.js';
import {
  type Hub,
  ROOT,
  SIGN_IN,
  SIGN_UP,
  gql,
  isRunning,
  postmasterPid,
  postmasters,
  processesMentioning,
  scratch,
  startHub,
  stopEverythingStarted,
  stopHub,
} from './process-harness.js';

afterAll(stopEverythingStarted);

const isRoot = userInfo().uid === 0;
if (!isRoot) {
  console.warn(
    'process-newcomer.test.ts: skipping "a newcomer as root": it needs root (the embedded PostgreSQL then runs as the postgres user)',
  );
}

/** The `dataDir` of the hub's "data directory" log line, if it wrote one. */
function loggedDataDir(hub: Hub): string | undefined {
  for (const line of hub.output().split('\n')) {
    if (!line.includes('"data directory: ')) continue;
    return (JSON.parse(line) as { dataDir: string }).dataDir;
  }
  return undefined;
}

describe('a newcomer as root, in a clone only root can enter (npm ci && npm start)', () => {
  it.runIf(isRoot)(
    'keeps the data under /var/lib/niudai, says where, finds it again after a restart and stops cleanly',
    async () => {
      // A copy of this checkout inside a fresh 0700 folder, as `git clone` into /root or `mktemp -d` gives
      // (without the server bundle, which a clone lacks: `npm start` builds it there).
      const parent = mkdtempSync(path.join(tmpdir(), 'niudai-newcomer-'));
      chmodSync(parent, 0o700);
      scratch.push(parent);
      const checkout = path.join(parent, 'niudai');
      cpSync(ROOT, checkout, {
        recursive: true,
        filter: (from) =>
          !/(^|\/)(node_modules|\.git|\.data)$/.test(path.relative(ROOT, from)) &&
          path.relative(ROOT, from) !== 'dist',
      });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
      const hash = createHash('sha256').update(checkout).digest('hex').slice(0, 10);
      const expected = path.join(SHARED_STATE_ROOT, `niudai-${hash}`);
      const sharedRootExisted = existsSync(SHARED_STATE_ROOT);
      expect(existsSync(expected)).toBe(false);
      try {
        // An explicit DATA_DIR the postgres user cannot reach is still refused, with what to do.
        await expect(startHub({ DATA_DIR: path.join(parent, 'data') }, 60_000, checkout)).rejects.toThrow(
          /cannot enter .* \(mode 700\).*chmod o\+x/,
        );

        const first = await startHub({ JWT_SECRET: '' }, 120_000, checkout);
        expect(loggedDataDir(first)).toBe(expected);
        expect(first.output()).toContain(`cannot enter ${parent}, mode 700`);
        expect((await fetch(first.url.replace('/graphql', '/readyz'))).status).toBe(200);
        const input = { email: `newcomer-${hash}@example.cn`, password: 'secret-password' };
        const up = await gql(first, SIGN_UP, { input: { ...input, displayName: '新人' } });
        expect(up.errors).toBeUndefined();
        expect(up.data).toMatchObject({ signUp: { token: expect.any(String) } });

        // Root-owned, passable but not listable by others; the cluster is the postgres user's; the
        // development secret private; nothing written into the checkout.
        expect(statSync(expected)).toMatchObject({ uid: 0 });
        expect(statSync(expected).mode & 0o777).toBe(0o711);
        expect(statSync(SHARED_STATE_ROOT).mode & 0o022).toBe(0);
        const secret = statSync(path.join(expected, 'jwt-secret'));
        expect({ uid: secret.uid, mode: secret.mode & 0o777 }).toEqual({ uid: 0, mode: 0o600 });
        expect(statSync(path.join(expected, 'postgres')).uid).toBe(postgresUserIds()?.uid);
        expect(existsSync(path.join(checkout, '.data'))).toBe(false);

        const postmaster = postmasterPid(path.join(expected, 'postgres'));
        postmasters.add(postmaster);
        expect(isRunning(postmaster)).toBe(true);
        expect(await stopHub(first)).toBe(0);
        expect(isRunning(postmaster)).toBe(false);

        const second = await startHub({ JWT_SECRET: '' }, 120_000, checkout);
        try {
          expect(loggedDataDir(second)).toBe(expected);
          const res = await gql(second, SIGN_IN, { input: { login: input.email, password: input.password } });
          expect(res.data).toEqual({ signIn: { viewer: { displayName: '新人' } } });
        } finally {
          expect(await stopHub(second)).toBe(0);
        }
        expect(processesMentioning(expected)).toEqual([]);
      } finally {
        rmSync(expected, { recursive: true, force: true });
        // Only if this test made it and nothing else has been put there since.
        if (
          !sharedRootExisted &&
          existsSync(SHARED_STATE_ROOT) &&
          readdirSync(SHARED_STATE_ROOT).length === 0
        )
          rmdirSync(SHARED_STATE_ROOT);
      }
    },
    300_000,
  );
});
