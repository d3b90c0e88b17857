import { LockMode, ref } from '@mikro-orm/core';
import type { WebhookConfig } from '../../core/config.js';
import type { EventHub } from '../../core/events/event-hub.js';
import type { Actor, Context } from '../../core/context.js';
import { createOnce, type RetryKey } from '../../core/idempotency/retry-key.js';
import type { RegisterWebhookInput } from './webhook.inputs.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { canManage, getOrganization } from '../organizations/organization.policy.js';
import { Webhook, WebhookDelivery } from './webhook.entity.js';
import { DeliveryStatus } from './webhook.enums.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { WebhookNetwork } from './webhook-address.js';
import { canSeeWebhook, checkWebhookUrl } from './webhook.policy.js';
import { newWebhookSecret } from './webhook-signature.js';
import { webhookBody, type PingData } from './webhook-payload.js';
import { sendSigned } from './webhook-sender.js';

/** What `pingWebhook` answers. */
export interface PingOutcome {
  webhook: Webhook;
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Endpoints one organization may hold. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 10;

/** Deliveries `webhookDeliveries` returns at most. */
export const MAX_DELIVERIES_LISTED = 100;

/**
 * Registering, listing and deleting an organization's webhook endpoints: for its ORG_ADMINs and
 * platform admins. Delivery itself is the worker's (webhook-worker.ts).
 */
export class WebhookService {
  private readonly registeredListeners = new Set<() => void>();
  /** Where endpoints may be: checked here at registration and by the worker at every send. */
  readonly network: WebhookNetwork;

  constructor(
    private readonly config: WebhookConfig,
    /** For the position a new endpoint starts from. */
    private readonly events: EventHub,
  ) {
    this.network = new WebhookNetwork(config.allowPrivateNetworks);
  }

  /**
   * Calls `listener` after each registration or re-enabling on this process (the worker wakes up
   * for it).
   */
  onRegistered(listener: () => void): () => void {
    this.registeredListeners.add(listener);
    return () => this.registeredListeners.delete(listener);
  }

  /**
   * The organization if the viewer administers it. NOT_FOUND when the viewer may not even see it (a
   * pending organization to an outsider), so the answer never reveals which ids exist; FORBIDDEN
   * when they see it but do not administer it.
   */
  private async requireAdministered(ctx: Actor, organizationId: number, globalId: string) {
    const viewer = requireViewer(ctx.viewer);
    const organization = await getOrganization(ctx, organizationId);
    if (!organization) throw new NotFoundError('Organization', globalId);
    if (!canManage(viewerFactsOf(viewer), organization.id))
      throw new ForbiddenError("Only this organization's admins manage its webhooks.");
    return organization;
  }

  /**
   * Registers an endpoint and returns it with its secret (the only time the secret is shown). It
   * receives events committed from now on.
   */
  register(ctx: Actor, input: RegisterWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    return createOnce(
      ctx,
      'registerWebhook',
      input,
      (key) => this.registerOnce(ctx, input, key),
      async (id) => {
        // The secret is shown again only to whoever administers the organization now.
        const webhook = await ctx.em.findOneOrFail(Webhook, { id });
        await this.requireAdministered(ctx, webhook.organization.id, input.organizationId);
        return { webhook, secret: webhook.secret };
      },
    );
  }

  private async registerOnce(
    ctx: Actor,
    input: RegisterWebhookInput,
    key: RetryKey | null,
  ): Promise<{ webhook: Webhook; secret: string }> {
    const viewer = requireViewer(ctx.viewer);
    const organizationId = parseIdOf('Organization', input.organizationId, 'input.organizationId');
    const organization = await this.requireAdministered(ctx, organizationId, input.organizationId);
    // Its webhooks are stopped while it is suspended (the worker sends it nothing); no new ones either.
    if (organization.verificationStatus === VerificationStatus.SUSPENDED)
      throw new ForbiddenError('A suspended organization may not register webhooks.');
    const checked = checkWebhookUrl(input.url, this.network.allowPrivateNetworks);
    if (!checked.ok) throw BadUserInputError.field('input.url', checked.reason);
    // Checked again at every send, on the address then connected to: this is for an early, clear
    // answer. A name that does not resolve (yet) is accepted: its deliveries fail until it does.
    const target = await this.network.resolve(checked.url.hostname);
    if (!target.ok && target.reason === 'not-allowed')
      throw BadUserInputError.field(
        'input.url',
        'must resolve to a public internet address (loopback, private, link-local and other ' +
          'special-purpose addresses are refused)',
      );
    const topics = [...new Set(input.topics)];
    if (topics.length === 0) throw BadUserInputError.field('input.topics', 'name at least one topic');
    if ((await ctx.em.count(Webhook, { organization: organizationId })) >= MAX_WEBHOOKS_PER_ORGANIZATION)
      throw BadUserInputError.field(
        'input.url',
        `an organization may register at most ${MAX_WEBHOOKS_PER_ORGANIZATION} endpoints`,
      );
    const secret = newWebhookSecret();
    const webhook = await ctx.em.transactional(async (em) => {
      const created = em.create(Webhook, {
        organization: ref(organization),
        url: checked.url.toString(),
        topics,
        secret,
        // From the stable position: a seq below the head may still commit (docs/architecture.md).
        lastEventSeq: await this.events.stablePosition(em),
        createdBy: ref(em.getReference(User, viewer.userId)),
      });
      await em.flush();
      recordAudit({ ...ctx, em }, 'registerWebhook', organization, {
        webhookId: created.globalId(),
        url: created.url,
        topics,
      });
      await key?.record(em, created.id);
      return created;
    });
    for (const listener of this.registeredListeners) listener();
    return { webhook, secret };
  }

  /** An organization's endpoints, oldest first (without secrets). */
  async list(ctx: Actor, organizationGlobalId: string): Promise<Webhook[]> {
    const organizationId = parseIdOf('Organization', organizationGlobalId, 'organizationId');
    await this.requireAdministered(ctx, organizationId, organizationGlobalId);
    return ctx.em.find(Webhook, { organization: organizationId }, { orderBy: { id: 'asc' } });
  }

  /** One endpoint, if the viewer administers its organization (else null: for `node(id:)`). */
  async get(ctx: Actor, id: number): Promise<Webhook | null> {
    const webhook = await ctx.em.findOne(Webhook, { id });
    if (!webhook || !canSeeWebhook(viewerFactsOf(ctx.viewer), webhook.organization.id)) return null;
    return webhook;
  }

  /** Deletes an endpoint with its pending deliveries and their log. */
  async delete(ctx: Actor, globalId: string): Promise<string> {
    requireViewer(ctx.viewer);
    const webhook = await this.get(ctx, parseIdOf('Webhook', globalId, 'id'));
    if (!webhook) throw new NotFoundError('Webhook', globalId);
    await ctx.em.transactional(async (em) => {
      const organization = await em.findOneOrFail(Organization, { id: webhook.organization.id });
      recordAudit({ ...ctx, em }, 'deleteWebhook', organization, {
        webhookId: globalId,
        url: webhook.url,
      });
      await em.flush();
      // The database cascades to its deliveries and their attempts.
      await em.nativeDelete(Webhook, { id: webhook.id });
    });
    return globalId;
  }

  /**
   * An endpoint the viewer administers, for a change: NOT_FOUND to those who may not see it (another
   * organization's admin included), FORBIDDEN to its organization's other members, and FORBIDDEN
   * while the organization is suspended (its webhooks are held, see webhook-worker.ts).
   */
  private async requireManagedEndpoint(ctx: Actor, globalId: string): Promise<Webhook> {
    const viewer = requireViewer(ctx.viewer);
    const webhook = await ctx.em.findOne(Webhook, { id: parseIdOf('Webhook', globalId, 'id') });
    if (!webhook) throw new NotFoundError('Webhook', globalId);
    if (!canSeeWebhook(viewerFactsOf(viewer), webhook.organization.id)) {
      if (viewer.memberships.has(webhook.organization.id))
        throw new ForbiddenError("Only this organization's admins manage its webhooks.");
      throw new NotFoundError('Webhook', globalId);
    }
    const organization = await ctx.em.findOneOrFail(Organization, { id: webhook.organization.id });
    if (organization.verificationStatus === VerificationStatus.SUSPENDED)
      throw new ForbiddenError('A suspended organization’s webhooks are held until it is verified again.');
    return webhook;
  }

  /**
   * Re-enables an endpoint the hub disabled after repeated failures: its failure count starts again
   * from 0 and deliveries resume where they stopped — the deliveries still pending are due at once,
   * and the events committed meanwhile are fanned out (each checked for eligibility then), as after a
   * suspension. Nothing is lost; receivers deduplicate on the event id. Enabling an enabled endpoint
   * changes nothing.
   */
  async enable(ctx: Actor, globalId: string): Promise<Webhook> {
    const webhook = await this.requireManagedEndpoint(ctx, globalId);
    if (webhook.enabled) return webhook;
    await ctx.em.transactional(async (em) => {
      const locked = await em.findOneOrFail(
        Webhook,
        { id: webhook.id },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (locked.enabled) return;
      locked.enabled = true;
      locked.consecutiveFailures = 0;
      locked.disabledAt = null;
      locked.disabledReason = null;
      const organization = await em.findOneOrFail(Organization, { id: locked.organization.id });
      recordAudit({ ...ctx, em }, 'enableWebhook', organization, { webhookId: globalId, url: locked.url });
      await em.flush();
      // Retries backed off while the endpoint failed: after the owner's fix they are due now.
      await em.nativeUpdate(
        WebhookDelivery,
        { endpoint: locked.id, status: DeliveryStatus.PENDING },
        { nextAttemptAt: new Date() },
      );
    });
    await ctx.em.refresh(webhook);
    for (const listener of this.registeredListeners) listener();
    return webhook;
  }

  /**
   * Sends a signed `PING` to the endpoint now, through the sender of real deliveries (the address
   * checked again, no redirects), and answers with the outcome. Enabled or not; it is no delivery:
   * nothing is stored or retried and the failure count is left alone. Each ping is a mutation, so it
   * spends the caller's mutation budget (RATE_LIMITED when spent).
   */
  async ping(ctx: Context, globalId: string): Promise<PingOutcome> {
    const webhook = await this.requireManagedEndpoint(ctx, globalId);
    const payload = webhookBody<PingData>({
      id: 0,
      topic: 'PING',
      occurredAt: new Date().toISOString(),
      data: { webhookId: globalId },
    });
    const result = await sendSigned(
      { network: this.network, timeoutMs: this.config.timeoutMs, log: ctx.log },
      { url: webhook.url, secret: webhook.secret, eventId: '0', payload },
    );
    await ctx.em.transactional(async (em) => {
      const organization = await em.findOneOrFail(Organization, { id: webhook.organization.id });
      recordAudit({ ...ctx, em }, 'pingWebhook', organization, {
        webhookId: globalId,
        url: webhook.url,
        delivered: result.delivered,
        statusCode: result.statusCode,
        error: result.error,
      });
      await em.flush();
    });
    return { webhook, ...result };
  }

  /** The latest deliveries of an endpoint, newest first: what was sent, and how it went. */
  async deliveries(ctx: Actor, webhookGlobalId: string, first: number): Promise<WebhookDelivery[]> {
    requireViewer(ctx.viewer);
    const webhook = await this.get(ctx, parseIdOf('Webhook', webhookGlobalId, 'webhookId'));
    if (!webhook) throw new NotFoundError('Webhook', webhookGlobalId);
    return ctx.em.find(
      WebhookDelivery,
      { endpoint: webhook.id },
      { orderBy: { id: 'desc' }, limit: Math.max(1, Math.min(first, MAX_DELIVERIES_LISTED)) },
    );
  }
}
