import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/core/auth.js';
import { Role } from '../../../src/core/roles.js';
import type { User } from '../../../src/modules/accounts/user.entity.js';
import { MemberRole } from '../../../src/modules/organizations/organization.enums.js';
import { LiveViewerFacts } from '../../../src/modules/organizations/viewer-facts.js';

function viewer(orgIds: number[]): Viewer {
  return {
    user: { regionScope: null } as unknown as User,
    userId: 7,
    roles: new Set([Role.ORG_ADMIN]),
    memberships: new Map(orgIds.map((id) => [id, MemberRole.ORG_ADMIN])),
    tokenExpiresAt: new Date(Date.now() + 60_000),
  };
}

describe('LiveViewerFacts', () => {
  it('keeps the viewer’s verified organizations among a wider answer', () => {
    const live = new LiveViewerFacts(viewer([3, 5, 9]));
    expect(live.given(new Set([1, 3, 9, 12])).verifiedOrgIds).toEqual([3, 9]);
    expect(live.given(new Set()).verifiedOrgIds).toEqual([]);
  });

  it('returns the same facts while the verification is unchanged, and new ones when it changes', () => {
    const live = new LiveViewerFacts(viewer([3, 5]));
    const first = live.given(new Set([3, 5]));
    expect(live.given(new Set([3, 5, 8]))).toBe(first);
    const suspended = live.given(new Set([3]));
    expect(suspended).not.toBe(first);
    expect(suspended).toMatchObject({ userId: 7, memberOrgIds: [3, 5], verifiedOrgIds: [3] });
    expect(live.given(new Set([5])).verifiedOrgIds).toEqual([5]);
  });

  it('has nothing to re-read for a viewer without organizations', () => {
    const live = new LiveViewerFacts(viewer([]));
    expect(live.memberOrgIds).toEqual([]);
    expect(live.given(new Set([1])).verifiedOrgIds).toEqual([]);
  });
});
