import { describe, expect, it } from 'vitest';
import { renderSummary, type Report } from '../../../bench/src/report.js';

/** The metric names a script reads from `## Summary`, in their order (bench/README.md). */
const METRICS = [
  'nested_vs_postgraphile',
  'lookup_vs_postgraphile',
  'submit_vs_floor_outbox',
  'submit_sql_per_request',
  'gap_growth_jinan',
  'gap_growth_province',
  'fairness_growth',
  'search_rps_10k',
  'fanout_10k_all_p99_ms',
  'fanout_10k_1k_p99_ms',
  'submit_outbox_cost',
];

function report(write: Record<string, unknown>[] | undefined): Report {
  return {
    date: '2026-12-02T00:00:00.000Z',
    command: 'npm run bench -- --only=2-write',
    quick: false,
    machine: {},
    versions: {},
    settings: {},
    scenarios: write ? { write } : {},
  };
}

/** The summary's rows as metric → value. */
function summary(r: Report): Map<string, string> {
  const rows = renderSummary(r)
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| metric'))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  return new Map(rows.map((cells) => [cells[1]!, cells[2]!]));
}

describe('bench summary', () => {
  it('lists the ten metrics in their order, then submit_outbox_cost', () => {
    expect([...summary(report(undefined)).keys()]).toEqual(METRICS);
  });

  it('prices the outbox on Niudai as 1 − req/s with it ÷ without it, from the Niudai runs only', () => {
    const values = summary(
      report([
        {
          target: 'niudai submitDemand (outbox + NOTIFY + audit)',
          requestsPerSecond: 300,
          sqlPerRequest: 1.1,
        },
        {
          target: 'niudai submitDemand, outbox off (bench switch)',
          requestsPerSecond: 400,
          sqlPerRequest: 1,
        },
        { target: 'floor submitDemand, no outbox', requestsPerSecond: 900 },
        { target: 'floor submitDemand + outbox + NOTIFY', requestsPerSecond: 600 },
      ]),
    );
    expect(values.get('submit_outbox_cost')).toBe('0.25');
    // The run without the outbox changes none of the figures of the product's own run.
    expect(values.get('submit_vs_floor_outbox')).toBe('0.50');
    expect(values.get('submit_sql_per_request')).toBe('1.1');
  });

  it('reads both ratios as the median of the rounds, each round paired with its own runs', () => {
    const n = 'niudai submitDemand (outbox + NOTIFY + audit)';
    const off = 'niudai submitDemand, outbox off (bench switch)';
    const floor = 'floor submitDemand + outbox + NOTIFY';
    const values = summary(
      report([
        // Round 1 (0.80 and 0.40), round 2 (1.20 and 0.50), round 3 (3.00 and 0.90), in rotated order.
        { target: n, requestsPerSecond: 80, round: 1 },
        { target: floor, requestsPerSecond: 100, round: 1 },
        { target: off, requestsPerSecond: 200, round: 1 },
        { target: floor, requestsPerSecond: 100, round: 2 },
        { target: off, requestsPerSecond: 240, round: 2 },
        { target: n, requestsPerSecond: 120, round: 2 },
        { target: off, requestsPerSecond: 100, round: 3 },
        { target: n, requestsPerSecond: 90, round: 3 },
        { target: floor, requestsPerSecond: 30, round: 3 },
      ]),
    );
    expect(values.get('submit_vs_floor_outbox')).toBe('1.20');
    expect(values.get('submit_outbox_cost')).toBe('0.50');
  });

  it('says "not measured" when the run had no outbox-off run', () => {
    const values = summary(
      report([{ target: 'niudai submitDemand (outbox + NOTIFY + audit)', requestsPerSecond: 300 }]),
    );
    expect(values.get('submit_outbox_cost')).toBe('not measured');
  });
});
