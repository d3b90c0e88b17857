/**
 * Community groups (备案的社区社会组织) and the hubs that sponsor them: the sponsor's admins see the
 * groups it sponsors and verify or decline them (docs/domain.md, "Providers"). A group has no credit
 * code to check; the hub that knows it vouches for it.
 *
 * @module
 */

import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { announceRightsChange } from '../../core/rights/rights-change.js';
import type { ReadRecord } from '../../core/read-records.js';
import { Role } from '../../core/roles.js';
import { recordAudit } from '../audit/audit.js';
import { Organization } from './organization.entity.js';
import { ProviderKind, VerificationStatus } from './organization.enums.js';
import type { DecideSponsoredGroupInput } from './organization.inputs.js';
import { canManage, canSee } from './organization.policy.js';
import { announceVerification } from './organization-verification.service.js';
import { viewerFactsOf } from './viewer-facts.js';

/** The sponsoring hubs' side of community groups. */
export class SponsoredGroupsService {
  /**
   * The sponsor hub's admin (or a platform admin) verifies (VERIFIED) or declines (SUSPENDED, with
   * the reason) a PENDING community group. The right is read from the database at this request: an
   * admin removed from the hub, or a hub no longer verified, is refused. The status changes by a
   * conditional UPDATE from PENDING, so of two decisions at once one wins and the other gets CONFLICT.
   */
  decide(ctx: Actor, input: DecideSponsoredGroupInput): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    const id = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    const reason = input.reason?.trim() || null;
    if (!input.accept && !reason)
      throw BadUserInputError.field('input.reason', 'Say why the community group is declined.');
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const group = await em.findOne(Organization, { id });
      if (!group || !(await canSee(actor, group)))
        throw new NotFoundError('Organization', input.organizationId);
      if (group.providerKind !== ProviderKind.COMMUNITY_GROUP || !group.sponsor)
        throw BadUserInputError.field('input.organizationId', 'is not a community group');
      const facts = viewerFactsOf(viewer);
      const platformAdmin = facts.roles.has(Role.ADMIN);
      if (!canManage(facts, group.sponsor.id))
        throw new ForbiddenError(
          "Only the sponsoring hub's admins, or platform admins, decide on a community group.",
        );
      const sponsor = await group.sponsor.loadOrFail();
      if (!platformAdmin && (!sponsor.isHub || sponsor.verificationStatus !== VerificationStatus.VERIFIED))
        throw new ForbiddenError('The sponsor is no longer a verified hub: only platform admins decide now.');
      const to = input.accept ? VerificationStatus.VERIFIED : VerificationStatus.SUSPENDED;
      const updated = await em.execute<{ id: number }[]>(
        `update "organization"
            set "verification_status" = ?, "verification_reason" = ?, "verification_decided_by_id" = ?,
                "verification_decided_at" = now(), "updated_at" = now()
          where "id" = ? and "verification_status" = 'PENDING'
        returning "id"`,
        [to, reason, viewer.userId, group.id],
      );
      if (updated.length === 0)
        throw new ConflictError('This community group has already been decided.', {
          currentStatus: group.verificationStatus,
        });
      // The UPDATE bypassed the identity map: read the row as it now is.
      await em.refresh(group);
      recordAudit(actor, input.accept ? 'verifySponsoredGroup' : 'declineSponsoredGroup', group, {
        reason,
        sponsorOrganizationId: sponsor.id,
      });
      await em.flush();
      // A PENDING group never had claims or subscriptions through it, so declining needs none of the
      // suspension hooks; its members' rights change all the same.
      await announceRightsChange(em, { organizationIds: [group.id] });
      await announceVerification(em, group);
      return group;
    });
  }

  /**
   * The community groups a hub sponsors, pending ones first, then by name: for the hub's admins and
   * platform admins (`canManage`), null for everyone else.
   */
  async sponsoredBy(ctx: Actor, hub: ReadRecord<Organization>): Promise<Organization[] | null> {
    if (!canManage(viewerFactsOf(ctx.viewer), hub.id)) return null;
    const groups = await ctx.em.find(
      Organization,
      { sponsor: hub.id, providerKind: ProviderKind.COMMUNITY_GROUP },
      { orderBy: { name: 'asc', id: 'asc' } },
    );
    const pending = (o: Organization) => (o.verificationStatus === VerificationStatus.PENDING ? 0 : 1);
    return groups.sort((a, b) => pending(a) - pending(b));
  }

  /** A community group's sponsor, if the viewer may see it (a sponsor is verified when named). */
  async sponsorOf(ctx: Actor, group: ReadRecord<Organization>): Promise<Organization | null> {
    if (!group.sponsor) return null;
    const sponsor = await group.sponsor.load({ dataloader: true });
    return sponsor && (await canSee(ctx, sponsor)) ? sponsor : null;
  }
}
