import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestApp, wsRequest, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** POSTs a raw body with the given headers. */
async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(t.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: { errors?: { message: string; extensions?: { code?: string } }[] } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    /* some refusals are not JSON */
  }
  return { status: res.status, json, text };
}

/** A query `depth` levels deep: region → parent → parent … */
function deepQuery(depth: number): string {
  return `{ region(code: "370102") ${'{ parent '.repeat(depth - 1)}{ code }${' }'.repeat(depth - 1)} }`;
}

describe('bad requests over HTTP', () => {
  it('answers a malformed query with 400 GRAPHQL_PARSE_FAILED', async () => {
    const res = await post(JSON.stringify({ query: '{ regions { code ' }));
    expect(res.status).toBe(400);
    expect(res.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers invalid JSON and an empty body with 400', async () => {
    expect((await post('{"query": "{ regions { code } }"')).status).toBe(400);
    expect((await post('')).status).toBe(400);
  });

  it('answers a body over the limit with 413', async () => {
    const padding = 'x'.repeat(t.config.limits.maxBodyBytes + 10);
    const res = await post(JSON.stringify({ query: `{ viewer { id } }`, variables: { padding } }));
    expect(res.status).toBe(413);
  });

  it('answers an unknown field with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await post(JSON.stringify({ query: '{ nope }' }));
    expect(res.status).toBe(400);
    expect(res.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('limits', () => {
  it('refuses a query deeper than the limit over HTTP with 400', async () => {
    const ok = await post(JSON.stringify({ query: deepQuery(t.config.limits.maxDepth - 1) }));
    expect(ok.status).toBe(200);
    const res = await post(JSON.stringify({ query: deepQuery(t.config.limits.maxDepth + 3) }));
    expect(res.status).toBe(400);
    expect(res.json.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('refuses a query deeper than the limit over WebSocket, and the socket stays usable', async () => {
    const client = t.ws();
    const refused = await wsRequest(client, deepQuery(t.config.limits.maxDepth + 3));
    expect(refused.errors?.[0]?.message).toMatch(/depth/i);
    const after = await wsRequest<{ region: { code: string } }>(
      client,
      `{ region(code: "370100") { code } }`,
    );
    expect(after.data?.region.code).toBe('370100');
  });

  it('refuses a query with too many tokens with 400, not 500, over both transports', async () => {
    const query = `{ ${'__typename '.repeat(t.config.limits.maxTokens + 10)}}`;
    const res = await post(JSON.stringify({ query }));
    expect(res.status).toBe(400);
    expect(res.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.json.errors?.[0]?.message).toMatch(/token/i);
    const client = t.ws();
    const refused = await wsRequest(client, query);
    expect(refused.errors?.[0]?.message).toMatch(/token/i);
    expect((await wsRequest(client, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  // armor lets `__typename` aliases through by design, so alias a real field.
  it('refuses too many aliases with 400', async () => {
    const aliases = Array.from({ length: t.config.limits.maxAliases + 5 }, (_, i) => `a${i}: viewer { id }`);
    const res = await post(JSON.stringify({ query: `{ ${aliases.join(' ')} }` }));
    expect(res.status).toBe(400);
  });
});

describe('CSRF prevention', () => {
  it('refuses a simple GET without the preflight header, and serves it with one', async () => {
    const url = `${t.httpUrl}?query=${encodeURIComponent('{ __typename }')}`;
    expect((await fetch(url)).status).toBe(400);
    const ok = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
  });

  it('refuses a text/plain POST', async () => {
    const res = await post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('"data"');
  });
});

describe('health', () => {
  it('answers /healthz and /readyz with 200, and unknown paths with 404', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${t.url}/elsewhere`)).status).toBe(404);
  });
});

describe('faults', () => {
  // This app's database is damaged on purpose, so it gets its own.
  let broken: TestApp;
  let admin: pg.Client;
  beforeAll(async () => {
    broken = await startTestApp();
    admin = new pg.Client({
      connectionString: broken.databaseUrl,
    });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await broken.stop();
  });

  it('reports 503 on /readyz while a migration is pending', async () => {
    const { rows } = await admin.query<{ id: number; name: string; executed_at: Date }>(
      'select * from mikro_orm_migrations order by id desc limit 1',
    );
    const last = rows[0]!;
    await admin.query('delete from mikro_orm_migrations where id = $1', [last.id]);
    try {
      const res = await fetch(`${broken.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'migrations pending', pending: [last.name] });
    } finally {
      await admin.query('insert into mikro_orm_migrations (id, name, executed_at) values ($1, $2, $3)', [
        last.id,
        last.name,
        last.executed_at,
      ]);
    }
    expect((await fetch(`${broken.url}/readyz`)).status).toBe(200);
  });

  it('masks a database error as INTERNAL_SERVER_ERROR, with no SQL, over HTTP and WebSocket', async () => {
    await admin.query('alter table region rename to region_gone');
    try {
      const res = await broken.gql(`{ regions(parentCode: "370000") { code } }`);
      expect(res.status).toBe(200);
      const error = res.body.errors?.[0];
      expect(error).toEqual({
        message: 'Internal server error.',
        path: ['regions'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/select|region_gone|relation|"region"/i);
      const ws = await wsRequest(broken.ws(), `{ regions(parentCode: "370000") { code } }`);
      expect(ws.errors?.[0]).toMatchObject({
        message: 'Internal server error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(ws)).not.toMatch(/select|relation/i);
      // The server is still up for everything else.
      expect((await broken.gql('{ __typename }')).body.data).toEqual({ __typename: 'Query' });
    } finally {
      await admin.query('alter table region_gone rename to region');
    }
  });
});
