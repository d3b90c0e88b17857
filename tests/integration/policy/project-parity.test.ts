import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../../src/core/relay/global-id.js';
import type { OcdsRelease } from '../../../src/modules/opendata/ocds.js';
import { ProjectStatus } from '../../../src/modules/projects/project.enums.js';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  buildWorld,
  Disagreements,
  PARITY_ENV,
  visibleByNodes,
  visibleBySingleRead,
  type ProjectRow,
  type World,
} from './world.js';

const LIST = `query($filter: ProjectFilter) {
  projects(first: 100, filter: $filter) { edges { node { id } } pageInfo { hasNextPage } }
}`;

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await startTestApp(PARITY_ENV);
  world = await buildWorld(t);
});

afterAll(() => t?.stop());

function filters(): { name: string; filter: Record<string, unknown>; keeps: (p: ProjectRow) => boolean }[] {
  return [
    { name: 'no filter', filter: {}, keeps: () => true },
    ...Object.values(ProjectStatus).map((status) => ({
      name: `status [${status}]`,
      filter: { status: [status] },
      keeps: (p: ProjectRow) => p.status === status,
    })),
    ...world.publisherIds.map((publisherId, i) => ({
      name: `publisherId (${i === 0 ? "the viewer's" : 'another'})`,
      filter: { publisherId },
      keeps: (p: ProjectRow) => p.publisherId === publisherId,
    })),
  ];
}

describe('project visibility: every path agrees', () => {
  it('project(id), node(id), nodes(ids), projects(filter:) and the OCDS export', async () => {
    const ids = world.projects.map((p) => p.id);
    const found = new Disagreements();
    for (const viewer of world.viewers) {
      const single = await visibleBySingleRead(t, viewer.token, 'project', ids);
      found.compare(
        viewer,
        world.projects,
        'project(id)',
        single,
        'node(id)',
        await visibleBySingleRead(t, viewer.token, 'node', ids),
      );
      found.compare(
        viewer,
        world.projects,
        'project(id)',
        single,
        'nodes(ids)',
        await visibleByNodes(t, viewer.token, ids),
      );
      for (const { name, filter, keeps } of filters()) {
        const res = await t.gql<{
          projects: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
        }>(LIST, { filter }, viewer.token);
        expect(res.body.errors, `${viewer.name}: projects(filter: ${name})`).toBeUndefined();
        expect(res.body.data!.projects.pageInfo.hasNextPage).toBe(false);
        const listed = new Set(res.body.data!.projects.edges.map((e) => e.node.id));
        const expected = new Set(world.projects.filter((p) => single.has(p.id) && keeps(p)).map((p) => p.id));
        found.compare(
          viewer,
          world.projects,
          `project(id) and the ${name} rule`,
          expected,
          `projects(filter: ${name})`,
          listed,
        );
      }
    }
    const anonymous = world.viewers.find((v) => v.token === null)!;
    const anonymousSees = await visibleBySingleRead(t, null, 'project', ids);
    const response = await fetch(`${t.url}/opendata/ocds/releases.json`);
    expect(response.status).toBe(200);
    const { releases } = (await response.json()) as { releases: OcdsRelease[] };
    // An ocid is the prefix and the project's database id (ocds.ts); rows are named by global id.
    const exported = new Set(
      releases.map((r) => toGlobalId('Project', Number(r.ocid.slice(r.ocid.lastIndexOf('-') + 1)))),
    );
    found.compare(
      anonymous,
      world.projects,
      'project(id)',
      anonymousSees,
      '/opendata/ocds/releases.json',
      exported,
    );
    expect(found.found).toEqual([]);
  }, 60_000);
});
