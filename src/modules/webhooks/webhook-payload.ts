/**
 * The JSON bodies of deliveries: `{ id, topic, occurredAt, data }`, where `id` is the event's outbox
 * seq (the same number as the subscription cursor, for deduplication) and `data` the entity as public
 * data — what anyone allowed to browse it reads, never the submitter or a personal contact — or, for
 * the organization's own affairs (its claimed demands, applications, verification), what its members
 * read about them.
 *
 * A demand's contact (the worker's phone, ID number, address) is in no webhook body, not even for the
 * claiming organization the worker consented to: a body is stored in the hub's delivery log and
 * handed to a third-party system over the network, where the worker's consent does not reach, and
 * `DEMAND_UPDATED` is also sent for the change that ends the claim. Members read the contact in the
 * API (`Demand.contact`), where its rule is checked at each read.
 *
 * @module
 */
import { toGlobalId } from '../../core/relay/global-id.js';
import type { Demand } from '../demands/demand.entity.js';
import type { Organization } from '../organizations/organization.entity.js';
import type { ProjectApplication } from '../projects/application.entity.js';
import type { Project } from '../projects/project.entity.js';

/** The envelope of every delivery. */
export interface WebhookBody<T> {
  /** The event id: the outbox seq. Deliveries may repeat; receivers deduplicate on it. */
  id: number;
  /** A `WebhookTopic` (`DEMAND_PUBLISHED`, …), or `PING` for a test event (whose `id` is 0). */
  topic: string;
  /** When the change committed (ISO 8601). */
  occurredAt: string;
  data: T;
}

/** A demand as public data. */
export interface DemandData {
  id: string;
  title: string;
  description: string;
  categoryCode: string | null;
  categoryPath: string[];
  regionCode: string | null;
  regionPath: string[];
  targetGroups: string[];
  urgency: string;
  peopleAffected: number;
  endorsementCount: number;
  source: string;
  status: string;
  expiresAt: string;
  createdAt: string;
}

/** A project as public data (what its published tender says). */
export interface ProjectData {
  id: string;
  publisherId: string;
  title: string;
  description: string;
  categoryCode: string | null;
  categoryPath: string[];
  regionCodes: string[];
  targetGroups: string[];
  budget: { amountFen: number; currency: 'CNY' };
  procurementMethod: string;
  applicationOpensAt: string;
  applicationClosesAt: string;
  documents: { title: string; url: string }[];
  status: string;
  publishedAt: string | null;
}

/** Public fields of a demand; deliberately no submitter, contact or anonymity flag. */
export function demandData(demand: Demand): DemandData {
  return {
    id: demand.globalId(),
    title: demand.title,
    description: demand.description,
    categoryCode: demand.categoryPath.at(-1) ?? null,
    categoryPath: [...demand.categoryPath],
    regionCode: demand.regionPath.at(-1) ?? null,
    regionPath: [...demand.regionPath],
    targetGroups: [...demand.targetGroups],
    urgency: demand.urgency,
    peopleAffected: demand.peopleAffected,
    endorsementCount: demand.endorsementCount,
    source: demand.source,
    status: demand.status,
    expiresAt: demand.expiresAt.toISOString(),
    createdAt: demand.createdAt.toISOString(),
  };
}

/** Public fields of a published project; no creating user. */
export function projectData(project: Project): ProjectData {
  return {
    id: project.globalId(),
    publisherId: toGlobalId('Publisher', project.publisher.id),
    title: project.title,
    description: project.description,
    categoryCode: project.categoryPath.at(-1) ?? null,
    categoryPath: [...project.categoryPath],
    regionCodes: [...project.regionCodes],
    targetGroups: [...project.targetGroups],
    budget: { amountFen: project.budgetFen, currency: 'CNY' },
    procurementMethod: project.procurementMethod,
    applicationOpensAt: project.applicationOpensAt.toISOString(),
    applicationClosesAt: project.applicationClosesAt.toISOString(),
    documents: project.documents.map((d) => ({ title: d.title, url: d.url })),
    status: project.status,
    publishedAt: project.publishedAt?.toISOString() ?? null,
  };
}

/** `DEMAND_UPDATED`: the demand as public data, and whether the receiving organization claims it now. */
export interface DemandUpdateData extends DemandData {
  /** False in the change that ends the organization's claim (release, lapse, suspension, …). */
  claimedByYou: boolean;
}

export function demandUpdateData(demand: Demand, organizationId: number): DemandUpdateData {
  return { ...demandData(demand), claimedByYou: demand.claimedBy?.id === organizationId };
}

/** `CLAIM_LAPSING`: a demand the organization claims, and when its claim lapses without progress. */
export interface ClaimLapsingData extends DemandData {
  lapsesAt: string;
}

export function claimLapsingData(demand: Demand, lapsesAt: Date): ClaimLapsingData {
  return { ...demandData(demand), lapsesAt: lapsesAt.toISOString() };
}

/** `APPLICATION_DECIDED`: the decision on one of the organization's applications. */
export interface ApplicationDecisionData {
  /** The `ProjectApplication` global id. */
  id: string;
  projectId: string;
  organizationId: string;
  /** `AWARDED` or `REJECTED`. */
  status: string;
  requested: { amountFen: number; currency: 'CNY' };
  /** The amount awarded; null when rejected. */
  awarded: { amountFen: number; currency: 'CNY' } | null;
}

export function applicationDecisionData(application: ProjectApplication): ApplicationDecisionData {
  return {
    id: application.globalId(),
    projectId: toGlobalId('Project', application.project.id),
    organizationId: toGlobalId('Organization', application.organization.id),
    status: application.status,
    requested: { amountFen: application.requestedFen, currency: 'CNY' },
    awarded: application.awardedFen == null ? null : { amountFen: application.awardedFen, currency: 'CNY' },
  };
}

/** `VERIFICATION_DECIDED`: the organization's standing after a union's latest decision on it. */
export interface VerificationData {
  /** The `Organization` global id. */
  organizationId: string;
  /** `VERIFIED` or `SUSPENDED`. */
  verificationStatus: string;
  /** The union's reason as given (always given for a suspension). */
  reason: string | null;
  decidedAt: string | null;
}

export function verificationData(organization: Organization): VerificationData {
  return {
    organizationId: organization.globalId(),
    verificationStatus: organization.verificationStatus,
    reason: organization.verificationReason ?? null,
    decidedAt: organization.verificationDecidedAt?.toISOString() ?? null,
  };
}

/** `PROJECT_AWARDED`: the awarded project, and the award's decision on the receiver's application. */
export interface ProjectAwardData {
  project: ProjectData;
  /** The organization's own application as the award decided it; never another applicant's. */
  yourApplication: ApplicationDecisionData;
}

export function projectAwardData(project: Project, application: ProjectApplication): ProjectAwardData {
  return { project: projectData(project), yourApplication: applicationDecisionData(application) };
}

/** `PING`: a test event sent by `pingWebhook`; nothing happened. */
export interface PingData {
  webhookId: string;
}

/** The body string, serialised once and stored, so every retry sends (and signs) the same bytes. */
export function webhookBody<T>(body: WebhookBody<T>): string {
  return JSON.stringify(body);
}
