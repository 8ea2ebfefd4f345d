import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'quorum-config-'));

describe('loadConfig', () => {
  it('applies defaults and derives the public URL from the port', () => {
    const c = loadConfig({ PORT: '4100', MEDIASOUP_WORKERS: '2' }, dir());
    expect(c.port).toBe(4100);
    expect(c.publicUrl).toBe('http://localhost:4100');
    expect(c.corsOrigins).toEqual(['http://localhost:4100']);
    expect(c.media).toMatchObject({ workers: 2, rtcMinPort: 40000, rtcMaxPort: 40099, routerConsumers: 500 });
    expect(c.databaseUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }, 'BALLOT_SEAL_KEY'],
    [{ BALLOT_SEAL_KEY: 'too-short' }, 'BALLOT_SEAL_KEY'],
    [{ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' }, 'RTC_MIN_PORT'],
    [{ TURN_SERVERS: 'turn:x' }, 'TURN_SERVERS'],
    [{ TURN_SERVERS: '[{"urls":"http://x"}]' }, 'TURN_SERVERS'],
    [{ RTC_LISTEN_IP: 'not-an-ip' }, 'RTC_LISTEN_IP'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MEDIA_ROUTER_CONSUMERS: '0' }, 'MEDIA_ROUTER_CONSUMERS'],
    [{ MEDIA_ROUTER_CONSUMERS: 'many' }, 'MEDIA_ROUTER_CONSUMERS'],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL'],
    [{ REDIS_KEY_PREFIX: 'has space' }, 'REDIS_KEY_PREFIX'],
    [{ NODE_ID: 'a/b' }, 'NODE_ID'],
    [{ INTERNAL_URL: 'not a url' }, 'INTERNAL_URL'],
    [{ ROOM_LEASE_MS: '100' }, 'ROOM_LEASE_MS'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig(env, dir())).toThrow(ConfigError);
    expect(() => loadConfig(env, dir())).toThrow(new RegExp(`^\\s*${name}:`, 'm'));
  });

  it('runs as one process without REDIS_URL, and as a node of several with it', () => {
    expect(loadConfig({}, dir()).cluster).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', HOST: '10.0.0.5', PORT: '3100' }, dir()).cluster).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'quorum:',
      nodeId: expect.stringMatching(/-\d+$/),
      internalUrl: 'http://10.0.0.5:3100',
      leaseMs: 3_000,
    });
    const named = loadConfig({ REDIS_URL: 'rediss://r:6380', NODE_ID: 'node-1', INTERNAL_URL: 'http://quorum-1.internal:3000/', REDIS_KEY_PREFIX: 'q2:', ROOM_LEASE_MS: '5000' }, dir()).cluster;
    expect(named).toMatchObject({ nodeId: 'node-1', internalUrl: 'http://quorum-1.internal:3000', keyPrefix: 'q2:', leaseMs: 5_000 });
  });

  it('takes the spill-over budget of a room router from MEDIA_ROUTER_CONSUMERS', () => {
    expect(loadConfig({ MEDIA_ROUTER_CONSUMERS: '4' }, dir()).media.routerConsumers).toBe(4);
  });

  it('needs a port per worker plus one for other transports', () => {
    expect(() => loadConfig({ MEDIASOUP_WORKERS: '4', RTC_MIN_PORT: '40000', RTC_MAX_PORT: '40003' }, dir())).toThrow(/one port per worker/);
    expect(loadConfig({ MEDIASOUP_WORKERS: '4', RTC_MIN_PORT: '40000', RTC_MAX_PORT: '40004' }, dir()).media.workers).toBe(4);
  });

  it('generates a JWT secret once and keeps it in the data folder', () => {
    const cwd = dir();
    const a = loadConfig({}, cwd).jwtSecret;
    const b = loadConfig({}, cwd).jwtSecret;
    expect(a).toHaveLength(64);
    expect(b).toBe(a);
    expect(readFileSync(path.join(cwd, '.data', 'jwt-secret'), 'utf8')).toBe(a);
    expect(loadConfig({}, cwd).ballotSealKey).toHaveLength(32);
    expect(loadConfig({}, cwd).ballotSealKey.equals(loadConfig({}, cwd).ballotSealKey)).toBe(true);
  });

  it('takes a base64 seal key', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ BALLOT_SEAL_KEY: key.toString('base64') }, dir()).ballotSealKey.equals(key)).toBe(true);
  });

  it('parses TURN servers', () => {
    const c = loadConfig({ TURN_SERVERS: '[{"urls":"turn:t.example.org:3478","username":"u","credential":"p"}]' }, dir());
    expect(c.iceServers).toEqual([{ urls: 'turn:t.example.org:3478', username: 'u', credential: 'p' }]);
  });
});
