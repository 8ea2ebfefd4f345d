import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, SOCKET_PATH, type OrganizationDto } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, refreshSession, register } from '../helpers/api';
import { addMembers, ballotOn, cast, checkIn, meetingWithMotion } from '../helpers/governance';
import { code, createRoom, enter, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('reconnects, shutdown, token expiry, headers and inert input', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: { ACCESS_TOKEN_TTL_SECONDS: '5', CORS_ORIGINS: 'https://quorum.example.org' } });
  });
  afterAll(() => server?.stop());

  it('resumes a socket dropped for 5 s into the same room state and delivers the chat it missed, once', async () => {
    const ctx = await orgWithMembers(server.url, 1);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    const member = ctx.people[0]!;
    // A client that reconnects by itself, 5 s after a drop.
    // Its access token (5 s here) has expired by then: like the web client, it fetches a fresh one to come back.
    let first = true;
    const auth = (cb: (a: object) => void) => {
      if (first) return (first = false), cb({ token: member.accessToken, protocol: PROTOCOL_VERSION });
      void refreshSession(server.url, member).then((token) => cb({ token, protocol: PROTOCOL_VERSION }));
    };
    const s: Socket = io(server.url, { path: SOCKET_PATH, transports: ['websocket'], auth, reconnectionDelay: 5_000, reconnectionDelayMax: 5_000, randomizationFactor: 0 });
    try {
      await new Promise<void>((r) => s.once('connect', () => r()));
      const joined = await s.timeout(5_000).emitWithAck('room:join', { roomId: room.id });
      expect(joined.ok).toBe(true);
      expect((await s.timeout(5_000).emitWithAck('stage:raise-hand', {})).ok).toBe(true);
      expect((await command(host.socket, 'stage:promote', { peerId: joined.data.peerId })).ok).toBe(true);
      expect((await s.timeout(5_000).emitWithAck('stage:respond', { accept: true })).data).toEqual({ role: 'panelist' });
      expect((await s.timeout(5_000).emitWithAck('stage:raise-hand', {})).ok).toBe(false); // panelists do not raise hands in webinars

      const chat: string[] = [];
      s.on('chat:message', (m: { body: string }) => chat.push(m.body));
      const firstId = s.id;
      const dropped = Date.now();
      s.io.engine.close(); // the network goes away
      await new Promise((r) => setTimeout(r, 200));
      for (const body of ['while you were away 1', 'while you were away 2']) {
        expect(code(await command(host.socket, 'chat:send', { clientRequestId: `missed-${body.slice(-1)}-${Date.now()}`, body }))).toBe('ok');
      }
      await new Promise<void>((r) => s.once('connect', () => r()));
      const resumedAfter = Date.now() - dropped;
      await new Promise((r) => setTimeout(r, 300));
      expect(resumedAfter).toBeGreaterThanOrEqual(4_500);
      expect(s.recovered).toBe(true);
      expect(s.id).toBe(firstId);
      expect(chat).toEqual(['while you were away 1', 'while you were away 2']);
      // Still seated, still a panelist (may publish), without joining again.
      const t = await s.timeout(5_000).emitWithAck('media:create-transport', { direction: 'send' });
      expect(t.ok).toBe(true);
      const view = await s.timeout(5_000).emitWithAck('qa:list', {});
      expect(view.ok).toBe(true);
      const roster = await command(host.socket, 'room:set-options', { allowSelfUnmute: true });
      expect(roster.ok).toBe(true);
    } finally {
      s.close();
      host.socket.close();
    }
  });

  it('expires access tokens and refuses them with TOKEN_EXPIRED', async () => {
    const s = await register(server.url, 'Brief');
    expect((await api(server.url).get('/api/me', s.accessToken)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 6_000));
    const late = await api(server.url).get('/api/me', s.accessToken);
    expect([late.status, late.body.error.code]).toEqual([401, 'TOKEN_EXPIRED']);
    const refused = await connectSocket(server.url, { token: s.accessToken }).catch((e) => e.data?.code);
    expect(refused).toBe('TOKEN_EXPIRED');
  });

  it('sends security headers and refuses cross-origin calls from unknown sites', async () => {
    const res = await fetch(`${server.url}/api/docs/openapi.json`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const evil = await fetch(`${server.url}/api/auth/sign-in`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const good = await fetch(`${server.url}/api/auth/sign-in`, { method: 'OPTIONS', headers: { origin: 'https://quorum.example.org', 'access-control-request-method': 'POST' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://quorum.example.org');
  });

  it('stores SQL and script payloads as plain text and returns them unchanged', async () => {
    const owner = await register(server.url, `Robert'); DROP TABLE users;--`);
    const http = api(server.url);
    const name = `<script>alert("x")</script>' OR '1'='1`;
    const org = await http.post<OrganizationDto>('/api/organizations', { name, description: '"; DELETE FROM memberships; --' }, owner.accessToken);
    expect(org.status).toBe(201);
    expect(org.body.name).toBe(name);
    const again = await http.get<OrganizationDto[]>('/api/organizations', owner.accessToken);
    expect(again.body[0]).toMatchObject({ name, description: '"; DELETE FROM memberships; --' });
    expect((await http.get('/api/me', owner.accessToken)).body.displayName).toBe(`Robert'); DROP TABLE users;--`);
    const members = await http.get(`/api/organizations/${org.body.id}/members`, owner.accessToken);
    expect(members.body).toHaveLength(1);
  });
});

describe('graceful shutdown', () => {
  it('drains on SIGTERM: clients are told, the vote in flight is acknowledged and kept, the ballot stays open across the restart', async () => {
    const JWT_SECRET = 'a-stable-secret-for-both-runs-of-this-server';
    const server = await startServer({ env: { SHUTDOWN_GRACE_MS: '5000', JWT_SECRET } });
    const http = api(server.url);
    const chair = await register(server.url, 'Chair');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Drain Org' }, chair.accessToken)).body;
    const voters = await addMembers(server.url, chair.accessToken, org.id, 3);
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members' }, voters[0]!.accessToken);
    await checkIn(server.url, voters, meeting.id);
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId });
    await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    const socks = await Promise.all(voters.map((v) => connectSocket(server.url, { token: v.accessToken })));
    try {
      const told = nextEvent(socks[0]!, 'server:draining');
      const inFlight = cast(socks[1]!, ballot.id, voters[1]!.user.id, 'yes');
      server.process.kill('SIGTERM');
      expect(await told).toEqual({ retryInMs: expect.any(Number) });
      expect((await inFlight).ok).toBe(true);
      const exited = await new Promise<number | null>((r) => server.process.once('exit', (c) => r(c)));
      expect(exited).toBe(0);
    } finally {
      socks.forEach((s) => s.close());
    }
    // Restart on the same database: the ballot is still open with the vote counted, and voting goes on.
    const again = await startServer({ env: { DATABASE_URL: server.databaseUrl, JWT_SECRET } });
    try {
      const view = await api(again.url).get(`/api/ballots/${ballot.id}`, chair.accessToken);
      expect(view.body).toMatchObject({ status: 'open', turnout: { cast: 1, entitled: 4 } });
      const s = await connectSocket(again.url, { token: voters[2]!.accessToken });
      expect(code(await cast(s, ballot.id, voters[2]!.user.id, 'no'))).toBe('ok');
      s.close();
    } finally {
      await again.stop();
      await server.stop().catch(() => undefined);
      const { dropDatabase } = await import('../helpers/server-process');
      await dropDatabase(server.databaseUrl);
    }
  });
});
