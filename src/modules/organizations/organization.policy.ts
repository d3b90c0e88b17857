/**
 * Who may see and change an organization: pure rules over facts the service has already loaded, so
 * the same rules serve single reads, lists, `node(id)` and mutations, and are unit-tested alone.
 *
 * @module
 */
import { Role } from '../../core/roles.js';
import { MemberRole, ServiceStatus, VerificationStatus } from './organization.enums.js';

/** What the rules need to know about the person asking. */
export interface ViewerFacts {
  roles: ReadonlySet<Role>;
  /** Organization id → the viewer's role in it. */
  memberships: ReadonlyMap<number, MemberRole>;
  /** For union staff: the code of the region their unit covers. */
  regionScopeCode: string | null;
}

/** What the rules need to know about the organization. */
export interface OrganizationFacts {
  id: number;
  verificationStatus: VerificationStatus;
  /** Codes from the province down to the home region. */
  homeRegionPath: readonly string[];
}

/** Union staff whose region scope contains the organization's home region. */
export function isStaffInScope(viewer: ViewerFacts | null, org: OrganizationFacts): boolean {
  return (
    viewer !== null &&
    viewer.roles.has(Role.UNION_STAFF) &&
    viewer.regionScopeCode !== null &&
    org.homeRegionPath.includes(viewer.regionScopeCode)
  );
}

/** Platform admins, and union staff in scope: those who verify, suspend and oversee. */
export function canOversee(viewer: ViewerFacts | null, org: OrganizationFacts): boolean {
  return viewer !== null && (viewer.roles.has(Role.ADMIN) || isStaffInScope(viewer, org));
}

/** Whether the viewer is one of its members (either role). */
export function isMemberOf(viewer: ViewerFacts | null, organizationId: number): boolean {
  return viewer?.memberships.has(organizationId) ?? false;
}

/** Whether the viewer administers it (its ORG_ADMIN). */
export function isAdminOf(viewer: ViewerFacts | null, organizationId: number): boolean {
  return viewer?.memberships.get(organizationId) === MemberRole.ORG_ADMIN;
}

/**
 * Everyone sees VERIFIED organizations. PENDING and SUSPENDED ones are seen only by their own
 * members, union staff in scope and admins: an unverified profile must not look endorsed.
 */
export function canSeeOrganization(viewer: ViewerFacts | null, org: OrganizationFacts): boolean {
  if (org.verificationStatus === VerificationStatus.VERIFIED) return true;
  return isMemberOf(viewer, org.id) || canOversee(viewer, org);
}

/** Its members list: for its members, union staff in scope and admins (members are personal data). */
export function canSeeMembers(viewer: ViewerFacts | null, org: OrganizationFacts): boolean {
  return isMemberOf(viewer, org.id) || canOversee(viewer, org);
}

/** Profile, services and members are changed by its ORG_ADMIN and by platform admins. */
export function canManage(viewer: ViewerFacts | null, organizationId: number): boolean {
  return viewer !== null && (viewer.roles.has(Role.ADMIN) || isAdminOf(viewer, organizationId));
}

/**
 * A service of an organization the viewer sees: retired ones only for those who manage it (for
 * anonymous readers, and so the open-data export, never).
 */
export function showsService(
  viewer: ViewerFacts | null,
  organizationId: number,
  status: ServiceStatus,
): boolean {
  return status !== ServiceStatus.RETIRED || canManage(viewer, organizationId);
}
