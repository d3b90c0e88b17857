/**
 * Rules of webhook endpoints and retries: pure functions, unit-tested alone.
 *
 * - `canSeeWebhook`: an endpoint is seen (and managed) only by its organization's admins and
 *   platform admins (`canManage`, organization.policy.ts); endpoints are listed only for an
 *   organization the viewer manages, so there is no list SQL to keep in step;
 * - `checkWebhookUrl`: the form of an endpoint URL (where it may point is webhook-address.ts's);
 * - `retryDelayMs`, `afterFailure`, `shouldDisable`, `describeFailure`: retries and their log;
 * - `installWebhookRules`: `node(id: "Webhook:…")`.
 *
 * @module
 */
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import { canManage, type OrganizationViewer } from '../organizations/organization.policy.js';
import type { Actor } from '../../core/context.js';
import type { Webhook } from './webhook.entity.js';

/** Whether the viewer may see an endpoint of the organization: those who manage it. */
export function canSeeWebhook(viewer: OrganizationViewer | null, organizationId: number): boolean {
  return canManage(viewer, organizationId);
}

/** `node(id)` answers with an endpoint only to those who may see it. */
export function installWebhookRules(services: {
  nodes: NodeRegistry;
  /** `WebhookService`, named by what it answers so that the policy does not import it. */
  webhooks: { get(ctx: Actor, id: number): Promise<Webhook | null> };
}): void {
  const { nodes, webhooks } = services;
  nodes.registerById('Webhook', (ctx, id) => webhooks.get(ctx, id));
}

/** Longest accepted endpoint URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * Checks an endpoint URL's form: absolute, https (http too when `allowPrivateNetworks`, for tests and
 * local development), no credentials in it, at most {@link MAX_WEBHOOK_URL_LENGTH} characters. Returns
 * the normalised URL (the WHATWG parser writes `127.1` or `0x7f000001` as `127.0.0.1`) or the reason
 * it is refused. Where the host may be reached is webhook-address.ts's to say.
 */
export function checkWebhookUrl(
  raw: string,
  allowPrivateNetworks: boolean,
): { ok: true; url: URL } | { ok: false; reason: string } {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  if (url.protocol === 'https:' || (url.protocol === 'http:' && allowPrivateNetworks))
    return { ok: true, url };
  return { ok: false, reason: 'must use https' };
}

/**
 * Delay before retry number `failures` (1 after the first failed attempt): `baseMs · 2^(failures−1)`,
 * capped at `maxMs`. No jitter: deliveries already spread out by when their events happened.
 */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 40));
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/** What happens after a failed attempt. */
export type FailureDecision = { kind: 'retry'; delayMs: number } | { kind: 'give-up' };

/** After the `attempts`-th failed attempt of a delivery: retry later, or give up at `maxAttempts`. */
export function afterFailure(
  attempts: number,
  options: { retryBaseMs: number; retryMaxMs: number; maxAttempts: number },
): FailureDecision {
  if (attempts >= options.maxAttempts) return { kind: 'give-up' };
  return { kind: 'retry', delayMs: retryDelayMs(attempts, options.retryBaseMs, options.retryMaxMs) };
}

/** Whether an endpoint with `consecutiveFailures` failed deliveries in a row is to be disabled. */
export function shouldDisable(consecutiveFailures: number, threshold: number): boolean {
  return consecutiveFailures >= threshold;
}

/**
 * Why an attempt failed, as stored in the attempt log and the delivery and shown to the endpoint's
 * owner. Only these generic words: a socket error code or a TLS message would tell a caller how the
 * hub's network answered (a port scanner). The log keeps the detail at debug level.
 */
export const AttemptFailure = {
  /** The host resolved to an address the hub may not reach (checked before any connection). */
  addressNotAllowed: 'address not allowed',
  /** No response: the name did not resolve, the connection or TLS failed, or the socket broke. */
  connectionFailed: 'connection failed',
  /** No response within WEBHOOK_TIMEOUT_MS. */
  timeout: 'timeout',
} as const;

export type AttemptFailureReason = (typeof AttemptFailure)[keyof typeof AttemptFailure];

/** A failed attempt in one line: `HTTP <status>` when the endpoint answered, else the generic reason. */
export function describeFailure(statusCode: number | null, failure: AttemptFailureReason | null): string {
  if (statusCode !== null) return `HTTP ${statusCode}`;
  return failure ?? AttemptFailure.connectionFailed;
}
