import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  AttemptFailure,
  checkWebhookUrl,
  describeFailure,
  retryDelayMs,
  shouldDisable,
} from '../../../src/modules/webhooks/webhook.policy.js';

describe('checkWebhookUrl', () => {
  it('accepts https URLs, normalised', () => {
    const checked = checkWebhookUrl('https://Hooks.Example.org/niudai', false);
    expect(checked.ok && checked.url.toString()).toBe('https://hooks.example.org/niudai');
  });

  it('writes odd IPv4 notations as the dotted quad they mean', () => {
    for (const raw of [
      'https://127.1/',
      'https://2130706433/',
      'https://0x7f000001/',
      'https://0177.0.0.1/',
    ]) {
      const checked = checkWebhookUrl(raw, false);
      expect(checked.ok && checked.url.hostname).toBe('127.0.0.1');
    }
  });

  it('refuses http unless private networks are allowed, other schemes, credentials and non-URLs', () => {
    expect(checkWebhookUrl('http://hooks.example.org/', false)).toMatchObject({
      ok: false,
      reason: 'must use https',
    });
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', true)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('ftp://hooks.example.org/', true)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('https://user:pw@hooks.example.org/', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('/relative', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl(`https://a.example/${'x'.repeat(2000)}`, false)).toMatchObject({ ok: false });
  });
});

describe('retry schedule', () => {
  it('doubles from the base after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 1_000, 10_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(retryDelayMs(1_000, 1_000, 60_000)).toBe(60_000);
  });

  it('retries until the maximum number of attempts, then gives up', () => {
    const options = { retryBaseMs: 500, retryMaxMs: 60_000, maxAttempts: 3 };
    expect(afterFailure(1, options)).toEqual({ kind: 'retry', delayMs: 500 });
    expect(afterFailure(2, options)).toEqual({ kind: 'retry', delayMs: 1_000 });
    expect(afterFailure(3, options)).toEqual({ kind: 'give-up' });
  });

  it('disables an endpoint at the threshold of consecutive failures', () => {
    expect(shouldDisable(2, 3)).toBe(false);
    expect(shouldDisable(3, 3)).toBe(true);
  });

  it('describes a failure in generic words only', () => {
    expect(describeFailure(500, null)).toBe('HTTP 500');
    expect(describeFailure(302, null)).toBe('HTTP 302');
    expect(describeFailure(null, AttemptFailure.timeout)).toBe('timeout');
    expect(describeFailure(null, AttemptFailure.addressNotAllowed)).toBe('address not allowed');
    expect(describeFailure(null, null)).toBe('connection failed');
  });
});
