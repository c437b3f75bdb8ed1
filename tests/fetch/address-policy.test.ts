import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { BlockedAddressError, guardedLookup, isPublicAddress, type Resolver } from '../../src/fetch/address-policy.js';

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '114.114.114.114', '223.5.5.5', '2400:3200::1', '2001:4860:4860::8888'])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    '127.0.0.1', // loopback
    '10.1.2.3', // private
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254', // link-local (cloud metadata)
    '100.64.0.1', // carrier-grade NAT
    '0.0.0.0', // unspecified
    '224.0.0.1', // multicast
    '255.255.255.255', // broadcast
    '192.0.2.1', // documentation (reserved)
    '240.0.0.1', // reserved
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1', // unique local
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1', // IPv4-mapped loopback
    '::ffff:10.0.0.1',
    '[::1]',
    'not-an-ip',
  ])('%s is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

function lookupOnce(
  resolver: Resolver,
  publicOnly: boolean,
  hostname: string,
  all: boolean,
): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    guardedLookup(resolver, publicOnly)(hostname, { all }, (err, address, family) =>
      resolve({ err, address, ...(family === undefined ? {} : { family }) }),
    );
  });
}

describe('guardedLookup', () => {
  const answers: Record<string, LookupAddress[]> = {
    'www.eastmoney.com': [
      { address: '203.119.1.10', family: 4 },
      { address: '2400:3200::10', family: 6 },
    ],
    'mixed.example.test': [
      { address: '203.119.1.10', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ],
  };
  const resolver: Resolver = async (h) => answers[h] ?? [];

  it('refuses a name if ANY of its addresses is private', async () => {
    const { err } = await lookupOnce(resolver, true, 'mixed.example.test', true);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err?.message).toContain('10.0.0.5');
  });

  it('passes every address of a public name, or the first when all=false', async () => {
    expect((await lookupOnce(resolver, true, 'www.eastmoney.com', true)).address).toEqual(answers['www.eastmoney.com']);
    expect(await lookupOnce(resolver, true, 'www.eastmoney.com', false)).toEqual({
      err: null,
      address: '203.119.1.10',
      family: 4,
    });
  });

  it('does not check when not asked to', async () => {
    const { err, address } = await lookupOnce(resolver, false, 'mixed.example.test', true);
    expect(err).toBeNull();
    expect(address).toHaveLength(2);
  });

  it('reports an empty answer as ENOTFOUND', async () => {
    const { err } = await lookupOnce(resolver, true, 'nothing.example.test', true);
    expect(err?.code).toBe('ENOTFOUND');
  });
});
