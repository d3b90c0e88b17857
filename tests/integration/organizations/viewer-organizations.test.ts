import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const VIEWER = `{ viewer { organizations { id name } } }`;
const USER = `query($id: ID!) { node(id: $id) { ... on User { organizations { id } } } }`;

describe('viewer.organizations', () => {
  it("lists the viewer's organizations, and hides another user's from everyone but admins", async () => {
    const org = await t.seed.organization({ verified: true });
    const mine = await t.data<{ viewer: { organizations: { id: string; name: string }[] } }>(
      VIEWER,
      {},
      org.token,
    );
    expect(mine.viewer.organizations).toEqual([
      { id: org.organization.globalId(), name: org.organization.name },
    ]);

    const worker = await t.seed.worker();
    const admin = await t.seed.admin();
    const adminId = org.admin.user.globalId();
    // An unrelated worker does not see the user at all; a fellow member sees her, not her organizations.
    const byWorker = await t.data<{ node: unknown }>(USER, { id: adminId }, worker.token);
    expect(byWorker.node).toBeNull();
    const fellow = await t.seed.organizationMember(org.organization.id);
    const byFellow = await t.data<{ node: { organizations: unknown[] } }>(
      USER,
      { id: adminId },
      fellow.token,
    );
    expect(byFellow.node.organizations).toEqual([]);
    const byAdmin = await t.data<{ node: { organizations: { id: string }[] } }>(
      USER,
      { id: adminId },
      admin.token,
    );
    expect(byAdmin.node.organizations).toEqual([{ id: org.organization.globalId() }]);
  });
});
