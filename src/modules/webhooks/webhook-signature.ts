/**
 * Webhook signatures: HMAC-SHA256 over `"<timestamp>.<body>"` with the endpoint's secret, sent as
 * `X-Niudai-Signature: sha256=<hex>` next to `X-Niudai-Timestamp` (Unix seconds). Signing the
 * timestamp with the body lets a receiver reject replays of an old delivery; the secret is shown to
 * the organization once, at registration.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The headers of a delivery. */
export const WEBHOOK_HEADERS = {
  eventId: 'X-Niudai-Event-Id',
  timestamp: 'X-Niudai-Timestamp',
  signature: 'X-Niudai-Signature',
} as const;

/** Prefix of every secret, so that a leaked one is recognisable in logs and code scanners. */
export const SECRET_PREFIX = 'whsec_';

/** A new random secret (256 bits). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** The `X-Niudai-Signature` value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * What a receiver does (and what the tests do): recompute the signature and compare in constant
 * time, refusing timestamps more than `toleranceSeconds` away from `now` (Unix seconds).
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  now = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
