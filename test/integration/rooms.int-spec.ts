import type { OrganizationDto, RoomDto, RoomInviteDto } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, register, type TestSocket } from '../helpers/api';
import { clientDtls, opusRtpParameters, receiveCapabilities, vp8RtpParameters } from '../helpers/media-params';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('rooms: permission, capacity and signalling (real server, real worker)', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: Awaited<ReturnType<typeof register>>;
  let org: OrganizationDto;
  let room: RoomDto;
  const sockets: TestSocket[] = [];
  const connect = async (token: string) => {
    const s = await connectSocket(server.url, { token });
    sockets.push(s);
    return s;
  };
  const errorCode = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Rooms Org' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Board room', capacity: 3 }, owner.accessToken)).body;
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.close());
  });
  afterAll(() => server?.stop());

  it('creates and lists rooms for members; members cannot create them', async () => {
    expect(room).toMatchObject({ name: 'Board room', mode: 'meeting', access: 'members', capacity: 3, participants: 0 });
    const list = await http.get<RoomDto[]>(`/api/organizations/${org.id}/rooms`, owner.accessToken);
    expect(list.body.map((r) => r.id)).toEqual([room.id]);
    const stranger = await register(server.url, 'Stranger');
    expect((await http.get(`/api/organizations/${org.id}/rooms`, stranger.accessToken)).body.error.code).toBe('NOT_FOUND');
    // A members-only room answers an outsider as a room that does not exist would.
    expect((await http.get(`/api/rooms/${room.id}`, stranger.accessToken)).body.error.code).toBe('NOT_FOUND');
  });

  it('refuses to seat someone without permission, and admits them with a room invite link', async () => {
    const guest = await register(server.url, 'Guest');
    const s = await connect(guest.accessToken);
    expect(errorCode(await command(s, 'room:join', { roomId: room.id }))).toBe('NOT_FOUND');
    expect(errorCode(await command(s, 'room:join', { roomId: room.id, inviteToken: 'x'.repeat(32) }))).toBe('NOT_FOUND');
    expect(errorCode(await command(s, 'room:join', { roomId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');

    const invite = (await http.post<RoomInviteDto>(`/api/rooms/${room.id}/invites`, {}, owner.accessToken)).body;
    expect(invite.url).toContain(`/rooms/${room.id}?invite=`);
    const joined = await command(s, 'room:join', { roomId: room.id, inviteToken: invite.token });
    expect(joined.ok).toBe(true);
    expect(await command(s, 'room:leave', {})).toEqual({ ok: true, data: { left: true } });
  });

  it('answers media commands outside a room with NOT_IN_ROOM', async () => {
    const s = await connect(owner.accessToken);
    expect(errorCode(await command(s, 'media:create-transport', { direction: 'send' }))).toBe('NOT_IN_ROOM');
  });

  it('seats people up to the capacity, then answers ROOM_FULL', async () => {
    const people = await Promise.all([0, 1, 2, 3].map((i) => register(server.url, `P${i}`)));
    for (const _p of people) await http.post(`/api/rooms/${room.id}/invites`, {}, owner.accessToken);
    const invite = (await http.post<RoomInviteDto>(`/api/rooms/${room.id}/invites`, {}, owner.accessToken)).body.token;
    const socks = await Promise.all(people.map((p) => connect(p.accessToken)));
    const results = await Promise.all(socks.map((s) => command(s, 'room:join', { roomId: room.id, inviteToken: invite })));
    expect(results.map(errorCode).sort()).toEqual(['ROOM_FULL', 'ok', 'ok', 'ok']);
    const preview = await http.get(`/api/rooms/${room.id}`, owner.accessToken);
    expect(preview.body).toMatchObject({ participants: 3, canJoin: false, reason: 'ROOM_FULL' });
  });

  it('creates one live session for simultaneous joins and tells peers who comes and goes', async () => {
    const big = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Plenary' }, owner.accessToken)).body;
    const [a, b] = await Promise.all([connect(owner.accessToken), connect(owner.accessToken)]);
    const [ja, jb] = await Promise.all([command(a, 'room:join', { roomId: big.id }), command(b, 'room:join', { roomId: big.id })]);
    if (!ja.ok || !jb.ok) throw new Error('join failed');
    expect(ja.data.sessionId).toBe(jb.data.sessionId);
    expect(ja.data.routerRtpCapabilities.codecs!.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));

    const c = await connect(owner.accessToken);
    const joinedEvent = nextEvent(a, 'peer:joined');
    const jc = await command(c, 'room:join', { roomId: big.id, displayName: 'Third device' });
    if (!jc.ok) throw new Error('join failed');
    // A chosen name is ignored: people appear under their account name.
    expect(await joinedEvent).toMatchObject({ peerId: jc.data.peerId, displayName: 'Chair', producers: [] });
    expect(jc.data.peers.map((p) => p.peerId).sort()).toEqual([ja.data.peerId, jb.data.peerId].sort());

    const leftEvent = nextEvent(a, 'peer:left');
    c.close();
    expect(await leftEvent).toEqual({ peerId: jc.data.peerId });
  });

  it('produces, consumes paused, resumes, and keeps every object private to its owner', async () => {
    const hall = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Hall' }, owner.accessToken)).body;
    const [speaker, listener, intruder] = await Promise.all([connect(owner.accessToken), connect(owner.accessToken), connect(owner.accessToken)]);
    for (const s of [speaker, listener, intruder]) expect((await command(s, 'room:join', { roomId: hall.id })).ok).toBe(true);

    const send = await command(speaker, 'media:create-transport', { direction: 'send' });
    if (!send.ok) throw new Error(JSON.stringify(send));
    expect(send.data.iceCandidates.length).toBeGreaterThan(0);
    expect((await command(speaker, 'media:connect-transport', { transportId: send.data.transportId, dtlsParameters: clientDtls })).ok).toBe(true);

    const added = nextEvent(listener, 'producer:added');
    const produced = await command(speaker, 'media:produce', { transportId: send.data.transportId, kind: 'audio', rtpParameters: opusRtpParameters(), source: 'mic' });
    if (!produced.ok) throw new Error(JSON.stringify(produced));
    expect(await added).toMatchObject({ producerId: produced.data.producerId, kind: 'audio', source: 'mic', paused: false });

    // An unsupported codec and a mismatched source are refused with stable codes.
    const h265 = { ...vp8RtpParameters(), codecs: [{ mimeType: 'video/H265', payloadType: 98, clockRate: 90000 }] };
    expect(errorCode(await command(speaker, 'media:produce', { transportId: send.data.transportId, kind: 'video', rtpParameters: h265, source: 'camera' }))).toBe('UNSUPPORTED_MEDIA');
    expect(errorCode(await command(speaker, 'media:produce', { transportId: send.data.transportId, kind: 'video', rtpParameters: vp8RtpParameters(), source: 'mic' }))).toBe('INVALID_PAYLOAD');

    const recv = await command(listener, 'media:create-transport', { direction: 'recv' });
    if (!recv.ok) throw new Error('recv transport');
    // Someone else's transport is not found, and a send transport cannot receive.
    expect(errorCode(await command(intruder, 'media:consume', { transportId: recv.data.transportId, producerId: produced.data.producerId, rtpCapabilities: receiveCapabilities }))).toBe('NOT_FOUND');
    expect(errorCode(await command(speaker, 'media:consume', { transportId: send.data.transportId, producerId: produced.data.producerId, rtpCapabilities: receiveCapabilities }))).toBe('INVALID_PAYLOAD');
    expect(errorCode(await command(listener, 'media:consume', { transportId: recv.data.transportId, producerId: produced.data.producerId, rtpCapabilities: { codecs: [] } }))).toBe('UNSUPPORTED_MEDIA');

    const consumed = await command(listener, 'media:consume', { transportId: recv.data.transportId, producerId: produced.data.producerId, rtpCapabilities: receiveCapabilities });
    if (!consumed.ok) throw new Error(JSON.stringify(consumed));
    expect(consumed.data).toMatchObject({ producerId: produced.data.producerId, kind: 'audio', producerPaused: false });
    expect(errorCode(await command(intruder, 'media:resume-consumer', { consumerId: consumed.data.consumerId }))).toBe('NOT_FOUND');
    expect((await command(listener, 'media:resume-consumer', { consumerId: consumed.data.consumerId })).ok).toBe(true);
    expect(errorCode(await command(intruder, 'media:pause-producer', { producerId: produced.data.producerId }))).toBe('NOT_FOUND');
    expect(errorCode(await command(intruder, 'media:close-producer', { producerId: produced.data.producerId }))).toBe('NOT_FOUND');

    const paused = nextEvent(listener, 'producer:paused');
    expect((await command(speaker, 'media:pause-producer', { producerId: produced.data.producerId })).ok).toBe(true);
    expect(await paused).toEqual({ peerId: expect.any(String), producerId: produced.data.producerId });

    // Leaving cascades: the listener's consumer closes with the speaker's producer.
    const consumerClosed = nextEvent(listener, 'consumer:closed');
    const peerLeft = nextEvent(listener, 'peer:left');
    expect((await command(speaker, 'room:leave', {})).ok).toBe(true);
    expect(await consumerClosed).toEqual({ consumerId: consumed.data.consumerId, producerId: produced.data.producerId });
    expect(await peerLeft).toEqual({ peerId: (await added).peerId });
  });
});
