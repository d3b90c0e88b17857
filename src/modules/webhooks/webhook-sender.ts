/**
 * One signed POST of a webhook body: the worker's deliveries and `pingWebhook` both send through it,
 * so a test event takes exactly the path (address checks, pinned connection, signature) a real one
 * does.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { WebhookNetwork } from './webhook-address.js';
import {
  AttemptFailure,
  checkWebhookUrl,
  describeFailure,
  type AttemptFailureReason,
} from './webhook.policy.js';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature.js';
import { postTo, whenAborted } from './webhook-transport.js';

/** What one HTTP attempt gave. */
export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  /** What is stored and shown: `HTTP <status>` or a generic {@link AttemptFailure}; null if delivered. */
  error: string | null;
  durationMs: number;
}

export interface SenderDeps {
  network: WebhookNetwork;
  timeoutMs: number;
  log: Logger;
}

/** What to send where. */
export interface SignedPost {
  url: string;
  secret: string;
  /** The `X-Niudai-Event-Id` header. */
  eventId: string;
  /** The exact body, signed as is. */
  payload: string;
}

/**
 * One signed POST to the address the endpoint's host resolves to now, if that address is allowed.
 * Redirects are not followed: an endpoint answers itself or fails.
 */
export async function sendSigned(deps: SenderDeps, post: SignedPost): Promise<AttemptResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const signal = AbortSignal.timeout(deps.timeoutMs);
  let statusCode: number | null = null;
  let failure: AttemptFailureReason | null = null;
  try {
    const target = await targetOf(deps.network, post.url, signal);
    if (typeof target === 'string') failure = target;
    else
      statusCode = await postTo(
        target.url,
        target,
        {
          'content-type': 'application/json',
          'user-agent': 'Niudai-Webhooks/1',
          [WEBHOOK_HEADERS.eventId]: post.eventId,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(post.secret, timestamp, post.payload),
        },
        post.payload,
        signal,
      );
  } catch (caught) {
    failure = signal.aborted ? AttemptFailure.timeout : AttemptFailure.connectionFailed;
    // The socket's own words (ECONNREFUSED, a certificate error) stay in the log, never in the API.
    deps.log.debug(
      { eventId: post.eventId, code: (caught as { code?: unknown } | null)?.code ?? null },
      'webhooks: attempt got no response',
    );
  }
  const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
  return {
    delivered,
    statusCode,
    error: delivered ? null : describeFailure(statusCode, failure),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Where to connect for an endpoint URL, checked again now (the setting of now, the DNS answer of
 * now), or why not.
 */
async function targetOf(
  network: WebhookNetwork,
  rawUrl: string,
  signal: AbortSignal,
): Promise<{ url: URL; address: string; family: 4 | 6 } | AttemptFailureReason> {
  const checked = checkWebhookUrl(rawUrl, network.allowPrivateNetworks);
  if (!checked.ok) return AttemptFailure.addressNotAllowed;
  const resolved = await Promise.race([network.resolve(checked.url.hostname), whenAborted(signal)]);
  if (!resolved.ok)
    return resolved.reason === 'unresolved'
      ? AttemptFailure.connectionFailed
      : AttemptFailure.addressNotAllowed;
  return { url: checked.url, address: resolved.address, family: resolved.family };
}
