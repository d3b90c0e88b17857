/**
 * Plan capture and reporting shared by the measuring scripts: the SQL a service call sends (knex's
 * `query` event, parameters inlined by MikroORM), `EXPLAIN (ANALYZE, BUFFERS)` of each statement, a
 * compact plan shape with warnings (large sequential scans and sorts), and the summary table.
 *
 * @module
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Sql } from './scratch.js';

/** One node of a JSON plan, as far as this script reads it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Sort Method'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** A measured statement for the summary table. */
export interface Measured {
  query: string;
  shape: string;
  rows: number;
  examined: number;
  buffers: number;
  ms: number;
  warnings: string[];
}

/** Compact plan shape: node types with their index or relation, outermost first. */
export function shapeOf(node: PlanNode): string {
  const own =
    node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan'
      ? `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}(${node['Index Name']})`
      : node['Index Name']
        ? `${node['Node Type']}(${node['Index Name']})`
        : node['Relation Name']
          ? `${node['Node Type']}(${node['Relation Name']})`
          : node['Node Type'];
  const children = (node.Plans ?? []).map(shapeOf);
  if (children.length === 0) return own;
  return `${own} ← ${children.length === 1 ? children[0] : `[${children.join(', ')}]`}`;
}

/** Rows read from tables and indexes (what the query had to look at), and plan warnings. */
export function inspect(node: PlanNode, warnings: string[]): number {
  const loops = node['Actual Loops'] || 1;
  let examined = 0;
  // Index and table scans count what they read; a bitmap heap scan adds only what it threw away
  // (its bitmap index scans below already counted the rest).
  if (node['Node Type'] === 'Bitmap Heap Scan') examined += (node['Rows Removed by Filter'] ?? 0) * loops;
  else if (/Scan/.test(node['Node Type']))
    examined += (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * loops;
  if (
    node['Node Type'] === 'Seq Scan' &&
    node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) > 10_000
  )
    warnings.push(`sequential scan on ${node['Relation Name']}`);
  if (node['Node Type'] === 'Sort') {
    const input = node.Plans?.[0]?.['Actual Rows'] ?? 0;
    if (input > 10_000) warnings.push(`sort over ${input} rows`);
  }
  for (const child of node.Plans ?? []) examined += inspect(child, warnings);
  return examined;
}

/** Captures every statement the ORM sends while `fn` runs (formatted, parameters inlined). */
export async function capture(orm: MikroORM, fn: () => Promise<unknown>): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const listener = (data: { sql: string }) => void statements.push(data.sql);
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.off('query', listener);
  }
  return statements.filter((s) => /^\s*(select|with)\b/i.test(s));
}

/** Runs EXPLAIN (ANALYZE, BUFFERS) on a statement (after one warm-up run) and prints the plan. */
export async function explain(sql: Sql, label: string, statement: string): Promise<Measured> {
  await sql(statement);
  const [json] = await sql<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }>(
    `explain (analyze, buffers, format json) ${statement}`,
  );
  const result = json?.['QUERY PLAN'][0];
  if (!result) throw new Error(`no plan for ${label}`);
  const text = await sql<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement}`);
  console.log(`\n=== ${label}\n${statement}\n`);
  console.log(text.map((r) => r['QUERY PLAN']).join('\n'));
  const warnings: string[] = [];
  const examined = inspect(result.Plan, warnings);
  return {
    query: label,
    shape: shapeOf(result.Plan),
    rows: result.Plan['Actual Rows'],
    examined,
    buffers: (result.Plan['Shared Hit Blocks'] ?? 0) + (result.Plan['Shared Read Blocks'] ?? 0),
    ms: result['Execution Time'],
    warnings,
  };
}

/** The statements of one service call that touch the big tables (the small PK lookups are skipped). */
export function mainStatements(statements: string[]): string[] {
  return statements.filter(
    (s) => /from "(demand|organization)" as/.test(s) && !/where "\w+"\."id" (= '?\d+'?( |$)|in \()/.test(s),
  );
}

/** Pads `s` with spaces to `n` characters. */
export const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** Prints the summary table of measured statements (one line each, warnings after `!!`). */
export function printSummary(title: string, results: Measured[]): void {
  console.log(`\n=== ${title}\n`);
  console.log(
    `${pad('query', 36)} ${pad('rows', 6)} ${pad('examined', 9)} ${pad('buffers', 8)} ${pad('ms', 8)} plan shape`,
  );
  for (const r of results)
    console.log(
      `${pad(r.query, 36)} ${pad(String(r.rows), 6)} ${pad(String(r.examined), 9)} ${pad(String(r.buffers), 8)} ${pad(r.ms.toFixed(2), 8)} ${r.shape}${r.warnings.length ? `  !! ${r.warnings.join('; ')}` : ''}`,
    );
}
