import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';
import {
  buildWorld,
  Disagreements,
  PARITY_ENV,
  visibleByNodes,
  visibleBySingleRead,
  type World,
} from './world.js';

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await startTestApp(PARITY_ENV);
  world = await buildWorld(t);
});

afterAll(() => t?.stop());

describe('user visibility: every path agrees', () => {
  it('node(id) and nodes(ids) show the same accounts, and an account sees itself', async () => {
    const ids = world.users.map((u) => u.id);
    const found = new Disagreements();
    for (const viewer of world.viewers) {
      const single = await visibleBySingleRead(t, viewer.token, 'node', ids);
      found.compare(
        viewer,
        world.users,
        'node(id)',
        single,
        'nodes(ids)',
        await visibleByNodes(t, viewer.token, ids),
      );
      const own = world.users.find((u) => u.name === `user "${viewer.name}"`);
      if (own && !single.has(own.id)) found.found.push(`${viewer.name}: does not see their own account`);
    }
    expect(found.found).toEqual([]);
  }, 60_000);
});
