import { command, connectSocket, nextEvent } from '../helpers/api';
import { code, createRoom, enter, type Member, orgWithMembers, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(90_000);

describe('webinar stage, moderation, lobby and attendance', () => {
  let server: StartedServer;
  let ctx: Awaited<ReturnType<typeof orgWithMembers>>;
  const members: Member[] = [];
  const join = async (token: string, roomId: string, extra?: Record<string, unknown>) => {
    const m = await enter(server.url, token, roomId, extra);
    members.push(m);
    return m;
  };

  beforeAll(async () => {
    server = await startServer();
    ctx = await orgWithMembers(server.url, 4);
  });
  afterEach(() => members.splice(0).forEach((m) => m.socket.close()));
  afterAll(() => server?.stop());

  it('keeps webinar attendees off the air until promoted, without a rejoin; demotion closes their media', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = await join(ctx.owner.accessToken, room.id);
    expect(host.joined).toMatchObject({ role: 'host', mode: 'webinar' });
    const a = await join(ctx.people[0]!.accessToken, room.id);
    const b = await join(ctx.people[1]!.accessToken, room.id);
    expect(a.joined.role).toBe('attendee');
    // Attendees see the stage (the host), not each other; they are counted.
    expect(b.joined.peers.map((p) => p.peerId)).toEqual([host.joined.peerId]);
    expect(b.joined.participants).toBe(3);

    expect(code(await produceMic(a.socket))).toBe('FORBIDDEN');

    const queued = nextEvent(host.socket, 'hand:queue');
    expect(await command(a.socket, 'stage:raise-hand', {})).toEqual({ ok: true, data: { position: 1 } });
    expect((await queued).queue).toEqual([{ peerId: a.joined.peerId, displayName: 'Member 1', raisedAt: expect.any(String) }]);

    // An attendee cannot promote anyone.
    expect(code(await command(b.socket, 'stage:promote', { peerId: a.joined.peerId }))).toBe('FORBIDDEN');

    // Bringing someone on stage is an invitation: nothing changes until they accept.
    const invited = nextEvent(a.socket, 'stage:invitation');
    const pending = nextEvent(host.socket, 'stage:invitations');
    expect(await command(host.socket, 'stage:promote', { peerId: a.joined.peerId })).toEqual({ ok: true, data: { role: 'attendee', invited: true } });
    expect((await invited).invitation).toMatchObject({ peerId: a.joined.peerId, role: 'panelist', guest: false });
    expect((await pending).pending.map((i) => i.peerId)).toEqual([a.joined.peerId]);
    expect(code(await produceMic(a.socket))).toBe('FORBIDDEN');
    // Only the invited person answers; nobody else has an invitation to accept.
    expect(code(await command(b.socket, 'stage:respond', { accept: true }))).toBe('NOT_FOUND');

    const seenByB = nextEvent(b.socket, 'peer:joined');
    const selfUpdate = nextEvent(a.socket, 'peer:updated');
    const cleared = nextEvent(host.socket, 'stage:invitations');
    expect(await command(a.socket, 'stage:respond', { accept: true })).toEqual({ ok: true, data: { role: 'panelist' } });
    expect(await selfUpdate).toEqual({ peerId: a.joined.peerId, role: 'panelist', handRaised: false });
    expect((await cleared).pending).toEqual([]);
    expect((await seenByB).peerId).toBe(a.joined.peerId);

    const produced = await produceMic(a.socket);
    expect(code(produced)).toBe('ok');

    const closed = nextEvent(host.socket, 'producer:closed');
    const goneForB = nextEvent(b.socket, 'peer:left');
    expect(await command(host.socket, 'stage:demote', { peerId: a.joined.peerId })).toEqual({ ok: true, data: { role: 'attendee' } });
    expect((await closed).peerId).toBe(a.joined.peerId);
    expect(await goneForB).toEqual({ peerId: a.joined.peerId });
    expect(code(await produceMic(a.socket))).toBe('FORBIDDEN');
  });

  it('lets an invited attendee decline, a host withdraw an invitation, and a panelist step down', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = await join(ctx.owner.accessToken, room.id);
    const a = await join(ctx.people[0]!.accessToken, room.id);
    const b = await join(ctx.people[1]!.accessToken, room.id);

    // Declined: still in the audience, the host's list is empty again.
    expect(await command(host.socket, 'stage:promote', { peerId: a.joined.peerId })).toEqual({ ok: true, data: { role: 'attendee', invited: true } });
    const declined = nextEvent(a.socket, 'stage:invitation');
    expect(await command(a.socket, 'stage:respond', { accept: false })).toEqual({ ok: true, data: { role: 'attendee' } });
    expect((await declined).invitation).toBeNull();
    expect(code(await command(a.socket, 'stage:respond', { accept: true }))).toBe('NOT_FOUND');
    expect(code(await produceMic(a.socket))).toBe('FORBIDDEN');

    // Withdrawn by the host before an answer: the invitation is gone, the answer finds nothing.
    await command(host.socket, 'stage:promote', { peerId: b.joined.peerId });
    const withdrawn = nextEvent(b.socket, 'stage:invitation');
    expect(await command(host.socket, 'stage:demote', { peerId: b.joined.peerId })).toEqual({ ok: true, data: { role: 'attendee' } });
    expect((await withdrawn).invitation).toBeNull();
    expect(code(await command(b.socket, 'stage:respond', { accept: true }))).toBe('NOT_FOUND');

    // An attendee cannot step down; a panelist can, and their media closes.
    expect(code(await command(a.socket, 'stage:step-down', {}))).toBe('FORBIDDEN');
    await command(host.socket, 'stage:promote', { peerId: a.joined.peerId });
    expect(await command(a.socket, 'stage:respond', { accept: true })).toEqual({ ok: true, data: { role: 'panelist' } });
    expect(code(await produceMic(a.socket))).toBe('ok');
    const closed = nextEvent(host.socket, 'producer:closed');
    expect(await command(a.socket, 'stage:step-down', {})).toEqual({ ok: true, data: { role: 'attendee' } });
    expect((await closed).peerId).toBe(a.joined.peerId);
    expect(code(await produceMic(a.socket))).toBe('FORBIDDEN');
  });

  it('lets a host mute, mute all and remove; a removed person stays out for the session', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = await join(ctx.owner.accessToken, room.id);
    const a = await join(ctx.people[0]!.accessToken, room.id);
    const b = await join(ctx.people[1]!.accessToken, room.id);
    const micA = await produceMic(a.socket);
    const micB = await produceMic(b.socket);
    if (!micA.ok || !micB.ok) throw new Error('produce');

    // Attendees cannot moderate each other, nor the host.
    expect(code(await command(a.socket, 'participant:mute', { peerId: b.joined.peerId, source: 'mic' }))).toBe('FORBIDDEN');
    expect(code(await command(a.socket, 'participant:remove', { peerId: host.joined.peerId }))).toBe('FORBIDDEN');

    const told = nextEvent(a.socket, 'moderation:muted');
    const pausedForB = nextEvent(b.socket, 'producer:paused');
    expect(await command(host.socket, 'participant:mute', { peerId: a.joined.peerId, source: 'mic' })).toEqual({ ok: true, data: { muted: true } });
    expect(await told).toEqual({ source: 'mic' });
    expect(await pausedForB).toEqual({ peerId: a.joined.peerId, producerId: micA.data.producerId });

    // Self-unmute after a host mute follows the room option.
    await command(host.socket, 'room:set-options', { allowSelfUnmute: false });
    expect(code(await command(a.socket, 'media:resume-producer', { producerId: micA.data.producerId }))).toBe('FORBIDDEN');
    await command(host.socket, 'room:set-options', { allowSelfUnmute: true });
    expect(code(await command(a.socket, 'media:resume-producer', { producerId: micA.data.producerId }))).toBe('ok');

    expect(await command(host.socket, 'participant:mute-all', {})).toEqual({ ok: true, data: { muted: 2 } });

    const removed = nextEvent(b.socket, 'room:removed');
    const left = nextEvent(host.socket, 'peer:left');
    expect(code(await command(host.socket, 'participant:remove', { peerId: b.joined.peerId }))).toBe('ok');
    expect(await removed).toEqual({ roomId: room.id, reason: 'removed' });
    expect(await left).toEqual({ peerId: b.joined.peerId });
    expect(code(await command(b.socket, 'media:create-transport', { direction: 'send' }))).toBe('NOT_IN_ROOM');
    await expect(enter(server.url, ctx.people[1]!.accessToken, room.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('holds newcomers in the lobby until a host admits or denies them; a locked room turns them away', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = await join(ctx.owner.accessToken, room.id);
    expect(await command(host.socket, 'room:set-options', { lobby: true })).toEqual({ ok: true, data: { locked: false, lobby: true, allowSelfUnmute: true } });

    const waiting = await connectSocket(server.url, { token: ctx.people[2]!.accessToken });
    const denied = await connectSocket(server.url, { token: ctx.people[3]!.accessToken });
    try {
      const queue = nextEvent(host.socket, 'lobby:queue');
      expect(code(await command(waiting, 'room:join', { roomId: room.id }))).toBe('LOBBY_WAITING');
      expect((await queue).waiting.map((w) => w.displayName)).toEqual(['Member 3']);
      expect(code(await command(denied, 'room:join', { roomId: room.id }))).toBe('LOBBY_WAITING');

      // Only hosts manage the lobby.
      const a = await join(ctx.people[0]!.accessToken, room.id).catch((e) => e);
      expect(a.code).toBe('LOBBY_WAITING');

      const admitted = nextEvent(waiting, 'lobby:admitted');
      expect(await command(host.socket, 'lobby:admit', { userIds: [ctx.people[2]!.user.id] })).toEqual({ ok: true, data: { admitted: 1 } });
      expect(await admitted).toEqual({ roomId: room.id });
      const j = await command(waiting, 'room:join', { roomId: room.id });
      expect(code(j)).toBe('ok');

      const no = nextEvent(denied, 'lobby:denied');
      expect(await command(host.socket, 'lobby:deny', { userId: ctx.people[3]!.user.id })).toEqual({ ok: true, data: { denied: true } });
      expect(await no).toEqual({ roomId: room.id });

      await command(host.socket, 'room:set-options', { lobby: false, locked: true });
      expect(code(await command(denied, 'room:join', { roomId: room.id }))).toBe('ROOM_LOCKED');
      // Someone already in this session gets back in after a dropped connection, even when locked.
      waiting.disconnect();
      const back = await connectSocket(server.url, { token: ctx.people[2]!.accessToken });
      expect(code(await command(back, 'room:join', { roomId: room.id }))).toBe('ok');
      back.close();
    } finally {
      waiting.close();
      denied.close();
    }
  });

  it('records attendance per person and reports it as JSON and CSV to organisers only', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { name: 'Reported' });
    const host = await join(ctx.owner.accessToken, room.id);
    const a1 = await join(ctx.people[0]!.accessToken, room.id);
    await new Promise((r) => setTimeout(r, 300));
    a1.socket.close();
    await new Promise((r) => setTimeout(r, 200));
    const a2 = await join(ctx.people[0]!.accessToken, room.id);
    await command(a2.socket, 'room:leave', {});
    await command(host.socket, 'room:end', {});

    const report = await ctx.http.get(`/api/rooms/${room.id}/attendance`, ctx.owner.accessToken);
    expect(report.status).toBe(200);
    expect(report.body.endedAt).not.toBeNull();
    const member = report.body.people.find((p: { userId: string }) => p.userId === ctx.people[0]!.user.id);
    expect(member).toMatchObject({ displayName: 'Member 1', joins: 2, lastLeave: expect.any(String) });
    expect(member.minutes).toBeGreaterThanOrEqual(0);
    const visits = report.body.visits.filter((v: { userId: string }) => v.userId === ctx.people[0]!.user.id);
    expect(visits).toHaveLength(2);
    // The first visit lasted the ~300 ms the socket was in.
    expect(Date.parse(visits[0].leftAt) - Date.parse(visits[0].joinedAt)).toBeGreaterThanOrEqual(250);
    expect(report.body.visits.every((v: { leftAt: string | null }) => v.leftAt !== null)).toBe(true);

    const csv = await fetch(`${server.url}/api/rooms/${room.id}/attendance?format=csv`, { headers: { authorization: `Bearer ${ctx.owner.accessToken}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('name,user_id,first_join,last_leave,minutes,joins,breakout_minutes');
    expect(lines).toHaveLength(3);

    expect((await ctx.http.get(`/api/rooms/${room.id}/attendance`, ctx.people[0]!.accessToken)).body.error.code).toBe('FORBIDDEN');
    const sessions = await ctx.http.get(`/api/rooms/${room.id}/sessions`, ctx.owner.accessToken);
    expect(sessions.body[0]).toMatchObject({ id: report.body.sessionId, participants: 2 });
  });

  it('ends the session for everyone', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = await join(ctx.owner.accessToken, room.id);
    const a = await join(ctx.people[0]!.accessToken, room.id);
    expect(code(await command(a.socket, 'room:end', {}))).toBe('FORBIDDEN');
    const ended = nextEvent(a.socket, 'room:removed');
    expect(code(await command(host.socket, 'room:end', {}))).toBe('ok');
    expect(await ended).toEqual({ roomId: room.id, reason: 'ended' });
    const preview = await ctx.http.get(`/api/rooms/${room.id}`, ctx.owner.accessToken);
    expect(preview.body.participants).toBe(0);
  });
});
