import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { npmScripts } from '../../setup/npm-script.js';
import { scratchDatabase } from '../../setup/scratch-database.js';

const npm = npmScripts();
let databaseUrl: string;
let db: pg.Client;
let scratch: string;

beforeAll(async () => {
  databaseUrl = await scratchDatabase();
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  scratch = mkdtempSync(path.join(tmpdir(), 'niudai-cli-test-'));
});
afterAll(async () => {
  await db.end();
  rmSync(scratch, { recursive: true, force: true });
});

/** `npm run <script> -- <args>` against this file's database. */
async function cli(script: string, args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await npm(script, args, {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    DATA_DIR: scratch,
  });
  return { code, out: stdout + stderr };
}

describe('npm run admin:create', () => {
  it('creates an admin once and leaves an existing account alone', async () => {
    const first = await cli('admin:create', ['--email', 'Boss@Example.cn', '--password', 'very-secret-1']);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain('created');
    const { rows } = await db.query<{ roles: string[] }>('select roles from app_user where email = $1', [
      'boss@example.cn',
    ]);
    expect(rows).toEqual([{ roles: ['ADMIN'] }]);
    const again = await cli('admin:create', ['--email', 'boss@example.cn', '--password', 'other-secret-2']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already exists');
  }, 60_000);

  it('refuses a bad email or a short password with usage', async () => {
    const res = await cli('admin:create', ['--email', 'nope', '--password', 'short']);
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/--email/);
    expect(res.out).toMatch(/--password must be 8/);
  }, 60_000);
});

describe('npm run regions:import', () => {
  it('imports a CSV, and refuses a bad one by line without writing anything', async () => {
    const good = path.join(scratch, 'good.csv');
    writeFileSync(good, 'code,name,nameEn,parentCode\n370195,新区,New Area,370100\n');
    const ok = await cli('regions:import', [good]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('1 created, 0 updated');
    const bad = path.join(scratch, 'bad.csv');
    writeFileSync(bad, 'code,name,nameEn,parentCode\n370194,甲,A,370100\nxx,乙,B,370100\n');
    const refused = await cli('regions:import', [bad]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('bad.csv[line 3]');
    const { rows } = await db.query('select code from region where code in ($1, $2) order by code', [
      '370194',
      '370195',
    ]);
    expect(rows).toEqual([{ code: '370195' }]);
  }, 60_000);
});
