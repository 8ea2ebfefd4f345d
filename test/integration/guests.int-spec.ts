import { GUEST_PASSES_PER_ADDRESS, type GuestPassDto, type RoomPreviewDto } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, type TestSocket } from '../helpers/api';
import { requestId } from '../helpers/governance';
import { code, createRoom, enter, orgWithMembers, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/**
 * Guests: a public webinar's link lets someone in with a name and no account. Their pass is an
 * attendee's seat in that one room and nothing more: every other command, room and REST endpoint
 * refuses it, members rooms and meetings do not issue it, and removal or a change of the room ends it.
 */
describe('guests in a public webinar', () => {
  let server: StartedServer;
  let ctx: Awaited<ReturnType<typeof orgWithMembers>>;
  let http: ReturnType<typeof api>;
  const open: TestSocket[] = [];
  /** Passes this file took from the one test address, for the rate limit at the end. */
  let issued = 0;

  const guestPass = async (roomId: string, displayName: string) => {
    const res = await http.post(`/api/rooms/${roomId}/guests`, { displayName });
    if (res.status === 201) issued++;
    return res;
  };
  const asGuest = async (pass: GuestPassDto) => {
    const s = await connectSocket(server.url, { guestToken: pass.token });
    open.push(s);
    return s;
  };
  const refusal = (p: Promise<unknown>) => p.then(() => 'connected', (e: { data?: { code?: string } }) => e.data?.code ?? 'ERROR');

  beforeAll(async () => {
    server = await startServer();
    ctx = await orgWithMembers(server.url, 1);
    http = ctx.http;
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => server?.stop());

  it('lets a guest watch, chat, ask and raise a hand, marked as a guest to the host', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    const preview = await http.get<RoomPreviewDto>(`/api/rooms/${room.id}/guest-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ id: room.id, mode: 'webinar', access: 'public', role: 'attendee' });

    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    open.push(host.socket);
    const pass = await guestPass(room.id, '  Rosa Reader ');
    expect(pass.status).toBe(201);
    expect(pass.body).toMatchObject({ roomId: room.id, displayName: 'Rosa Reader', token: expect.any(String) });

    const guest = await asGuest(pass.body);
    const seen = nextEvent(host.socket, 'peer:joined');
    const joined = await command(guest, 'room:join', { roomId: room.id });
    if (!joined.ok) throw new Error(joined.error.code);
    expect(joined.data).toMatchObject({ role: 'attendee', guest: true, displayName: 'Rosa Reader', mode: 'webinar' });
    expect(await seen).toMatchObject({ peerId: joined.data.peerId, displayName: 'Rosa Reader', guest: true, role: 'attendee' });
    // The host is on stage: the guest can receive them.
    expect(joined.data.peers.map((p) => p.peerId)).toEqual([host.joined.peerId]);
    expect(code(await command(guest, 'media:create-transport', { direction: 'recv' }))).toBe('ok');

    const chat = nextEvent(host.socket, 'chat:message');
    expect(code(await command(guest, 'chat:send', { clientRequestId: requestId(), body: 'Hello from a guest' }))).toBe('ok');
    expect(await chat).toMatchObject({ body: 'Hello from a guest' });
    expect(code(await command(guest, 'qa:ask', { clientRequestId: requestId(), body: 'Is this recorded?' }))).toBe('ok');
    expect(code(await command(guest, 'stage:raise-hand', {}))).toBe('ok');

    // Attendees do not publish, and a guest is never invited on stage.
    expect(code(await produceMic(guest))).toBe('FORBIDDEN');
    expect(code(await command(host.socket, 'stage:promote', { peerId: joined.data.peerId }))).toBe('GUESTS_NOT_ALLOWED');
    expect(code(await command(host.socket, 'participant:set-role', { peerId: joined.data.peerId, role: 'panelist' }))).toBe('GUESTS_NOT_ALLOWED');
  });

  it('refuses a guest pass everything outside its webinar', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    const other = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    const pass = (await guestPass(room.id, 'Gus Guest')).body;
    const guest = await asGuest(pass);
    expect(code(await command(guest, 'room:join', { roomId: other.id }))).toBe('NOT_FOUND');
    expect(code(await command(guest, 'room:join', { roomId: room.id }))).toBe('ok');

    // Commands outside the guest list are refused whatever the payload.
    const forbidden: [string, unknown][] = [
      ['org:watch', { organizationId: ctx.org.id }],
      ['meeting:watch', { meetingId: room.id }],
      ['ballot:cast', { ballotId: room.id, clientRequestId: requestId(), choice: 'yes' }],
      ['poll:create', { clientRequestId: requestId(), question: 'Lunch?', options: ['Yes', 'No'] }],
      ['stage:promote', { peerId: room.id }],
      ['stage:respond', { accept: true }],
      ['media:produce', {}],
      ['participant:remove', { peerId: room.id }],
      ['room:end', {}],
      ['lobby:admit', { all: true }],
    ];
    for (const [name, payload] of forbidden) {
      const ack = (await guest.timeout(5_000).emitWithAck(name, payload)) as { ok: boolean; error?: { code: string } };
      expect([name, code(ack)]).toEqual([name, 'FORBIDDEN']);
    }

    // No REST endpoint takes the pass, read or write.
    for (const [method, path] of [
      ['get', '/api/me'],
      ['get', '/api/organizations'],
      ['get', `/api/organizations/${ctx.org.id}/rooms`],
      ['get', `/api/rooms/${room.id}`],
      ['post', '/api/organizations'],
      ['post', `/api/organizations/${ctx.org.id}/rooms`],
    ] as const) {
      const res = method === 'get' ? await http.get(path, pass.token) : await http.post(path, { name: 'Made by a guest' }, pass.token);
      expect([path, res.status]).toEqual([path, 401]);
    }

    // The pass is not an account token and an account token is not a pass.
    expect(await refusal(connectSocket(server.url, { token: pass.token }))).toBe('UNAUTHENTICATED');
    expect(await refusal(connectSocket(server.url, { guestToken: ctx.owner.accessToken }))).toBe('UNAUTHENTICATED');
    expect(await refusal(connectSocket(server.url, { guestToken: `${pass.token.slice(0, -4)}AAAA` }))).toBe('UNAUTHENTICATED');
  });

  it('keeps members rooms and meetings closed to guests', async () => {
    const cases = [
      [{ mode: 'webinar', access: 'members' }, 404, 'NOT_FOUND'],
      [{ mode: 'meeting', access: 'members' }, 404, 'NOT_FOUND'],
      [{ mode: 'meeting', access: 'public' }, 403, 'GUESTS_NOT_ALLOWED'],
    ] as const;
    for (const [settings, status, errorCode] of cases) {
      const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, settings);
      const preview = await http.get(`/api/rooms/${room.id}/guest-preview`);
      const res = await guestPass(room.id, 'Closed Door');
      expect([settings, preview.status, preview.body.error?.code, res.status, res.body.error?.code]).toEqual([settings, status, errorCode, status, errorCode]);
    }
  });

  it('ends a guest pass when a host removes the guest, and when the room stops taking guests', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    open.push(host.socket);

    const removedPass = (await guestPass(room.id, 'Removed Guest')).body;
    const removed = await asGuest(removedPass);
    const seat = await command(removed, 'room:join', { roomId: room.id });
    if (!seat.ok) throw new Error(seat.error.code);
    const gone = new Promise((r) => removed.once('disconnect', r));
    expect(code(await command(host.socket, 'participant:remove', { peerId: seat.data.peerId }))).toBe('ok');
    await gone;
    expect(await refusal(connectSocket(server.url, { guestToken: removedPass.token }))).toBe('UNAUTHENTICATED');

    // The room becomes members-only: the guest still inside is disconnected, and their pass opens nothing.
    const pass = (await guestPass(room.id, 'Late Guest')).body;
    const guest = await asGuest(pass);
    expect(code(await command(guest, 'room:join', { roomId: room.id }))).toBe('ok');
    const closed = new Promise((r) => guest.once('disconnect', r));
    expect((await http.patch(`/api/rooms/${room.id}`, { access: 'members' }, ctx.owner.accessToken)).status).toBe(200);
    await closed;
    expect(await refusal(connectSocket(server.url, { guestToken: pass.token }))).toBe('UNAUTHENTICATED');
  });

  it('limits how many guest passes one address can take', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    // Refused names are refused before they count.
    expect((await http.post(`/api/rooms/${room.id}/guests`, { displayName: '   ' })).status).toBe(400);
    expect((await http.post(`/api/rooms/${room.id}/guests`, { displayName: 'x', extra: 1 })).status).toBe(400);
    let refused: { status: number; code?: string } | null = null;
    for (let i = 0; i < GUEST_PASSES_PER_ADDRESS + 1 && !refused; i++) {
      const res = await guestPass(room.id, `Guest ${i}`);
      if (res.status !== 201) refused = { status: res.status, code: res.body.error?.code };
    }
    expect(refused).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(issued).toBe(GUEST_PASSES_PER_ADDRESS);
  });
});
