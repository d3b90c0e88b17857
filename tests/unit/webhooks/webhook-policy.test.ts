import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  checkWebhookUrl,
  describeFailure,
  isLoopbackHost,
  retryDelayMs,
  shouldDisable,
} from '../../../src/modules/webhooks/webhook-policy.js';

describe('checkWebhookUrl', () => {
  it('accepts https URLs', () => {
    expect(checkWebhookUrl('https://hooks.example.org/niudai', false)).toEqual({
      ok: true,
      url: 'https://hooks.example.org/niudai',
    });
  });

  it('refuses http, other schemes, credentials and non-URLs', () => {
    expect(checkWebhookUrl('http://hooks.example.org/', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('http://hooks.example.org/', true)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('ftp://hooks.example.org/', true)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('https://user:pw@hooks.example.org/', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('/relative', false)).toMatchObject({ ok: false });
    expect(checkWebhookUrl(`https://a.example/${'x'.repeat(2000)}`, false)).toMatchObject({ ok: false });
  });

  it('accepts http to loopback only when allowed', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]:9/x']) {
      expect(checkWebhookUrl(url, true)).toMatchObject({ ok: true });
      expect(checkWebhookUrl(url, false)).toMatchObject({ ok: false });
    }
    expect(checkWebhookUrl('http://10.0.0.1/hook', true)).toMatchObject({ ok: false });
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.example.org')).toBe(false);
    expect(isLoopbackHost('192.168.1.1')).toBe(false);
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

  it('describes a failure on one line', () => {
    expect(describeFailure(500, null)).toBe('HTTP 500');
    expect(describeFailure(null, 'fetch failed:\n ECONNREFUSED')).toBe('fetch failed: ECONNREFUSED');
  });
});
