/**
 * An organization's members: adding and removing them, and who may list them.
 *
 * @module
 */

import { ref } from '@mikro-orm/core';
import type { Actor } from '../../core/context.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { MOBILE_PATTERN } from '../accounts/account.inputs.js';
import { Organization } from './organization.entity.js';
import { OrganizationMember } from './membership.entity.js';
import { MemberRole } from './organization.enums.js';
import { canSeeMembers } from './organization.policy.js';
import type { AddOrganizationMemberInput, RemoveOrganizationMemberInput } from './organization.inputs.js';
import { viewerFacts, organizationFacts, requireManaged } from './organization-access.js';

/** Its admins add an existing account as admin or member. */
export async function addMember(ctx: Actor, input: AddOrganizationMemberInput) {
  const org = await requireManaged(ctx, input.organizationId, 'input.organizationId');
  const login = input.login.trim();
  const user = await ctx.em.findOne(
    User,
    MOBILE_PATTERN.test(login) ? { mobile: login } : { email: login.toLowerCase() },
  );
  if (!user)
    throw BadUserInputError.field('input.login', 'no account has this email address or mobile number');
  if (await ctx.em.count(OrganizationMember, { organization: org.id, user: user.id }))
    throw new ConflictError('This user is already a member of the organization.');
  const member = ctx.em.create(OrganizationMember, {
    organization: ref(org),
    user: ref(user),
    role: input.role,
  });
  recordAudit(ctx, 'addOrganizationMember', org, { userId: user.globalId(), role: input.role });
  await ctx.em.flush();
  return { member, organization: org };
}

/** Its admins remove a member; the last admin cannot be removed (nobody could manage it then). */
export async function removeMember(ctx: Actor, input: RemoveOrganizationMemberInput) {
  const org = await requireManaged(ctx, input.organizationId, 'input.organizationId');
  const userId = parseIdOf('User', input.userId, 'input.userId');
  const member = await ctx.em.findOne(OrganizationMember, { organization: org.id, user: userId });
  if (!member) throw new NotFoundError('Member', input.userId);
  if (member.role === MemberRole.ORG_ADMIN) {
    const admins = await ctx.em.count(OrganizationMember, {
      organization: org.id,
      role: MemberRole.ORG_ADMIN,
    });
    if (admins <= 1) throw new ConflictError('The last admin of an organization cannot be removed.');
  }
  ctx.em.remove(member);
  recordAudit(ctx, 'removeOrganizationMember', org, { userId: input.userId, role: member.role });
  await ctx.em.flush();
  return { removedUserId: input.userId, organization: org };
}

/** Its members, for those allowed to see them; null for everyone else. */
export async function organizationMembers(
  ctx: Actor,
  org: Organization,
): Promise<OrganizationMember[] | null> {
  if (!canSeeMembers(viewerFacts(ctx.viewer), await organizationFacts(ctx.em, org))) return null;
  return (await org.members.load({ dataloader: true })).getItems();
}
