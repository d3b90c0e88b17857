/**
 * Who may see which demand, and which of its private parts; which organization can serve it. Each
 * rule over plain facts (unit-tested alone) sits beside its SQL twin, which lists apply:
 *
 * - `canSeeDemand` — SQL `addVisibility` (the feed `demands`, `node(id)` and `demand(id)` agree);
 * - `canServe` — SQL `addServableBy` (`demands(filter: {matchingOrganization})`, claims, ranking);
 * - `revealsSubmitter`, `revealsContact`, `seesProgressNote` — field rules (no list filters on them);
 * - `installDemandRules`: `node(id: "Demand:…")` and who reads a demand's full audit trail.
 *
 * The viewer's facts come from organizations/viewer-facts.ts, once per request.
 *
 * @module
 */
import type { VerifiedViewerFacts } from '../organizations/viewer-facts.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import type { AuditService } from '../audit/audit.service.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { TargetGroup } from '../categories/target-group.js';
import { DemandStatus } from './demand.enums.js';
import { endorserView } from './demand-feed.js';
import {
  isGeneralAudience,
  targetGroupsFit,
  type DemandScope,
  type OrganizationScope,
} from './demand-matching.js';
import { placeholders, textArray, type FeedConditions } from './demand-feed.sql.js';
import type { Context } from '../../core/context.js';
import type { Demand } from './demand.entity.js';

/** The facts about a signed-in viewer that demand visibility depends on. */
export type DemandViewer = Pick<
  VerifiedViewerFacts,
  'userId' | 'isAdmin' | 'isWorker' | 'unionScope' | 'memberOrgIds' | 'verifiedOrgIds'
>;

/** The facts about a demand that visibility depends on. */
export interface DemandFacts {
  submittedById: number;
  status: DemandStatus;
  claimedById: number | null;
  regionPath: readonly string[];
  anonymous: boolean;
  contactConsent: boolean;
}

/** Whether the viewer's union scope covers the demand's region. */
export function inUnionScope(
  viewer: Pick<DemandViewer, 'unionScope'>,
  demand: Pick<DemandFacts, 'regionPath'>,
): boolean {
  return viewer.unionScope !== null && demand.regionPath.includes(viewer.unionScope);
}

/** Whether the viewer may browse OPEN demands: workers and members of verified organizations. */
export function browsesOpenDemands(viewer: DemandViewer): boolean {
  return viewer.isWorker || viewer.verifiedOrgIds.length > 0;
}

/**
 * Workers see their own demands and browse OPEN ones; members of verified organizations see OPEN
 * demands and those their organization claimed; union staff see those in their region scope;
 * admins see all. A worker who endorsed a demand keeps seeing it whatever its status
 * (`endorserView`, the rule `demandUpdated` follows), as a browsing worker sees it: the field rules
 * below give an endorser neither the contact nor an anonymous submitter. `endorsed`: whether the
 * viewer endorsed this demand. Anonymous users see none (callers never get here without a viewer).
 */
export function canSeeDemand(viewer: DemandViewer, demand: DemandFacts, endorsed = false): boolean {
  return (
    viewer.isAdmin ||
    endorserView(endorsed, false, false).seesAnyStatus ||
    demand.submittedById === viewer.userId ||
    (demand.status === DemandStatus.OPEN && browsesOpenDemands(viewer)) ||
    (demand.claimedById !== null && viewer.memberOrgIds.includes(demand.claimedById)) ||
    inUnionScope(viewer, demand)
  );
}

/**
 * The rows a viewer may see: the SQL twin of `canSeeDemand`, endorsed demands included, over the
 * `demand` table aliased `d`. Admins see every row (no condition). `statuses`: the statuses the
 * caller already limits the rows to, if any. When those are OPEN only and the viewer browses OPEN
 * demands, every such row is visible and no condition is added: the OR below would only hide the
 * feed's indexes from the planner (at 1,000,000 demands it read every OPEN row for an organization's
 * first page; docs/architecture.md, "Read path").
 */
export function addVisibility(
  where: FeedConditions,
  viewer: DemandViewer,
  statuses?: readonly DemandStatus[] | null,
): void {
  if (viewer.isAdmin) return;
  const onlyOpen = !!statuses?.length && statuses.every((status) => status === DemandStatus.OPEN);
  if (onlyOpen && browsesOpenDemands(viewer)) return;
  const anyOf = ['d.submitted_by_id = ?'];
  const values: unknown[] = [viewer.userId];
  if (viewer.isWorker) {
    // Only workers endorse. An array computed once (an InitPlan), so the primary key serves it.
    anyOf.push('d.id = any(array(select e.demand_id from demand_endorsement e where e.worker_id = ?))');
    values.push(viewer.userId);
  }
  if (browsesOpenDemands(viewer)) {
    anyOf.push('d.status = ?');
    values.push(DemandStatus.OPEN);
  }
  if (viewer.memberOrgIds.length > 0) {
    anyOf.push(`d.claimed_by_id in (${placeholders(viewer.memberOrgIds)})`);
    values.push(...viewer.memberOrgIds);
  }
  if (viewer.unionScope !== null) {
    anyOf.push(`d.region_path @> ${textArray([viewer.unionScope])}`);
    values.push(viewer.unionScope);
  }
  where.add(anyOf.join(' or '), ...values);
}

/** Whether an organization can serve a demand: category, region and target group all fit. */
export function canServe(organization: OrganizationScope, demand: DemandScope): boolean {
  return (
    organization.categoryCodes.some((c) => demand.categoryPath.includes(c)) &&
    organization.regionCodes.some((r) => demand.regionPath.includes(r)) &&
    targetGroupsFit(organization.targetGroups, demand.targetGroups)
  );
}

/**
 * "The organization can serve it": the SQL twin of `canServe`. The demand's category path shares a
 * code with the organization's categories, its region path with the organization's regions, and the
 * target groups fit. Stored demands always have at least one group (none given = ALL_WORKERS), so
 * "either side general" needs no empty-array test.
 */
export function addServableBy(where: FeedConditions, organization: OrganizationScope): void {
  const categories = [...organization.categoryCodes];
  const regions = [...organization.regionCodes];
  // An organization serving no category (or region) can serve nothing; an empty ARRAY[] overlaps nothing.
  where.add(categories.length ? `d.category_path && ${textArray(categories)}` : 'false', ...categories);
  where.add(regions.length ? `d.region_path && ${textArray(regions)}` : 'false', ...regions);
  if (!isGeneralAudience(organization.targetGroups)) {
    const groups = [...organization.targetGroups, TargetGroup.ALL_WORKERS];
    where.add(`d.target_groups && ${textArray(groups)}`, ...groups);
  }
}

/** An anonymous submitter is shown only to themself and to union staff whose scope covers the demand. */
export function revealsSubmitter(viewer: DemandViewer | null, demand: DemandFacts): boolean {
  if (!viewer) return false;
  if (!demand.anonymous) return true;
  return demand.submittedById === viewer.userId || inUnionScope(viewer, demand);
}

/**
 * The private contact is shown to its owner, and to members of the claiming organization only when
 * the worker consented and the organization is verified (a suspended one reads no contact, not even
 * of demands it served). Not to union staff or admins: they do not serve the demand.
 */
export function revealsContact(viewer: DemandViewer | null, demand: DemandFacts): boolean {
  if (!viewer) return false;
  if (demand.submittedById === viewer.userId) return true;
  return (
    demand.contactConsent && demand.claimedById !== null && viewer.verifiedOrgIds.includes(demand.claimedById)
  );
}

/**
 * Who reads which note of a demand's service (`Demand.progressNotes`): every note for its submitter,
 * the workers who endorsed it, union staff whose scope covers it and admins; a member of an
 * organization, the notes her organization wrote (the claimant reads its own reports) and never
 * another organization's. `endorsed`: whether the viewer endorsed the demand. Checked per note, no
 * list SQL (a demand's notes are read together and filtered).
 */
export function seesProgressNote(
  viewer: DemandViewer,
  demand: DemandFacts,
  noteOrganizationId: number,
  endorsed: boolean,
): boolean {
  return (
    viewer.isAdmin ||
    endorsed ||
    demand.submittedById === viewer.userId ||
    inUnionScope(viewer, demand) ||
    viewer.memberOrgIds.includes(noteOrganizationId)
  );
}

/**
 * `node(id: "Demand:…")` answers as `demand(id)` and the feed: an invisible demand is simply absent.
 * A demand's full audit trail (who endorsed, claimed, closed it) is for union staff whose scope
 * covers it (and admins, always).
 */
export function installDemandRules(services: {
  nodes: NodeRegistry;
  audit: AuditService;
  /** `DemandQueriesService`, named by what it answers so that the policy does not import it. */
  demandQueries: { findVisible(ctx: Context, id: number): Promise<Demand | null> };
}): void {
  const { nodes, audit, demandQueries } = services;
  nodes.registerById('Demand', (ctx, id) => demandQueries.findVisible(ctx, id));
  audit.registerReadRule('Demand', (ctx, subject) => {
    const viewer = viewerFactsOf(ctx.viewer);
    return viewer !== null && inUnionScope(viewer, subject as Demand);
  });
}
