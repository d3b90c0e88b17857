import { describe, expect, it } from 'vitest';
import { RecentViewers, type AccountRead } from '../../../src/core/rights/recent-viewers.js';

/** A read the test resolves when it wants, counting how many were started. */
function reads(value: (n: number) => AccountRead<string>) {
  let started = 0;
  const pending: (() => void)[] = [];
  const read = () => {
    const n = ++started;
    return new Promise<AccountRead<string>>((resolve) => pending.push(() => resolve(value(n))));
  };
  return { read, started: () => started, finish: () => pending.shift()!() };
}

describe('RecentViewers', () => {
  it('keeps an account until its rights change or its time is up; 0 seconds keeps nothing', async () => {
    let now = 0;
    const cache = new RecentViewers<string>(3, () => now);
    const account = reads((n) => ({ value: `read ${n}`, organizationIds: [7] }));
    const first = cache.get(1, account.read);
    account.finish();
    expect(await first).toBe('read 1');
    expect(await cache.get(1, account.read)).toBe('read 1');
    cache.forgetOrganization(7);
    const second = cache.get(1, account.read);
    account.finish();
    expect(await second).toBe('read 2');
    now = 3000;
    const third = cache.get(1, account.read);
    account.finish();
    expect(await third).toBe('read 3');

    const off = new RecentViewers<string>(0);
    const uncached = reads((n) => ({ value: `read ${n}`, organizationIds: [] }));
    for (const n of [1, 2]) {
      const got = off.get(1, uncached.read);
      uncached.finish();
      expect(await got).toBe(`read ${n}`);
    }
    expect(off.size).toBe(0);
  });

  it('answers a read under way during a rights change, but does not keep it', async () => {
    const cache = new RecentViewers<string>(60);
    const account = reads((n) => ({ value: `read ${n}`, organizationIds: [] }));
    const before = cache.get(1, account.read);
    cache.forgetUser(1); // committed while the read was under way: it may predate the change
    const after = cache.get(1, account.read); // not shared with the read from before
    account.finish();
    account.finish();
    expect(await before).toBe('read 1');
    expect(await after).toBe('read 2');
    expect(account.started()).toBe(2);
    expect(cache.size).toBe(1);
    expect(await cache.get(1, account.read)).toBe('read 2');
  });

  it('shares one read among the requests of an account that arrive meanwhile, and keeps accounts apart', async () => {
    const cache = new RecentViewers<string>(60);
    const account = reads((n) => ({ value: `read ${n}`, organizationIds: [] }));
    const [a, b] = [cache.get(1, account.read), cache.get(1, account.read)];
    const other = cache.get(2, account.read);
    account.finish();
    account.finish();
    expect(await Promise.all([a, b, other])).toEqual(['read 1', 'read 1', 'read 2']);
  });

  it('keeps no failed read', async () => {
    const cache = new RecentViewers<string>(60);
    await expect(cache.get(1, () => Promise.reject(new Error('suspended')))).rejects.toThrow('suspended');
    expect(cache.size).toBe(0);
  });
});
