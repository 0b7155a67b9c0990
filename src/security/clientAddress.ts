import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request's limits count against. With no trusted proxy that is the socket's
 * peer, and X-Forwarded-For is ignored: anyone can write it. Behind `trustedProxies` proxies,
 * each of which appends the address it saw, the client is that many hops from the right; a
 * chain shorter than that, or a hop that is no address, falls back to the peer. IPv6 addresses
 * are grouped by /64, the block one subscriber usually has, so that rotating through it does
 * not escape a limit.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  let chosen = peer;
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const hops = [...forwarded, peer];
    const hop = hops[hops.length - 1 - trustedProxies];
    if (hop !== undefined && plainAddress(hop) !== undefined) chosen = hop;
  }
  return addressKey(plainAddress(chosen) ?? chosen);
}

/** The address without brackets, port or IPv4-mapped prefix; undefined when it is no IP address. */
function plainAddress(text: string): string | undefined {
  let address = text;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7);
  return isIP(address) === 0 ? undefined : address;
}

/** An IPv4 address as it is; an IPv6 address as its /64 network. */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first four groups matter here.
  const width = (groups: string[]) => groups.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  const missing = tail === undefined ? 0 : 8 - width(left) - width(right);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) =>
    group.includes('.') ? group : group.replace(/^0+(?=.)/, ''),
  );
}

const addresses = new WeakMap<IncomingMessage, string>();

/** Before routing: works out the request's client address once, for every limit that counts it. */
export function rememberClientAddress(trustedProxies: number) {
  return (req: IncomingMessage, _res: unknown, next: () => void): void => {
    addresses.set(req, clientAddress(req, trustedProxies));
    next();
  };
}

/** The client address of a request, as `rememberClientAddress` worked it out. */
export function clientAddressOf(req: IncomingMessage): string {
  return addresses.get(req) ?? clientAddress(req, 0);
}
