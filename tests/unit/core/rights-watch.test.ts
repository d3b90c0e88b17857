import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/core/auth.js';
import { ForbiddenError, UnauthenticatedError } from '../../../src/core/errors.js';
import type { FeedEvent } from '../../../src/core/events/match-index.js';
import { Topic } from '../../../src/core/events/outbox.js';
import { RightsWatch } from '../../../src/core/rights/rights-watch.js';
import type { User } from '../../../src/modules/accounts/user.entity.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';

function viewer(userId: number, organizationIds: number[], rightsAsOf = 0): Viewer {
  return {
    user: { id: userId } as User,
    userId,
    roles: new Set(),
    memberships: new Map(organizationIds.map((id) => [id, MemberRole.ORG_MEMBER])),
    tokenExpiresAt: new Date(8.64e15),
    rightsAsOf,
  };
}

let seq = 0;
function rightsEvent(topic: Topic, entityId: number): FeedEvent {
  seq += 1;
  return { seq, topic, entityId, categoryPath: [], regionPath: [], targetGroups: [] };
}

const member = (organizationId: number) => (v: Viewer) => {
  if (!v.memberships.has(organizationId)) throw new ForbiddenError('not a member');
};

describe('RightsWatch', () => {
  it('re-checks only the subscriptions of the user or organization whose rights changed', async () => {
    const watch = new RightsWatch();
    let reloads = 0;
    const a = watch.follow(viewer(1, [10]), async () => (reloads++, viewer(1, [10])), member(10));
    const b = watch.follow(viewer(2, [20]), async () => (reloads++, viewer(2, [20])), member(20));
    watch.observe(rightsEvent(Topic.USER_RIGHTS_CHANGED, 1));
    expect(a.isStale).toBe(true);
    expect(b.isStale).toBe(false);
    await a.current();
    watch.observe(rightsEvent(Topic.ORGANIZATION_RIGHTS_CHANGED, 20));
    expect(b.isStale).toBe(true);
    await b.current();
    watch.observe(rightsEvent(Topic.DEMAND_PUBLISHED, 1));
    expect(a.isStale || b.isStale).toBe(false);
    expect(reloads).toBe(2);
  });

  it('ends a subscription with FORBIDDEN when the rule refuses the reloaded viewer, and tells the feed at once', async () => {
    const watch = new RightsWatch();
    const rights = watch.follow(viewer(1, [10]), async () => viewer(1, []), member(10));
    const revoked = new Promise((resolve) => (rights.onRevoked = resolve));
    watch.observe(rightsEvent(Topic.USER_RIGHTS_CHANGED, 1));
    expect(((await revoked) as ForbiddenError).extensions.code).toBe('FORBIDDEN');
    await expect(rights.current()).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(watch.size).toBe(0);
  });

  it('turns a suspended account (UNAUTHENTICATED on reload) into FORBIDDEN', async () => {
    const watch = new RightsWatch();
    const rights = watch.follow(
      viewer(1, [10]),
      async () => {
        throw new UnauthenticatedError('This account is suspended.');
      },
      member(10),
    );
    watch.observe(rightsEvent(Topic.USER_RIGHTS_CHANGED, 1));
    await expect(rights.current()).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('keeps a subscription stale, not refused, when the reload fails for another reason', async () => {
    const watch = new RightsWatch();
    let fail = true;
    const rights = watch.follow(
      viewer(1, [10]),
      async () => {
        if (fail) throw new Error('connection refused');
        return viewer(1, [10]);
      },
      member(10),
    );
    watch.observe(rightsEvent(Topic.USER_RIGHTS_CHANGED, 1));
    await expect(rights.current()).rejects.toThrow('connection refused');
    expect(rights.isStale).toBe(true);
    fail = false;
    await expect(rights.current()).resolves.toMatchObject({ userId: 1 });
  });

  it('starts stale when a rights change was relayed after its viewer was read', async () => {
    const watch = new RightsWatch();
    const change = rightsEvent(Topic.ORGANIZATION_RIGHTS_CHANGED, 10);
    watch.observe(change);
    const late = watch.follow(viewer(1, [10], change.seq - 1), async () => viewer(1, [10]), member(10));
    const current = watch.follow(viewer(2, [10], change.seq), async () => viewer(2, [10]), member(10));
    expect(late.isStale).toBe(true);
    expect(current.isStale).toBe(false);
  });

  it('follows the organizations the reloaded viewer belongs to', async () => {
    const watch = new RightsWatch();
    const rights = watch.follow(
      viewer(1, [10]),
      async () => viewer(1, [10, 30]),
      () => {},
    );
    watch.observe(rightsEvent(Topic.USER_RIGHTS_CHANGED, 1));
    await rights.current();
    watch.observe(rightsEvent(Topic.ORGANIZATION_RIGHTS_CHANGED, 30));
    expect(rights.isStale).toBe(true);
    rights.close();
    expect(watch.size).toBe(0);
  });
});
