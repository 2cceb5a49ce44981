// Where Usher may push events (RFC 8935): a receiver on the public internet, reached over https, so that a tenant
// admin cannot make the server reach into its own network (server-side request forgery, OWASP ASVS V12.6).
//
// The check runs when a stream is configured (to refuse at once, in words) and again before every push, on the
// addresses the name resolves to then: a name that resolved to a public address yesterday may resolve to 127.0.0.1
// today (DNS rebinding). The push connects to the address checked, never resolving again (see pinnedLookup).
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface ReceiverUrlPolicy {
  /** EVENTS_ALLOW_HTTP_LOOPBACK: http:// to 127.0.0.1, ::1 or localhost is allowed (tests, a receiver beside Usher). */
  readonly allowHttpLoopback: boolean;
  /** Resolves a host name to its addresses; the system resolver unless a test gives another. */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

export type ReceiverUrlCheck =
  | { readonly ok: true; readonly url: URL; readonly address: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly reason: string };

/** Addresses that are not on the public internet: loopback, private, link-local, shared, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function familyOf(address: string): 4 | 6 | 0 {
  const family = isIP(address);
  return family === 4 || family === 6 ? family : 0;
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1, or ::ffff:a00:1 as URLs write it) is checked as the IPv4 address it is. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isPublicAddress(address: string): boolean {
  const plain = unmapped(address);
  const family = familyOf(plain);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

function isLoopbackAddress(address: string): boolean {
  const plain = unmapped(address);
  const family = familyOf(plain);
  return family !== 0 && LOOPBACK.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

const systemResolve = async (host: string): Promise<readonly string[]> => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Whether events may be pushed to `raw`, and to which address. Every address the name resolves to must be allowed
 * (an attacker's name may list a public and a private one); the first is the one to connect to.
 */
export async function checkReceiverUrl(raw: string, policy: ReceiverUrlPolicy): Promise<ReceiverUrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'The receiver URL is not a valid absolute URL.' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The receiver URL must not carry a user name or password; use the authorization header.' };
  if (url.hash !== '') return { ok: false, reason: 'The receiver URL must not have a fragment (#...).' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const loopbackName = host === 'localhost' || isLoopbackAddress(host);
  if (url.protocol === 'http:') {
    if (!(policy.allowHttpLoopback && loopbackName)) {
      return {
        ok: false,
        reason: policy.allowHttpLoopback
          ? 'The receiver URL must use https:// (http:// is allowed only to the loopback address).'
          : 'The receiver URL must use https://.',
      };
    }
  } else if (url.protocol !== 'https:') {
    return { ok: false, reason: 'The receiver URL must use https://.' };
  }

  let addresses: readonly string[];
  if (familyOf(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch {
      return { ok: false, reason: `The receiver's host name ${host} does not resolve.` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `The receiver's host name ${host} does not resolve.` };
  const allowLoopback = policy.allowHttpLoopback && loopbackName;
  for (const address of addresses) {
    if (isPublicAddress(address)) continue;
    if (allowLoopback && isLoopbackAddress(address)) continue;
    return { ok: false, reason: `The receiver's host name ${host} resolves to ${address}, which is not a public address.` };
  }
  const address = unmapped(addresses[0]!);
  return { ok: true, url, address, family: familyOf(address) as 4 | 6 };
}

/**
 * A `lookup` for node:http(s) that answers with the address already checked, so that the connection goes where the
 * check looked and a second resolution cannot be rebound. TLS still verifies the certificate against the URL's name.
 */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
