/**
 * Rules of webhook endpoints and retries: pure functions, unit-tested alone.
 *
 * @module
 */

/** Longest accepted endpoint URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Whether `hostname` (as `URL` gives it) is a loopback address or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks an endpoint URL: absolute, https (http only to loopback when `allowHttpLoopback`), no
 * credentials in it, at most {@link MAX_WEBHOOK_URL_LENGTH} characters. Returns the normalised URL or
 * the reason it is refused.
 */
export function checkWebhookUrl(
  raw: string,
  allowHttpLoopback: boolean,
): { ok: true; url: string } | { ok: false; reason: string } {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  if (url.protocol === 'https:') return { ok: true, url: url.toString() };
  if (url.protocol === 'http:') {
    if (allowHttpLoopback && isLoopbackHost(url.hostname)) return { ok: true, url: url.toString() };
    return { ok: false, reason: 'must use https' };
  }
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

/** Short, single-line description of a failed attempt, for the attempt log and the disable reason. */
export function describeFailure(statusCode: number | null, error: string | null): string {
  if (statusCode !== null) return `HTTP ${statusCode}`;
  return (error ?? 'unknown error').replace(/\s+/g, ' ').slice(0, 500);
}
