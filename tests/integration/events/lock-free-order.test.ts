import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { scratchDatabase } from '../../setup/scratch-database.js';
import { spawnServer, type ServerProcess } from '../../setup/server-process-client.js';
import type { SeededOrganization, SeededUser } from '../../setup/seed.js';
import { subscriptionsReach } from '../../setup/probes.js';
import { demandInput, SUBMIT_DEMAND } from '../../setup/operations.js';
import { insertEventsParams, insertEventsSql, Topic } from '../../../src/core/events/outbox.js';
import type { EventRelay } from '../../../src/core/events/relay.js';
import { parseIdOf } from '../../../src/core/relay/global-id.js';
import { Demand } from '../../../src/modules/demands/demand.entity.js';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { record, wsClient, type Recorder } from './feed-client.js';
import type { Client } from 'graphql-ws';

/**
 * Events are written without a lock (docs/architecture.md, "Live path"): a transaction holding a seq
 * open holds back what follows it, never loses or reorders it; a rolled-back seq is passed over.
 */
let t: TestApp;
let worker: SeededUser;
let matching: SeededOrganization;
const clients: Client[] = [];
const servers: ServerProcess[] = [];
const env = { JWT_SECRET: randomBytes(32).toString('base64url') };
/** Every seq this process's relay handed on, in the order it did. */
const relayed: number[] = [];

const relay = (): EventRelay => t.app.services.events.activeRelay!;

async function submit(url = t.httpUrl): Promise<{ id: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${worker.token}` },
    body: JSON.stringify({
      query: SUBMIT_DEMAND,
      variables: { input: demandInput({ targetGroups: [TargetGroup.FEMALE_WORKERS] }) },
    }),
  });
  const body = (await response.json()) as { data?: { submitDemand: { demand: { id: string } } } };
  if (!body.data) throw new Error(`submitDemand failed: ${JSON.stringify(body)}`);
  return body.data.submitDemand.demand;
}

async function seqOf(demandId: string): Promise<number> {
  const rows = await t.orm.em
    .fork()
    .execute<{ seq: string }[]>(
      'select max("seq") as "seq" from "event" where "topic" = ? and "entity_id" = ?',
      [Topic.DEMAND_PUBLISHED, parseIdOf('Demand', demandId, 'id')],
    );
  return Number(rows[0]!.seq);
}

/** Resolves once the relay has finished `reads` more reads of the table that all satisfy `check`. */
function relayReads(reads: number, check: () => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = relay().onRead(() => {
      if (!check()) return;
      if (++seen < reads) return;
      off();
      resolve();
    });
    void relay().catchUp();
  });
}

/** Resolves once the relay has read past `seq` (it holds it back when an earlier seq is missing). */
const readPast = (seq: number) => relayReads(1, () => (relay().heldBack?.upTo ?? relay().position) >= seq);

/**
 * Opens a transaction on its own connection that writes a DEMAND_PUBLISHED event for `demandId`
 * exactly as emitEvents does, and keeps it open. Resolves to its seq and the connection.
 */
async function holdEvent(demandId: string): Promise<{ seq: number; held: pg.Client }> {
  const demand = await t.orm.em.fork().findOneOrFail(Demand, { id: parseIdOf('Demand', demandId, 'id') });
  const held = new pg.Client({ connectionString: t.config.databaseUrl ?? '' });
  await held.connect();
  await held.query('begin');
  let n = 0;
  const sql = insertEventsSql(1).replace(/\?/g, () => `$${++n}`);
  const { rows } = await held.query<{ seq: string }>(
    sql,
    insertEventsParams([
      {
        topic: Topic.DEMAND_PUBLISHED,
        entityId: demand.id,
        categoryPath: demand.categoryPath,
        regionPath: demand.regionPath,
        targetGroups: demand.targetGroups,
      },
    ]),
  );
  return { seq: Number(rows[0]!.seq), held };
}

const cursors = (recorder: Recorder) => recorder.events.map((e) => Number(e.cursor));
const increasing = (values: number[]) => values.every((v, i) => i === 0 || v > values[i - 1]!);

beforeAll(async () => {
  t = await startTestApp(env);
  worker = await t.seed.worker();
  matching = await t.seed.organization({
    categoryCodes: ['LIFE'],
    regionCodes: ['370100'],
    targetGroups: [TargetGroup.FEMALE_WORKERS],
  });
  t.app.services.events.onEvent((event) => relayed.push(event.seq));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(servers.map((s) => s.kill()));
  await t?.stop();
});

describe('a transaction holding a seq open', () => {
  it('holds back what follows it across many relay reads, then delivers everything in seq order once it commits', async () => {
    const c = wsClient(t.wsUrl, matching.token);
    clients.push(c);
    const sub = record(c);
    await subscriptionsReach(t, 1);
    const first = await submit();
    await sub.waitFor(1);
    const { seq: gap, held } = await holdEvent(first.id);
    try {
      const later: number[] = [];
      // Three other writers commit after it, each a wake-up of the relay; then the relay's own
      // re-checks (its backoff grows to 250 ms) keep reading: 40 of them hold it for about 10 s.
      for (let i = 0; i < 3; i++) {
        const seq = await seqOf((await submit()).id);
        later.push(seq);
        await readPast(seq);
        expect(relay().position).toBeLessThan(gap);
      }
      await relayReads(40, () => relay().heldBack !== null);
      expect(relay().heldBack?.after).toBeLessThan(gap);
      expect(relay().heldBack?.upTo).toBe(later.at(-1));
      expect(relayed.filter((seq) => seq >= gap)).toEqual([]);
      expect(sub.events).toHaveLength(1);
      await held.query('commit');
      const events = await sub.waitFor(5);
      expect(cursors(sub)).toEqual([Number(events[0]!.cursor), gap, ...later]);
      expect(relay().heldBack).toBeNull();
      expect(increasing(relayed)).toBe(true);
    } finally {
      await held.end();
      sub.stop();
      await subscriptionsReach(t, 0);
    }
  }, 60_000);

  it('passes over a seq whose transaction rolled back, delivering the rest in order', async () => {
    const c = wsClient(t.wsUrl, matching.token);
    clients.push(c);
    const sub = record(c);
    await subscriptionsReach(t, 1);
    const first = await submit();
    const firstSeq = await seqOf(first.id);
    const { seq: gap, held } = await holdEvent(first.id);
    try {
      const later = await seqOf((await submit()).id);
      await readPast(later);
      expect(relay().position).toBeLessThan(gap);
      await held.query('rollback');
      // A rollback sends nothing: the relay's re-check finds the seq settled.
      const events = await sub.waitFor(2);
      expect(events.map((e) => Number(e.cursor))).toEqual([firstSeq, later]);
      expect(relayed).not.toContain(gap);
      expect(relay().position).toBeGreaterThanOrEqual(later);
    } finally {
      await held.end();
      sub.stop();
      await subscriptionsReach(t, 0);
    }
  });

  it('is not held back by a transaction open in another database of the same cluster', async () => {
    const c = wsClient(t.wsUrl, matching.token);
    clients.push(c);
    const sub = record(c);
    await subscriptionsReach(t, 1);
    // Another database's writer, older than everything below, stays open throughout.
    const elsewhere = new pg.Client({ connectionString: await scratchDatabase() });
    await elsewhere.connect();
    await elsewhere.query('begin');
    await elsewhere.query('select pg_current_xact_id()');
    try {
      const first = await submit();
      const { seq: gap, held } = await holdEvent(first.id);
      const later = await seqOf((await submit()).id);
      await readPast(later);
      await held.query('rollback');
      await held.end();
      // Settled by this database's transactions alone: the later event arrives while the other
      // database's transaction is still open.
      const events = await sub.waitFor(2);
      expect(events.map((e) => Number(e.cursor)).at(-1)).toBe(later);
      expect(relayed).not.toContain(gap);
    } finally {
      await elsewhere.query('rollback');
      await elsewhere.end();
      sub.stop();
      await subscriptionsReach(t, 0);
    }
  });
});

describe('16 concurrent writers on two processes', () => {
  it('gives every subscriber of each process every event exactly once, in seq order', async () => {
    const other = await spawnServer(t.config.databaseUrl ?? '', env);
    servers.push(other);
    const here = wsClient(t.wsUrl, matching.token);
    const there = wsClient(other.wsUrl, matching.token);
    clients.push(here, there);
    const subs = [record(here), record(here), record(there), record(there)];
    await subscriptionsReach(t, 2);
    await subscriptionsReach(other, 2);
    const urls = [t.httpUrl, other.url + '/graphql'];
    const perWriter = 3;
    const submitted = (
      await Promise.all(
        Array.from({ length: 16 }, async (_, writer) => {
          const ids: string[] = [];
          for (let i = 0; i < perWriter; i++) ids.push((await submit(urls[(writer + i) % 2])).id);
          return ids;
        }),
      )
    ).flat();
    const expected = await Promise.all(submitted.map(async (id) => ({ id, seq: await seqOf(id) })));
    expected.sort((a, b) => a.seq - b.seq);
    for (const sub of subs) {
      const events = await sub.waitFor(expected.length, 30_000);
      expect(events.map((e) => e.demand.id)).toEqual(expected.map((e) => e.id));
      expect(events.map((e) => Number(e.cursor))).toEqual(expected.map((e) => e.seq));
      expect(sub.errors).toEqual([]);
      sub.stop();
    }
    // Nothing more arrived: the relay handed each on once.
    expect(subs.every((sub) => sub.events.length === expected.length)).toBe(true);
    expect(increasing(relayed)).toBe(true);
  }, 120_000);
});
