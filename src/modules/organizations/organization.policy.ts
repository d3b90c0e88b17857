/**
 * Who may see and change an organization and its services: pure rules over facts (unit-tested
 * alone, the same for single reads, lists, `node(id)`, mutations and the open-data export), their
 * SQL twin, and the lookups every organization read and mutation starts from.
 *
 * - `canSeeOrganization` — SQL `directoryVisibility` (`organizations`, `organization(id)`,
 *   `node(id)`, `/opendata/hsds/organizations.ndjson` agree);
 * - `canSeeMembers`, `canSeeClaims`, `showsMembership`, `canManage`, `canOversee`, `showsService` — checked per object
 *   (no list SQL of their own: `claimedDemands` lists through the demand rules' SQL);
 * - `installOrganizationRules`: `node(id)` of organizations, services and hub requests, and who reads
 *   the full audit trail of an organization and of a service.
 *
 * The viewer's facts come from viewer-facts.ts, once per request.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { findById, readById } from '../../core/id-queries.js';
import { foreignKeyOf, type ReadRecord } from '../../core/read-records.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import { Role } from '../../core/roles.js';
import { viewerFactsOf, type ViewerFacts } from './viewer-facts.js';
import type { AuditService } from '../audit/audit.service.js';
import { normaliseCreditCode } from './credit-code.js';
import { Organization } from './organization.entity.js';
import { ServiceOffering } from './service.entity.js';
import { HubMembershipRequest } from './membership.entity.js';
import { OrganizationDocument } from './organization-document.entity.js';
import { MemberRole, ServiceStatus, VerificationStatus } from './organization.enums.js';

/** What the rules need to know about the person asking. */
export type OrganizationViewer = Pick<ViewerFacts, 'roles' | 'memberships' | 'unionScope'>;

/** What the rules need to know about the organization. */
export interface OrganizationFacts {
  id: number;
  verificationStatus: VerificationStatus;
  /** Codes from the province down to the home region. */
  homeRegionPath: readonly string[];
  /** A community group's sponsoring hub, whose admins verify it; null (or absent) for other kinds. */
  sponsorId?: number | null;
}

/** Union staff whose region scope contains the organization's home region. */
export function isStaffInScope(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return (
    viewer !== null &&
    viewer.roles.has(Role.UNION_STAFF) &&
    viewer.unionScope !== null &&
    org.homeRegionPath.includes(viewer.unionScope)
  );
}

/** Platform admins, and union staff in scope: those who verify, suspend and oversee. */
export function canOversee(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return viewer !== null && (viewer.roles.has(Role.ADMIN) || isStaffInScope(viewer, org));
}

/** Whether the viewer is one of its members (either role). */
export function isMemberOf(viewer: OrganizationViewer | null, organizationId: number): boolean {
  return viewer?.memberships.has(organizationId) ?? false;
}

/** Whether the viewer administers it (its ORG_ADMIN). */
export function isAdminOf(viewer: OrganizationViewer | null, organizationId: number): boolean {
  return viewer?.memberships.get(organizationId) === MemberRole.ORG_ADMIN;
}

/**
 * Everyone sees VERIFIED organizations. PENDING and SUSPENDED ones are seen only by their own
 * members, union staff in scope, admins and — for a community group — the admins of its sponsoring
 * hub, who decide on it: an unverified profile must not look endorsed.
 */
export function canSeeOrganization(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  if (org.verificationStatus === VerificationStatus.VERIFIED) return true;
  return isMemberOf(viewer, org.id) || canOversee(viewer, org) || isSponsorAdmin(viewer, org);
}

/** The viewer administers the hub that sponsors this community group. */
export function isSponsorAdmin(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return org.sponsorId != null && isAdminOf(viewer, org.sponsorId);
}

/**
 * The SQL twin of `canSeeOrganization` over the `organization` table aliased `o`: VERIFIED ones, the
 * viewer's own, those whose home region lies in a union staff's scope and those sponsored by a hub
 * the viewer administers; null (no condition) for admins.
 */
export function directoryVisibility(
  viewer: OrganizationViewer | null,
): { sql: string; params: unknown[] } | null {
  if (viewer?.roles.has(Role.ADMIN)) return null;
  const visible = [`o.verification_status = 'VERIFIED'`];
  const memberOf = [...(viewer?.memberships.keys() ?? [])];
  if (memberOf.length) visible.push(`o.id in (${memberOf.map(() => '?').join(', ')})`);
  const scope = viewer?.roles.has(Role.UNION_STAFF) ? viewer.unionScope : null;
  if (scope)
    visible.push(`o.home_region_code in (select r.code from region r where r.path @> array[?]::text[])`);
  const adminOf = [...(viewer?.memberships.entries() ?? [])]
    .filter(([, role]) => role === MemberRole.ORG_ADMIN)
    .map(([id]) => id);
  if (adminOf.length) visible.push(`o.sponsor_id in (${adminOf.map(() => '?').join(', ')})`);
  return {
    sql: `(${visible.join(' or ')})`,
    params: [...memberOf, ...(scope ? [scope] : []), ...adminOf],
  };
}

/** Its members list: for its members, union staff in scope and admins (members are personal data). */
export function canSeeMembers(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return isMemberOf(viewer, org.id) || canOversee(viewer, org);
}

/**
 * The demands it claimed (`Organization.claimedDemands`): for its members, union staff in scope and
 * admins; each demand still as the demand rules show it (demand.policy.ts).
 */
export function canSeeClaims(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return isMemberOf(viewer, org.id) || canOversee(viewer, org);
}

/**
 * Which of a user's memberships the viewer sees (`User.memberships`): all of them for the user
 * herself (`self`) and platform admins; her membership of an organization for that organization's
 * admins, who see it in its member list anyway; none for anyone else.
 */
export function showsMembership(
  viewer: OrganizationViewer | null,
  self: boolean,
  organizationId: number,
): boolean {
  return self || (viewer?.roles.has(Role.ADMIN) ?? false) || isAdminOf(viewer, organizationId);
}

/**
 * Its verification documents (`Organization.documents`, their download): its admins, and those who
 * verify it (platform admins, union staff in scope). Plain members do not: a registration
 * certificate names its legal representative.
 */
export function canSeeDocuments(viewer: OrganizationViewer | null, org: OrganizationFacts): boolean {
  return isAdminOf(viewer, org.id) || canOversee(viewer, org);
}

/** Profile, services and members are changed by its ORG_ADMIN and by platform admins. */
export function canManage(viewer: OrganizationViewer | null, organizationId: number): boolean {
  return viewer !== null && (viewer.roles.has(Role.ADMIN) || isAdminOf(viewer, organizationId));
}

/**
 * A service of an organization the viewer sees: retired ones only for those who manage it (for
 * anonymous readers, and so the open-data export, never).
 */
export function showsService(
  viewer: OrganizationViewer | null,
  organizationId: number,
  status: ServiceStatus,
): boolean {
  return status !== ServiceStatus.RETIRED || canManage(viewer, organizationId);
}

/** The properties {@link organizationFacts} reads: every visibility rule reads them. */
export const ORGANIZATION_FACT_PROPERTIES = [
  'id',
  'verificationStatus',
  'homeRegion',
  'sponsor',
] as const satisfies readonly (keyof Organization)[];

/** The policy's facts about an organization; the home region is batched across a request. */
export async function organizationFacts(
  em: EntityManager,
  org: ReadRecord<Organization>,
): Promise<OrganizationFacts> {
  const home = await org.homeRegion.load({ dataloader: true });
  const sponsorId = foreignKeyOf(org, 'sponsor');
  return {
    id: org.id,
    verificationStatus: org.verificationStatus,
    homeRegionPath: home?.path ?? [],
    sponsorId: sponsorId == null ? null : Number(sponsorId),
  };
}

/** Whether the viewer may see the organization at all. */
export async function canSee(ctx: Actor, org: ReadRecord<Organization>): Promise<boolean> {
  // Verified ones need no region lookup.
  if (org.verificationStatus === VerificationStatus.VERIFIED) return true;
  return canSeeOrganization(viewerFactsOf(ctx.viewer), await organizationFacts(ctx.em, org));
}

/** An organization by numeric id if the viewer may see it, else null. */
export async function getOrganization(ctx: Actor, id: number): Promise<Organization | null> {
  const org = await findById(ctx.em, Organization, id);
  return org && (await canSee(ctx, org)) ? org : null;
}

/**
 * `organization(id:, creditCode:)`. By id it is a read-only record of `properties` (null: all)
 * rather than a managed entity: this is the query's read path.
 */
export async function findOrganization(
  ctx: Actor,
  id: string | null | undefined,
  creditCode: string | null | undefined,
  properties: ReadonlySet<string> | null = null,
) {
  if (id) {
    const org = await readById(ctx.em, Organization, parseIdOf('Organization', id, 'id'), properties);
    return org && (await canSee(ctx, org)) ? org : null;
  }
  if (creditCode) {
    const org = await ctx.em.findOne(Organization, { creditCode: normaliseCreditCode(creditCode) });
    return org && (await canSee(ctx, org)) ? org : null;
  }
  throw BadUserInputError.field('id', 'give either id or creditCode');
}

/**
 * A service by numeric id, if the viewer may see its organization and the service (a retired one
 * only for those who manage it, as in the organization's `services`).
 */
export async function getService(ctx: Actor, id: number): Promise<ServiceOffering | null> {
  const service = await ctx.em.findOne(ServiceOffering, { id });
  if (!service) return null;
  const org = await service.organization.loadOrFail({ dataloader: true });
  if (!showsService(viewerFactsOf(ctx.viewer), org.id, service.status)) return null;
  return (await canSee(ctx, org)) ? service : null;
}

/**
 * The organization a mutation acts on: NOT_FOUND when it does not exist or the viewer may not see
 * it (a pending organization stays invisible), FORBIDDEN when they see it but may not manage it.
 */
export async function requireManaged(ctx: Actor, globalId: string, path: string): Promise<Organization> {
  const viewer = requireViewer(ctx.viewer);
  const org = await getOrganization(ctx, parseIdOf('Organization', globalId, path));
  if (!org) throw new NotFoundError('Organization', globalId);
  if (!canManage(viewerFactsOf(viewer), org.id))
    throw new ForbiddenError("Only this organization's admins (and platform admins) may change it.");
  return org;
}

/** `canSeeDocuments` for an existing organization, by id (a document's, for its download and removal). */
export async function mayReadDocumentsOf(ctx: Actor, organizationId: number): Promise<boolean> {
  const viewer = viewerFactsOf(ctx.viewer);
  if (!viewer) return false;
  if (viewer.isAdmin || isAdminOf(viewer, organizationId)) return true;
  const org = await ctx.em.findOne(Organization, { id: organizationId });
  return org !== null && canSeeDocuments(viewer, await organizationFacts(ctx.em, org));
}

/** A request is seen by the members of either side, union staff in scope of either, and admins. */
export async function canSeeRequest(ctx: Actor, request: HubMembershipRequest): Promise<boolean> {
  const facts = viewerFactsOf(ctx.viewer);
  for (const side of [request.organization, request.hub]) {
    const org = await side.loadOrFail({ dataloader: true });
    if (canSeeMembers(facts, await organizationFacts(ctx.em, org))) return true;
  }
  return false;
}

/**
 * `node(id)` answers as `organization(id:)` and the directory; a service as its organization's
 * `services`; a hub request as `canSeeRequest`. An organization's full audit trail is
 * for its members and those who oversee it (admins always may); a service's for its organization's
 * members.
 */
export function installOrganizationRules(services: { nodes: NodeRegistry; audit: AuditService }): void {
  const { nodes, audit } = services;
  nodes
    .registerById('Organization', (ctx, id) => getOrganization(ctx, id))
    .registerById('Service', (ctx, id) => getService(ctx, id))
    .registerById('HubMembershipRequest', async (ctx, id) => {
      const request = await ctx.em.findOne(HubMembershipRequest, { id });
      return request && (await canSeeRequest(ctx, request)) ? request : null;
    })
    .registerById('OrganizationDocument', async (ctx, id) => {
      const document = await ctx.em.findOne(OrganizationDocument, { id });
      return document && (await mayReadDocumentsOf(ctx, document.organization.id)) ? document : null;
    });
  audit.registerReadRule('Organization', async (ctx, subject) => {
    const org = subject as Organization;
    const viewer = viewerFactsOf(ctx.viewer);
    return isMemberOf(viewer, org.id) || canOversee(viewer, await organizationFacts(ctx.em, org));
  });
  audit.registerReadRule('OrganizationDocument', (ctx, subject) =>
    mayReadDocumentsOf(ctx, (subject as OrganizationDocument).organization.id),
  );
  audit.registerReadRule('Service', (ctx, subject) =>
    isMemberOf(viewerFactsOf(ctx.viewer), (subject as ServiceOffering).organization.id),
  );
}
