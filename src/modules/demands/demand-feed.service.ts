import { createLoaders, useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { SubscriberStream } from '../../core/events/subscriber-stream.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import type { AdmissionRule } from '../../core/rights/rights-watch.js';
import type { FeedEvent } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { Region } from '../regions/region.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { SHARE_TICKET, withShareTicket, type ShareTicket } from '../../core/events/shared-execution.js';
import { sharedEvent, type SharedEvent } from '../../core/events/event-pass.js';
import { isThenable, Settling } from '../../core/events/settling.js';
import { retryThroughOutage } from '../../core/db/database-outage.js';
import { Demand } from './demand.entity.js';
import { canSeeDemand, revealsContact, revealsSubmitter } from './demand.policy.js';
import { factsOf } from './demand-filters.js';
import { LiveViewerFacts } from '../organizations/viewer-facts.js';
import type { VerifiedOrganizations } from '../organizations/verified-organizations.js';
import {
  DEMAND_EVENT_SHAREABLE,
  demandFeedSpec,
  demandViewClass,
  endorserView,
  feedCursor,
} from './demand-feed.js';

/** A subscription's filter as the resolver receives it. */
export interface DemandFeedFilter {
  categoryCode?: string | null;
  regionCode?: string | null;
  targetGroups?: readonly string[] | null;
}

/** One pushed event: its cursor and the demand as this subscriber may see it. */
export interface DemandFeedItem {
  cursor: string;
  demand: Demand;
  /** Lets subscribers of the same permission class share the execution (shared-execution.ts). */
  [SHARE_TICKET]?: ShareTicket;
}

/** An event's demand row and the facts the rules read from it. */
interface LoadedDemand {
  demand: Demand;
  facts: ReturnType<typeof factsOf>;
}

/** What the subscribers of one event read once, on the event's shared fork. */
interface DemandReads {
  loaded: Settling<LoadedDemand | null>;
  verification: VerifiedOrganizations;
  loaders: ReturnType<typeof createLoaders>;
}

/**
 * Resolves each event's demand for this subscriber, skipping what it may not read, for as long as
 * `admit` accepts the subscriber's current rights (feedWithLiveRights: a rights change ends the
 * subscription with FORBIDDEN when `admit` refuses).
 *
 * Subscribers handed the same live event share its work through `sharedEvent` (event-pass.ts): one
 * fork, one load of the row and its facts, and one batched read of their organizations'
 * verification, each retried through a short database outage once for all of them (past it they
 * fail with SERVICE_UNAVAILABLE). The decisions stay per subscriber: each is judged by its own
 * viewer facts (their verification re-read per event) with the same rules as `demand(id)`.
 * Subscribers of one permission class (`demandViewClass`) get the same item, whose share ticket
 * lets identical subscriptions execute once (shared-execution.ts). The fork becomes the context's
 * `em` for that event, so field resolvers use it.
 */
function resolveEach(
  ctx: Context,
  stream: SubscriberStream,
  admit: AdmissionRule,
  accept: (demand: Demand, viewer: Viewer) => boolean = () => true,
  endorser = false,
): AsyncIterableIterator<DemandFeedItem> {
  const base = ctx.em;
  const pass = ctx.services.events.pass;
  const { demandViewers, loaderFactories } = ctx.services;
  let facts: { of: Viewer; live: LiveViewerFacts } | null = null;
  /** This subscriber's decision on the event, once its shared reads have answered. */
  const judge = (
    event: FeedEvent,
    viewer: Viewer,
    live: LiveViewerFacts,
    shared: SharedEvent<DemandReads>,
    loaded: LoadedDemand | null,
    verified: ReadonlySet<number>,
  ): DemandFeedItem | null => {
    const viewerFacts = live.given(verified);
    if (!loaded) return null;
    const { demand } = loaded;
    if (!(endorser || canSeeDemand(viewerFacts, loaded.facts)) || !accept(demand, viewer)) return null;
    useUnitOfWork(ctx, shared.em, shared.reads.loaders);
    const viewClass = demandViewClass({
      revealsSubmitter: revealsSubmitter(viewerFacts, loaded.facts),
      revealsContact: revealsContact(viewerFacts, loaded.facts),
    });
    return shared.perClass(viewClass, () =>
      withShareTicket({ cursor: String(event.seq), demand }, DEMAND_EVENT_SHAREABLE),
    );
  };
  return feedWithLiveRights(ctx, stream, admit, (event: FeedEvent, viewer: Viewer) => {
    if (facts?.of !== viewer) {
      facts = { of: viewer, live: new LiveViewerFacts(viewer) };
      // Field resolvers that run per subscriber read the viewer's facts from the context, where
      // `ViewerService.load` stored its organizations' verification: drop it, so they re-read it per event
      // as `live` does.
      ctx.viewer = { ...viewer, verifiedOrgIds: undefined };
    }
    const shared = sharedEvent(pass, event, 'demand', base, (em): DemandReads => ({
      loaded: new Settling(
        retryThroughOutage(() => em.findOne(Demand, { id: event.entityId })).then((demand) =>
          demand ? { demand, facts: factsOf(demand) } : null,
        ),
      ),
      verification: demandViewers.verification(em, retryThroughOutage),
      // The fork's loaders, so that the subscribers' field resolvers batch together.
      loaders: createLoaders(loaderFactories, em),
    }));
    // Once the first subscribers' reads have answered, the others decide without a promise step.
    const live = facts.live;
    const verified = shared.reads.verification.among(live.memberOrgIds);
    const loaded = shared.reads.loaded.now;
    if (isThenable(verified) || isThenable(loaded))
      return Promise.all([loaded, verified]).then(([row, ids]) =>
        judge(event, viewer, live, shared, row, ids),
      );
    return judge(event, viewer, live, shared, loaded, verified);
  });
}

/**
 * `demandPublished`: new demands the viewer's verified organization can serve, narrowed by the
 * filter, replayed from `after` and then live.
 */
export async function openDemandFeed(
  ctx: Context,
  filter: DemandFeedFilter | null | undefined,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<DemandFeedItem>> {
  const viewer = requireViewer(ctx.viewer);
  const from = await feedCursor(ctx.em, after);
  const orgIds = [...viewer.memberships.keys()];
  const organization = orgIds.length
    ? await ctx.em.findOne(
        Organization,
        { id: { $in: orgIds }, verificationStatus: VerificationStatus.VERIFIED },
        { orderBy: { id: 'asc' } },
      )
    : null;
  if (!organization)
    throw new ForbiddenError('Only members of a verified organization can follow the demand feed.');
  const category = filter?.categoryCode
    ? await ctx.em.findOne(ServiceCategory, { code: filter.categoryCode })
    : null;
  if (filter?.categoryCode && !category)
    throw BadUserInputError.field('filter.categoryCode', 'No such service category.');
  const region = filter?.regionCode ? await ctx.em.findOne(Region, { code: filter.regionCode }) : null;
  if (filter?.regionCode && !region) throw BadUserInputError.field('filter.regionCode', 'No such region.');
  const spec = demandFeedSpec(organization, {
    categoryPath: category?.path ?? null,
    regionPath: region?.path ?? null,
    targetGroups: filter?.targetGroups ?? [],
  });
  const organizationId = organization.id;
  // The feed is the organization's: it lasts while the subscriber is a member and it is verified.
  const admit = (current: Viewer) => {
    if (!current.memberships.has(organizationId) || !current.verifiedOrgIds?.includes(organizationId))
      throw new ForbiddenError(
        'You no longer follow the demand feed: you left the organization, or it is no longer verified.',
      );
  };
  return resolveEach(ctx, await ctx.services.events.open(ctx.em, spec, from), admit);
}

/**
 * `demandUpdated`: status changes and progress notes of one demand, for its submitter, the workers who endorsed it, and
 * the members of the organization claiming it at the time of each change — including the change
 * that ends their claim (release, lapse), after which they hear nothing more unless they claim it
 * again.
 *
 * An endorser follows the demand through every later status (CLAIMED by a project's winner,
 * IN_SERVICE, FULFILLED, …) even where browsing would no longer show it, and sees it as a browsing
 * worker would (`endorserView`): the field rules reveal neither the contact nor an anonymous
 * submitter to them.
 */
export async function openDemandUpdates(
  ctx: Context,
  demandId: number,
): Promise<AsyncIterableIterator<DemandFeedItem>> {
  const viewer = requireViewer(ctx.viewer);
  const submitted = (demand: Demand) => demand.submittedBy.id === viewer.userId;
  const claimedByMine = (demand: Demand, by: Viewer = viewer) =>
    demand.claimedBy != null && by.memberships.has(demand.claimedBy.id);
  const endorsed = await ctx.services.demandQueries.hasEndorsed(ctx.em, demandId, viewer.userId);
  const demand = endorsed
    ? await ctx.em.findOne(Demand, { id: demandId })
    : await ctx.services.demandQueries.findVisible(ctx, demandId);
  if (!demand) throw new NotFoundError('Demand');
  if (!endorserView(endorsed, submitted(demand), claimedByMine(demand)).follows)
    throw new ForbiddenError(
      'Only the submitter, the endorsers and the claiming organization follow a demand’s updates.',
    );
  // Events carry ids only, so the claim as of the previous delivered change is remembered here:
  // graphql-ws resolves one event at a time per subscription, in order.
  let heldClaim = claimedByMine(demand);
  const concerns = (changed: Demand, current: Viewer) => {
    const held = heldClaim;
    heldClaim = claimedByMine(changed, current);
    return endorsed || submitted(changed) || heldClaim || held;
  };
  // Submitter and endorsers follow as themselves; a member follows through the organization that
  // held the claim when they subscribed, while they belong to it and it is not suspended.
  const through = !endorsed && !submitted(demand) ? (demand.claimedBy?.id ?? null) : null;
  const admit = (current: Viewer) => {
    if (through === null) return;
    if (!current.memberships.has(through) || current.suspendedOrgIds?.includes(through))
      throw new ForbiddenError(
        'You no longer follow this demand: you left the claiming organization, or it was suspended.',
      );
  };
  const spec = { kind: 'entity' as const, topic: Topic.DEMAND_UPDATED, entityId: demandId };
  const stream = await ctx.services.events.open(ctx.em, spec, null);
  return resolveEach(ctx, stream, admit, concerns, endorserView(endorsed, false, false).seesAnyStatus);
}
