import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { codes } from './helpers.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/** Every line the app logs, raw. */
const raw: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    raw.push(chunk.toString('utf8'));
    done();
  },
});

/** A title and a display name the test's own CHECK constraints refuse: the app does not pre-check them. */
const REFUSED_TITLE = 'forced database refusal';
const REFUSED_NAME = 'forced refusal name';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { logSink: sink, logLevel: 'debug' });
  // In this test's own database only: a constraint whose violation reports the whole failing row.
  const db = t.orm.em.getConnection();
  await db.execute(
    `alter table "demand" add constraint "test_refused_title" check ("title" <> '${REFUSED_TITLE}')`,
  );
  await db.execute(
    `alter table "app_user" add constraint "test_refused_name" check ("display_name" <> '${REFUSED_NAME}')`,
  );
});
afterAll(() => t.stop());

describe('database errors in the log', () => {
  it('logs error class, SQLSTATE, constraint and table of a failed insert, never the values', async () => {
    const worker = await t.seed.worker();
    const contact = '13912345678 微信 zhang_wei_0815';
    const submitted = await t.gql(
      SUBMIT_DEMAND,
      {
        input: {
          title: REFUSED_TITLE,
          description: '双职工家庭周末无人照看孩子',
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
          contact,
        },
      },
      worker.token,
    );
    expect(codes(submitted.body)).toEqual(['INTERNAL_SERVER_ERROR']);

    const mobile = '13787654321';
    const password = 'correct horse battery';
    const signedUp = await t.gql(`mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { mobile, password, displayName: REFUSED_NAME },
    });
    expect(codes(signedUp.body)).toEqual(['INTERNAL_SERVER_ERROR']);

    const everything = raw.join('');
    for (const secret of [contact, '13912345678', 'zhang_wei_0815', mobile, password, 'scrypt$'])
      expect(everything, secret).not.toContain(secret);
    expect(everything).not.toContain('insert into');
    expect(everything).not.toContain('Failing row');

    const masked = everything
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> })
      .filter((line) => line.msg === 'unexpected error (masked for the client)');
    expect(masked.map((line) => line.err)).toEqual([
      expect.objectContaining({
        type: 'CheckConstraintViolationException',
        code: '23514',
        constraint: 'test_refused_title',
        table: 'demand',
      }),
      expect.objectContaining({
        type: 'CheckConstraintViolationException',
        code: '23514',
        constraint: 'test_refused_name',
        table: 'app_user',
      }),
    ]);
  });
});
