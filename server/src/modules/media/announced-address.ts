import type { NetworkInterfaceInfo } from 'node:os';

/**
 * The address put in ICE candidates. A browser cannot reach `0.0.0.0`, so when the media sockets bind
 * to every interface and nothing is configured, Quorum announces this machine's LAN address — which a
 * browser on the same machine reaches too — or, with no network, the loopback address. Pure.
 */
export interface Announced {
  address: string | undefined;
  /** How it was chosen, for the start-up log. */
  source: 'configured' | 'listen-address' | 'lan-address' | 'loopback';
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

export function announcedAddress(listenIp: string, configured: string | undefined, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): Announced {
  if (configured) return { address: configured, source: 'configured' };
  if (!WILDCARD.has(listenIp)) return { address: undefined, source: 'listen-address' };
  const candidates = Object.entries(interfaces)
    .flatMap(([name, infos]) => (infos ?? []).map((i) => ({ name, ...i })))
    .filter((i) => i.family === 'IPv4' && !i.internal && !i.address.startsWith('169.254.'));
  // Private ranges first (the LAN a small association is on), then anything else, in the system's order.
  const rank = (a: string) => (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a) ? 0 : 1);
  const best = [...candidates].sort((a, b) => rank(a.address) - rank(b.address))[0];
  return best ? { address: best.address, source: 'lan-address' } : { address: '127.0.0.1', source: 'loopback' };
}
