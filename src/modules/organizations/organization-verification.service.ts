/**
 * Union decisions on an organization: verifying it, suspending it, making it a hub.
 *
 * @module
 */

import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from './organization.entity.js';
import { VerificationStatus } from './organization.enums.js';
import { canOversee } from './organization.policy.js';
import type {
  SetHubStatusInput,
  SuspendOrganizationInput,
  VerifyOrganizationInput,
} from './organization.inputs.js';
import { viewerFacts, organizationFacts, canSee } from './organization-access.js';

/** The organization a union decision acts on: union staff whose scope covers it, or an admin. */
export async function requireOverseen(ctx: Actor, globalId: string, path: string): Promise<Organization> {
  const viewer = requireViewer(ctx.viewer);
  const org = await ctx.em.findOne(Organization, { id: parseIdOf('Organization', globalId, path) });
  if (!org || !(await canSee(ctx, org))) throw new NotFoundError('Organization', globalId);
  if (!canOversee(viewerFacts(viewer), await organizationFacts(ctx.em, org)))
    throw new ForbiddenError(
      "Only union staff whose region scope covers the organization's home region, or admins, may do this.",
    );
  return org;
}

/** Union staff in scope (or an admin) verify it, recording who, when, why and the grade seen. */
export async function verifyOrganization(ctx: Actor, input: VerifyOrganizationInput): Promise<Organization> {
  const org = await requireOverseen(ctx, input.organizationId, 'input.organizationId');
  const viewer = requireViewer(ctx.viewer);
  org.verificationStatus = VerificationStatus.VERIFIED;
  org.verificationReason = input.reason?.trim() || null;
  org.verificationDecidedBy = ref(ctx.em.getReference(User, viewer.userId));
  org.verificationDecidedAt = new Date();
  if (input.grade) org.grade = input.grade;
  if (input.gradeValidUntil !== undefined) org.gradeValidUntil = input.gradeValidUntil;
  recordAudit(ctx, 'verifyOrganization', org, { reason: org.verificationReason, grade: org.grade });
  await ctx.em.flush();
  return org;
}

/** Union staff in scope (or an admin) suspend it, with a reason; it leaves the public directory. */
export async function suspendOrganization(
  ctx: Actor,
  input: SuspendOrganizationInput,
): Promise<Organization> {
  const org = await requireOverseen(ctx, input.organizationId, 'input.organizationId');
  const viewer = requireViewer(ctx.viewer);
  org.verificationStatus = VerificationStatus.SUSPENDED;
  org.verificationReason = input.reason.trim();
  org.verificationDecidedBy = ref(ctx.em.getReference(User, viewer.userId));
  org.verificationDecidedAt = new Date();
  recordAudit(ctx, 'suspendOrganization', org, { reason: org.verificationReason });
  await ctx.em.flush();
  return org;
}

/** Union staff in scope (or an admin) make it a hub, or stop it being one. */
export async function setHubStatus(ctx: Actor, input: SetHubStatusInput): Promise<Organization> {
  const org = await requireOverseen(ctx, input.organizationId, 'input.organizationId');
  if (input.isHub && org.verificationStatus !== VerificationStatus.VERIFIED)
    throw BadUserInputError.field('input.isHub', 'only a verified organization can be a hub');
  org.isHub = input.isHub;
  recordAudit(ctx, 'setHubStatus', org, { isHub: input.isHub });
  await ctx.em.flush();
  return org;
}
