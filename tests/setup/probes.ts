import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Waits until `check` holds, polling every `everyMs`; fails the test after `ms`, with `what` (or
 * what it returns then) in the message.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  everyMs = 50,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`${typeof what === 'function' ? what() : what} not met within ${ms} ms`);
    await sleep(everyMs);
  }
}

/**
 * The one sleep of the tests: the pause between two polls of a condition (`until`, retry loops
 * while a database is down). Never a wait for "registered" or "nothing arrived": wait on a signal.
 */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A server whose live subscriptions can be counted: the in-process app, or another process by URL. */
export type SubscriptionHolder =
  { app: { services: { events: { index: { size: number } } } } } | { url: string };

/**
 * Waits until `server` holds exactly `count` live subscriptions: its match index size in this
 * process, or its `niudai_subscriptions_active` gauge in another. Once a subscription is counted,
 * every event committed afterwards is pushed to it.
 */
export async function subscriptionsReach(server: SubscriptionHolder, count: number): Promise<void> {
  const active =
    'app' in server
      ? async () => server.app.services.events.index.size
      : () => metricValue(server.url, 'niudai_subscriptions_active');
  await until(async () => (await active()) === count, 10_000, 10);
}

/** Scrapes `<baseUrl>/metrics` and returns the value of one sample (0 when absent). */
export async function metricValue(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + ' ') && !line.startsWith(name + '{')) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** What the app's ORM is asked to run while `fn` runs, statement by statement (run nothing else at once). */
export async function statementsDuring(orm: MikroORM, fn: () => Promise<unknown>): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const capture = (query: { sql: string }) => void statements.push(query.sql);
  knex.on('query', capture);
  try {
    await fn();
  } finally {
    knex.off('query', capture);
  }
  return statements;
}

/**
 * Runs `fn` and returns the columns of the SELECT list of the first statement meanwhile that reads
 * from `table` (quoted names, as read-records.ts writes them), sorted.
 */
export async function selectedColumns(
  orm: MikroORM,
  table: string,
  fn: () => Promise<unknown>,
): Promise<string[]> {
  const statements = await statementsDuring(orm, fn);
  const sql = statements.find((s) => s.startsWith('select') && s.includes(` from "${table}"`)) ?? '';
  const list = sql.slice(0, sql.indexOf(` from "${table}"`));
  return [...list.matchAll(/"(\w+)"(?:,|$)/g)].map((m) => m[1]!).sort();
}
