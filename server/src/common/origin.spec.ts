import { originAllowed } from './origin';

describe('originAllowed (websocket upgrades)', () => {
  const cors = ['https://quorum.example.org'];
  it.each([
    [undefined, 'localhost:3000', true, 'no Origin: not a browser'],
    ['http://localhost:3000', 'localhost:3000', true, 'same origin on localhost'],
    ['http://192.168.1.20:3000', '192.168.1.20:3000', true, 'same origin from the LAN'],
    ['https://quorum.example.org', 'internal:3000', true, 'a configured origin'],
    ['https://evil.example', 'localhost:3000', false, 'another site'],
    ['http://localhost:3001', 'localhost:3000', false, 'another port'],
    ['null', 'localhost:3000', false, 'an opaque origin'],
  ] as [string | undefined, string, boolean, string][])('%s to %s: %s (%s)', (origin, host, allowed) => {
    expect(originAllowed(origin, host, cors)).toBe(allowed);
  });
});
