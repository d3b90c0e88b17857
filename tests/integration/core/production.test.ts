import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(48) });
});
afterAll(() => t.stop());

const INTROSPECTION = `{ __schema { types { name } } }`;
const TYPO = `{ regoins { code } }`;

describe('production mode hides the schema', () => {
  it('refuses introspection over HTTP and WebSocket', async () => {
    const http = await t.gql(INTROSPECTION);
    expect(http.status).toBe(400);
    expect(http.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(http.body.data ?? null).toBeNull();
    const ws = await wsRequest(t.ws(), INTROSPECTION);
    expect(ws.errors?.[0]?.message).toMatch(/introspection/i);
    expect(ws.data ?? null).toBeNull();
  });

  it('gives no "Did you mean" suggestions over HTTP and WebSocket', async () => {
    const http = await t.gql(TYPO);
    expect(http.status).toBe(400);
    expect(http.body.errors?.[0]?.message).toMatch(/regoins/);
    expect(JSON.stringify(http.body)).not.toMatch(/did you mean|regions/i);
    const ws = await wsRequest(t.ws(), TYPO);
    expect(ws.errors?.[0]?.message).toMatch(/regoins/);
    expect(JSON.stringify(ws)).not.toMatch(/did you mean|regions/i);
  });

  it('still serves ordinary queries and __typename', async () => {
    expect(await t.data(`{ region(code: "370000") { __typename code } }`)).toEqual({
      region: { __typename: 'Region', code: '370000' },
    });
  });
});
