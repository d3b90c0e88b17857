/** The run's figures, as written to results/*.json and rendered to results/*.md. */
export interface Report {
  date: string;
  command: string;
  quick: boolean;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  scenarios: Record<string, Record<string, unknown>[] | unknown>;
  durationSeconds?: number;
}

type Row = Record<string, unknown>;

function table(rows: Row[], columns: [key: string, label: string][]): string {
  const head = `| ${columns.map(([, l]) => l).join(' | ')} |\n|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${columns.map(([k]) => String(r[k] ?? '')).join(' | ')} |`).join('\n');
  return `${head}\n${body}\n`;
}

const HTTP_COLUMNS: [string, string][] = [
  ['target', 'server'],
  ['requestsPerSecond', 'req/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['serverCpuMsPerRequest', 'server CPU ms/req'],
  ['dbCpuMsPerRequest', 'Postgres CPU ms/req'],
  ['sqlPerRequest', 'SQL/req (all)'],
  ['sqlPerRequestExcludingTx', 'SQL/req (excl. BEGIN/COMMIT)'],
  ['requests', 'requests'],
  ['non2xx', 'non-2xx'],
  ['errors', 'errors'],
];

/** Scenario 2-write's columns: the HTTP ones, the round, and the machine's load as the window began. */
const WRITE_COLUMNS: [string, string][] = [
  ...HTTP_COLUMNS,
  ['round', 'round'],
  ['loadAverage1m', 'load (1 min)'],
];

function ratio(rows: Row[], a: string, b: string, key = 'requestsPerSecond'): string {
  const x = rows.find((r) => String(r.target).startsWith(a))?.[key];
  const y = rows.find((r) => String(r.target).startsWith(b))?.[key];
  return typeof x === 'number' && typeof y === 'number' && y > 0 ? (x / y).toFixed(2) : 'n/a';
}

/** Σ `key` of the rows whose target starts with `a` ÷ that of `b` (runs of one side taken together). */
function sumRatio(rows: Row[], a: string, b: string, key = 'requestsPerSecond'): string {
  const sum = (prefix: string) =>
    rows
      .filter((r) => String(r.target).startsWith(prefix))
      .reduce((total, r) => total + (typeof r[key] === 'number' ? r[key] : NaN), 0);
  const [x, y] = [sum(a), sum(b)];
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? (x / y).toFixed(2) : 'n/a';
}

/** Mean server + PostgreSQL CPU ms per request of the "off" runs ÷ that of the "on" runs. */
function cpuRatio(rows: Row[]): string {
  const mean = (prefix: string) => {
    const runs = rows.filter((r) => String(r.target).startsWith(prefix));
    const total = runs.reduce(
      (sum, r) => sum + Number(r.serverCpuMsPerRequest) + Number(r.dbCpuMsPerRequest),
      0,
    );
    return runs.length > 0 ? total / runs.length : NaN;
  };
  const ratio = mean('submitDemand, notifications off') / mean('submitDemand, notifications on');
  return Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a';
}

/** A summary figure that the run did not measure. */
const NOT_MEASURED = 'not measured';

/** `a ÷ b` of two numbers, or null when either is missing. */
function quotient(a: unknown, b: unknown, digits = 2): string | null {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? (a / b).toFixed(digits) : null;
}

/** A growth query's p50 at the largest size ÷ at the smallest (each at least 0.5 ms), or null. */
function growthRatio(rows: Row[] | undefined, query: string): string | null {
  const measured = (rows ?? []).filter((r) => r.query === query && typeof r.p50Ms === 'number');
  if (measured.length < 2) return null;
  const bySize = [...measured].sort((a, b) => Number(a.size) - Number(b.size));
  const [first, last] = [bySize[0]!, bySize.at(-1)!];
  const ratio = (Math.max(Number(last.p50Ms), 0.5) / Math.max(Number(first.p50Ms), 0.5)).toFixed(2);
  return `${ratio} (${first.size} → ${last.size} demands)`;
}

/** The summary's metrics, in order: how each is read from the run, and its goal. */
const SUMMARY: {
  metric: string;
  goal: string;
  value: (s: Record<string, Row[] | undefined>, settings: Row) => string | null;
}[] = [
  {
    metric: 'nested_vs_postgraphile',
    goal: '≥ 1.5, at ≤ 2 SQL statements per request',
    value: (s) => quotient(reqs(s.nestedRead, 'niudai'), reqs(s.nestedRead, 'postgraphile')),
  },
  {
    metric: 'lookup_vs_postgraphile',
    goal: '≥ 1.5',
    value: (s) => quotient(reqs(s.lookup, 'niudai'), reqs(s.lookup, 'postgraphile')),
  },
  {
    metric: 'submit_vs_floor_outbox',
    goal: '≥ 1.2 (floor = hand-written SQL + outbox + NOTIFY)',
    value: (s) => roundsRatio(s.write, NIUDAI_SUBMIT, FLOOR_OUTBOX),
  },
  {
    metric: 'submit_sql_per_request',
    goal: '≤ 4',
    value: (s) => {
      const sql = s.write?.find((r) => String(r.target).startsWith(NIUDAI_SUBMIT))?.sqlPerRequest;
      return typeof sql === 'number' ? String(sql) : null;
    },
  },
  {
    metric: 'gap_growth_jinan',
    goal: '≤ 1.3 (p50, smallest → largest size)',
    value: (s) => growthRatio(s.growth, 'supplyDemandGap Jinan × LIFE'),
  },
  {
    metric: 'gap_growth_province',
    goal: '≤ 1.3 (p50), and p50 ≤ 20 ms at 1,000,000 demands',
    value: (s) => growthRatio(s.growth, 'supplyDemandGap Shandong (top categories)'),
  },
  {
    // The growth data has a project per 200 demands (5,000 at 1,000,000).
    metric: 'fairness_growth',
    goal: '≤ 1.3 (p50, 5,000 projects at 1,000,000 demands)',
    value: (s) => growthRatio(s.growth, 'awardFairness'),
  },
  {
    metric: 'search_rps_10k',
    goal: '≥ 556 (4 × 139 req/s of 2026-11-26; 10,000 organizations, smallest demand size)',
    value: (s, settings) => {
      const sizes = settings.sizes as Row | undefined;
      if (sizes?.growthOrgs !== 10_000) return null;
      const rows = (s.growth ?? []).filter((r) => r.query === 'directory text search');
      const first = [...rows].sort((a, b) => Number(a.size) - Number(b.size))[0];
      return typeof first?.requestsPerSecond === 'number' ? String(first.requestsPerSecond) : null;
    },
  },
  {
    metric: 'fanout_10k_all_p99_ms',
    goal: '≤ 150 (10,000 subscribers, all matching)',
    value: (s) => fanoutP99(s.fanout, 10_000, 10_000),
  },
  {
    metric: 'fanout_10k_1k_p99_ms',
    goal: 'lower is better (10,000 subscribers, 1,000 matching; no goal of its own)',
    value: (s) => fanoutP99(s.fanout, 10_000, 1_000),
  },
  {
    metric: 'submit_outbox_cost',
    goal: '≤ 0.30 (1 − Niudai submitDemand req/s with the outbox ÷ without)',
    value: (s) => outboxCost(s.write),
  },
];

/** Scenario 2-write's Niudai runs: with the outbox (the product), and with it off (bench switch). */
const NIUDAI_SUBMIT = 'niudai submitDemand (';
const NIUDAI_SUBMIT_NO_OUTBOX = 'niudai submitDemand, outbox off';

const FLOOR_OUTBOX = 'floor submitDemand +';

/**
 * Each round's req/s of the run whose target starts with `a` ÷ that of `b`, in round order. A run
 * written before rounds existed (2026-12-03) has no `round`: its one pair counts as one round.
 */
function roundRatios(rows: Row[] | undefined, a: string, b: string): number[] {
  const of = (prefix: string) => (rows ?? []).filter((r) => String(r.target).startsWith(prefix));
  const ratios: number[] = [];
  for (const x of of(a)) {
    const y = of(b).find((r) => r.round === x.round);
    const q = quotient(x.requestsPerSecond, y?.requestsPerSecond, 4);
    if (q !== null) ratios.push(Number(q));
  }
  return ratios;
}

/** The median of {@link roundRatios} (bench/README.md, "Writes"), or null when no round had both. */
function roundsRatio(rows: Row[] | undefined, a: string, b: string, digits = 2): string | null {
  const middle = median(roundRatios(rows, a, b));
  return middle === null ? null : middle.toFixed(digits);
}

/** The middle value (the mean of the two middle ones for an even count), or null for none. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median over the runs whose target starts with `prefix` of server + PostgreSQL CPU ms per request. */
function medianCpu(rows: Row[] | undefined, prefix: string): number | null {
  const middle = median(
    (rows ?? [])
      .filter((r) => String(r.target).startsWith(prefix))
      .map((r) => Number(r.serverCpuMsPerRequest) + Number(r.dbCpuMsPerRequest))
      .filter(Number.isFinite),
  );
  return middle === null ? null : Number(middle.toFixed(2));
}

/** 1 − the median over rounds of Niudai's submitDemand req/s with the outbox ÷ without it, or null. */
function outboxCost(rows: Row[] | undefined): string | null {
  const share = roundsRatio(rows, NIUDAI_SUBMIT, NIUDAI_SUBMIT_NO_OUTBOX, 4);
  return share === null ? null : (1 - Number(share)).toFixed(2);
}

function reqs(rows: Row[] | undefined, target: string): unknown {
  return rows?.find((r) => String(r.target).startsWith(target))?.requestsPerSecond;
}

function fanoutP99(rows: Row[] | undefined, subscribers: number, matching: number): string | null {
  const row = rows?.find((r) => r.subscribers === subscribers && r.matching === matching);
  return typeof row?.p99Ms === 'number' ? String(row.p99Ms) : null;
}

/** The `## Summary` table: every metric, "not measured" where this run did not measure it. */
export function renderSummary(report: Report): string {
  const s = report.scenarios as Record<string, Row[] | undefined>;
  const rows = SUMMARY.map(({ metric, goal, value }) => ({
    metric,
    value: value(s, report.settings as Row) ?? NOT_MEASURED,
    goal,
  }));
  return `## Summary\n\n${table(rows, [
    ['metric', 'metric'],
    ['value', 'value'],
    ['goal', 'goal'],
  ])}`;
}

/** Markdown: the summary, then a table per scenario, with the machine, versions and date. */
export function renderReport(report: Report): string {
  const s = report.scenarios as Record<string, Row[] | undefined>;
  const out: string[] = [];
  out.push(renderSummary(report));
  out.push(
    `# Niudai benchmarks${report.quick ? ' (quick smoke run: small sizes, not for comparison)' : ''}\n`,
  );
  out.push(
    `Date: ${report.date} · command: \`${report.command}\` · took ${report.durationSeconds ?? '?'} s\n`,
  );
  out.push(
    'Ratios within one run on one machine are the result; absolute numbers only describe this machine. ',
  );
  out.push('Load generator, servers and PostgreSQL share the same cores.\n');
  out.push(
    `## Machine\n\n${table(
      [report.machine],
      Object.keys(report.machine).map((k) => [k, k]),
    )}`,
  );
  out.push(
    `## Versions\n\n${table(
      Object.entries(report.versions).map(([name, version]) => ({ name, version })),
      [
        ['name', 'component'],
        ['version', 'version'],
      ],
    )}`,
  );
  out.push(`## Settings\n\n\`\`\`json\n${JSON.stringify(report.settings, null, 2)}\n\`\`\`\n`);

  if (s.workers) {
    out.push('## Workers: one process against a cluster of two\n');
    out.push(
      'The hub as `npm start` runs it (`src/main.ts`), on the same data as scenario 1, first with ' +
        '`WORKERS=1` (one process), then `WORKERS=2` (node:cluster: a primary and two workers sharing the ' +
        'port); server CPU counts the primary and its workers. The load generator and PostgreSQL share the ' +
        'same cores.\n',
    );
    out.push(table(s.workers, HTTP_COLUMNS));
    out.push(
      `WORKERS=2 / WORKERS=1 req/s: nested read **${ratio(s.workers, 'WORKERS=2 nested', 'WORKERS=1 nested')}**, ` +
        `submitDemand **${ratio(s.workers, 'WORKERS=2 submit', 'WORKERS=1 submit')}**.\n`,
    );
  }

  if (s.notifications) {
    const rows = s.notifications as Row[];
    out.push('## Notifications: the write path with and without them, and a burst\n');
    out.push(
      'submitDemand as a worker, for a childcare need that one verified organization with every member ' +
        'notified can serve (preferences: new matches by e-mail digest and in the app; SMTP to a loopback ' +
        'sink), with the notification workers off (`NOTIFY_POLL_MS=0`) and on, in the order off, on, on, off ' +
        '(each side one early and one late run: the database grows and the machine’s load drifts), the ratio ' +
        'of the sums. Then a burst of ' +
        'submissions on a fresh database: the time from the first one until every member’s inbox has every ' +
        'demand (the fan-out has passed the last one; an organization’s notification is one stored row ' +
        'that each member’s inbox reads), checked through the API with one member’s `unreadNotificationCount`.\n',
    );
    const load = rows.filter((r) => String(r.target).startsWith('submitDemand'));
    out.push(table(load, HTTP_COLUMNS));
    out.push(
      `on / off req/s: **${sumRatio(load, 'submitDemand, notifications on', 'submitDemand, notifications off')}** (target ≥ 0.9). ` +
        `CPU per request (server + PostgreSQL), off ÷ on: **${cpuRatio(load)}** (what the notifications cost each request; ` +
        'less sensitive than req/s to other load on a shared machine).\n',
    );
    out.push(
      table(
        rows.filter((r) => String(r.target).startsWith('burst')),
        [
          ['target', 'burst'],
          ['submitSeconds', 'submitted in s'],
          ['submitRequestsPerSecond', 'submit req/s'],
          ['inboxRows', 'inbox items (members × demands)'],
          ['storedRows', 'stored rows'],
          ['memberUnread', 'one member’s unread count'],
          ['secondsToLastInboxRow', 's until every inbox has them'],
          ['inboxRowsPerSecond', 'inbox items/s'],
        ],
      ),
    );
  }

  if (s.nestedRead) {
    out.push('## 1. Nested read\n');
    out.push(
      '100 newest OPEN demands (of 300 generated for 20 organizations) with category and region (and the region’s parent). ' +
        'Niudai is asked as a signed-in worker (anonymous users see no demands), so it also verifies a JWT and loads the viewer; ' +
        'PostGraphile and the floor have no auth.\n',
    );
    out.push(table(s.nestedRead, HTTP_COLUMNS));
    out.push(
      `\nNiudai ÷ PostGraphile req/s: **${ratio(s.nestedRead, 'niudai', 'postgraphile')}** (goal ≥ 1.5) · ` +
        `Niudai ÷ floor: **${ratio(s.nestedRead, 'niudai', 'floor')}** · PostGraphile ÷ floor: ${ratio(s.nestedRead, 'postgraphile', 'floor')}\n`,
    );
  }
  if (s.lookup) {
    out.push(
      '## 2a. Lookup by id\n\nOne organization by id with its home region, anonymous on every server.\n',
    );
    out.push(table(s.lookup, HTTP_COLUMNS));
    out.push(
      `\nNiudai ÷ PostGraphile req/s: **${ratio(s.lookup, 'niudai', 'postgraphile')}** (goal ≥ 1.5) · ` +
        `Niudai ÷ floor: ${ratio(s.lookup, 'niudai', 'floor')}\n`,
    );
  }
  if (s.write) {
    out.push(
      '## 2b. Writes\n\nNiudai `submitDemand` (validation, audit entry, outbox row + NOTIFY: under an advisory lock inside the transaction until 2026-12-02; since then one statement with no lock, the NOTIFY sent after COMMIT; runs before 2026-12-02 also ran the similar-demand search, since then run only when `similarOpenDemands` is selected, and the bench selects `demand { id }`); ' +
        'Niudai again with its outbox write off (a bench-only switch, `BENCH_OUTBOX=off` in servers/niudai.ts: no event row, no NOTIFY or relay wake-up after COMMIT); PostGraphile `createDemand` (a plain insert: no rules, no outbox); the floor with and without the outbox.\n',
    );
    out.push(
      'Since 2026-12-03 each run has its server to itself, starts after a VACUUM ANALYZE and a CHECKPOINT, and the three compared runs (Niudai, Niudai outbox off, floor + outbox) are repeated in rounds in a rotated order; ratios are the median of the rounds’ (bench/README.md, "Writes").\n',
    );
    out.push(table(s.write, WRITE_COLUMNS));
    const perRound = roundRatios(s.write, NIUDAI_SUBMIT, FLOOR_OUTBOX).map((q) => q.toFixed(2));
    out.push(
      `\nOutbox + NOTIFY cost on the floor: throughput with ÷ without = **${ratio(s.write, FLOOR_OUTBOX, 'floor submitDemand, no')}** · ` +
        `Niudai ÷ floor with outbox: ${roundsRatio(s.write, NIUDAI_SUBMIT, FLOOR_OUTBOX) ?? 'n/a'} (median; rounds: ${perRound.join(', ') || 'n/a'}) · ` +
        `outbox cost on Niudai itself (\`submit_outbox_cost\`, 1 − with ÷ without): **${outboxCost(s.write) ?? 'n/a'}** (target ≤ 0.30)\n`,
    );
    const floorCpu = medianCpu(s.write, FLOOR_OUTBOX);
    const niudaiCpu = medianCpu(s.write, NIUDAI_SUBMIT);
    out.push(
      `\nServer + PostgreSQL CPU ms per request (median of the rounds), which the machine's other load moves less than req/s: ` +
        `Niudai ${niudaiCpu ?? 'n/a'}, floor + outbox ${floorCpu ?? 'n/a'} · floor ÷ Niudai: ${quotient(floorCpu, niudaiCpu) ?? 'n/a'}\n`,
    );
  }
  if (s.fanout) {
    out.push(
      '## 4. Fan-out\n\nReal graphql-ws clients (20 subscriptions per socket, in 1–2 client processes), one signed-in org admin; ' +
        'matching subscribers filter on Jinan, the others on Qingdao. Each event is a demand + outbox row + NOTIFY committed by the harness; ' +
        'latency is commit → receipt at the client. Memory is the server’s RSS growth per subscriber.\n',
    );
    const columns: [string, string][] = [
      ['subscribers', 'subscribers'],
      ['matching', 'matching'],
      ['events', 'events'],
      ['received', 'received'],
      ['expected', 'expected'],
      ['p50Ms', 'p50 ms'],
      ['p99Ms', 'p99 ms'],
      ['maxMs', 'max ms'],
      ['memoryPerSubscriberKiB', 'KiB/subscriber'],
      ['serverCpuMsPerEvent', 'server CPU ms/event'],
      ['clientCpuMsPerEvent', 'clients’ CPU ms/event'],
      ['dbCpuMsPerEvent', 'Postgres CPU ms/event'],
      ['sqlPerEvent', 'SQL/event'],
    ];
    out.push(table(s.fanout, columns));
    if (s.fanoutNonMatching) {
      out.push(
        '\nServer time per event with 10 matching subscribers and many non-matching ones (must stay flat):\n\n',
      );
      out.push(table(s.fanoutNonMatching, columns));
      const [a, b] = s.fanoutNonMatching;
      if (a && b)
        out.push(
          `\nCPU per event, ${b.subscribers} ÷ ${a.subscribers} subscribers: **${(Number(b.serverCpuMsPerEvent) / Number(a.serverCpuMsPerEvent)).toFixed(2)}**\n`,
        );
    }
  }
  if (s.pgbench) {
    out.push('## 5. Ceiling: pgbench -S on the same PostgreSQL\n\n');
    out.push(
      table(s.pgbench, [
        ['run', 'run'],
        ['clients', 'clients'],
        ['scale', 'scale'],
        ['tps', 'tps'],
        ['latencyAvgMs', 'latency avg ms'],
      ]),
    );
    const lookup = s.lookup?.find((r) => r.target === 'niudai')?.requestsPerSecond;
    const tps = s.pgbench[0]?.tps;
    if (typeof lookup === 'number' && typeof tps === 'number')
      out.push(`\nNiudai lookup req/s ÷ pgbench -S tps: ${(lookup / tps).toFixed(3)}\n`);
  }
  if (s.growth) {
    out.push(
      '## 3. Growth\n\nNiudai only, as a signed-in worker; 4 connections. `matchingOrganizations` asks for the newest OPEN demand of one fixed category and district at every size. Directory text search asks for 济南市 (three characters: the trigram index) and 托育 (two: the Chinese gram index). The data grows as a hub’s history does: one project per 200 demands (5,000 at 1,000,000), and a steady OPEN window (demands expire after DEMAND_EXPIRY_DAYS = 60, so about as many are OPEN at every size as at the smallest; the others are EXPIRED; since 2026-12-03 the table is then vacuumed, as autovacuum would have done over that history, before anything is timed). The reports are `supplyDemandGap` for Jinan × LIFE and for the whole province (top-level categories), and `awardFairness` over every publisher and the whole province.\n',
    );
    out.push(
      table(s.growth, [
        ['size', 'demands'],
        ['query', 'query'],
        ['requestsPerSecond', 'req/s'],
        ['p50Ms', 'p50 ms'],
        ['p99Ms', 'p99 ms'],
        ['sqlPerRequest', 'SQL/req'],
        ['dbCpuMsPerRequest', 'Postgres CPU ms/req'],
        ['error', 'error'],
      ]),
    );
    const sizes = [...new Set(s.growth.map((r) => Number(r.size)))].sort((a, b) => a - b);
    const first = sizes[0];
    const last = sizes.at(-1);
    const slow: Row[] = [];
    for (const query of new Set(s.growth.map((r) => String(r.query)))) {
      const a = s.growth.find((r) => r.query === query && Number(r.size) === first);
      const b = s.growth.find((r) => r.query === query && Number(r.size) === last);
      if (a && b && typeof a.p50Ms === 'number' && typeof b.p50Ms === 'number')
        slow.push({
          query,
          p50: `${a.p50Ms} → ${b.p50Ms} ms`,
          slowdown: (Math.max(b.p50Ms, 0.5) / Math.max(a.p50Ms, 0.5)).toFixed(2),
          throughput: (Number(a.requestsPerSecond) / Number(b.requestsPerSecond)).toFixed(2),
        });
    }
    out.push(`\nSlowdown ${first} → ${last} demands (target ≤ 1.3 for the first feed page and search):\n\n`);
    out.push(
      table(slow, [
        ['query', 'query'],
        ['p50', 'p50'],
        ['slowdown', 'p50 ratio'],
        ['throughput', 'req/s ratio (small ÷ large)'],
      ]),
    );
  }
  if (Array.isArray(s.openData)) {
    out.push(
      '## 6. Open data: full exports\n\n' +
        'Each export fetched whole from the server, twice (cold, then warm); RSS sampled every 20 ms.\n\n' +
        table(s.openData as Row[], [
          ['round', 'round'],
          ['export', 'export'],
          ['organizations', 'orgs'],
          ['services', 'services'],
          ['projects', 'projects'],
          ['lines', 'lines'],
          ['megabytes', 'MB'],
          ['seconds', 'seconds'],
          ['rssBeforeMb', 'RSS before MB'],
          ['peakRssMb', 'peak RSS MB'],
        ]),
    );
  }
  const summary = report.scenarios.soakSummary as Row | undefined;
  if (summary) {
    out.push('## Soak\n\n');
    out.push(
      'Reader loops send the nested read back to back while `submitDemand` runs at a fixed rate; ' +
        'the Jinan subscribers must receive every committed demand exactly once, the Qingdao ones none. ' +
        'Delivery latency is measured from the moment the submitDemand answer arrived.\n',
    );
    const latency = (key: string) => (summary[key] ?? {}) as Row;
    out.push(
      table(
        ['reads', 'writes', 'all', 'deliveryLatency'].map((key) => ({ what: key, ...latency(key) })),
        [
          ['what', 'what'],
          ['requests', 'requests'],
          ['deliveries', 'deliveries'],
          ['errors', 'errors'],
          ['p50Ms', 'p50 ms'],
          ['p95Ms', 'p95 ms'],
          ['p99Ms', 'p99 ms'],
          ['maxMs', 'max ms'],
        ],
      ),
    );
    const scalar = Object.entries(summary).filter(([, v]) => typeof v !== 'object' || v === null);
    out.push(
      table(
        scalar.map(([k, v]) => ({ k, v })),
        [
          ['k', 'figure'],
          ['v', 'value'],
        ],
      ),
    );
  }
  if (s.soak) {
    out.push('### Soak timeline\n\n');
    out.push(
      table(s.soak, [
        ['minute', 'minute'],
        ['reads', 'reads so far'],
        ['writes', 'writes so far'],
        ['errors', 'errors so far'],
        ['rssMiB', 'server RSS MiB'],
      ]),
    );
  }
  return out.join('\n');
}
