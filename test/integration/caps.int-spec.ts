import type { OrganizationDto, SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, register, type TestSocket } from '../helpers/api';
import { code, createRoom, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(240_000);

const refusal = (p: Promise<unknown>) =>
  p.then(
    (s) => ((s as TestSocket).close(), 'connected'),
    (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message,
  );

describe('caps on the default settings: a heavy legitimate host is not hit', () => {
  let server: StartedServer;
  const open: TestSocket[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await server?.stop();
  });

  it('a host on 6 devices and a 1,000-socket webinar from one address all get in; an 11th socket of one account does not', async () => {
    const http = api(server.url);
    const host = await register(server.url, 'Busy Host');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Big Library' }, host.accessToken)).body;
    const room = await createRoom(server.url, host.accessToken, org.id, { mode: 'webinar', access: 'public', capacity: 2000 });
    for (let i = 0; i < 6; i++) {
      const s = await connectSocket(server.url, { token: host.accessToken });
      open.push(s);
      expect(code(await command(s, 'room:join', { roomId: room.id }))).toBe('ok');
    }
    // 100 attendees with 10 connections each, all from 127.0.0.1 (one NAT address).
    const attendees: SessionDto[] = [];
    for (let i = 0; i < 100; i += 10) attendees.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => register(server.url, `Reader ${i + k}`)))));
    const sockets: TestSocket[] = [];
    for (const a of attendees) sockets.push(...(await Promise.all(Array.from({ length: 10 }, () => connectSocket(server.url, { token: a.accessToken })))));
    open.push(...sockets);
    expect(sockets.length).toBe(1_000);
    const joins: string[] = [];
    for (let i = 0; i < sockets.length; i += 100) joins.push(...(await Promise.all(sockets.slice(i, i + 100).map(async (s) => code(await command(s, 'room:join', { roomId: room.id }, 30_000))))));
    expect(joins.filter((c) => c !== 'ok')).toEqual([]);
    // The eleventh connection of one account is refused with a stable code.
    expect(await refusal(connectSocket(server.url, { token: attendees[0]!.accessToken }))).toBe('TOO_MANY_CONNECTIONS');
    // A closed one frees its place.
    sockets[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await refusal(connectSocket(server.url, { token: attendees[0]!.accessToken }))).toBe('connected');
  });
});

describe('caps, lowered by configuration', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  const open: TestSocket[] = [];
  beforeAll(async () => {
    server = await startServer({
      env: { MAX_SOCKETS_PER_IP: '4', MAX_TRANSPORTS_PER_DIRECTION: '2', MAX_CONSUMERS_PER_PRODUCER: '1', ROOMS_PER_HOUR: '3', ORGANIZATIONS_PER_HOUR: '2' },
    });
    http = api(server.url);
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await server?.stop();
  });

  it('transports per peer and direction, and consumers per producer per peer', async () => {
    const owner = await register(server.url, 'Owner');
    const viewer = await register(server.url, 'Viewer');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Media Club' }, owner.accessToken)).body;
    const room = await createRoom(server.url, owner.accessToken, org.id, { access: 'public' });
    const a = await connectSocket(server.url, { token: owner.accessToken });
    const b = await connectSocket(server.url, { token: viewer.accessToken });
    open.push(a, b);
    expect(code(await command(a, 'room:join', { roomId: room.id }))).toBe('ok');
    const joined = await command(b, 'room:join', { roomId: room.id });
    if (!joined.ok) throw new Error(JSON.stringify(joined.error));
    const produced = await produceMic(a);
    if (!produced.ok) throw new Error(JSON.stringify(produced.error));
    expect(code(await command(a, 'media:create-transport', { direction: 'send' }))).toBe('ok');
    expect(code(await command(a, 'media:create-transport', { direction: 'send' }))).toBe('TOO_MANY_TRANSPORTS');
    // A burst at once does not slip past either.
    const burst = await Promise.all(Array.from({ length: 10 }, () => command(b, 'media:create-transport', { direction: 'recv' })));
    expect(burst.filter((r) => r.ok)).toHaveLength(2);
    expect(new Set(burst.filter((r) => !r.ok).map(code))).toEqual(new Set(['TOO_MANY_TRANSPORTS']));
    const recv = burst.find((r) => r.ok)!;
    if (!recv.ok) throw new Error('unreachable');
    const consume = () =>
      command(b, 'media:consume', { transportId: recv.data.transportId, producerId: produced.data.producerId, rtpCapabilities: joined.data.routerRtpCapabilities });
    const copies = await Promise.all(Array.from({ length: 5 }, consume));
    expect(copies.map(code).sort()).toEqual(['TOO_MANY_CONSUMERS', 'TOO_MANY_CONSUMERS', 'TOO_MANY_CONSUMERS', 'TOO_MANY_CONSUMERS', 'ok']);
    a.close();
    b.close();
  });

  it('sockets per address', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => register(server.url, `Neighbour ${i}`)));
    const first = await Promise.all(people.slice(0, 4).map((p) => connectSocket(server.url, { token: p.accessToken })));
    open.push(...first);
    expect(await refusal(connectSocket(server.url, { token: people[4]!.accessToken }))).toBe('TOO_MANY_CONNECTIONS');
    first[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await refusal(connectSocket(server.url, { token: people[4]!.accessToken }))).toBe('connected');
  });

  it('organisations and rooms per account per hour, bursts included', async () => {
    const maker = await register(server.url, 'Maker');
    const orgs = await Promise.all(Array.from({ length: 6 }, (_, i) => http.post<OrganizationDto>('/api/organizations', { name: `Club ${i}` }, maker.accessToken)));
    expect(orgs.map((r) => r.status).sort()).toEqual([201, 201, 429, 429, 429, 429]);
    expect((orgs.find((r) => r.status === 429)!.body as unknown as { error: { code: string } }).error.code).toBe('QUOTA_EXCEEDED');
    const org = orgs.find((r) => r.status === 201)!.body;
    const rooms = await Promise.all(Array.from({ length: 8 }, (_, i) => http.post(`/api/organizations/${org.id}/rooms`, { name: `Room ${i}` }, maker.accessToken)));
    expect(rooms.filter((r) => r.status === 201)).toHaveLength(3);
    expect(new Set(rooms.filter((r) => r.status !== 201).map((r) => r.body.error.code))).toEqual(new Set(['QUOTA_EXCEEDED']));
    // Someone else's quota is their own.
    const other = await register(server.url, 'Other');
    expect((await http.post('/api/organizations', { name: 'Other Club' }, other.accessToken)).status).toBe(201);
  });
});
