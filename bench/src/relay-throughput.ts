/**
 * The live path's ceiling before fan-out: events per second through the outbox, one NOTIFY channel
 * and one relay per process (docs/operations.md uses these figures). Run from the repository root
 * (the product's own tsx and tsconfig, as bench/servers/niudai.ts):
 *
 *   npm run bench:relay                                   # defaults below
 *   npm run bench:relay -- --events=20000 --writers=8 --backlog=200000 --relays=1,4
 *
 * 1. Writes: `--writers` connections each commit one event per transaction through the product's
 *    `emitEvent` (advisory lock + insert + pg_notify, as every mutation does), `--events` in all,
 *    while one relay (the product's EventRelay, dispatch counting only) follows them live. Reports
 *    committed events/s, relayed events/s and the largest lag seen (events committed, not relayed).
 * 2. Backlog: `--backlog` events inserted in one statement, one notification; each of `--relays`
 *    relays (1, then 4 at once, as 4 hub processes would) reads them all. Reports events/s per relay
 *    and in all: the reading ceiling, apart from the writers.
 *
 * Its own embedded PostgreSQL in a scratch folder, defaults otherwise; prints a Markdown table and
 * writes bench/results/relay-throughput.{md,json}.
 */
import 'reflect-metadata';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ensureDatabase } from '../../src/core/db/database-url.js';
import { connectOrm, migrate } from '../../src/core/db/db.js';
import { makePostgresScratchDir, startEmbeddedPostgres } from '../../src/core/db/embedded-postgres.js';
import { EventRelay } from '../../src/core/events/relay.js';
import { emitEvent, EVENTS_CHANNEL, Topic } from '../../src/core/events/outbox.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    writers: { type: 'string', default: '8' },
    backlog: { type: 'string', default: '200000' },
    relays: { type: 'string', default: '1,4' },
  },
  strict: true,
});
const EVENTS = Number(values.events);
const WRITERS = Number(values.writers);
const BACKLOG = Number(values.backlog);
const RELAY_COUNTS = values.relays.split(',').map(Number);

const log = pino({ level: 'warn' });
const scratch = makePostgresScratchDir('niudai-relay-bench-');
const server = await startEmbeddedPostgres(path.join(scratch, 'pgdata'), log);
const databaseUrl = server.url('relay_bench');
await ensureDatabase(server.url('postgres'), 'relay_bench');
const orm = await connectOrm(databaseUrl, log);
await migrate(orm);

/** Starts a relay that counts what it is handed; `reached(seq)` resolves once it has seen `seq`. */
async function countingRelay(): Promise<{
  relay: EventRelay;
  count: () => number;
  reached: (seq: number) => Promise<number>;
}> {
  let count = 0;
  let target = Infinity;
  let done: ((at: number) => void) | null = null;
  const relay = new EventRelay({
    databaseUrl,
    log,
    onEvent: (event) => {
      count += 1;
      if (event.seq >= target && done) {
        done(performance.now());
        done = null;
      }
    },
  });
  await relay.start();
  return {
    relay,
    count: () => count,
    reached: (seq) =>
      relay.position >= seq
        ? Promise.resolve(performance.now())
        : new Promise((resolve) => {
            target = seq;
            done = resolve;
          }),
  };
}

const unscoped = { categoryPath: ['LIFE'], regionPath: ['370000', '370100'], targetGroups: [] };

// 1. Writes followed live by one relay.
const live = await countingRelay();
let committed = 0;
let lastSeq = 0;
let maxLag = 0;
const lagTimer = setInterval(() => (maxLag = Math.max(maxLag, lastSeq - live.relay.position)), 5);
const writeStart = performance.now();
await Promise.all(
  Array.from({ length: WRITERS }, async () => {
    const em = orm.em.fork();
    while (committed < EVENTS) {
      committed += 1;
      const seq = await em.transactional((tx) =>
        emitEvent(tx, { topic: Topic.DEMAND_PUBLISHED, entityId: committed, ...unscoped }),
      );
      lastSeq = Math.max(lastSeq, seq);
    }
  }),
);
const writeEnd = performance.now();
const relayedAt = await live.reached(lastSeq);
clearInterval(lagTimer);
await live.relay.stop();
const writes = {
  events: committed,
  writers: WRITERS,
  committedPerSecond: Math.round(committed / ((writeEnd - writeStart) / 1000)),
  relayedPerSecond: Math.round(committed / ((relayedAt - writeStart) / 1000)),
  relayTrailedLastCommitMs: Math.round(relayedAt - writeEnd),
  maxLagEvents: maxLag,
};

// 2. A backlog read by 1, then N relays at once.
const backlogs: { relays: number; events: number; perRelayPerSecond: number; totalPerSecond: number }[] = [];
for (const relays of RELAY_COUNTS) {
  const followers = await Promise.all(Array.from({ length: relays }, () => countingRelay()));
  const connection = orm.em.getConnection();
  const [row] = await connection.execute<{ last: string }[]>(
    `with inserted as (
       insert into "event" ("topic", "entity_id", "category_path", "region_path", "target_groups")
       select ?, g, ?::text[], ?::text[], '{}'::text[] from generate_series(1, ?) g
       returning "seq")
     select max("seq") as last from inserted`,
    [Topic.DEMAND_PUBLISHED, '{LIFE}', '{370000,370100}', BACKLOG],
  );
  await connection.execute(`select pg_notify(?, ?)`, [EVENTS_CHANNEL, Topic.DEMAND_PUBLISHED]);
  const inserted = performance.now();
  const last = Number(row?.last);
  const finished = await Promise.all(followers.map((f) => f.reached(last)));
  const slowest = Math.max(...finished) - inserted;
  backlogs.push({
    relays,
    events: BACKLOG,
    perRelayPerSecond: Math.round(BACKLOG / (slowest / 1000)),
    totalPerSecond: Math.round((BACKLOG * relays) / (slowest / 1000)),
  });
  await Promise.all(followers.map((f) => f.relay.stop()));
}

await orm.close();
await server.stop();
rmSync(scratch, { recursive: true, force: true });

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node.js ${process.version}, PostgreSQL 18 (embedded, defaults)`;
const report = [
  `# Relay throughput (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${machine}. Command: \`npm run bench:relay -- --events=${EVENTS} --writers=${WRITERS} --backlog=${BACKLOG} --relays=${RELAY_COUNTS.join(',')}\``,
  '',
  '| what | figure |',
  '| --- | --- |',
  `| events committed through \`emitEvent\` (${WRITERS} writers, one event per transaction) | ${writes.committedPerSecond}/s |`,
  `| of those, relayed live by one relay (first write to last relayed) | ${writes.relayedPerSecond}/s |`,
  `| largest lag seen (committed, not yet relayed) | ${writes.maxLagEvents} events |`,
  `| relay done after the last commit | ${writes.relayTrailedLastCommitMs} ms |`,
  ...backlogs.map(
    (b) =>
      `| backlog of ${b.events} read by ${b.relays} relay(s) at once | ${b.perRelayPerSecond}/s per relay, ${b.totalPerSecond}/s in all |`,
  ),
  '',
].join('\n');
console.log(report);
const results = path.resolve(import.meta.dirname, '..', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(path.join(results, 'relay-throughput.md'), report);
writeFileSync(
  path.join(results, 'relay-throughput.json'),
  JSON.stringify({ machine, writes, backlogs }, null, 2) + '\n',
);
process.exit(0);
