/**
 * Union decisions on an organization: verifying it, suspending it, making it a hub.
 *
 * @module
 */

import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { viewerFactsOf } from './viewer-facts.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from './organization.entity.js';
import { ProviderKind, VerificationStatus } from './organization.enums.js';
import { Role } from '../../core/roles.js';
import type {
  SetHubStatusInput,
  SuspendOrganizationInput,
  VerifyOrganizationInput,
} from './organization.inputs.js';
import { canOversee, canSee, organizationFacts } from './organization.policy.js';

/** The organization a union decision acts on: union staff whose scope covers it, or an admin. */
export async function requireOverseen(ctx: Actor, globalId: string, path: string): Promise<Organization> {
  const viewer = requireViewer(ctx.viewer);
  const org = await ctx.em.findOne(Organization, { id: parseIdOf('Organization', globalId, path) });
  if (!org || !(await canSee(ctx, org))) throw new NotFoundError('Organization', globalId);
  if (!canOversee(viewerFactsOf(viewer), await organizationFacts(ctx.em, org)))
    throw new ForbiddenError(
      "Only union staff whose region scope covers the organization's home region, or admins, may do this.",
    );
  return org;
}

/**
 * What other modules do when an organization is suspended, in the suspending transaction (after
 * its rights change is announced): registered in the composition root (services.ts), so this module
 * does not depend on the modules that react.
 */
export type SuspensionHook = (actor: Actor, organization: Organization) => Promise<void>;

/** The VERIFICATION_DECIDED outbox event (its members are notified); last writes, see emitEvent. */
export function announceVerification(em: Actor['em'], org: Organization): Promise<number> {
  return emitEvent(em, {
    topic: Topic.VERIFICATION_DECIDED,
    entityId: org.id,
    categoryPath: [],
    regionPath: [],
    targetGroups: [],
  });
}

/** Union decisions on organizations: verification, suspension and hub status. */
export class OrganizationVerificationService {
  private readonly suspensionHooks: SuspensionHook[] = [];

  /** Adds work done in the suspending transaction (the composition root registers the demands'). */
  onSuspend(hook: SuspensionHook): this {
    this.suspensionHooks.push(hook);
    return this;
  }

  /**
   * Union staff in scope (or an admin) verify it, recording who, when, why and the grade seen. Its
   * members' rights change with it: announced in the same transaction (rights-change.ts).
   */
  verify(ctx: Actor, input: VerifyOrganizationInput): Promise<Organization> {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const org = await requireOverseen(actor, input.organizationId, 'input.organizationId');
      const viewer = requireViewer(ctx.viewer);
      // A community group has no code for union staff to check: its sponsoring hub vouches for it.
      if (org.providerKind === ProviderKind.COMMUNITY_GROUP && !viewer.roles.has(Role.ADMIN))
        throw new ForbiddenError(
          "A community group is verified by its sponsoring hub's admins (decideSponsoredGroup), or by platform admins.",
        );
      org.verificationStatus = VerificationStatus.VERIFIED;
      org.verificationReason = input.reason?.trim() || null;
      org.verificationDecidedBy = ref(em.getReference(User, viewer.userId));
      org.verificationDecidedAt = new Date();
      if (input.grade) org.grade = input.grade;
      if (input.gradeValidUntil !== undefined) org.gradeValidUntil = input.gradeValidUntil;
      recordAudit(actor, 'verifyOrganization', org, { reason: org.verificationReason, grade: org.grade });
      await em.flush();
      await announceRightsChange(em, { organizationIds: [org.id] });
      await announceVerification(em, org);
      return org;
    });
  }

  /**
   * Union staff in scope (or an admin) suspend it, with a reason: it leaves the public directory, its
   * members' open subscriptions through it end (the rights change is announced first, so they hear
   * nothing of what follows), and the hooks (`onSuspend`) undo what its standing gave it (its open claims, in
   * services.ts) — all in one transaction.
   */
  suspend(ctx: Actor, input: SuspendOrganizationInput): Promise<Organization> {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const org = await requireOverseen(actor, input.organizationId, 'input.organizationId');
      const viewer = requireViewer(ctx.viewer);
      org.verificationStatus = VerificationStatus.SUSPENDED;
      org.verificationReason = input.reason.trim();
      org.verificationDecidedBy = ref(em.getReference(User, viewer.userId));
      org.verificationDecidedAt = new Date();
      recordAudit(actor, 'suspendOrganization', org, { reason: org.verificationReason });
      await em.flush();
      await announceRightsChange(em, { organizationIds: [org.id] });
      for (const hook of this.suspensionHooks) await hook(actor, org);
      await announceVerification(em, org);
      return org;
    });
  }

  /** Union staff in scope (or an admin) make it a hub, or stop it being one. */
  setHubStatus(ctx: Actor, input: SetHubStatusInput): Promise<Organization> {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const org = await requireOverseen(actor, input.organizationId, 'input.organizationId');
      if (input.isHub && org.verificationStatus !== VerificationStatus.VERIFIED)
        throw BadUserInputError.field('input.isHub', 'only a verified organization can be a hub');
      org.isHub = input.isHub;
      recordAudit(actor, 'setHubStatus', org, { isHub: input.isHub });
      await em.flush();
      await announceRightsChange(em, { organizationIds: [org.id] });
      return org;
    });
  }
}
