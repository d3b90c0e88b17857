/**
 * Which network addresses the hub may POST webhooks to, so that an endpoint URL can never make the
 * hub reach its own network (loopback, private ranges, cloud metadata services, other processes on
 * its own host). Ranges come from ipaddr.js (`range()`); the embedded-IPv4 forms of IPv6 are judged
 * by the IPv4 address they carry.
 *
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * How an address is judged: `global` may always be reached; `private` (loopback, RFC 1918, IPv6
 * unique-local) only under WEBHOOKS_ALLOW_PRIVATE_NETWORKS; `refused` never (unspecified, link-local,
 * carrier-grade NAT, multicast, broadcast, documentation, benchmarking, reserved, tunnels…).
 */
export type AddressClass = 'global' | 'private' | 'refused';

/** IPv4 ranges reachable under WEBHOOKS_ALLOW_PRIVATE_NETWORKS: the local machine and RFC 1918. */
const PRIVATE_V4 = new Set(['loopback', 'private']);
/** IPv6 ranges reachable under WEBHOOKS_ALLOW_PRIVATE_NETWORKS: ::1 and fc00::/7. */
const PRIVATE_V6 = new Set(['loopback', 'uniqueLocal']);
/** 2000::/3, the only IPv6 block IANA allocates for global unicast. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** 64:ff9b::/96, the well-known NAT64 prefix: its last 32 bits are the IPv4 address reached. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

function classifyV4(address: ipaddr.IPv4): AddressClass {
  const range = address.range();
  if (range === 'unicast') return 'global';
  return PRIVATE_V4.has(range) ? 'private' : 'refused';
}

/** The IPv4 address bits 16–47 of a 6to4 (2002::/16) address name. */
function sixToFourV4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [, high = 0, low = 0] = address.parts;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 address in the last 32 bits (IPv4-mapped, IPv4-translated, NAT64). */
function lastV4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12));
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  const range = address.range();
  // These forms reach (or tunnel to) an IPv4 address: they are what that address is.
  if (range === 'ipv4Mapped' || range === 'rfc6145') return classifyV4(lastV4(address));
  if (address.match(NAT64_WELL_KNOWN)) return classifyV4(lastV4(address));
  if (range === '6to4') return classifyV4(sixToFourV4(address));
  if (PRIVATE_V6.has(range)) return 'private';
  // Everything outside 2000::/3 is reserved (the IPv4-compatible ::a.b.c.d included), and
  // special-purpose blocks inside it (Teredo, documentation, benchmarking, ORCHID…) have their own
  // range name.
  return range === 'unicast' && address.match(GLOBAL_UNICAST_V6) ? 'global' : 'refused';
}

/**
 * Classifies one IP address as `dns.lookup` or the WHATWG URL parser give it (IPv6 with or without
 * brackets). Anything that does not parse as a plain IPv4 or IPv6 address is `refused`.
 */
export function classifyAddress(raw: string): AddressClass {
  const text = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  // Only canonical forms: the URL parser has already turned `127.1`, `0x7f000001` and `2130706433`
  // into dotted quads, and ipaddr's lenient IPv4 parser must not reinterpret anything else.
  const family = isIP(text);
  if (family === 0) return 'refused';
  if (family === 4) return classifyV4(ipaddr.IPv4.parse(text));
  return classifyV6(ipaddr.IPv6.parse(text));
}

/** Whether the hub may connect to `address`; private ones only when `allowPrivateNetworks`. */
export function isAllowedAddress(address: string, allowPrivateNetworks: boolean): boolean {
  const kind = classifyAddress(address);
  return kind === 'global' || (kind === 'private' && allowPrivateNetworks);
}

/** All addresses of a host name, in the resolver's order (empty or a throw: it does not resolve). */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** The system resolver (`getaddrinfo`, so /etc/hosts counts), every address it gives. */
export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** RFC 6761: `localhost` and names under it are the local machine, whatever DNS would say. */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Where a URL's host may be reached, or why not. */
export type ResolvedTarget =
  { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: 'unresolved' | 'not-allowed' };

/**
 * Resolves a URL host (as `URL.hostname` gives it) once and checks every address it resolves to:
 * one address outside the allowed ranges refuses the host, so a name cannot mix a public address
 * with an internal one and hope for the latter. The caller connects to the returned address and
 * nothing else, so the answer cannot change between this check and the connection.
 */
export async function resolveTarget(
  hostname: string,
  allowPrivateNetworks: boolean,
  resolve: HostResolver,
): Promise<ResolvedTarget> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  let addresses: string[];
  if (isIP(literal)) addresses = [literal];
  else if (isLocalhostName(literal)) addresses = ['127.0.0.1'];
  else {
    try {
      addresses = await resolve(literal);
    } catch {
      return { ok: false, reason: 'unresolved' };
    }
  }
  const first = addresses[0];
  if (first === undefined) return { ok: false, reason: 'unresolved' };
  if (!addresses.every((address) => isAllowedAddress(address, allowPrivateNetworks)))
    return { ok: false, reason: 'not-allowed' };
  return { ok: true, address: first, family: isIP(first) === 6 ? 6 : 4 };
}

/**
 * Where this process may send webhooks: the setting and the resolver, shared by registration and the
 * worker so that both judge a host alike.
 */
export class WebhookNetwork {
  /** How host names are resolved; tests swap in a fixed answer so that none needs a DNS server. */
  resolver: HostResolver = systemResolver;

  constructor(readonly allowPrivateNetworks: boolean) {}

  /** Resolves and checks a URL's host ({@link resolveTarget}). */
  resolve(hostname: string): Promise<ResolvedTarget> {
    return resolveTarget(hostname, this.allowPrivateNetworks, this.resolver);
  }
}
