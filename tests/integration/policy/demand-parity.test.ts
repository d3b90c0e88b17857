import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { TargetGroup } from '../../../src/modules/categories/target-group.js';
import { DemandStatus } from '../../../src/modules/demands/demand.enums.js';
import { canServe } from '../../../src/modules/demands/demand.policy.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import { record, wsClient } from '../events/feed-client.js';
import { until } from '../../setup/probes.js';
import {
  buildWorld,
  Disagreements,
  PARITY_ENV,
  visibleByNodes,
  visibleBySingleRead,
  type DemandRow,
  type World,
} from './world.js';

const LIST = `query($filter: DemandFilter) {
  demands(first: 100, filter: $filter) { edges { node { id } } pageInfo { hasNextPage } }
}`;

let t: TestApp;
let world: World;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestApp(PARITY_ENV);
  world = await buildWorld(t);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.stop();
});

/** Each `demands(filter:)` the test reads, with the rule it applies to a row. */
function filters(): { name: string; filter: Record<string, unknown>; keeps: (d: DemandRow) => boolean }[] {
  const list: ReturnType<typeof filters> = [{ name: 'no filter', filter: {}, keeps: () => true }];
  for (const status of Object.values(DemandStatus))
    list.push({
      name: `statuses [${status}]`,
      filter: { statuses: [status] },
      keeps: (d) => d.status === status,
    });
  for (const code of ['370100', '370102', '370200'])
    list.push({
      name: `regionCode ${code}`,
      filter: { regionCode: code },
      keeps: (d) => d.regionPath.includes(code),
    });
  for (const code of ['LIFE', 'CULTURE'])
    list.push({
      name: `categoryCode ${code}`,
      filter: { categoryCode: code },
      keeps: (d) => d.categoryPath.includes(code),
    });
  list.push({
    name: 'targetGroups [FEMALE_WORKERS]',
    filter: { targetGroups: [TargetGroup.FEMALE_WORKERS] },
    keeps: (d) => d.targetGroups.includes(TargetGroup.FEMALE_WORKERS),
  });
  for (const row of world.organizations) {
    const o = row.organization;
    list.push({
      name: `matchingOrganization (${row.name})`,
      filter: { matchingOrganization: row.id },
      keeps: (d) =>
        canServe(o, { categoryPath: d.categoryPath, regionPath: d.regionPath, targetGroups: d.targetGroups }),
    });
  }
  return list;
}

describe('demand visibility: every path agrees', () => {
  it('demand(id), node(id), nodes(ids), demands(filter:) with every filter, and demandPublished', async () => {
    const ids = world.demands.map((d) => d.id);
    const orgIds = world.organizations.map((o) => o.id);
    const found = new Disagreements();
    const subscriptions: Promise<void>[] = [];
    for (const viewer of world.viewers) {
      const single = await visibleBySingleRead(t, viewer.token, 'demand', ids);
      found.compare(
        viewer,
        world.demands,
        'demand(id)',
        single,
        'node(id)',
        await visibleBySingleRead(t, viewer.token, 'node', ids),
      );
      found.compare(
        viewer,
        world.demands,
        'demand(id)',
        single,
        'nodes(ids)',
        await visibleByNodes(t, viewer.token, ids),
      );
      const organizationsSeen = await visibleBySingleRead(t, viewer.token, 'organization', orgIds);
      for (const { name, filter, keeps } of filters()) {
        const res = await t.gql<{
          demands: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
        }>(LIST, { filter }, viewer.token);
        const path = `demands(filter: ${name})`;
        const code = res.body.errors?.[0]?.extensions?.code;
        if (viewer.token === null) {
          // Anonymous viewers read no demand at all, by any path.
          if (code !== 'UNAUTHENTICATED') found.found.push(`anonymous: ${path} answered ${code ?? 'data'}`);
          continue;
        }
        const named = typeof filter.matchingOrganization === 'string' ? filter.matchingOrganization : null;
        if (named !== null && !organizationsSeen.has(named)) {
          // An organization the viewer may not see is refused as unknown, never used as a filter.
          if (code !== 'BAD_USER_INPUT')
            found.found.push(
              `${viewer.name}: ${path} names an organization invisible through organization(id) but answered ${code ?? 'data'}`,
            );
          continue;
        }
        expect(res.body.errors, `${viewer.name}: ${path}`).toBeUndefined();
        expect(res.body.data!.demands.pageInfo.hasNextPage).toBe(false);
        const listed = new Set(res.body.data!.demands.edges.map((e) => e.node.id));
        const expected = new Set(world.demands.filter((d) => single.has(d.id) && keeps(d)).map((d) => d.id));
        found.compare(viewer, world.demands, `demand(id) and the ${name} rule`, expected, path, listed);
        if (named !== null && world.sentinels.has(viewer.name) && named === feedOrganizationOf(viewer.name))
          subscriptions.push(checkFeed(viewer.name, viewer.token, listed, found));
      }
    }
    // Every member of a verified organization in the matrix followed its feed.
    expect(subscriptions).toHaveLength(world.sentinels.size);
    await Promise.all(subscriptions);
    expect(found.found).toEqual([]);
  }, 60_000);
});

/** The organization a subscriber's `demandPublished` follows: their (first) verified one. */
function feedOrganizationOf(viewerName: string): string | undefined {
  const byName = (name: string) =>
    world.organizations.find((o) => o.name.startsWith(`organization ${name} `))?.id;
  return viewerName === 'admin of another verified organization'
    ? byName('verifiedOther')
    : byName('verified');
}

/**
 * `demandPublished`, replayed from the first event: exactly the demands the subscriber lists with
 * `matchingOrganization` naming its organization (the demands it can read by query and serve).
 */
async function checkFeed(
  viewerName: string,
  token: string,
  expected: ReadonlySet<string>,
  found: Disagreements,
): Promise<void> {
  const client = wsClient(t.wsUrl, token);
  clients.push(client);
  const feed = record(client, { after: '0' });
  const sentinel = world.sentinels.get(viewerName)!;
  const viewer = world.viewers.find((v) => v.name === viewerName)!;
  await until(
    () => feed.errors.length > 0 || feed.events.some((e) => e.demand.id === sentinel),
    20_000,
    20,
    `${viewerName}: the feed reaching its last event`,
  );
  if (feed.errors.length) throw new Error(`${viewerName}: ${JSON.stringify(feed.errors)}`);
  feed.stop();
  const pushed = new Set(feed.events.map((e) => e.demand.id));
  found.compare(
    viewer,
    world.demands,
    'demands(filter: matchingOrganization its own)',
    expected,
    'demandPublished',
    pushed,
  );
}
