import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION, SOCKET_PATH } from '../../server/src/contract';
import { connectSocket, register } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(90_000);

const PRODUCTION = { NODE_ENV: 'production', BALLOT_SEAL_KEY: randomBytes(32).toString('base64') };

describe('what a production server shows the world', () => {
  let plain: StartedServer;
  let withToken: StartedServer;
  const token = `metrics-${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    [plain, withToken] = await Promise.all([startServer({ env: PRODUCTION }), startServer({ env: { ...PRODUCTION, METRICS_TOKEN: token, API_DOCS: 'true' } })]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), withToken?.stop()]);
  });

  it('keeps /metrics and /api/docs closed by default in production', async () => {
    expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${plain.url}/api/docs`)).status).toBe(404);
    expect((await fetch(`${plain.url}/api/docs/openapi.json`)).status).toBe(404);
    expect((await fetch(`${plain.url}/health`)).status).toBe(200);
  });

  it('serves /metrics to the holder of METRICS_TOKEN only, and docs when API_DOCS asks for them', async () => {
    expect((await fetch(`${withToken.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${withToken.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    const ok = await fetch(`${withToken.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('quorum_');
    expect((await fetch(`${withToken.url}/api/docs/openapi.json`)).status).toBe(200);
  });
});

describe('socket handshakes: protocol versions and origins', () => {
  let server: StartedServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer({ env: { CORS_ORIGINS: 'https://quorum.example.org' } });
    token = (await register(server.url, 'Handshaker')).accessToken;
  });
  afterAll(() => server?.stop());

  const outcome = (opts: { protocol?: number; origin?: string; transport?: 'websocket' | 'polling' }) =>
    new Promise<string>((resolve) => {
      const s = io(server.url, {
        path: SOCKET_PATH,
        transports: [opts.transport ?? 'websocket'],
        auth: { token, protocol: opts.protocol ?? PROTOCOL_VERSION },
        ...(opts.origin ? { extraHeaders: { origin: opts.origin } } : {}),
        reconnection: false,
        forceNew: true,
      });
      s.once('connect', () => (s.close(), resolve('connected')));
      s.once('connect_error', (err: Error & { data?: { code?: string } }) => (s.close(), resolve(err.data?.code ?? 'refused')));
    });

  it('accepts only the protocol versions it speaks', async () => {
    expect(await outcome({ protocol: PROTOCOL_VERSION })).toBe('connected');
    expect(await outcome({ protocol: 999 })).toBe('UNSUPPORTED_PROTOCOL');
    expect(await outcome({ protocol: PROTOCOL_VERSION + 1 })).toBe('UNSUPPORTED_PROTOCOL');
    expect(await outcome({ protocol: 0 })).toBe('CLIENT_TOO_OLD');
  });

  it('refuses a websocket opened by a page on another site, and takes its own site and CORS_ORIGINS', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await outcome({ transport, origin: 'https://evil.example' })).toBe('refused');
      expect(await outcome({ transport, origin: 'https://quorum.example.org' })).toBe('connected');
      // The same origin the page was served from, whatever it is called (here 127.0.0.1:<port>).
      expect(await outcome({ transport, origin: server.url })).toBe('connected');
    }
    // Clients that are not browsers send no Origin at all.
    await connectSocket(server.url, { token }).then((s) => s.close());
  });
});
