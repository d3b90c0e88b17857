import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

/** Every line the app logs, parsed. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { logSink: sink });
});
afterAll(() => t.stop());

/** Signs up (an audited mutation) with the given `x-request-id` header; the response's id and the audit rows. */
async function signUpWith(clientId: string | null) {
  const email = `rid-${Date.now()}-${Math.random().toString(36).slice(2)}@example.cn`;
  const response = await fetch(t.httpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(clientId === null ? {} : { 'x-request-id': clientId }),
    },
    body: JSON.stringify({
      query: `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id } } }`,
      variables: { input: { email, password: 'long enough password', displayName: '请求' } },
    }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const echoed = response.headers.get('x-request-id');
  const stored = await t.orm.em
    .fork()
    .getConnection()
    .execute<{ request_id: string }[]>(`select request_id from audit_entry where request_id = ?`, [echoed]);
  return { echoed, stored };
}

describe('request ids', () => {
  it('are the server’s own: in the response and the audit trail, whatever the client sends', async () => {
    const hostile = [
      'abc\r\nx-injected: yes',
      'x'.repeat(200),
      "'; drop table audit_entry; --",
      '<script>alert(1)</script>',
      'abc\ndef',
    ];
    for (const clientId of hostile) {
      // fetch refuses to send a header with CR/LF: such a header cannot reach the server at all.
      const sent = /[\r\n]/.test(clientId) ? null : clientId;
      const { echoed, stored } = await signUpWith(sent);
      expect(echoed).toMatch(UUID);
      expect(echoed).not.toBe(clientId);
      expect(stored.length).toBeGreaterThan(0);
      const trail = await t.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from audit_entry where request_id = ?`, [clientId]);
      expect(Number(trail[0]!.n)).toBe(0);
    }
    const logged = JSON.stringify(lines);
    for (const clientId of hostile.slice(1)) expect(logged).not.toContain(clientId.slice(0, 40));
  });

  it('keep a well-formed client id beside the server’s in the log only', async () => {
    const clientId = 'client-trace.42_A';
    const { echoed } = await signUpWith(clientId);
    expect(echoed).toMatch(UUID);
    const line = lines.find((l) => l.msg === 'graphql request' && l.requestId === echoed);
    expect(line).toMatchObject({ requestId: echoed, clientRequestId: clientId });
    const trail = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from audit_entry where request_id = ?`, [clientId]);
    expect(Number(trail[0]!.n)).toBe(0);
  });
});
