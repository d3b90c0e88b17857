import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HsdsOrganization } from '../../../src/modules/opendata/hsds.js';
import { VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  buildWorld,
  Disagreements,
  PARITY_ENV,
  visibleByNodes,
  visibleBySingleRead,
  type OrganizationRow,
  type World,
} from './world.js';

const LIST = `query($filter: OrganizationFilter) {
  organizations(first: 100, filter: $filter) { edges { node { id } } pageInfo { hasNextPage } }
}`;

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await startTestApp(PARITY_ENV);
  world = await buildWorld(t);
});

afterAll(() => t?.stop());

/** Each `organizations(filter:)` the test reads, with the rule it applies to a row. */
function filters(): {
  name: string;
  filter: Record<string, unknown>;
  keeps: (o: OrganizationRow) => boolean;
}[] {
  const home = (o: OrganizationRow) => o.organization.homeRegion.unwrap().code;
  return [
    { name: 'no filter', filter: {}, keeps: () => true },
    ...Object.values(VerificationStatus).map((status) => ({
      name: `verificationStatus ${status}`,
      filter: { verificationStatus: status },
      keeps: (o: OrganizationRow) => o.organization.verificationStatus === status,
    })),
    {
      name: 'homeRegionCode 370100',
      filter: { homeRegionCode: '370100' },
      keeps: (o) => home(o).startsWith('3701'),
    },
    {
      name: 'homeRegionCode 370200',
      filter: { homeRegionCode: '370200' },
      keeps: (o) => home(o) === '370200',
    },
    {
      name: 'categoryCode LIFE.CHILDCARE',
      filter: { categoryCode: 'LIFE.CHILDCARE' },
      keeps: (o) => o.organization.categoryCodes.includes('LIFE'),
    },
    {
      name: 'regionCode 370200',
      filter: { regionCode: '370200' },
      keeps: (o) => o.organization.regionCodes.includes('370200'),
    },
    { name: 'isHub false', filter: { isHub: false }, keeps: () => true },
  ];
}

describe('organization visibility: every path agrees', () => {
  it('organization(id), organization(creditCode), node(id), nodes(ids), organizations(filter:) and the HSDS export', async () => {
    const ids = world.organizations.map((o) => o.id);
    const found = new Disagreements();
    for (const viewer of world.viewers) {
      const single = await visibleBySingleRead(t, viewer.token, 'organization', ids);
      found.compare(
        viewer,
        world.organizations,
        'organization(id)',
        single,
        'node(id)',
        await visibleBySingleRead(t, viewer.token, 'node', ids),
      );
      found.compare(
        viewer,
        world.organizations,
        'organization(id)',
        single,
        'nodes(ids)',
        await visibleByNodes(t, viewer.token, ids),
      );
      const byCode = await t.gql<Record<string, { id: string } | null>>(
        `{ ${world.organizations.map((o, i) => `r${i}: organization(creditCode: "${o.organization.creditCode}") { id }`).join(' ')} }`,
        {},
        viewer.token,
      );
      const seenByCode = new Set(Object.values(byCode.body.data ?? {}).flatMap((r) => (r ? [r.id] : [])));
      found.compare(
        viewer,
        world.organizations,
        'organization(id)',
        single,
        'organization(creditCode)',
        seenByCode,
      );
      for (const { name, filter, keeps } of filters()) {
        const res = await t.gql<{
          organizations: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
        }>(LIST, { filter }, viewer.token);
        expect(res.body.errors, `${viewer.name}: organizations(filter: ${name})`).toBeUndefined();
        expect(res.body.data!.organizations.pageInfo.hasNextPage).toBe(false);
        const listed = new Set(res.body.data!.organizations.edges.map((e) => e.node.id));
        const expected = new Set(
          world.organizations.filter((o) => single.has(o.id) && keeps(o)).map((o) => o.id),
        );
        found.compare(
          viewer,
          world.organizations,
          `organization(id) and the ${name} rule`,
          expected,
          `organizations(filter: ${name})`,
          listed,
        );
      }
    }
    // The open-data export is exactly what an anonymous reader sees.
    const anonymous = world.viewers.find((v) => v.token === null)!;
    const anonymousSees = await visibleBySingleRead(t, null, 'organization', ids);
    const response = await fetch(`${t.url}/opendata/hsds/organizations.ndjson`);
    expect(response.status).toBe(200);
    const exported = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HsdsOrganization);
    const exportedNames = new Set(exported.map((o) => o.name));
    const exportedIds = new Set(
      world.organizations.filter((o) => exportedNames.has(o.organization.name)).map((o) => o.id),
    );
    found.compare(
      anonymous,
      world.organizations,
      'organization(id)',
      anonymousSees,
      '/opendata/hsds/organizations.ndjson',
      exportedIds,
    );
    expect(found.found).toEqual([]);
  }, 60_000);
});
