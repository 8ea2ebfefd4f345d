import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { type OrganizationDto, PROTOCOL_VERSION, type RoomDto, type SessionDto, SOCKET_PATH } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, register, signIn, type TestSession, type TestSocket, withRefreshCookie } from '../helpers/api';
import { ballotOn, checkIn, meetingWithMotion, requestId } from '../helpers/governance';
import { createRoom } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/**
 * Every way a person's rights end — sign-out, a replayed refresh token, a new password, a deleted
 * account, removal from the organisation, demotion — reaches the sockets they already have open.
 */
describe('revoked rights reach open sockets at once', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: TestSession;
  let org: OrganizationDto;
  let room: RoomDto;
  let ballotId: string;
  let meetingId: string;
  const people: Record<string, TestSession> = {};
  const open: Socket[] = [];

  /** What one command achieves now: 'ok', the refusal's code, or that nobody answered. */
  const attempt = async (s: TestSocket, name: string, payload: unknown): Promise<string> => {
    if (!s.connected) return 'DISCONNECTED';
    try {
      const ack = (await s.timeout(2_000).emitWithAck(name, payload)) as { ok: boolean; error?: { code: string } };
      return ack.ok ? 'ok' : ack.error!.code;
    } catch {
      return 'NO_ANSWER';
    }
  };
  const REFUSED = ['DISCONNECTED', 'NO_ANSWER', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'NOT_IN_ROOM'];

  const castCount = async (userId: string): Promise<number> => {
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      return (await db.query('SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1 AND voter_id = $2', [ballotId, userId])).rows[0].n;
    } finally {
      await db.end();
    }
  };

  /** A socket of `who`, seated in the room, ready to chat and vote. */
  const seated = async (who: SessionDto): Promise<TestSocket> => {
    const s = await connectSocket(server.url, { token: who.accessToken });
    open.push(s as unknown as Socket);
    const joined = await command(s, 'room:join', { roomId: room.id });
    if (!joined.ok) throw new Error(`join: ${JSON.stringify(joined.error)}`);
    expect(await attempt(s, 'chat:send', { clientRequestId: requestId(), body: 'still here' })).toBe('ok');
    return s;
  };

  /** After the revocation: no chat, no vote (none stored either), no new join. */
  const expectPowerless = async (s: TestSocket, who: SessionDto) => {
    expect(REFUSED).toContain(await attempt(s, 'chat:send', { clientRequestId: requestId(), body: 'after the end' }));
    expect(REFUSED).toContain(await attempt(s, 'ballot:cast', { clientRequestId: requestId(), ballotId, seatId: who.user.id, choice: 'yes' }));
    expect(REFUSED).toContain(await attempt(s, 'room:join', { roomId: room.id }));
    expect(await castCount(who.user.id)).toBe(0);
  };

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Revocation Society' }, owner.accessToken)).body;
    room = await createRoom(server.url, owner.accessToken, org.id, { access: 'members' });
    const invite = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body.token as string;
    const adminInvite = (await http.post(`/api/organizations/${org.id}/invitations`, { role: 'admin' }, owner.accessToken)).body.token as string;
    for (const name of ['signout', 'replay', 'password', 'deleted', 'removed', 'recovery', 'forged', 'watcher', 'late']) {
      people[name] = await register(server.url, name);
      expect((await http.post(`/api/invitations/${invite}/accept`, undefined, people[name]!.accessToken)).status).toBe(200);
    }
    people.demoted = await register(server.url, 'demoted');
    expect((await http.post(`/api/invitations/${adminInvite}/accept`, undefined, people.demoted.accessToken)).status).toBe(200);
    const { meeting, motionId } = await meetingWithMotion(server.url, owner.accessToken, org.id, { voterBasis: 'members' }, people.watcher!.accessToken);
    meetingId = meeting.id;
    await checkIn(server.url, [owner, ...Object.values(people).filter((p) => p !== people.late)], meeting.id);
    ballotId = (await ballotOn(server.url, owner.accessToken, meeting.id, { motionId, secrecy: 'secret', rule: 'simple' })).id;
    expect((await http.post(`/api/ballots/${ballotId}/open`, {}, owner.accessToken)).body.status).toBe('open');
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await server?.stop();
  });

  it('sign-out', async () => {
    const who = people.signout!;
    const s = await seated(who);
    expect((await withRefreshCookie(server.url, '/api/auth/sign-out', who.refreshToken)).status).toBe(204);
    expect((await http.get('/api/me', who.accessToken)).status).toBe(401);
    await expectPowerless(s, who);
  });

  it('reuse of a rotated refresh token (the stolen-token case)', async () => {
    const who = people.replay!;
    const s = await seated(who);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', who.refreshToken)).status).toBe(200);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', who.refreshToken)).status).toBe(401);
    await expectPowerless(s, who);
  });

  it('a password change ends the other sessions', async () => {
    const who = people.password!;
    const s = await seated(who);
    const other = await signIn(server.url, who.user.email);
    expect((await http.post('/api/me/password', { currentPassword: 'wrong password here', newPassword: 'Correct horse battery staple 42' }, other.accessToken)).status).toBe(401);
    expect((await http.post('/api/me/password', { currentPassword: 'a long enough password', newPassword: 'Correct horse battery staple 42' }, other.accessToken)).status).toBe(204);
    await expectPowerless(s, who);
    // The session that changed it goes on.
    expect((await http.get('/api/me', other.accessToken)).status).toBe(200);
  });

  it('a deleted account (removed by an operator, straight in the database)', async () => {
    const who = people.deleted!;
    const s = await seated(who);
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query('DELETE FROM presence_log WHERE user_id = $1', [who.user.id]);
      await db.query('DELETE FROM users WHERE id = $1', [who.user.id]);
    } finally {
      await db.end();
    }
    // Another node (here: SQL) ended it: the next check against the database, within seconds, sees it.
    await new Promise((r) => setTimeout(r, 5_500));
    const first = await attempt(s, 'room:join', { roomId: room.id });
    expect(REFUSED).toContain(first);
    expect(first).not.toBe('INTERNAL');
    await expectPowerless(s, who);
  });

  it('removal from the organisation: out of its members room, its page and its chat', async () => {
    const who = people.removed!;
    const s = await seated(who);
    expect((await command(s, 'org:watch', { organizationId: org.id })).ok).toBe(true);
    expect((await command(s, 'meeting:watch', { meetingId })).ok).toBe(true);
    const heard: string[] = [];
    s.on('org:changed', () => heard.push('org:changed'));
    s.on('quorum:changed', () => heard.push('quorum:changed'));
    expect((await http.del(`/api/organizations/${org.id}/members/${who.user.id}`, owner.accessToken)).status).toBe(204);
    expect(REFUSED).toContain(await attempt(s, 'chat:send', { clientRequestId: requestId(), body: 'after removal' }));
    expect(REFUSED).toContain(await attempt(s, 'room:join', { roomId: room.id }));
    // Later organisation and meeting changes are not sent to them.
    await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken);
    const control = await connectSocket(server.url, { token: owner.accessToken });
    open.push(control as unknown as Socket);
    expect((await command(control, 'meeting:watch', { meetingId })).ok).toBe(true);
    const controlHeard = nextEvent(control, 'quorum:changed');
    await checkIn(server.url, [people.late!], meetingId);
    await controlHeard; // a member still watching hears it
    await new Promise((r) => setTimeout(r, 300));
    expect(heard).toEqual([]);
  });

  it('demotion from admin: no host actions on the open socket', async () => {
    const who = people.demoted!;
    const s = await seated(who);
    expect(await attempt(s, 'room:set-options', { lobby: false })).toBe('ok');
    expect((await http.patch(`/api/organizations/${org.id}/members/${who.user.id}`, { role: 'member' }, owner.accessToken)).status).toBe(204);
    expect(REFUSED).toContain(await attempt(s, 'room:set-options', { lobby: true }));
    expect(REFUSED).toContain(await attempt(s, 'room:end', {}));
    // The room is still on for everyone else.
    const host = await seated(owner);
    expect(await attempt(host, 'room:set-options', { lobby: false })).toBe('ok');
  });

  /** A client that reconnects by itself after a dropped transport, as the web client does. */
  const reconnecting = async (who: SessionDto) => {
    const s: Socket = io(server.url, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      auth: { token: who.accessToken, protocol: PROTOCOL_VERSION },
      reconnectionDelay: 300,
      reconnectionDelayMax: 300,
      randomizationFactor: 0,
    });
    open.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    expect((await s.timeout(5_000).emitWithAck('room:join', { roomId: room.id })).ok).toBe(true);
    return s;
  };
  const outcomeOfReconnect = (s: Socket) =>
    new Promise<string>((resolve) => {
      s.once('connect', () => resolve(s.recovered ? 'recovered' : 'connected'));
      s.once('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? 'error'));
    });

  it('a dropped connection that comes back with a forged token is refused, not recovered', async () => {
    const who = people.forged!;
    const s = await reconnecting(who);
    (s.auth as { token: string }).token = 'forged.token.value';
    const outcome = outcomeOfReconnect(s);
    s.io.engine.close();
    expect(await outcome).toBe('UNAUTHENTICATED');
    s.close();
  });

  it('a connection dropped before a sign-out does not come back after it', async () => {
    const who = people.recovery!;
    const s = await reconnecting(who);
    s.io.reconnectionDelay(1_500);
    s.io.reconnectionDelayMax(1_500);
    const outcome = outcomeOfReconnect(s);
    s.io.engine.close();
    expect((await withRefreshCookie(server.url, '/api/auth/sign-out', who.refreshToken)).status).toBe(204);
    expect(await outcome).toBe('UNAUTHENTICATED');
    expect(s.connected).toBe(false);
    s.close();
    expect(await castCount(who.user.id)).toBe(0);
  });
});
