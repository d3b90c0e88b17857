/**
 * Who may see an organization or a service, and the lookups that mutations start from: an
 * organization the viewer may manage (NOT_FOUND when invisible, FORBIDDEN when not theirs).
 *
 * @module
 */

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { findById, readById } from '../../core/id-queries.js';
import { normaliseCreditCode } from './credit-code.js';
import { Organization } from './organization.entity.js';
import { OrganizationService as ServiceOffering } from './service.entity.js';
import { VerificationStatus } from './organization.enums.js';
import {
  canManage,
  canSeeOrganization,
  showsService,
  type OrganizationFacts,
  type ViewerFacts,
} from './organization.policy.js';

/** The facts the policy needs about the viewer. */
export function viewerFacts(viewer: Viewer | null): ViewerFacts | null {
  if (!viewer) return null;
  return {
    roles: viewer.roles,
    memberships: viewer.memberships,
    regionScopeCode: viewer.user.regionScope?.unwrap().code ?? null,
  };
}

/** The policy's facts about an organization; the home region is batched across a request. */
export async function organizationFacts(em: EntityManager, org: Organization): Promise<OrganizationFacts> {
  const home = await org.homeRegion.load({ dataloader: true });
  return { id: org.id, verificationStatus: org.verificationStatus, homeRegionPath: home?.path ?? [] };
}

/** Whether the viewer may see the organization at all. */
export async function canSee(ctx: Actor, org: Organization): Promise<boolean> {
  // Verified ones need no region lookup.
  if (org.verificationStatus === VerificationStatus.VERIFIED) return true;
  return canSeeOrganization(viewerFacts(ctx.viewer), await organizationFacts(ctx.em, org));
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
  if (!showsService(viewerFacts(ctx.viewer), org.id, service.status)) return null;
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
  if (!canManage(viewerFacts(viewer), org.id))
    throw new ForbiddenError("Only this organization's admins (and platform admins) may change it.");
  return org;
}
