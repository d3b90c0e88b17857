/**
 * Hubs: requests to join one, the hub's decision, who sees a request, and a hub's members.
 *
 * @module
 */

import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import { checkCursors, pageFromCursor, pageOptions, type Page } from '../../core/relay/connection.js';
import type { Actor } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from './organization.entity.js';
import { HubMembershipRequest } from './membership.entity.js';
import { HubMembershipStatus, VerificationStatus } from './organization.enums.js';
import { viewerFactsOf } from './viewer-facts.js';
import { canManage, canSee, canSeeRequest, getOrganization, requireManaged } from './organization.policy.js';
import type { DecideHubMembershipInput, RequestHubMembershipInput } from './organization.inputs.js';
import type { HubMembershipRequestListArgs } from './organization.args.js';
import type { ReadRecord } from '../../core/read-records.js';

/** Organizations joining hubs, and the hubs' member organizations. */
export class HubMembershipService {
  /** An organization's admin asks a verified hub to take it in. */
  async request(ctx: Actor, input: RequestHubMembershipInput): Promise<HubMembershipRequest> {
    const org = await requireManaged(ctx, input.organizationId, 'input.organizationId');
    const hub = await getOrganization(ctx, parseIdOf('Organization', input.hubId, 'input.hubId'));
    if (!hub) throw new NotFoundError('Organization', input.hubId);
    if (!hub.isHub || hub.verificationStatus !== VerificationStatus.VERIFIED)
      throw BadUserInputError.field('input.hubId', 'is not a verified hub organization');
    if (hub.id === org.id) throw BadUserInputError.field('input.hubId', 'an organization cannot join itself');
    if (org.hub?.id === hub.id) throw new ConflictError('The organization is already a member of this hub.');
    const open = await ctx.em.count(HubMembershipRequest, {
      organization: org.id,
      hub: hub.id,
      status: HubMembershipStatus.REQUESTED,
    });
    if (open) throw new ConflictError('A request to this hub is already waiting for its decision.');
    const request = ctx.em.create(HubMembershipRequest, { organization: ref(org), hub: ref(hub) });
    recordAudit(ctx, 'requestHubMembership', org, { hubId: hub.globalId() });
    await ctx.em.flush();
    return request;
  }

  /**
   * The hub's admin accepts (the organization joins, leaving any other hub) or rejects a request.
   * The request row is locked first (by id only), so of two decisions at once the second waits for
   * the first to commit, reads it decided and is refused with CONFLICT.
   */
  async decide(ctx: Actor, input: DecideHubMembershipInput): Promise<HubMembershipRequest> {
    const viewer = requireViewer(ctx.viewer);
    const id = parseIdOf('HubMembershipRequest', input.requestId, 'input.requestId');
    return ctx.em.transactional(async (em) => {
      const actor = { ...ctx, em };
      const request = await em.findOne(
        HubMembershipRequest,
        { id },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!request || !(await canSeeRequest(actor, request)))
        throw new NotFoundError('Hub membership request', input.requestId);
      const hub = await request.hub.loadOrFail();
      if (!canManage(viewerFactsOf(viewer), hub.id))
        throw new ForbiddenError("Only the hub's admins decide on its membership requests.");
      if (request.status !== HubMembershipStatus.REQUESTED)
        throw new ConflictError('This request has already been decided.', { currentStatus: request.status });
      if (input.accept && (!hub.isHub || hub.verificationStatus !== VerificationStatus.VERIFIED))
        throw new ConflictError('The hub is no longer a verified hub.');
      const organization = await request.organization.loadOrFail();
      request.status = input.accept ? HubMembershipStatus.ACCEPTED : HubMembershipStatus.REJECTED;
      request.reason = input.reason?.trim() || null;
      request.decidedBy = ref(em.getReference(User, viewer.userId));
      request.decidedAt = new Date();
      if (input.accept) organization.hub = ref(hub);
      recordAudit(actor, 'decideHubMembership', hub, {
        requestId: request.globalId(),
        organizationId: organization.globalId(),
        accepted: input.accept,
      });
      await em.flush();
      return request;
    });
  }

  /**
   * The requests other organizations sent to join a hub, newest first (in `status` when given): for
   * those who decide them, the hub's admins and platform admins (`canManage`); null for everyone else.
   */
  async requestsTo(
    ctx: Actor,
    hub: ReadRecord<Organization>,
    args: HubMembershipRequestListArgs,
  ): Promise<Page<HubMembershipRequest> | null> {
    if (!canManage(viewerFactsOf(ctx.viewer), hub.id)) return null;
    checkCursors(args, ['id']);
    const where: FilterQuery<HubMembershipRequest> = args.status
      ? { hub: hub.id, status: args.status }
      : { hub: hub.id };
    const cursor = await ctx.em.findByCursor(HubMembershipRequest, where, {
      ...pageOptions(args),
      orderBy: { id: 'desc' },
      includeCount: false,
    });
    return pageFromCursor(cursor, () => ctx.em.count(HubMembershipRequest, where));
  }

  /** The member organizations of a hub that the viewer may see. */
  async memberOrganizations(ctx: Actor, org: ReadRecord<Organization>): Promise<Organization[]> {
    const members = await org.memberOrganizations.load({ dataloader: true });
    const visible = await Promise.all(members.getItems().map((m) => canSee(ctx, m)));
    return members.getItems().filter((_, i) => visible[i]);
  }

  /** Its hub, if it has one the viewer may see. */
  async hubOf(ctx: Actor, org: ReadRecord<Organization>): Promise<Organization | null> {
    if (!org.hub) return null;
    const hub = await org.hub.load({ dataloader: true });
    return hub && (await canSee(ctx, hub)) ? hub : null;
  }
}
