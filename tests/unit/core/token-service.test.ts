import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignJWT } from 'jose';
import { TokenService } from '../../../src/core/auth.js';

/**
 * TokenService remembers verified tokens (auth.ts): a remembered token must be accepted exactly
 * when verifying it again would accept it, so it still expires on time and forgeries never enter.
 */

const SECRET = 'a-test-secret-of-at-least-32-characters!';

// Unit test files share one module cache (isolate: false): leave no fake clock or spy behind.
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TokenService', () => {
  it('verifies a token once, then answers it from memory until it expires', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z'), toFake: ['Date'] });
    const tokens = new TokenService(SECRET, 60);
    const { token, expiresAt } = await tokens.issue(42);
    const subtle = vi.spyOn(globalThis.crypto.subtle, 'verify');
    expect(await tokens.verify(token)).toEqual({ userId: 42, expiresAt });
    expect(await tokens.verify(token)).toEqual({ userId: 42, expiresAt });
    expect(subtle).toHaveBeenCalledTimes(1); // the second answer came from memory
    // At its expiry second it is refused, as jose refuses it, and not remembered any more.
    vi.setSystemTime(expiresAt);
    await expect(tokens.verify(token)).rejects.toThrow(/expired/);
    await expect(tokens.verify(token)).rejects.toThrow(/expired/);
  });

  it('never remembers a token that fails verification', async () => {
    const tokens = new TokenService(SECRET, 60);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setIssuer('niudai')
      .setAudience('niudai-api')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-characters'));
    await expect(tokens.verify(forged)).rejects.toThrow(/not valid/);
    await expect(tokens.verify(forged)).rejects.toThrow(/not valid/);
  });
});
