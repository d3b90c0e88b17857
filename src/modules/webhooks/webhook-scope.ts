/**
 * Which events an endpoint's organization may hear of, before the entity itself is checked: the same
 * match specs as the `demandPublished`, `projectPublished` and `applicationDecided` subscriptions
 * with no filter, so a webhook and a subscription of the same organization select the same events.
 *
 * @module
 */
import { matches, type FeedEvent } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';
import { demandFeedSpec, type ServingScope } from '../demands/demand-feed.js';
import { projectFeedSpec } from '../projects/project-feed.js';
import { applicationDecisionSpec } from '../projects/application-feed.js';
import { VerificationStatus } from '../organizations/organization.enums.js';

/** What the pre-selection needs to know of the organization. */
export interface EndpointOwner extends ServingScope {
  id: number;
  verificationStatus: VerificationStatus;
}

const NO_FILTER = { categoryPath: null, regionPath: null, targetGroups: [] } as const;

/**
 * Whether `event` may concern `owner`: a demand it can serve (category, region, target group — and,
 * as for the feed, only verified organizations hear of demands), a project in its scope (the rest
 * of project eligibility is checked on the project itself), a decision on one of its own
 * applications, its own verification decision, a change or coming lapse of any demand's claim
 * (whether it claims or claimed that demand is checked on the demand, webhook-worker.ts), or the award of any project
 * (whether it applied is checked on its applications).
 */
export function inEndpointScope(owner: EndpointOwner, event: FeedEvent): boolean {
  switch (event.topic) {
    case Topic.DEMAND_PUBLISHED:
      return (
        owner.verificationStatus === VerificationStatus.VERIFIED &&
        matches(demandFeedSpec(owner, NO_FILTER), event)
      );
    case Topic.PROJECT_PUBLISHED:
      return matches(projectFeedSpec(owner, NO_FILTER), event);
    case Topic.APPLICATION_DECIDED:
      return matches(applicationDecisionSpec(owner.id), event);
    case Topic.VERIFICATION_DECIDED:
      return event.entityId === owner.id;
    case Topic.DEMAND_UPDATED:
    case Topic.CLAIM_LAPSING:
    case Topic.PROJECT_AWARDED:
      return true;
    default:
      return false;
  }
}
