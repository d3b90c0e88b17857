import { DemandStatus } from './demand.enums.js';
import { endorserView } from './demand-feed.js';

/**
 * Who may see which demand, and which of its private parts: pure rules over plain facts, so they are
 * unit-tested on their own. The service applies the same rules as a SQL filter for lists
 * (`addVisibility` in demand-feed-sql.ts); keep the two in step.
 */

/** The facts about a signed-in viewer that demand visibility depends on. */
export interface DemandViewer {
  userId: number;
  isAdmin: boolean;
  isWorker: boolean;
  /** For union staff: the region code their unit covers (its whole subtree); otherwise null. */
  unionScope: string | null;
  /** Every organization the viewer belongs to. */
  memberOrgIds: readonly number[];
  /** Those of them that are VERIFIED. */
  verifiedOrgIds: readonly number[];
}

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
export function inUnionScope(viewer: DemandViewer, demand: Pick<DemandFacts, 'regionPath'>): boolean {
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
