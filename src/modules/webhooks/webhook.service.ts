import { ref } from '@mikro-orm/core';
import type { WebhookConfig } from '../../core/config.js';
import type { Actor } from '../../core/context.js';
import { viewerFactsOf } from '../../core/viewer-facts.js';
import { requireViewer } from '../../core/auth.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { parseIdOf } from '../../core/relay/global-id.js';
import { outboxHead } from '../../core/events/outbox.js';
import { recordAudit } from '../audit/audit.js';
import { User } from '../accounts/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { canManage, getOrganization } from '../organizations/organization.policy.js';
import { Webhook, WebhookDelivery } from './webhook.entity.js';
import type { WebhookTopic } from './webhook.enums.js';
import { VerificationStatus } from '../organizations/organization.enums.js';
import { WebhookNetwork } from './webhook-address.js';
import { canSeeWebhook, checkWebhookUrl } from './webhook.policy.js';
import { newWebhookSecret } from './webhook-signature.js';

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

  constructor(config: WebhookConfig) {
    this.network = new WebhookNetwork(config.allowPrivateNetworks);
  }

  /** Calls `listener` after each registration on this process (the worker wakes up for it). */
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
  async register(
    ctx: Actor,
    input: { organizationId: string; url: string; topics: readonly WebhookTopic[] },
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
        lastEventSeq: await outboxHead(em),
        createdBy: ref(em.getReference(User, viewer.userId)),
      });
      await em.flush();
      recordAudit({ ...ctx, em }, 'registerWebhook', organization, {
        webhookId: created.globalId(),
        url: created.url,
        topics,
      });
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
