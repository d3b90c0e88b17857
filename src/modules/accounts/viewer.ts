import { rolesOf, type Viewer } from '../../core/auth.js';
import type { MemberRole } from '../../core/roles.js';
import type { OrganizationMember } from '../organizations/membership.entity.js';
import type { User } from './user.entity.js';

/** Builds a Viewer from a user and their organization memberships. */
export function viewerOf(user: User, memberships: OrganizationMember[], tokenExpiresAt: Date): Viewer {
  const byOrg = new Map<number, MemberRole>();
  for (const m of memberships) byOrg.set(m.organization.id, m.role);
  const roles = rolesOf(user.roles, byOrg.values());
  return { user, userId: user.id, roles, memberships: byOrg, tokenExpiresAt };
}
