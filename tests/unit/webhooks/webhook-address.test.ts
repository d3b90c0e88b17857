import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  isAllowedAddress,
  resolveTarget,
  type HostResolver,
} from '../../../src/modules/webhooks/webhook-address.js';

// Pure classification: nothing here opens a socket or asks a DNS server.

const GLOBAL = [
  '8.8.8.8',
  '1.1.1.1',
  '172.15.255.255', // just below 172.16/12
  '172.32.0.1', // just above it
  '100.63.255.255', // just below 100.64/10
  '100.128.0.0', // just above it
  '198.17.255.255', // just below 198.18/15
  '198.20.0.0', // just above it
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '[2001:4860:4860::8888]',
  '::ffff:8.8.8.8', // IPv4-mapped global
  '64:ff9b::808:808', // NAT64 of 8.8.8.8
  '2002:808:808::1', // 6to4 of 8.8.8.8
];

const PRIVATE = [
  '127.0.0.1',
  '127.255.255.254',
  '10.0.0.1',
  '10.255.255.255',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '::1',
  '[::1]',
  'fd00::1',
  'fc00::1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1', // the same, as the URL parser writes it
  '[::ffff:7f00:1]',
  '::ffff:10.0.0.1',
  '::ffff:0:a00:1', // IPv4-translated 10.0.0.1
  '64:ff9b::a00:1', // NAT64 of 10.0.0.1
  '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
  '2002:c0a8:101::1', // 6to4 of 192.168.1.1
  '2002:7f00:1::', // 6to4 of 127.0.0.1
];

const REFUSED = [
  '0.0.0.0',
  '0.1.2.3',
  '169.254.169.254', // cloud metadata
  '169.254.0.1',
  '100.100.100.200', // a metadata service in carrier-grade NAT space
  '100.64.0.1',
  '100.127.255.255',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '240.0.0.1',
  '192.0.0.1',
  '192.0.2.1',
  '198.51.100.1',
  '203.0.113.1',
  '198.18.0.1',
  '198.19.255.255',
  '192.88.99.1',
  '::',
  'fe80::1',
  'febf::1',
  'fe80::1%eth0',
  'ff02::1',
  'fec0::1', // site-local
  '2001:db8::1', // documentation
  '3fff::1', // documentation
  '2001::1', // Teredo
  '2001:2::1', // benchmarking
  '100::1', // discard
  '64:ff9b:1::1', // local-use NAT64
  '::7f00:1', // IPv4-compatible, deprecated
  '::ffff:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
  '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
  '2002:6464:64c8::1', // 6to4 of 100.100.100.200
  '4000::1', // outside 2000::/3
  // Not an address at all, or not as the URL parser writes one: never connected to.
  '127.1',
  '0x7f000001',
  '2130706433',
  'localhost',
  '',
];

describe('classifyAddress', () => {
  it.each(GLOBAL)('%s is global', (address) => expect(classifyAddress(address)).toBe('global'));
  it.each(PRIVATE)('%s is private', (address) => expect(classifyAddress(address)).toBe('private'));
  it.each(REFUSED)('%s is refused', (address) => expect(classifyAddress(address)).toBe('refused'));
});

describe('isAllowedAddress', () => {
  it('allows only global addresses unless private networks are allowed', () => {
    for (const address of GLOBAL) {
      expect(isAllowedAddress(address, false)).toBe(true);
      expect(isAllowedAddress(address, true)).toBe(true);
    }
    for (const address of PRIVATE) {
      expect(isAllowedAddress(address, false)).toBe(false);
      expect(isAllowedAddress(address, true)).toBe(true);
    }
    for (const address of REFUSED) {
      expect(isAllowedAddress(address, false)).toBe(false);
      expect(isAllowedAddress(address, true)).toBe(false);
    }
  });
});

describe('resolveTarget', () => {
  const answers =
    (map: Record<string, string[]>): HostResolver =>
    async (hostname) => {
      const found = map[hostname];
      if (!found) throw Object.assign(new Error(`no ${hostname}`), { code: 'ENOTFOUND' });
      return found;
    };
  const noDns: HostResolver = () => {
    throw new Error('DNS must not be asked');
  };

  it('takes an IP literal as it is, without DNS', async () => {
    expect(await resolveTarget('8.8.8.8', false, noDns)).toEqual({ ok: true, address: '8.8.8.8', family: 4 });
    expect(await resolveTarget('[2001:4860:4860::8888]', false, noDns)).toEqual({
      ok: true,
      address: '2001:4860:4860::8888',
      family: 6,
    });
    expect(await resolveTarget('[::ffff:7f00:1]', false, noDns)).toEqual({
      ok: false,
      reason: 'not-allowed',
    });
    expect(await resolveTarget('127.0.0.1', true, noDns)).toMatchObject({ ok: true, address: '127.0.0.1' });
  });

  it('takes localhost names as loopback, whatever DNS says (RFC 6761)', async () => {
    for (const name of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost.']) {
      expect(await resolveTarget(name, false, noDns)).toEqual({ ok: false, reason: 'not-allowed' });
      expect(await resolveTarget(name, true, noDns)).toEqual({ ok: true, address: '127.0.0.1', family: 4 });
    }
  });

  it('refuses a name when any one of its addresses is not allowed', async () => {
    const resolver = answers({
      'mixed.test': ['8.8.8.8', '10.0.0.1'],
      'mapped.test': ['2001:4860:4860::8888', '::ffff:127.0.0.1'],
      'public.test': ['8.8.4.4', '2001:4860:4860::8844'],
    });
    expect(await resolveTarget('mixed.test', false, resolver)).toEqual({ ok: false, reason: 'not-allowed' });
    expect(await resolveTarget('mapped.test', false, resolver)).toEqual({ ok: false, reason: 'not-allowed' });
    expect(await resolveTarget('public.test', false, resolver)).toEqual({
      ok: true,
      address: '8.8.4.4',
      family: 4,
    });
  });

  it('tells a name that does not resolve', async () => {
    const resolver = answers({ 'empty.test': [] });
    expect(await resolveTarget('empty.test', false, resolver)).toEqual({ ok: false, reason: 'unresolved' });
    expect(await resolveTarget('missing.test', true, resolver)).toEqual({ ok: false, reason: 'unresolved' });
  });
});
