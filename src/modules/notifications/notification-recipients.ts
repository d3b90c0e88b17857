/**
 * Who hears of an outbox event, with the rules of the live feeds, applied to the rights as they are
 * when the notification worker reads the event (normally moments after it committed). What concerns
 * an organization's members is addressed to the organization (an audience: one notification however
 * many members it has, read by each member while she is one, notification.service.ts); the rest to
 * each person:
 *
 * - a new demand: the members of every verified organization that can serve it (`canServe`, the
 *   rule of `demandPublished` and `matchingOrganizations`), except its submitter;
 * - a demand's status change: its submitter (not for her own withdrawal); when it is fulfilled, the
 *   workers who endorsed it too;
 * - a published project: the members of every organization that is not suspended and is eligible
 *   for it (the rule of `projectPublished` and the webhooks);
 * - a decided application: the members of the applicant organization, unless it is suspended;
 * - a verification decision: the members of the organization;
 * - a claim about to lapse: the members of the claiming organization, while it still holds it;
 * - a disabled webhook endpoint: the admins of its organization (who alone manage endpoints);
 * - a project's application period closed: the staff of its publisher;
 * - a contract milestone reported: the staff of the project's publisher; a milestone accepted or
 *   returned, a payment recorded: the members of the contracted organization, unless it is suspended.
 * - a clarification answered: as a published project, every eligible organization (equal notice).
 *
 * Suspended accounts hear of nothing.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeedEvent } from '../../core/events/match-index.js';
import { Topic } from '../../core/events/outbox.js';
import { foreignKeyOf, RecordReader, type RawRow, type ReadRecord } from '../../core/read-records.js';
import { toGlobalId } from '../../core/relay/global-id.js';
import { Demand } from '../demands/demand.entity.js';
import { DemandStatus } from '../demands/demand.enums.js';
import { canServe } from '../demands/demand.policy.js';
import { ACTIVE_CLAIM_STATUSES } from '../demands/demand-lifecycle.js';
import { organizationsServingFilter, scopeOf } from '../demands/demand-filters.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { ProjectApplication } from '../projects/application.entity.js';
import { isPublicStatus } from '../projects/project-lifecycle.js';
import { Project } from '../projects/project.entity.js';
import type { ProjectApplicationsService } from '../projects/project-applications.service.js';
import { inEndpointScope } from '../webhooks/webhook-scope.js';
import { NotificationTopic } from './notification.enums.js';
import type { TemplateParams } from './notification-templates.js';
import { ContractMilestone, ContractPayment } from '../projects/project-contract.entity.js';

/** The members of one organization (its admins only, or all but one of them). */
export interface Audience {
  organizationId: number;
  adminsOnly: boolean;
  excludedUserIds: number[];
}

/** One notification to make: for one person (`userId`) or for an organization's members (`audience`). */
export type Recipient = {
  topic: NotificationTopic;
  subjectId: string;
  params: TemplateParams;
} & ({ userId: number; audience?: undefined } | { audience: Audience; userId?: undefined });

const everyMember = (organizationId: number): Audience => ({
  organizationId,
  adminsOnly: false,
  excludedUserIds: [],
});

/** The outbox topics that may notify someone. */
export const NOTIFYING_TOPICS: readonly Topic[] = [
  Topic.DEMAND_PUBLISHED,
  Topic.DEMAND_UPDATED,
  Topic.PROJECT_PUBLISHED,
  Topic.APPLICATION_DECIDED,
  Topic.VERIFICATION_DECIDED,
  Topic.CLAIM_LAPSING,
  Topic.WEBHOOK_DISABLED,
  Topic.APPLICATION_PERIOD_CLOSED,
  Topic.MILESTONE_REPORTED,
  Topic.MILESTONE_ACCEPTED,
  Topic.MILESTONE_RETURNED,
  Topic.CONTRACT_PAYMENT_RECORDED,
  Topic.PROJECT_CLARIFIED,
];

/** Those of these users whose accounts are active. */
async function activeUsers(em: EntityManager, userIds: readonly number[]): Promise<number[]> {
  if (userIds.length === 0) return [];
  const rows = await em.execute<{ id: string }[]>(
    `select "id" from "app_user" where "id" = any(?::bigint[]) and "status" = 'ACTIVE' order by "id"`,
    [`{${userIds.join(',')}}`],
  );
  return rows.map((row) => Number(row.id));
}

/**
 * What one round of the worker (the events it reads in one transaction) shares: the recipients it
 * decided and has not written yet, and the organizations serving each demand scope it looked up.
 */
export interface Round {
  pending: Recipient[];
  servingByScope: Map<string, Organization[]>;
  /** The demands of the round's DEMAND_PUBLISHED events, by id (one that no longer exists is absent). */
  newDemands: ReadonlyMap<number, ReadRecord<Demand>>;
}

/** What a new demand's recipients are decided from (`newDemandRecipients`). */
const NEW_DEMAND_PROPERTIES: ReadonlySet<string> = new Set([
  'status',
  'title',
  'submittedBy',
  'categoryPath',
  'regionPath',
  'targetGroups',
]);

/**
 * Starts a round, reading at once, in one statement, what its events will read one by one (the new
 * demands). As read-only records of the properties used: nothing in the round changes them, and
 * hydrating managed entities (identity map, snapshot, a reference per relation) was the largest
 * share of the worker's CPU per new demand.
 */
export async function startRound(em: EntityManager, events: readonly FeedEvent[]): Promise<Round> {
  const demandIds = events.filter((e) => e.topic === Topic.DEMAND_PUBLISHED).map((e) => e.entityId);
  const newDemands = new Map<number, ReadRecord<Demand>>();
  if (demandIds.length > 0) {
    const reader = RecordReader.for(em, Demand).only(NEW_DEMAND_PROPERTIES);
    const rows = await em.execute<RawRow[]>(
      `select ${reader.selectList('d')} from "demand" as "d" where "d"."id" = any(?::bigint[])`,
      [`{${demandIds.join(',')}}`],
    );
    for (const row of rows) {
      const demand = reader.record(em, row);
      newDemands.set(demand.id, demand);
    }
  }
  return { pending: [], servingByScope: new Map(), newDemands };
}

/** Everyone `event` should reach, with what to tell them (added to the round's pending ones too). */
export async function recipientsOf(
  em: EntityManager,
  event: FeedEvent,
  projects: ProjectApplicationsService,
  round: Round,
): Promise<Recipient[]> {
  const recipients = await recipientsOfEvent(em, event, projects, round);
  round.pending.push(...recipients);
  return recipients;
}

async function recipientsOfEvent(
  em: EntityManager,
  event: FeedEvent,
  projects: ProjectApplicationsService,
  round: Round,
): Promise<Recipient[]> {
  switch (event.topic) {
    case Topic.DEMAND_PUBLISHED:
      return newDemandRecipients(em, round.newDemands.get(event.entityId), round);
    case Topic.DEMAND_UPDATED:
      return demandUpdateRecipients(em, event.entityId, round.pending);
    case Topic.PROJECT_PUBLISHED:
      return projectRecipients(em, event, projects, NotificationTopic.PROJECT_ELIGIBLE);
    case Topic.APPLICATION_DECIDED:
      return decisionRecipients(em, event.seq);
    case Topic.VERIFICATION_DECIDED:
      return verificationRecipients(em, event.entityId);
    case Topic.CLAIM_LAPSING:
      return claimLapsingRecipients(em, event.entityId);
    case Topic.WEBHOOK_DISABLED:
      return webhookDisabledRecipients(em, event.entityId);
    case Topic.APPLICATION_PERIOD_CLOSED:
      return periodClosedRecipients(em, event.entityId);
    case Topic.MILESTONE_REPORTED:
      return milestoneReportedRecipients(em, event.entityId);
    case Topic.MILESTONE_ACCEPTED:
    case Topic.MILESTONE_RETURNED:
      return milestoneDecidedRecipients(em, event);
    case Topic.CONTRACT_PAYMENT_RECORDED:
      return paymentRecipients(em, event.entityId);
    case Topic.PROJECT_CLARIFIED:
      return projectRecipients(em, event, projects, NotificationTopic.PROJECT_CLARIFIED);
    default:
      return [];
  }
}

async function newDemandRecipients(
  em: EntityManager,
  demand: ReadRecord<Demand> | undefined,
  round: Round,
): Promise<Recipient[]> {
  // As for the feed: members of verified organizations hear of OPEN demands only.
  if (!demand || demand.status !== DemandStatus.OPEN) return [];
  const scope = scopeOf(demand);
  // Demands of one round mostly share a scope (a category and place in demand): one lookup each.
  const scopeKey = JSON.stringify(scope);
  let serving = round.servingByScope.get(scopeKey);
  if (!serving) {
    serving = (
      await em.find(Organization, organizationsServingFilter(scope), { orderBy: { id: 'asc' } })
    ).filter((organization) => canServe(organization, scope));
    round.servingByScope.set(scopeKey, serving);
  }
  const subjectId = demand.globalId();
  const submitterId = foreignKeyOf<Demand>(demand, 'submittedBy') as number;
  return serving.map((organization) => ({
    // Her own demand is no news to a submitter who is a member.
    audience: { ...everyMember(organization.id), excludedUserIds: [submitterId] },
    topic: NotificationTopic.DEMAND_MATCHED,
    subjectId,
    params: { demandTitle: demand.title, organizationName: organization.name },
  }));
}

async function demandUpdateRecipients(
  em: EntityManager,
  demandId: number,
  pending: readonly Recipient[],
): Promise<Recipient[]> {
  const demand = await em.findOne(Demand, { id: demandId }, { populate: ['claimedBy'] });
  if (!demand) return [];
  const subjectId = demand.globalId();
  const recipients: Recipient[] = [];
  const submitterId = demand.submittedBy.id;
  // Her own withdrawal is news to nobody.
  if (demand.status !== DemandStatus.WITHDRAWN && (await activeUsers(em, [submitterId])).length > 0)
    recipients.push({
      userId: submitterId,
      topic: NotificationTopic.OWN_DEMAND_UPDATED,
      subjectId,
      params: {
        demandTitle: demand.title,
        status: demand.status,
        organizationName: demand.claimedBy?.getEntity().name,
      },
    });
  if (demand.status === DemandStatus.FULFILLED) {
    const rows = await em.execute<{ worker_id: string }[]>(
      'select "worker_id" from "demand_endorsement" where "demand_id" = ? order by "worker_id"',
      [demand.id],
    );
    const endorsers = rows.map((row) => Number(row.worker_id)).filter((id) => id !== submitterId);
    // Events carry only the demand's id and its row is read when the event is handled, so an update
    // handled after the fulfilment also reads FULFILLED: tell each endorser once (also within a round).
    const told = endorsers.length
      ? await em.execute<{ user_id: string }[]>(
          `select "user_id" from "notification"
            where "user_id" = any(?::bigint[]) and "topic" = ? and "subject_id" = ?`,
          [`{${endorsers.join(',')}}`, NotificationTopic.ENDORSED_DEMAND_FULFILLED, subjectId],
        )
      : [];
    const toldIds = new Set(told.map((row) => Number(row.user_id)));
    for (const r of pending)
      if (
        r.userId !== undefined &&
        r.topic === NotificationTopic.ENDORSED_DEMAND_FULFILLED &&
        r.subjectId === subjectId
      )
        toldIds.add(r.userId);
    const untold = endorsers.filter((id) => !toldIds.has(id));
    for (const userId of await activeUsers(em, untold))
      recipients.push({
        userId,
        topic: NotificationTopic.ENDORSED_DEMAND_FULFILLED,
        subjectId,
        params: { demandTitle: demand.title },
      });
  }
  return recipients;
}

/** The members of every organization eligible for the event's project, told `topic`. */
async function projectRecipients(
  em: EntityManager,
  event: FeedEvent,
  projects: ProjectApplicationsService,
  topic: NotificationTopic,
): Promise<Recipient[]> {
  const project = await em.findOne(Project, { id: event.entityId });
  if (!project || !isPublicStatus(project.status)) return [];
  const candidates = await em.find(
    Organization,
    {
      verificationStatus: { $ne: VerificationStatus.SUSPENDED },
      categoryCodes: { $overlap: [...event.categoryPath] },
      regionCodes: { $overlap: [...event.regionPath] },
    },
    { orderBy: { id: 'asc' } },
  );
  // A clarification reaches those the publication reached: both are matched as `project.published`.
  const asPublished = { ...event, topic: Topic.PROJECT_PUBLISHED };
  const eligible: Organization[] = [];
  for (const organization of candidates)
    if (
      inEndpointScope(organization, asPublished) &&
      (await projects.eligibilityOf(em, project, organization)).eligible
    )
      eligible.push(organization);
  const subjectId = project.globalId();
  return eligible.map((organization) => ({
    audience: everyMember(organization.id),
    topic,
    subjectId,
    params: { projectTitle: project.title, organizationName: organization.name },
  }));
}

async function decisionRecipients(em: EntityManager, seq: number): Promise<Recipient[]> {
  const application = await em.findOne(
    ProjectApplication,
    { decidedSeq: seq },
    { populate: ['project', 'organization'] },
  );
  if (!application) return [];
  const organization = application.organization.getEntity();
  // As `applicationDecided`: a suspended organization's members follow nothing through it.
  if (organization.verificationStatus === VerificationStatus.SUSPENDED) return [];
  const projectTitle = application.project.getEntity().title;
  return [
    {
      audience: everyMember(organization.id),
      topic: NotificationTopic.APPLICATION_DECIDED,
      subjectId: toGlobalId('ProjectApplication', application.id),
      params: { projectTitle, organizationName: organization.name, status: application.status },
    },
  ];
}

async function verificationRecipients(em: EntityManager, organizationId: number): Promise<Recipient[]> {
  const organization = await em.findOne(Organization, { id: organizationId });
  if (!organization) return [];
  const { verificationStatus: status } = organization;
  if (status !== VerificationStatus.VERIFIED && status !== VerificationStatus.SUSPENDED) return [];
  return [
    {
      audience: everyMember(organization.id),
      topic: NotificationTopic.VERIFICATION_DECIDED,
      subjectId: organization.globalId(),
      params: {
        organizationName: organization.name,
        status,
        reason: organization.verificationReason ?? null,
      },
    },
  ];
}

async function claimLapsingRecipients(em: EntityManager, demandId: number): Promise<Recipient[]> {
  const demand = await em.findOne(Demand, { id: demandId }, { populate: ['claimedBy'] });
  const organization = demand?.claimedBy?.getEntity();
  // Released, fulfilled or lapsed before the worker read the event: there is nothing to keep.
  if (!demand || !organization || !ACTIVE_CLAIM_STATUSES.includes(demand.status)) return [];
  if (organization.verificationStatus === VerificationStatus.SUSPENDED) return [];
  return [
    {
      audience: everyMember(organization.id),
      topic: NotificationTopic.CLAIM_LAPSING,
      subjectId: demand.globalId(),
      params: { demandTitle: demand.title, organizationName: organization.name },
    },
  ];
}

async function webhookDisabledRecipients(em: EntityManager, endpointId: number): Promise<Recipient[]> {
  const [endpoint] = await em.execute<
    { organization_id: string; url: string; disabled_reason: string | null }[]
  >(
    `select "organization_id", "url", "disabled_reason" from "webhook_endpoint"
      where "id" = ? and not "enabled"`,
    [endpointId],
  );
  if (!endpoint) return [];
  const organization = await em.findOne(Organization, { id: Number(endpoint.organization_id) });
  if (!organization) return [];
  return [
    {
      audience: { ...everyMember(organization.id), adminsOnly: true },
      topic: NotificationTopic.WEBHOOK_DISABLED,
      subjectId: toGlobalId('Webhook', endpointId),
      params: { organizationName: organization.name, url: endpoint.url, reason: endpoint.disabled_reason },
    },
  ];
}

async function periodClosedRecipients(em: EntityManager, projectId: number): Promise<Recipient[]> {
  const project = await em.findOne(Project, { id: projectId });
  if (!project) return [];
  const rows = await activePublisherStaff(em, project.publisher.id);
  return rows.map((row) => ({
    userId: Number(row.user_id),
    topic: NotificationTopic.APPLICATION_PERIOD_CLOSED,
    subjectId: project.globalId(),
    params: { projectTitle: project.title },
  }));
}

/** The active staff accounts of a publisher. */
function activePublisherStaff(em: EntityManager, publisherId: number): Promise<{ user_id: string }[]> {
  return em.execute<{ user_id: string }[]>(
    `select s."user_id" from "publisher_staff" s join "app_user" u on u."id" = s."user_id"
      where s."publisher_id" = ? and u."status" = 'ACTIVE' order by s."user_id"`,
    [publisherId],
  );
}

/** A milestone with its contract, the contract's organization and project. */
async function milestoneOf(em: EntityManager, milestoneId: number) {
  const milestone = await em.findOne(
    ContractMilestone,
    { id: milestoneId },
    { populate: ['contract.organization', 'contract.project'] },
  );
  if (!milestone) return null;
  const contract = milestone.contract.getEntity();
  return {
    milestone,
    organization: contract.organization.getEntity(),
    project: contract.project.getEntity(),
  };
}

async function milestoneReportedRecipients(em: EntityManager, milestoneId: number): Promise<Recipient[]> {
  const found = await milestoneOf(em, milestoneId);
  if (!found) return [];
  const { milestone, organization, project } = found;
  const rows = await activePublisherStaff(em, project.publisher.id);
  return rows.map((row) => ({
    userId: Number(row.user_id),
    topic: NotificationTopic.MILESTONE_REPORTED,
    subjectId: milestone.globalId(),
    params: {
      projectTitle: project.title,
      organizationName: organization.name,
      milestoneTitle: milestone.title,
    },
  }));
}

async function milestoneDecidedRecipients(em: EntityManager, event: FeedEvent): Promise<Recipient[]> {
  const found = await milestoneOf(em, event.entityId);
  if (!found) return [];
  const { milestone, organization, project } = found;
  if (organization.verificationStatus === VerificationStatus.SUSPENDED) return [];
  const accepted = event.topic === Topic.MILESTONE_ACCEPTED;
  return [
    {
      audience: everyMember(organization.id),
      topic: NotificationTopic.MILESTONE_DECIDED,
      subjectId: milestone.globalId(),
      params: {
        projectTitle: project.title,
        organizationName: organization.name,
        milestoneTitle: milestone.title,
        // The event says which decision it was; the row may have moved on since.
        status: accepted ? 'ACCEPTED' : 'RETURNED',
        reason: accepted ? null : (milestone.returnReason ?? null),
      },
    },
  ];
}

async function paymentRecipients(em: EntityManager, paymentId: number): Promise<Recipient[]> {
  const payment = await em.findOne(
    ContractPayment,
    { id: paymentId },
    { populate: ['contract.organization', 'contract.project'] },
  );
  if (!payment) return [];
  const contract = payment.contract.getEntity();
  const organization = contract.organization.getEntity();
  if (organization.verificationStatus === VerificationStatus.SUSPENDED) return [];
  return [
    {
      audience: everyMember(organization.id),
      topic: NotificationTopic.CONTRACT_PAYMENT_RECORDED,
      subjectId: contract.globalId(),
      params: {
        projectTitle: contract.project.getEntity().title,
        organizationName: organization.name,
        amountFen: payment.amountFen,
      },
    },
  ];
}
