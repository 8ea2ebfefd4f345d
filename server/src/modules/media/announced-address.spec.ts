import type { NetworkInterfaceInfo } from 'node:os';
import { announcedAddress } from './announced-address';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null });
const v6 = (address: string): NetworkInterfaceInfo => ({ address, family: 'IPv6', internal: false, netmask: 'ffff::', mac: '00:00:00:00:00:00', cidr: null, scopeid: 0 });

describe('the address announced in ICE candidates', () => {
  it('is the configured one when there is one', () => {
    expect(announcedAddress('0.0.0.0', 'meet.example.org', { eth0: [v4('192.168.1.20')] })).toEqual({ address: 'meet.example.org', source: 'configured' });
  });

  it('is the listen address itself when that is a specific one', () => {
    expect(announcedAddress('127.0.0.1', undefined, { eth0: [v4('192.168.1.20')] })).toEqual({ address: undefined, source: 'listen-address' });
  });

  it('is never 0.0.0.0: the LAN address, private ranges first, skipping loopback, link-local and IPv6', () => {
    const interfaces = { lo: [v4('127.0.0.1', true)], docker0: [v4('169.254.3.3')], wan: [v4('203.0.113.9'), v6('2001:db8::1')], wlan0: [v4('10.0.0.7')] };
    expect(announcedAddress('0.0.0.0', undefined, interfaces)).toEqual({ address: '10.0.0.7', source: 'lan-address' });
    expect(announcedAddress('0.0.0.0', undefined, { wan: [v4('203.0.113.9')] })).toEqual({ address: '203.0.113.9', source: 'lan-address' });
  });

  it('falls back to loopback on a machine with no network', () => {
    expect(announcedAddress('0.0.0.0', undefined, { lo: [v4('127.0.0.1', true)] })).toEqual({ address: '127.0.0.1', source: 'loopback' });
    expect(announcedAddress('::', undefined, {})).toEqual({ address: '127.0.0.1', source: 'loopback' });
  });
});
