import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, wsRequest, type GqlResponse, type TestApp } from '../../setup/test-app.js';
import type { SeededUser } from '../../setup/seed.js';
import { metricValue, until } from '../../setup/probes.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { record, wsClient } from '../events/feed-client.js';
import { openRaw, type RawSocket } from './raw-socket.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/** Five aliases of a 9-deep regions/children/parent walk: 242 bytes that answered 14 MB before. */
const NESTED =
  'regions { children { children { parent { children { parent { children { parent { children { code } } } } } } } } }';
const ALIASED = `{ ${[1, 2, 3, 4, 5].map((i) => `a${i}: ${NESTED}`).join(' ')} }`;

/** A connection nested in a connection; by the README's cost model it costs 32 + 20 × inner. */
const nestedPages = (inner: string) =>
  `{ projects(first: 10) { edges { node { applications(first: ${inner}) { edges { node { id } } } } } } }`;
const NESTED_PAGES_BY_VARIABLE = `query($inner: Int) {
  projects(first: 10) { edges { node { applications(first: $inner) { edges { node { id } } } } } }
}`;

type Body = GqlResponse['body'];
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code;

describe('query cost, with the default limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('refuses the alias-and-nesting query over HTTP before running it, with its cost', async () => {
    const { status, body } = await t.gql(ALIASED);
    expect(status).toBe(400);
    expect(body.data ?? null).toBeNull();
    expect(codeOf(body)).toBe('QUERY_TOO_COMPLEX');
    const { cost, maxCost } = body.errors![0]!.extensions as { cost: number; maxCost: number };
    expect(maxCost).toBe(t.config.limits.maxCost);
    expect(cost).toBeGreaterThan(1e9);
    expect(body.errors?.[0]?.message).toContain(String(maxCost));
  });

  it('refuses it over WebSocket with the same code and cost', async () => {
    const http = await t.gql(ALIASED);
    const ws = await wsRequest(t.ws(), ALIASED);
    expect(codeOf(ws)).toBe('QUERY_TOO_COMPLEX');
    expect(ws.errors?.[0]?.extensions).toEqual(http.body.errors?.[0]?.extensions);
  });

  it('passes a nested connection of the largest pages', async () => {
    const { body } = await t.gql(nestedPages(String(t.config.limits.pageMax)));
    expect(body.errors).toBeUndefined();
  });
});

describe('query cost counts page sizes', () => {
  const MAX_COST = 1000;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LIMIT_MAX_COST: String(MAX_COST) });
  });
  afterAll(() => t.stop());

  it('passes `first: 5` and refuses `first: 100` on a nested connection, over HTTP and WebSocket', async () => {
    const small = await t.gql(nestedPages('5'));
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data).toEqual({ projects: { edges: [] } });

    const large = await t.gql(nestedPages('100'));
    expect(large.status).toBe(400);
    expect(codeOf(large.body)).toBe('QUERY_TOO_COMPLEX');
    expect(large.body.errors?.[0]?.extensions).toMatchObject({ cost: 32 + 20 * 100, maxCost: MAX_COST });

    expect((await wsRequest(t.ws(), nestedPages('5'))).errors).toBeUndefined();
    const ws = await wsRequest(t.ws(), nestedPages('100'));
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 32 + 20 * 100 });
  });

  it('counts a `first` given by a variable, over HTTP and WebSocket', async () => {
    expect((await t.gql(NESTED_PAGES_BY_VARIABLE, { inner: 5 })).body.errors).toBeUndefined();
    const http = await t.gql(NESTED_PAGES_BY_VARIABLE, { inner: 100 });
    expect(http.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 2032 });
    // Omitted, the page is PAGE_DEFAULT.
    const omitted = await t.gql(NESTED_PAGES_BY_VARIABLE, {});
    expect(omitted.body.errors).toBeUndefined();

    expect((await wsRequest(t.ws(), NESTED_PAGES_BY_VARIABLE, { inner: 5 })).errors).toBeUndefined();
    const ws = await wsRequest(t.ws(), NESTED_PAGES_BY_VARIABLE, { inner: 100 });
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 2032 });
  });

  it('counts each request by its own variables when one document is sent again and again', async () => {
    for (let round = 0; round < 3; round++) {
      expect((await t.gql(NESTED_PAGES_BY_VARIABLE, { inner: 5 })).body.errors).toBeUndefined();
      const refused = await t.gql(NESTED_PAGES_BY_VARIABLE, { inner: 100 });
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 2032 });
      expect((await t.gql(nestedPages('100'))).body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    }
  });
});

describe('response-size ceiling', () => {
  const MAX_BYTES = 1024;
  /** Every district of Shandong: far more than 1 KiB of JSON. */
  const DISTRICTS = `{ regions(level: DISTRICT) { code name nameEn } }`;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LIMIT_MAX_RESPONSE_BYTES: String(MAX_BYTES) });
  });
  afterAll(() => t.stop());

  it('replaces a result over the ceiling with RESPONSE_TOO_LARGE, on both HTTP engines', async () => {
    const compiled = () => metricValue(t.url, 'niudai_graphql_executions_total', { engine: 'compiled' });
    const before = await compiled();
    for (let run = 0; run < 2; run++) {
      const response = await fetch(t.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: DISTRICTS }),
      });
      const text = await response.text();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_BYTES);
      const body = JSON.parse(text) as Body;
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', maxBytes: MAX_BYTES });
    }
    expect(await compiled()).toBe(before + 1); // the second run was graphql-jit's
    const small = await t.data<{ region: { code: string } }>(`{ region(code: "370100") { code } }`);
    expect(small.region.code).toBe('370100');
  });

  it('replaces it over WebSocket too', async () => {
    const ws = await wsRequest(t.ws(), DISTRICTS);
    expect(codeOf(ws)).toBe('RESPONSE_TOO_LARGE');
    expect(ws.data).toBeNull();
  });

  it('holds each pushed subscription payload to the ceiling, and the subscription goes on', async () => {
    const worker: SeededUser = await t.seed.worker();
    const organization = await t.seed.organization({
      categoryCodes: ['LIFE'],
      regionCodes: ['370100'],
      targetGroups: [TargetGroup.FEMALE_WORKERS],
    });
    const client = wsClient(t.wsUrl, organization.token);
    const subscribed = t.app.services.events.index.size;
    const feed = record(
      client,
      {},
      `subscription { demandPublished { cursor demand { id title description } } }`,
    );
    await until(async () => t.app.services.events.index.size > subscribed);
    const submit = (title: string, description: string) =>
      t.data(
        SUBMIT_DEMAND,
        {
          input: {
            title,
            description,
            categoryCode: 'LIFE.CHILDCARE',
            regionCode: '370102',
            targetGroups: [TargetGroup.FEMALE_WORKERS],
          },
        },
        worker.token,
      );
    await submit('长描述的需求', '需要课后托管服务，'.repeat(60)); // 60 × 27 bytes
    const error = (await feed.failed()) as { extensions?: { code?: string } };
    expect(error.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    await submit('短描述的需求', '需要托管');
    const [event] = await feed.waitFor(1);
    expect(event?.demand.title).toBe('短描述的需求');
    feed.stop();
    await client.dispose();
  });
});

describe('execution time budget', () => {
  let t: TestApp;
  const PAGE = `{ organizations(first: 5) { edges { node { name services { name } } } } }`;
  beforeAll(async () => {
    t = await startTestApp({ LIMIT_EXECUTION_MS: '1' });
    await t.seed.organization({ services: [{ name: '法律援助' }] });
  });
  afterAll(() => t.stop());

  /**
   * Runs `request` while another transaction holds the organization table: the page's read waits,
   * and is let go only once it has waited longer than the budget, so the deadline has passed before
   * the nested `services` resolvers could start, however fast the machine. (On a slow turn the root
   * resolver itself may start past the deadline and read nothing: the request then ends first.)
   */
  async function pastTheDeadline<T>(request: () => Promise<T>): Promise<T> {
    const knex = t.orm.em.getConnection().getKnex();
    const lock = await knex.transaction();
    try {
      await lock.raw('lock table organization in access exclusive mode');
      let settled = false;
      const pending = request().finally(() => (settled = true));
      await until(
        async () => {
          if (settled) return true;
          const rows = await knex.raw<{ rows: { waiting: string }[] }>(
            `select count(*) as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'
              and clock_timestamp() - query_start > interval '5 milliseconds'`,
          );
          return Number(rows.rows[0]?.waiting) > 0;
        },
        10_000,
        5,
      );
      await lock.rollback();
      return await pending;
    } finally {
      if (!lock.isCompleted()) await lock.rollback();
    }
  }

  it('stops an HTTP query at its deadline with EXECUTION_TIMEOUT, on both engines', async () => {
    for (let run = 0; run < 2; run++) {
      const { body } = await pastTheDeadline(() => t.gql(PAGE));
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'EXECUTION_TIMEOUT', limitMs: 1 });
    }
    expect(await metricValue(t.url, 'niudai_graphql_executions_total', { engine: 'compiled' })).toBe(1);
  });

  it('stops a WebSocket query at its deadline the same way', async () => {
    const ws = await pastTheDeadline(() => wsRequest(t.ws(), PAGE));
    expect(ws.errors).toHaveLength(1);
    expect(codeOf(ws)).toBe('EXECUTION_TIMEOUT');
  });
});

describe('anonymous sockets per address', () => {
  let t: TestApp;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    for (const s of sockets) s.socket.terminate();
    await t.stop();
  });

  const raw = () => {
    const socket = openRaw(t.wsUrl);
    sockets.push(socket);
    return socket;
  };
  const openSockets = () => metricValue(t.url, 'niudai_websocket_sockets_open');

  it('closes the anonymous socket beyond the cap with 4429; signed-in sockets are not counted; closing one frees a place', async () => {
    const cap = t.config.limits.wsMaxAnonymousSocketsPerAddress;
    const admitted: RawSocket[] = [];
    for (let i = 0; i < cap; i++) {
      const socket = raw();
      await socket.init();
      admitted.push(socket);
    }
    const extra = raw();
    await extra.opened;
    extra.send({ type: 'connection_init', payload: {} });
    const refused = await extra.closed;
    expect(refused.code).toBe(4429);
    expect(refused.reason).toContain(`At most ${cap} connections without signing in`);

    // A signed-in user from the same address still connects (the per-user cap applies to it).
    const worker = await t.seed.worker();
    const signedIn = raw();
    await signedIn.init(worker.token);

    // Closing an anonymous socket frees its place.
    await until(async () => (await openSockets()) === cap + 1);
    admitted[0]!.socket.close(1000);
    await until(async () => (await openSockets()) === cap);
    const again = raw();
    await again.init();
    again.send({ type: 'subscribe', id: 'q', payload: { query: '{ region(code: "370100") { code } }' } });
    await again.waitFor((m) => m.type === 'next' && m.id === 'q');
  });
});
