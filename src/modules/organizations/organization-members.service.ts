/**
 * An organization's members: adding and removing them, and who may list them.
 *
 * @module
 */

import { LockMode, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import type { Actor } from '../../core/context.js';
import { viewerFactsOf } from './viewer-facts.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { MOBILE_PATTERN } from '../accounts/account.inputs.js';
import { Organization } from './organization.entity.js';
import { OrganizationMember } from './membership.entity.js';
import { MemberRole } from './organization.enums.js';
import type {
  AddOrganizationMemberInput,
  RemoveOrganizationMemberInput,
  SetOrganizationMemberRoleInput,
} from './organization.inputs.js';
import { canSeeMembers, organizationFacts, requireManaged } from './organization.policy.js';
import type { ReadRecord } from '../../core/read-records.js';

/**
 * The membership an admin acts on, locked for the caller's transaction (`actor.em`): the organization
 * must be one the viewer manages, the user one of its members (NOT_FOUND otherwise).
 */
async function lockedMember(actor: Actor, input: { organizationId: string; userId: string }) {
  const org = await requireManaged(actor, input.organizationId, 'input.organizationId');
  const userId = parseIdOf('User', input.userId, 'input.userId');
  const member = await actor.em.findOne(
    OrganizationMember,
    { organization: org.id, user: userId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!member) throw new NotFoundError('Member', input.userId);
  return { org, member, userId };
}

/**
 * CONFLICT unless the organization keeps an admin besides the one leaving the role. The admins'
 * rows are locked, so two admins stepping down at once cannot both pass.
 */
async function requireAnotherAdmin(em: EntityManager, organizationId: number): Promise<void> {
  const admins = await em.find(
    OrganizationMember,
    { organization: organizationId, role: MemberRole.ORG_ADMIN },
    { lockMode: LockMode.PESSIMISTIC_WRITE, fields: ['id'] },
  );
  if (admins.length <= 1) throw new ConflictError('The last admin of an organization cannot leave the role.');
}

/** An organization's members and their roles, managed by its admins. */
export class OrganizationMembersService {
  /**
   * Its admins add an existing account as admin or member. The account's rights change: announced in
   * the same transaction (rights-change.ts).
   */
  add(ctx: Actor, input: AddOrganizationMemberInput) {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const org = await requireManaged(actor, input.organizationId, 'input.organizationId');
      const login = input.login.trim();
      const user = await em.findOne(
        User,
        MOBILE_PATTERN.test(login) ? { mobile: login } : { email: login.toLowerCase() },
      );
      if (!user)
        throw BadUserInputError.field('input.login', 'no account has this email address or mobile number');
      if (await em.count(OrganizationMember, { organization: org.id, user: user.id }))
        throw new ConflictError('This user is already a member of the organization.');
      const member = em.create(OrganizationMember, {
        organization: ref(org),
        user: ref(user),
        role: input.role,
      });
      recordAudit(actor, 'addOrganizationMember', org, { userId: user.globalId(), role: input.role });
      await em.flush();
      await announceRightsChange(em, { userIds: [user.id] });
      return { member, organization: org };
    });
  }

  /**
   * Its admins change a member's role; the last admin cannot step down (nobody could manage it
   * then). The account's rights change: announced in the same transaction.
   */
  setRole(ctx: Actor, input: SetOrganizationMemberRoleInput) {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const { org, member, userId } = await lockedMember(actor, input);
      if (member.role === input.role) return { member, organization: org };
      if (member.role === MemberRole.ORG_ADMIN) await requireAnotherAdmin(em, org.id);
      const before = member.role;
      member.role = input.role;
      recordAudit(actor, 'setOrganizationMemberRole', org, {
        userId: input.userId,
        from: before,
        to: input.role,
      });
      await em.flush();
      await announceRightsChange(em, { userIds: [userId] });
      return { member, organization: org };
    });
  }

  /**
   * Its admins remove a member; the last admin cannot be removed (nobody could manage it then). The
   * account's rights change: announced in the same transaction, so its open subscriptions through the
   * organization end before anything else reaches them.
   */
  remove(ctx: Actor, input: RemoveOrganizationMemberInput) {
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const { org, member, userId } = await lockedMember(actor, input);
      if (member.role === MemberRole.ORG_ADMIN) await requireAnotherAdmin(em, org.id);
      em.remove(member);
      recordAudit(actor, 'removeOrganizationMember', org, { userId: input.userId, role: member.role });
      await em.flush();
      await announceRightsChange(em, { userIds: [userId] });
      return { removedUserId: input.userId, organization: org };
    });
  }

  /** Its members, for those allowed to see them; null for everyone else. */
  async listOf(ctx: Actor, org: ReadRecord<Organization>): Promise<OrganizationMember[] | null> {
    if (!canSeeMembers(viewerFactsOf(ctx.viewer), await organizationFacts(ctx.em, org))) return null;
    return (await org.members.load({ dataloader: true })).getItems();
  }
}
