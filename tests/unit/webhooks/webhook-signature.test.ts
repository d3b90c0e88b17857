import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  SECRET_PREFIX,
  signWebhook,
  verifyWebhook,
} from '../../../src/modules/webhooks/webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":7,"topic":"DEMAND_PUBLISHED"}';

  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1_700_000_000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies a genuine signature within the tolerance', () => {
    const signature = signWebhook(secret, 1_700_000_000, body);
    expect(verifyWebhook(secret, { timestamp: '1700000000', signature }, body, 1_700_000_100)).toBe(true);
  });

  it('rejects another body, another secret, an old timestamp or a missing header', () => {
    const signature = signWebhook(secret, 1_700_000_000, body);
    const at = 1_700_000_010;
    expect(verifyWebhook(secret, { timestamp: '1700000000', signature }, body + ' ', at)).toBe(false);
    expect(verifyWebhook('whsec_other', { timestamp: '1700000000', signature }, body, at)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1700000000', signature }, body, 1_700_001_000)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1700000001', signature }, body, at)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: null, signature }, body, at)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1700000000', signature: undefined }, body, at)).toBe(false);
  });

  it('makes a new, prefixed 256-bit secret each time', () => {
    const a = newWebhookSecret();
    expect(a.startsWith(SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(a.slice(SECRET_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
