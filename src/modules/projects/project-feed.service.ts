import { createLoaders, useUnitOfWork, type Context } from '../../core/context.js';
import { requireViewer, type Viewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError } from '../../core/errors.js';
import { feedWithLiveRights } from '../../core/rights/rights-feed.js';
import { retryThroughOutage } from '../../core/db/database-outage.js';
import { sharedEvent } from '../../core/events/event-pass.js';
import type { AdmissionRule } from '../../core/rights/rights-watch.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { ServiceCategory } from '../categories/service-category.entity.js';
import { feedCursor } from '../demands/demand-feed.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { Region } from '../regions/region.entity.js';
import { Project } from './project.entity.js';
import { projectFeedSpec } from './project-feed.js';

/** A `projectPublished` filter as the resolver receives it. */
export interface ProjectFeedFilter {
  organizationId?: string | null;
  categoryCode?: string | null;
  regionCode?: string | null;
  targetGroups?: readonly string[] | null;
}

/** One pushed event: its cursor and the project as this subscriber may see it. */
export interface ProjectFeedItem {
  cursor: string;
  project: Project;
}

/**
 * The organization the feed is for: the one named (the viewer must belong to it), else the viewer's
 * first verified organization, else their first. FORBIDDEN for someone in no organization.
 */
export async function feedOrganization(
  ctx: Context,
  organizationId: string | null | undefined,
  refusal = 'Only members of an organization can follow new projects.',
): Promise<Organization> {
  const viewer = requireViewer(ctx.viewer);
  if (organizationId) {
    const id = parseIdOf('Organization', organizationId, 'filter.organizationId');
    if (!viewer.memberships.has(id))
      throw new ForbiddenError('You can follow projects only for an organization you belong to.');
    return ctx.em.findOneOrFail(Organization, { id });
  }
  const ids = [...viewer.memberships.keys()];
  const organizations = ids.length
    ? await ctx.em.find(Organization, { id: { $in: ids } }, { orderBy: { id: 'asc' } })
    : [];
  const chosen =
    organizations.find((o) => o.verificationStatus === VerificationStatus.VERIFIED) ?? organizations[0];
  if (!chosen) throw new ForbiddenError(refusal);
  return chosen;
}

/**
 * The admission rule of the feeds an organization's members follow (new projects, decisions on its
 * applications): a member, of an organization that is not suspended. Checked at subscribe time and
 * again whenever the member's or the organization's rights change (feedWithLiveRights).
 */
export function followsThrough(organizationId: number): AdmissionRule {
  return (viewer: Viewer) => {
    if (!viewer.memberships.has(organizationId))
      throw new ForbiddenError('You are no longer a member of the organization this feed is for.');
    if (viewer.suspendedOrgIds?.includes(organizationId))
      throw new ForbiddenError('The organization this feed is for is suspended.');
  };
}

/**
 * `projectPublished`: new projects the viewer's organization is eligible for, narrowed by the filter,
 * replayed from `after` and then live (the demand feed's EventHub streams, topic PROJECT_PUBLISHED).
 * Each event's project is loaded in a fresh EntityManager fork (shared by the subscribers of that
 * event), checked against the subscriber's permissions and the organization as it is then; events
 * it is not eligible for are skipped.
 */
export async function openProjectFeed(
  ctx: Context,
  filter: ProjectFeedFilter | null | undefined,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<ProjectFeedItem>> {
  const from = await feedCursor(ctx.em, after);
  const organization = await feedOrganization(ctx, filter?.organizationId);
  followsThrough(organization.id)(requireViewer(ctx.viewer));
  const category = filter?.categoryCode
    ? await ctx.em.findOne(ServiceCategory, { code: filter.categoryCode })
    : null;
  if (filter?.categoryCode && !category)
    throw BadUserInputError.field('filter.categoryCode', 'No such service category.');
  const region = filter?.regionCode ? await ctx.em.findOne(Region, { code: filter.regionCode }) : null;
  if (filter?.regionCode && !region) throw BadUserInputError.field('filter.regionCode', 'No such region.');
  const spec = projectFeedSpec(organization, {
    categoryPath: category?.path ?? null,
    regionPath: region?.path ?? null,
    targetGroups: filter?.targetGroups ?? [],
  });
  const stream = await ctx.services.events.open(ctx.em, spec, from);
  const base = ctx.em;
  const pass = ctx.services.events.pass;
  const { projectAccess, projectApplications } = ctx.services;
  const organizationId = organization.id;
  // Subscribers handed the same live event share its work (sharedEvent): a fork, the project's row
  // and, per organization (the permission class here: eligibility is the organization's), the
  // verdict. Reads are retried through a short database outage, once for all the subscribers.
  return feedWithLiveRights(ctx, stream, followsThrough(organizationId), async (event, viewer) => {
    ctx.viewer = viewer;
    const shared = sharedEvent(pass, event, 'project', base, (em) => ({
      project: retryThroughOutage(() => em.findOne(Project, { id: event.entityId })),
      // The fork's loaders, so that the subscribers' field resolvers batch together.
      loaders: createLoaders(ctx.services.loaderFactories, em),
    }));
    const { em } = shared;
    const project = await shared.reads.project;
    if (!project || !(await projectAccess.canSee({ em, viewer }, project))) return null;
    const eligible = await shared.perClass(`organization:${organizationId}`, () =>
      retryThroughOutage(async () => {
        const applicant = await em.findOne(Organization, { id: organizationId });
        return (
          applicant !== null && (await projectApplications.eligibilityOf(em, project, applicant)).eligible
        );
      }),
    );
    if (!eligible) return null;
    useUnitOfWork(ctx, em, shared.reads.loaders);
    return { cursor: String(event.seq), project };
  });
}
