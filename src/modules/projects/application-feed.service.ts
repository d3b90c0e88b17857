/**
 * `applicationDecided`: award decisions reach every applicant. Each decided application (AWARDED with
 * its amount, or REJECTED — by the award or by a cancellation) has one APPLICATION_DECIDED outbox
 * event keyed by the applicant organization's id, written in the deciding transaction; the
 * application records the event's seq (`decidedSeq`). An organization's members follow that key on
 * the EventHub's entity-keyed streams, with the same replay-then-live rule as every feed.
 *
 * @module
 */
import { createLoaders, useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer } from '../../core/auth.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import { retryThroughOutage } from '../../core/db/database-outage.js';
import { sharedEvent } from '../../core/events/event-pass.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { feedCursor } from '../demands/demand-feed.js';
import { ProjectApplication } from './application.entity.js';
import { applicationDecisionSpec, decisionConcerns } from './application-feed.js';
import { feedOrganization, followsThrough } from './project-feed.service.js';

/** One pushed decision: its cursor and the decided application. */
export interface ApplicationDecisionItem {
  cursor: string;
  application: ProjectApplication;
}

/**
 * Opens a member's stream of the decisions on their organization's applications: the organization
 * named (the viewer must belong to it), else their first verified one, else their first; narrowed to
 * one project when `projectId` is given. With `after`, replays every decision after that cursor,
 * then goes live. Subscribers of one event share a fork and the application's row (sharedEvent);
 * an application is what its applicant's members may read anyway (`getApplication`).
 */
export async function openApplicationDecisions(
  ctx: Context,
  args: { organizationId?: string | null; projectId?: string | null; after?: string | null },
): Promise<AsyncIterableIterator<ApplicationDecisionItem>> {
  const from = await feedCursor(ctx.em, args.after);
  const projectId = args.projectId ? parseIdOf('Project', args.projectId, 'projectId') : null;
  const organization = await feedOrganization(
    ctx,
    args.organizationId,
    'Only members of an organization hear the decisions on its applications.',
  );
  const organizationId = organization.id;
  followsThrough(organizationId)(requireViewer(ctx.viewer));
  const stream = await ctx.services.events.open(ctx.em, applicationDecisionSpec(organizationId), from);
  const base = ctx.em;
  const pass = ctx.services.events.pass;
  return feedWithLiveRights(ctx, stream, followsThrough(organizationId), async (event, viewer) => {
    ctx.viewer = viewer;
    // Retried through a short database outage, once for all the subscribers of the event.
    const shared = sharedEvent(pass, event, 'decision', base, (em) => ({
      application: retryThroughOutage(() => em.findOne(ProjectApplication, { decidedSeq: event.seq })),
      loaders: createLoaders(ctx.services.loaderFactories, em),
    }));
    const application = await shared.reads.application;
    if (!application) return null;
    const follower = { organizationId, projectId, memberOf: (id: number) => viewer.memberships.has(id) };
    const facts = { organizationId: application.organization.id, projectId: application.project.id };
    if (!decisionConcerns(facts, follower)) return null;
    // graphql-ws resolves one event at a time per subscription: the fork serves its field resolvers.
    useUnitOfWork(ctx, shared.em, shared.reads.loaders);
    return { cursor: String(event.seq), application };
  });
}
