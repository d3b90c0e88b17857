import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../../core/config.js';
import { EVENT_COLUMNS, pgTextArray, toFeedEvent, type EventRow } from '../../core/events/event-rows.js';
import type { EventHub } from '../../core/events/event-hub.js';
import type { FeedEvent } from '../../core/events/match-index.js';
import { emitEvent, Topic } from '../../core/events/outbox.js';
import { toGlobalId } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { Demand } from '../demands/demand.entity.js';
import { DemandStatus } from '../demands/demand.enums.js';
import { ACTIVE_CLAIM_STATUSES } from '../demands/demand-lifecycle.js';
import { Organization } from '../organizations/organization.entity.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { decisionConcerns } from '../projects/application-feed.js';
import { ProjectApplication } from '../projects/application.entity.js';
import { isPublicStatus } from '../projects/project-lifecycle.js';
import { ApplicationStatus } from '../projects/project.enums.js';
import { Project } from '../projects/project.entity.js';
import type { ProjectApplicationsService } from '../projects/project-applications.service.js';
import { Webhook } from './webhook.entity.js';
import { OUTBOX_TOPIC, WEBHOOK_OUTBOX_TOPICS, webhookTopicName } from './webhook.enums.js';
import {
  applicationDecisionData,
  claimLapsingData,
  demandData,
  demandUpdateData,
  projectAwardData,
  projectData,
  verificationData,
  webhookBody,
} from './webhook-payload.js';
import type { WebhookNetwork } from './webhook-address.js';
import { afterFailure, describeFailure, shouldDisable } from './webhook.policy.js';
import { inEndpointScope } from './webhook-scope.js';
import { sendSigned, type AttemptResult } from './webhook-sender.js';

/** Events looked at per endpoint per fan-out round. */
const FANOUT_BATCH = 200;
/** Endpoints fanned out per transaction. */
const FANOUT_ENDPOINTS = 50;
/** While no endpoint is enabled, the worker re-checks only every this many polls. */
const IDLE_POLLS = 12;

/** A delivery claimed for sending, as the claim query returns it. */
interface ClaimedRow {
  id: string | number;
  event_seq: string | number;
  payload: string;
  attempts: number;
  endpoint_id: string | number;
  organization_id: string | number;
  url: string;
  secret: string;
}

export interface WebhookWorkerDeps {
  orm: MikroORM;
  log: Logger;
  config: WebhookConfig;
  events: EventHub;
  projects: ProjectApplicationsService;
  /** Where endpoints may be (the registration's own checks, made again at every send). */
  network: WebhookNetwork;
  /** Told of every attempt (metrics). */
  onAttempt?: (delivered: boolean) => void;
  /** `DEMAND_CLAIM_LAPSE_HOURS`: when a claim lapses, for CLAIM_LAPSING. */
  claimLapseHours: number;
}

/**
 * The per-process webhook delivery worker. All its state is in the database, so processes share the
 * work and a restart loses nothing:
 *
 * 1. **Fan-out**: for each enabled endpoint of an organization that is not suspended and that is
 *    behind the outbox head (locked `FOR UPDATE SKIP LOCKED`, so one process handles an endpoint at
 *    a time) it reads the outbox after the endpoint's `lastEventSeq` up to the head, keeps the
 *    events the organization is eligible for (judged on the entities and the organization as read
 *    after the events), and queues one `webhook_delivery` per event (unique per endpoint and event)
 *    with its body, advancing `lastEventSeq` (to the head once every event up to it was looked at)
 *    in the same transaction.
 * 2. **Send**: it claims due deliveries with `FOR UPDATE SKIP LOCKED`, pushing their `nextAttemptAt`
 *    past the send timeout as a lease (a process that dies mid-send leaves them due again), POSTs the
 *    signed body, and records the attempt: delivered, retried after an exponential backoff, or given
 *    up; an endpoint failing `disableAfterFailures` times in a row is disabled with an audit entry.
 *    Each send resolves the host again, checks every address and connects to the checked one only.
 *
 * A suspended organization's endpoints are held, not dropped: neither step touches them, so nothing
 * is sent while it is suspended; once it is verified again its queued deliveries go out and fan-out
 * resumes from its `lastEventSeq`, each event checked for eligibility then.
 *
 * New events wake it at once; a poll every `pollMs` catches retries and other processes' work.
 */
export class WebhookWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  /** Whether any endpoint is enabled (checked at start, on polls, and set by local registrations). */
  private active = false;
  private polls = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  /** Starts polling and listening for new events; the first round runs at once. */
  start(): void {
    if (this.deps.config.pollMs === 0 || this.timer) return;
    this.timer = setInterval(() => this.poll(), this.deps.config.pollMs);
    this.timer.unref();
    this.unsubscribe = this.deps.events.onEvent((event) => {
      if (this.active && WEBHOOK_OUTBOX_TOPICS.has(event.topic)) this.wake();
    });
    this.poll(true);
  }

  /** Stops taking work and waits for the round and the sends under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  /** An endpoint was registered here: work from now on (and do a round now). */
  endpointRegistered(): void {
    this.active = true;
    this.wake();
  }

  /** Runs a round now (or right after the one under way). */
  wake(): void {
    if (this.stopping || this.deps.config.pollMs === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once no round is running and nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.running || this.inFlight.size) {
      await this.running;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private poll(force = false): void {
    // Idle (no enabled endpoint anywhere), only every IDLE_POLLS-th poll asks the database again.
    if (!this.active && !force && ++this.polls % IDLE_POLLS !== 0) return;
    this.wake();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const em = this.deps.orm.em.fork();
        const rows = await em.execute<{ n: string }[]>(
          'select count(*) as "n" from "webhook_endpoint" where "enabled"',
        );
        this.active = Number(rows[0]?.n ?? 0) > 0;
        if (!this.active) return;
        if (await this.fanOut()) this.again = true;
        await this.dispatch();
      } catch (error) {
        this.deps.log.warn({ err: error }, 'webhooks: delivery round failed');
        return;
      }
    } while (this.again && !this.stopping);
  }

  /** One fan-out transaction; true when there may be more to fan out. */
  private async fanOut(): Promise<boolean> {
    let more = false;
    await this.deps.orm.em.fork().transactional(async (tx) => {
      // No event at or below the stable position can still commit (docs/architecture.md, "Live
      // path"), and the statements below see every one that did: an endpoint that has looked at them
      // all is at the head. Past it, a seq still uncommitted would be passed over for good.
      const head = await this.deps.events.stablePosition(tx);
      // Only endpoints behind the head: those fanned out move to it, so the next transaction takes
      // the following ones instead of the first FANOUT_ENDPOINTS again.
      const locked = await tx.execute<{ id: string }[]>(
        `select e."id" from "webhook_endpoint" e join "organization" o on o."id" = e."organization_id"
          where e."enabled" and o."verification_status" <> 'SUSPENDED' and e."last_event_seq" < ?
          order by e."id" limit ? for update of e skip locked`,
        [head, FANOUT_ENDPOINTS],
      );
      if (locked.length === FANOUT_ENDPOINTS) more = true;
      for (const row of locked) if (await this.fanOutEndpoint(tx, Number(row.id), head)) more = true;
    });
    return more;
  }

  /** Fans out the endpoint's events up to `head`; true when a full batch left more. */
  private async fanOutEndpoint(tx: EntityManager, id: number, head: number): Promise<boolean> {
    // Entities loaded for the previous endpoint predate this one's events: each endpoint reads afresh.
    tx.clear();
    const endpoint = await tx.findOneOrFail(Webhook, { id });
    const rows = await tx.execute<(EventRow & { created_at: Date | string })[]>(
      `select ${EVENT_COLUMNS}, "created_at" from "event"
        where "seq" > ? and "seq" <= ? and "topic" = any(?::text[]) order by "seq" limit ?`,
      [
        endpoint.lastEventSeq,
        head,
        pgTextArray(endpoint.topics.map((topic) => OUTBOX_TOPIC[topic])),
        FANOUT_BATCH,
      ],
    );
    // The organization is read after the events (each statement sees what committed before it), so
    // its standing is at least as new as every event judged against it. Read before them, a union's
    // decision committing in between showed its event against the standing before it (a verification
    // judged as still pending), and the event was passed over for good.
    const organization = await tx.findOneOrFail(Organization, { id: endpoint.organization.id });
    // Suspended since the endpoint was locked: held, as if it had been suspended then.
    if (organization.verificationStatus === VerificationStatus.SUSPENDED) return false;
    for (const row of rows) {
      const event = toFeedEvent(row);
      const occurredAt = new Date(row.created_at);
      const data = await this.eligibleData(tx, endpoint.id, organization, event, occurredAt);
      if (data === null) continue;
      const payload = webhookBody({
        id: event.seq,
        topic: webhookTopicName(event.topic) ?? event.topic,
        occurredAt: occurredAt.toISOString(),
        data,
      });
      await tx.execute(
        `insert into "webhook_delivery"
           ("endpoint_id", "event_seq", "topic", "payload", "status", "attempts", "next_attempt_at", "created_at")
         values (?, ?, ?, ?, 'PENDING', 0, now(), now())
         on conflict ("endpoint_id", "event_seq") do nothing`,
        [endpoint.id, event.seq, event.topic, payload],
      );
    }
    // A full batch looked as far as its last event; a shorter one at every event up to the head,
    // whatever the topics of the latest (a notification's, another topic's), so `lastEventSeq`
    // reaching the head says the endpoint has been told everything committed so far.
    const full = rows.length === FANOUT_BATCH;
    const lookedAt = full ? Number(rows.at(-1)!.seq) : head;
    if (lookedAt > endpoint.lastEventSeq)
      await tx.execute('update "webhook_endpoint" set "last_event_seq" = ? where "id" = ?', [
        lookedAt,
        endpoint.id,
      ]);
    return full;
  }

  /** The entity as data the organization may hear of now; null when it may not. */
  private async eligibleData(
    tx: EntityManager,
    endpointId: number,
    organization: Organization,
    event: FeedEvent,
    occurredAt: Date,
  ): Promise<object | null> {
    if (!inEndpointScope(organization, event)) return null;
    switch (event.topic) {
      case Topic.DEMAND_PUBLISHED: {
        const demand = await tx.findOne(Demand, { id: event.entityId });
        // As for the feed: a verified organization's members see OPEN demands only.
        return demand && demand.status === DemandStatus.OPEN ? demandData(demand) : null;
      }
      case Topic.PROJECT_PUBLISHED: {
        const project = await tx.findOne(Project, { id: event.entityId });
        if (!project || !isPublicStatus(project.status)) return null;
        const verdict = await this.deps.projects.eligibilityOf(tx, project, organization);
        return verdict.eligible ? projectData(project) : null;
      }
      case Topic.DEMAND_UPDATED:
        return this.demandUpdate(tx, endpointId, organization.id, event);
      case Topic.APPLICATION_DECIDED: {
        const application = await tx.findOne(ProjectApplication, { decidedSeq: event.seq });
        if (!application) return null;
        // The organization itself follows, so "member of" is "is" here.
        const follower = {
          organizationId: organization.id,
          projectId: null,
          memberOf: (id: number) => id === organization.id,
        };
        const facts = { organizationId: application.organization.id, projectId: application.project.id };
        return decisionConcerns(facts, follower) ? applicationDecisionData(application) : null;
      }
      case Topic.VERIFICATION_DECIDED: {
        // The event names no decision: the organization's standing is the latest one. An older event
        // (a suspension held until the organization was verified again) is superseded, not repeated.
        const later = await tx.execute<unknown[]>(
          'select 1 from "event" where "topic" = ? and "entity_id" = ? and "seq" > ? limit 1',
          [Topic.VERIFICATION_DECIDED, organization.id, event.seq],
        );
        const { verificationStatus: status } = organization;
        if (later.length > 0) return null;
        if (status !== VerificationStatus.VERIFIED && status !== VerificationStatus.SUSPENDED) return null;
        return verificationData(organization);
      }
      case Topic.PROJECT_AWARDED:
        return this.projectAward(tx, organization.id, event);
      case Topic.CLAIM_LAPSING: {
        const demand = await tx.findOne(Demand, { id: event.entityId });
        // The claimant of now only, and only while the announced claim period lasts: progress since,
        // a lapse or another organization's claim make the warning stale.
        if (
          !demand ||
          demand.claimedBy?.id !== organization.id ||
          !ACTIVE_CLAIM_STATUSES.includes(demand.status) ||
          !demand.lastProgressAt ||
          demand.lastProgressAt > occurredAt
        )
          return null;
        const lapsesAt = new Date(demand.lastProgressAt.getTime() + this.deps.claimLapseHours * 3_600_000);
        return claimLapsingData(demand, lapsesAt);
      }
      default:
        return null;
    }
  }

  /**
   * `PROJECT_AWARDED` for an organization whose application the award decided (AWARDED or
   * REJECTED; the award's decision events come just before its own, so that application's
   * `decidedSeq` is the latest below it). An organization that withdrew, or never applied, is not told.
   */
  private async projectAward(
    tx: EntityManager,
    organizationId: number,
    event: FeedEvent,
  ): Promise<object | null> {
    const project = await tx.findOne(Project, { id: event.entityId });
    if (!project || !isPublicStatus(project.status)) return null;
    const application = await tx.findOne(
      ProjectApplication,
      {
        project: project.id,
        organization: organizationId,
        status: { $in: [ApplicationStatus.AWARDED, ApplicationStatus.REJECTED] },
        decidedSeq: { $lt: event.seq },
      },
      { orderBy: { decidedSeq: 'desc' } },
    );
    return application ? projectAwardData(project, application) : null;
  }

  /**
   * `DEMAND_UPDATED` with the rule of `demandUpdated` for the claiming organization's members: a
   * change reaches it while it claims the demand, and the change that ends its claim reaches it too.
   * Events carry ids only, so "it claimed the demand before this change" is this endpoint's previous
   * `DEMAND_UPDATED` delivery of the demand (fanned out in seq order), which says `claimedByYou`.
   */
  private async demandUpdate(
    tx: EntityManager,
    endpointId: number,
    organizationId: number,
    event: FeedEvent,
  ): Promise<object | null> {
    const demand = await tx.findOne(Demand, { id: event.entityId });
    if (!demand) return null;
    const data = demandUpdateData(demand, organizationId);
    if (data.claimedByYou) return data;
    const [previous] = await tx.execute<{ held: boolean | null }[]>(
      `select ("payload"::jsonb #>> '{data,claimedByYou}')::boolean as "held" from "webhook_delivery"
        where "endpoint_id" = ? and "topic" = ? and "event_seq" < ?
          and "payload"::jsonb #>> '{data,id}' = ?
        order by "event_seq" desc limit 1`,
      [endpointId, Topic.DEMAND_UPDATED, event.seq, data.id],
    );
    return previous?.held ? data : null;
  }

  /** Claims due deliveries up to the free send slots and sends them. */
  private async dispatch(): Promise<void> {
    const free = this.deps.config.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopping) return;
    const leaseMs = this.deps.config.timeoutMs * 2 + 5_000;
    const claimed = await this.deps.orm.em.fork().execute<ClaimedRow[]>(
      `with "due" as (
         select d."id" from "webhook_delivery" d
           join "webhook_endpoint" e on e."id" = d."endpoint_id"
           join "organization" o on o."id" = e."organization_id"
          where d."status" = 'PENDING' and d."next_attempt_at" <= now() and e."enabled"
            and o."verification_status" <> 'SUSPENDED'
          order by d."next_attempt_at", d."id"
          limit ? for update of d skip locked)
       update "webhook_delivery" d
          set "next_attempt_at" = now() + (?::int * interval '1 millisecond'), "attempts" = d."attempts" + 1
         from "due", "webhook_endpoint" e
        where d."id" = "due"."id" and e."id" = d."endpoint_id"
       returning d."id", d."event_seq", d."payload", d."attempts", e."id" as "endpoint_id",
                 e."organization_id", e."url", e."secret"`,
      [free, leaseMs],
    );
    for (const row of claimed) {
      const sending: Promise<void> = this.send(row)
        .catch((error: unknown) =>
          this.deps.log.error({ err: error, deliveryId: row.id }, 'webhooks: recording an attempt failed'),
        )
        .finally(() => {
          this.inFlight.delete(sending);
          // A slot is free: there may be more due.
          this.wake();
        });
      this.inFlight.add(sending);
    }
  }

  private async send(row: ClaimedRow): Promise<void> {
    const result = await this.post(row);
    this.deps.onAttempt?.(result.delivered);
    await this.record(row, result);
  }

  private post(row: ClaimedRow): Promise<AttemptResult> {
    const { network, config, log } = this.deps;
    return sendSigned(
      { network, timeoutMs: config.timeoutMs, log },
      { url: row.url, secret: row.secret, eventId: String(row.event_seq), payload: row.payload },
    );
  }

  /** Logs the attempt and moves the delivery (and the endpoint's failure count) on, in one transaction. */
  private async record(row: ClaimedRow, result: AttemptResult): Promise<void> {
    const { config, log } = this.deps;
    const deliveryId = Number(row.id);
    const endpointId = Number(row.endpoint_id);
    await this.deps.orm.em.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into "webhook_delivery_attempt" ("delivery_id", "attempt", "status_code", "duration_ms", "error", "created_at")
         values (?, ?, ?, ?, ?, now())`,
        [deliveryId, row.attempts, result.statusCode, result.durationMs, result.error],
      );
      if (result.delivered) {
        await tx.execute(
          `update "webhook_delivery" set "status" = 'DELIVERED', "delivered_at" = now(),
             "last_status_code" = ?, "last_error" = null where "id" = ?`,
          [result.statusCode, deliveryId],
        );
        await tx.execute('update "webhook_endpoint" set "consecutive_failures" = 0 where "id" = ?', [
          endpointId,
        ]);
        return;
      }
      const decision = afterFailure(row.attempts, config);
      if (decision.kind === 'give-up')
        await tx.execute(
          `update "webhook_delivery" set "status" = 'FAILED', "last_status_code" = ?, "last_error" = ?
            where "id" = ?`,
          [result.statusCode, result.error, deliveryId],
        );
      else
        await tx.execute(
          `update "webhook_delivery" set "next_attempt_at" = now() + (?::int * interval '1 millisecond'),
             "last_status_code" = ?, "last_error" = ? where "id" = ?`,
          [decision.delayMs, result.statusCode, result.error, deliveryId],
        );
      const [endpoint] = await tx.execute<{ consecutive_failures: number; enabled: boolean }[]>(
        `update "webhook_endpoint" set "consecutive_failures" = "consecutive_failures" + 1 where "id" = ?
         returning "consecutive_failures", "enabled"`,
        [endpointId],
      );
      if (!endpoint?.enabled || !shouldDisable(endpoint.consecutive_failures, config.disableAfterFailures))
        return;
      const reason =
        `Disabled after ${endpoint.consecutive_failures} consecutive failed deliveries ` +
        `(last: ${result.error ?? describeFailure(result.statusCode, null)}).`;
      await tx.execute(
        `update "webhook_endpoint" set "enabled" = false, "disabled_at" = now(), "disabled_reason" = ?
          where "id" = ?`,
        [reason, endpointId],
      );
      // The owner is told through the organization's audit trail, which its members read.
      const organization = await tx.findOneOrFail(Organization, { id: Number(row.organization_id) });
      recordAudit({ em: tx, viewer: null, requestId: randomUUID() }, 'disableWebhook', organization, {
        webhookId: toGlobalId('Webhook', endpointId),
        url: row.url,
        reason,
      });
      await tx.flush();
      // And its admins are notified (notification-recipients.ts).
      await emitEvent(tx, {
        topic: Topic.WEBHOOK_DISABLED,
        entityId: endpointId,
        categoryPath: [],
        regionPath: [],
        targetGroups: [],
      });
      log.warn({ webhookId: endpointId, url: row.url, reason }, 'webhooks: endpoint disabled');
    });
  }
}
