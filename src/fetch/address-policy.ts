import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** One resolved address, as `dns.lookup(name, { all: true })` returns them. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has. Defaults to the system resolver (getaddrinfo). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver: every address getaddrinfo gives for the name. */
export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * True when `ip` is a public unicast address: not private, loopback, link-local, unique-local,
 * carrier-grade NAT, reserved, unspecified, multicast, broadcast, documentation, or an IPv4-mapped
 * / translated form of one of those.
 */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // Drop an IPv6 zone id (fe80::1%eth0): it only ever comes with link-local addresses.
  const noZone = bare.includes('%') ? bare.slice(0, bare.indexOf('%')) : bare;
  if (!ipaddr.isValid(noZone)) return false;
  // process() turns ::ffff:10.0.0.1 into 10.0.0.1 so it is judged as the IPv4 address it is.
  const addr = ipaddr.process(noZone);
  return addr.range() === 'unicast';
}

/** The address literal of a URL hostname (brackets of IPv6 removed), or undefined for a name. */
export function ipLiteralOf(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return net.isIP(bare) !== 0 ? bare : undefined;
}

/** Thrown from the guarded lookup when a name resolves to an address we may not connect to. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  readonly hostname: string;
  readonly address: string;

  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to non-public address ${address}`);
    this.name = 'BlockedAddressError';
    this.hostname = hostname;
    this.address = address;
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** The shape of `net.connect`'s `lookup` option. */
export type LookupFunction = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

/**
 * A `net.connect` lookup that resolves with `resolver` and, when `publicOnly`, refuses the whole
 * name if ANY of its addresses is not public. The socket then connects to exactly the addresses
 * checked here, so a second DNS answer cannot slip a private address in between check and connect.
 */
export function guardedLookup(resolver: Resolver, publicOnly: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (all) => {
        let addresses = all;
        if (options.family === 4 || options.family === 6) {
          addresses = all.filter((a) => a.family === options.family);
        }
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '');
          return;
        }
        if (publicOnly) {
          const bad = all.find((a) => !isPublicAddress(a.address));
          if (bad) {
            callback(new BlockedAddressError(hostname, bad.address), '');
            return;
          }
        }
        if (options.all === true) {
          callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
        } else {
          const first = addresses[0]!;
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}
