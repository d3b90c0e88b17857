import type { GqlResponse, TestApp } from '../../setup/test-app.js';

/** A raw HTTP answer: status, headers, the body as text and (when it is JSON) parsed. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: GqlResponse['body'];
}

/** Sends any request to a GraphQL endpoint and never throws on a refusal. */
export async function send(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: GqlResponse['body'] = {};
  try {
    json = JSON.parse(text) as GqlResponse['body'];
  } catch {
    /* some refusals are not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** POSTs one operation as JSON to `url` (another process's endpoint, say). */
export function gqlAt(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
): Promise<RawResponse> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
}

/** The error codes of a response, in order. */
export function codes(body: GqlResponse['body']): (string | undefined)[] {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

/** Row counts of the given tables, to show that a refused mutation changed nothing. */
export async function rowCounts(t: TestApp, tables: readonly string[]): Promise<Record<string, number>> {
  const connection = t.orm.em.getConnection();
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const rows = await connection.execute<{ n: string }[]>(`select count(*) as n from "${table}"`);
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/** Every table of the app's schema except the migrations' bookkeeping and the limiter's counters. */
export async function appTables(t: TestApp): Promise<string[]> {
  const rows = await t.orm.em
    .getConnection()
    .execute<{ tablename: string }[]>(
      `select tablename from pg_tables where schemaname = 'public' and tablename not in ('mikro_orm_migrations', 'rate_limit') order by tablename`,
    );
  return rows.map((r) => r.tablename);
}
