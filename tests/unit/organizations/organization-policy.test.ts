import { describe, expect, it } from 'vitest';
import { Role } from '../../../src/core/roles.js';
import { MemberRole, VerificationStatus } from '../../../src/modules/organizations/organization.enums.js';
import {
  canManage,
  canSeeMembers,
  canSeeOrganization,
  type OrganizationFacts,
  type OrganizationViewer,
} from '../../../src/modules/organizations/organization.policy.js';

const pending: OrganizationFacts = {
  id: 7,
  verificationStatus: VerificationStatus.PENDING,
  homeRegionPath: ['370000', '370100', '370102'],
};
const viewer = (
  roles: Role[],
  scope: string | null = null,
  memberships: [number, MemberRole][] = [],
): OrganizationViewer => ({
  roles: new Set(roles),
  memberships: new Map(memberships),
  unionScope: scope,
});

describe('organization policy', () => {
  it('shows verified organizations to anyone and pending ones to no outsider', () => {
    expect(canSeeOrganization(null, { ...pending, verificationStatus: VerificationStatus.VERIFIED })).toBe(
      true,
    );
    expect(canSeeOrganization(null, pending)).toBe(false);
    expect(canSeeOrganization(viewer([Role.WORKER]), pending)).toBe(false);
  });

  it('shows a pending organization to its members, staff whose scope holds its home region, and admins', () => {
    expect(canSeeOrganization(viewer([Role.WORKER], null, [[7, MemberRole.ORG_MEMBER]]), pending)).toBe(true);
    expect(canSeeOrganization(viewer([Role.UNION_STAFF], '370100'), pending)).toBe(true);
    expect(canSeeOrganization(viewer([Role.UNION_STAFF], '370000'), pending)).toBe(true);
    expect(canSeeOrganization(viewer([Role.UNION_STAFF], '370200'), pending)).toBe(false);
    expect(canSeeOrganization(viewer([Role.GOV_STAFF], '370100'), pending)).toBe(false);
    expect(canSeeOrganization(viewer([Role.ADMIN]), pending)).toBe(true);
  });

  it('lets only its own admin and platform admins manage it', () => {
    expect(canManage(viewer([Role.WORKER], null, [[7, MemberRole.ORG_ADMIN]]), 7)).toBe(true);
    expect(canManage(viewer([Role.WORKER], null, [[7, MemberRole.ORG_MEMBER]]), 7)).toBe(false);
    expect(canManage(viewer([Role.WORKER], null, [[8, MemberRole.ORG_ADMIN]]), 7)).toBe(false);
    expect(canManage(viewer([Role.UNION_STAFF], '370100'), 7)).toBe(false);
    expect(canManage(viewer([Role.ADMIN]), 7)).toBe(true);
  });

  it('hides members from outsiders even when the organization is verified', () => {
    const verified = { ...pending, verificationStatus: VerificationStatus.VERIFIED };
    expect(canSeeMembers(viewer([Role.WORKER]), verified)).toBe(false);
    expect(canSeeMembers(viewer([Role.UNION_STAFF], '370100'), verified)).toBe(true);
  });
});
