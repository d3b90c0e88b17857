import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import type { SeededUser } from '../../setup/seed.js';
import { selectedColumns } from '../../setup/probes.js';
import { SUBMIT_DEMAND } from '../../setup/operations.js';

/**
 * The feed reads only the columns its selection needs (demand-selection.ts): fields through
 * fragments, and the access facts when `submittedBy` or `contact` is asked for. The answers must be
 * those of a read of every column (an unknown field selects all columns).
 */

let t: TestApp;
let worker: SeededUser;
let other: SeededUser;

beforeAll(async () => {
  t = await startTestApp();
  [worker, other] = await Promise.all([t.seed.worker(), t.seed.worker()]);
  for (const [i, anonymous] of [false, true].entries()) {
    await t.data(
      SUBMIT_DEMAND,
      {
        input: {
          title: `列选择 ${i}`,
          description: `描述 ${i}`,
          categoryCode: 'LIFE.CHILDCARE',
          regionCode: '370102',
          anonymous,
          contact: `1380000000${i}`,
        },
      },
      worker.token,
    );
  }
});

afterAll(() => t?.stop());

/** Runs `query` as `token` and returns its demands and the columns its feed statement read. */
async function feedWithColumns(query: string, token: string) {
  let nodes: Record<string, unknown>[] = [];
  const columns = await selectedColumns(t.orm, 'demand', async () => {
    const data = await t.data<{ demands: { edges: { node: Record<string, unknown> }[] } }>(query, {}, token);
    nodes = data.demands.edges.map((e) => e.node);
  });
  return { nodes, columns };
}

const feedOf = (selection: string, fragments = '') =>
  `query { demands(first: 10, filter: { regionCode: "370102" }) { edges { node { ${selection} } } } } ${fragments}`;

describe('the columns a feed page reads', () => {
  it('reads only what the selection asks for, through inline and named fragments', async () => {
    const { nodes, columns } = await feedWithColumns(
      feedOf('id ... on Demand { title } ...More', 'fragment More on Demand { createdAt region { code } }'),
      other.token,
    );
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).toMatchObject({ title: '列选择 1', region: { code: '370102' } });
    expect(columns).toEqual(['created_at', 'id', 'region_code', 'title']);
  });

  it('reads the access facts for submittedBy and contact, and answers as before', async () => {
    const selection = 'title anonymous submittedBy { id } contact';
    const [own, others] = await Promise.all([
      feedWithColumns(feedOf(selection), worker.token),
      feedWithColumns(feedOf(selection), other.token),
    ]);
    expect(own.columns).toEqual(
      expect.arrayContaining(['submitted_by_id', 'claimed_by_id', 'status', 'region_path', 'contact']),
    );
    expect(own.columns).not.toContain('description');
    // The submitter sees their contact and themself; another worker sees neither contact, nor the
    // anonymous submitter.
    expect(own.nodes.map((n) => n.contact)).toEqual(['13800000001', '13800000000']);
    expect(own.nodes.every((n) => n.submittedBy !== null)).toBe(true);
    expect(others.nodes.map((n) => n.contact)).toEqual([null, null]);
    expect(others.nodes.map((n) => n.submittedBy === null)).toEqual([true, false]);
  });

  it('reads the columns of every field a full node asks for', async () => {
    const all = await feedWithColumns(
      feedOf('id title description targetGroups expiresAt updatedAt claimedBy { id } duplicateOf { id }'),
      other.token,
    );
    expect(all.nodes[1]).toMatchObject({
      description: '描述 0',
      targetGroups: ['ALL_WORKERS'],
      claimedBy: null,
    });
    expect(all.columns).toEqual(
      expect.arrayContaining(['description', 'target_groups', 'expires_at', 'duplicate_of_id']),
    );
  });
});
