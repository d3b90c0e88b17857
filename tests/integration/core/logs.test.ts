import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { connectOrm } from '../../../src/core/db/db.js';
import { createLogger } from '../../../src/core/logger.js';
import { until } from '../../setup/probes.js';
import { scratchDatabase } from '../../setup/scratch-database.js';

/** Every line the hub logs, parsed. */
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

let orm: MikroORM;
let app: App;
let url: string;
beforeAll(async () => {
  // Built by hand rather than with startTestApp, to give the app the production logger over a sink.
  const databaseUrl = await scratchDatabase();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, LOG_LEVEL: 'debug' });
  const log = createLogger('debug', sink);
  orm = await connectOrm(databaseUrl, log);
  app = await createApp({ config, orm, log });
  url = `${await app.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(async () => {
  await app.stop();
  await orm.close();
});

async function post(query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, { token: string }> };
}

describe('request logs', () => {
  it('writes one line per request with its operation and duration, and never a password or token', async () => {
    const password = 'pässwörd-never-logged-42';
    const input = { email: 'log.test@example.cn', password, displayName: '日志' };
    await post(`mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`, { input });
    const signIn = await post(`mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }`, {
      input: { login: input.email, password },
    });
    const token = signIn.data?.signIn?.token;
    expect(token).toMatch(/^ey/);
    await post(`query Viewer { viewer { id } }`, {}, token);
    await post(`query Viewer { viewer { id } }`, {}, `${token}x`); // refused: must not be logged either
    // A request's line may reach the sink after its response: wait for the fourth.
    const requests = () => lines.filter((l) => l.msg === 'graphql request');
    await until(() => requests().length >= 4, 5_000, 10, 'four request log lines');

    expect(requests().map((l) => l.operationName)).toEqual(['SignUp', 'SignIn', 'Viewer', null]);
    for (const line of requests()) expect(typeof line.durationMs).toBe('number');
    // The refused one is logged before its document is parsed, so without a name.
    expect(requests()[3]).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'] });

    const everything = raw.join('\n');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token!);
    expect(everything).not.toContain(token!.split('.')[2]!); // not even the signature alone
  });
});
