// Breakout groups: a meeting of 12 split into 3 groups sees, hears and chats only within each group
// (checked on the server's consumers, not only on what clients are told), comes back at one call, and
// the attendance report carries the time spent in groups.
import type { AttendanceDto, BreakoutState } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, type TestSocket } from '../helpers/api';
import { receiveCapabilities } from '../helpers/media-params';
import { code, createRoom, enter, type Member, orgWithMembers, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

const PEOPLE = 12;
const GROUPS = 3;

interface Person extends Member {
  userId: string;
  producerId: string;
  recv: string;
  /** Consumer id by producer id: what this person receives. */
  consumers: Map<string, string>;
  /** Peers this person is told about (join info + peer:joined − peer:left), by peer id. */
  sees: Set<string>;
  /** The latest round this person was sent. */
  state: BreakoutState | null;
}

/** Consumers the server holds right now (every router of the room; no pipes on one worker). */
async function serverConsumers(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('quorum_mediasoup_consumers '));
  if (!line) throw new Error('no consumer gauge in /metrics');
  return Number(line.split(' ')[1]);
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

describe('breakout groups', () => {
  let server: StartedServer;
  let ctx: Awaited<ReturnType<typeof orgWithMembers>>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startServer();
    ctx = await orgWithMembers(server.url, PEOPLE);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => server?.stop());

  /** Joins, publishes a microphone and opens a receive transport; tracks whom the person is shown. */
  async function person(token: string, roomId: string, userId: string): Promise<Person> {
    const m = await enter(server.url, token, roomId);
    sockets.push(m.socket);
    const p: Person = { ...m, userId, producerId: '', recv: '', consumers: new Map(), sees: new Set(m.joined.peers.map((x) => x.peerId)), state: m.joined.breakout };
    m.socket.on('peer:joined', (e) => p.sees.add(e.peerId));
    m.socket.on('peer:left', (e) => p.sees.delete(e.peerId));
    m.socket.on('breakout:state', (e) => (p.state = e.state));
    m.socket.on('consumer:closed', (e) => p.consumers.delete(e.producerId));
    const mic = await produceMic(m.socket);
    if (!mic.ok) throw new Error(`produce: ${mic.error.code}`);
    p.producerId = mic.data.producerId;
    const recv = await command(m.socket, 'media:create-transport', { direction: 'recv' });
    if (!recv.ok) throw new Error(`recv: ${recv.error.code}`);
    p.recv = recv.data.transportId;
    return p;
  }

  const consume = (from: Person, of: Person) => command(from.socket, 'media:consume', { transportId: from.recv, producerId: of.producerId, rtpCapabilities: receiveCapabilities });

  it('splits 12 people into 3 groups that only see, hear and chat with each other, and calls them back at once', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'meeting' });
    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    sockets.push(host.socket);
    const people: Person[] = [];
    for (const s of ctx.people) people.push(await person(s.accessToken, room.id, s.user.id));

    // Everyone receives everyone: 12 × 11 consumers on the server.
    for (const a of people) {
      for (const b of people) {
        if (a === b) continue;
        const c = await consume(a, b);
        if (!c.ok) throw new Error(`consume: ${c.error.code}`);
        a.consumers.set(b.producerId, c.data.consumerId);
      }
    }
    expect(await serverConsumers(server.url)).toBe(PEOPLE * (PEOPLE - 1));

    // Whom the host is shown: what came so far, then what comes.
    const hostSees = new Set(host.joined.peers.map((p) => p.peerId));
    for (const { event, data } of host.events) {
      if (event === 'peer:joined') hostSees.add((data as { peerId: string }).peerId);
      if (event === 'peer:left') hostSees.delete((data as { peerId: string }).peerId);
    }
    host.socket.on('peer:joined', (e) => hostSees.add(e.peerId));
    host.socket.on('peer:left', (e) => hostSees.delete(e.peerId));
    await until('the host sees everyone', () => hostSees.size === PEOPLE);

    // Only hosts open groups.
    expect(code(await command(people[0]!.socket, 'breakout:open', { groups: GROUPS, assignment: 'random' }))).toBe('FORBIDDEN');
    const opened = await command(host.socket, 'breakout:open', { groups: GROUPS, assignment: 'random', names: ['Cataloguing', 'Outreach', '数字馆藏'] });
    if (!opened.ok) throw new Error(opened.error.code);
    expect(code(await command(host.socket, 'breakout:open', { groups: 2, assignment: 'random' }))).toBe('BREAKOUT_ALREADY_OPEN');
    // The host runs the round from the main room; everyone else is dealt out, four to a group.
    expect(opened.data.yourGroup).toBeNull();
    expect(opened.data.groups.map((g) => g.members.length)).toEqual([4, 4, 4]);
    expect(opened.data.groups.map((g) => g.name)).toEqual(['Cataloguing', 'Outreach', '数字馆藏']);
    const groupOf = new Map(opened.data.groups.flatMap((g) => g.members.map((m) => [m.userId, g.index] as const)));
    await until('everyone told their group', () => people.every((p) => p.state?.yourGroup === groupOf.get(p.userId)));

    const mates = (p: Person) => people.filter((q) => q !== p && groupOf.get(q.userId) === groupOf.get(p.userId));
    // What clients are shown: their group's people and nobody else (not even the host in the main room).
    await until('everyone sees only their group', () => people.every((p) => p.sees.size === 3 && mates(p).every((q) => p.sees.has(q.joined.peerId))));
    // The host, alone in the main room, sees nobody until visiting a group.
    await until('the host sees nobody in the main room', () => hostSees.size === 0);
    // What the server carries: each person's consumers of the other groups are closed; each keeps the 3 of their group.
    expect(await serverConsumers(server.url)).toBe(PEOPLE * 3);
    await until('consumer:closed for the other groups', () => people.every((p) => p.consumers.size === 3));
    for (const p of people) expect([...p.consumers.keys()].sort()).toEqual(mates(p).map((q) => q.producerId).sort());
    // Nor can anyone take a stream of another group back.
    const a = people[0]!;
    const stranger = people.find((q) => groupOf.get(q.userId) !== groupOf.get(a.userId))!;
    expect(code(await consume(a, stranger))).toBe('NOT_FOUND');

    // Each group has its own chat: a group's message reaches its group only, and only its history.
    const others = people.filter((q) => q !== a);
    const heard = new Map<Person, string[]>(others.map((q) => [q, []]));
    for (const q of others) q.socket.on('chat:message', (m) => heard.get(q)!.push(m.body));
    const hostHeard: string[] = [];
    host.socket.on('chat:message', (m) => hostHeard.push(m.body));
    expect(code(await command(a.socket, 'chat:send', { clientRequestId: 'breakout-chat-1', body: 'Only for my group' }))).toBe('ok');
    await until('the group hears the message', () => mates(a).every((q) => heard.get(q)!.includes('Only for my group')));
    await new Promise((r) => setTimeout(r, 300));
    for (const q of others) if (!mates(a).includes(q)) expect(heard.get(q)).toEqual([]);
    expect(hostHeard).toEqual([]);
    const history = async (p: { socket: TestSocket }) => {
      const h = await command(p.socket, 'chat:history', {});
      if (!h.ok) throw new Error(h.error.code);
      return h.data.messages.map((m) => m.body);
    };
    expect(await history(mates(a)[0]!)).toEqual(['Only for my group']);
    expect(await history(stranger)).toEqual([]);
    expect(await history(host)).toEqual([]);

    // A broadcast reaches every group.
    const broadcasts = people.map((p) => nextEvent(p.socket, 'breakout:broadcast'));
    expect(code(await command(host.socket, 'breakout:broadcast', { text: 'Five minutes left' }))).toBe('ok');
    for (const b of await Promise.all(broadcasts)) expect(b).toMatchObject({ text: 'Five minutes left', from: 'Host' });

    // The host visits a group: sees its four people, and they see the host.
    const visited = groupOf.get(stranger.userId)!;
    const visit = await command(host.socket, 'breakout:move', { userId: ctx.owner.user.id, group: visited });
    expect(visit.ok && visit.data.yourGroup).toBe(visited);
    const visitedPeople = people.filter((p) => groupOf.get(p.userId) === visited);
    await until('the host sees the visited group only', () => hostSees.size === 4 && visitedPeople.every((p) => hostSees.has(p.joined.peerId)));
    await until('the visited group sees the host', () => visitedPeople.every((p) => p.sees.has(host.joined.peerId)));

    // Someone reconnecting comes back into their own group.
    const back = await enter(server.url, ctx.people[1]!.accessToken, room.id);
    sockets.push(back.socket);
    expect(back.joined.breakout?.yourGroup).toBe(groupOf.get(people[1]!.userId));
    expect(back.joined.peers.map((p) => p.userId).sort()).toEqual(
      // The group, the person's other device, and the host if visiting this group.
      [people[1]!.userId, ...mates(people[1]!).map((q) => q.userId), ...(groupOf.get(people[1]!.userId) === visited ? [ctx.owner.user.id] : [])].sort(),
    );
    await until('the group sees the second device', () => mates(people[1]!).every((q) => q.sees.has(back.joined.peerId)));
    back.socket.close();
    await until('the second device left', () => mates(people[1]!).every((q) => !q.sees.has(back.joined.peerId)));

    // Groups run for a while before the call-back, so that their time shows in the report.
    await new Promise((r) => setTimeout(r, 6_500));

    // One call brings everyone back: everyone sees everyone again.
    const t0 = Date.now();
    expect(await command(host.socket, 'breakout:close', {})).toEqual({ ok: true, data: { closed: true } });
    const ms = await until(
      'everyone back in the main room',
      // Each person sees the 11 others and the host; the host sees the 12.
      () => people.every((p) => p.state === null && p.sees.size === PEOPLE) && hostSees.size === PEOPLE,
      5_000,
    );
    process.stdout.write(`breakout call-back: all ${PEOPLE} back in the main room ${Date.now() - t0} ms after the call (${ms} ms waiting)\n`);
    // Streams of the others can be received again.
    expect(code(await consume(a, stranger))).toBe('ok');
    expect(await history(stranger)).toEqual([]);
    expect(code(await command(host.socket, 'breakout:close', {}))).toBe('ok');
    expect(code(await command(host.socket, 'breakout:broadcast', { text: 'nobody' }))).toBe('BREAKOUT_NOT_OPEN');

    // The report: time in groups, per person and per stay.
    expect(code(await command(host.socket, 'room:end', {}))).toBe('ok');
    const report = await api(server.url).get<AttendanceDto>(`/api/rooms/${room.id}/attendance`, ctx.owner.accessToken);
    expect(report.status).toBe(200);
    for (const p of people) {
      const row = report.body.people.find((x) => x.userId === p.userId)!;
      expect(row.breakoutMinutes).toBeGreaterThanOrEqual(0.1);
      expect(row.breakoutMinutes).toBeLessThanOrEqual(row.minutes);
      const stays = report.body.breakouts.filter((b) => b.userId === p.userId);
      expect(stays.length).toBeGreaterThanOrEqual(1);
      expect(stays.every((s) => s.group === groupOf.get(p.userId) && s.roundId === opened.data.roundId && s.leftAt !== null)).toBe(true);
    }
    const hostRow = report.body.people.find((x) => x.userId === ctx.owner.user.id)!;
    expect(report.body.breakouts.filter((b) => b.userId === ctx.owner.user.id).map((b) => b.group)).toEqual([visited]);
    expect(hostRow.breakoutMinutes).toBeLessThanOrEqual(hostRow.minutes);
    const csv = await fetch(`${server.url}/api/rooms/${room.id}/attendance?format=csv`, { headers: { authorization: `Bearer ${ctx.owner.accessToken}` } });
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\n')[0]).toContain('breakout_minutes');
  });

  it('lets people choose a group when the host says so, and the host place people by hand', async () => {
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'meeting' });
    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    sockets.push(host.socket);
    const [a, b, c] = await Promise.all(ctx.people.slice(0, 3).map((s) => enter(server.url, s.accessToken, room.id)));
    sockets.push(a!.socket, b!.socket, c!.socket);
    const [ua, ub] = [ctx.people[0]!.user.id, ctx.people[1]!.user.id];

    const manual = await command(host.socket, 'breakout:open', { groups: 2, assignment: 'manual', placements: [{ userId: ua, group: 1 }] });
    expect(manual.ok && manual.data.groups.map((g) => g.members.map((m) => m.userId))).toEqual([[], [ua]]);
    // In a round the host runs, nobody picks their own group.
    expect(code(await command(b!.socket, 'breakout:choose', { group: 0 }))).toBe('FORBIDDEN');
    const moved = await command(host.socket, 'breakout:move', { userId: ub, group: 1 });
    expect(moved.ok && moved.data.groups[1]!.members.map((m) => m.userId).sort()).toEqual([ua, ub].sort());
    expect(code(await command(host.socket, 'breakout:move', { userId: ub, group: 7 }))).toBe('NOT_FOUND');
    expect(code(await command(host.socket, 'breakout:move', { userId: '00000000-0000-4000-8000-000000000000', group: 0 }))).toBe('NOT_FOUND');
    expect(await command(host.socket, 'breakout:close', {})).toEqual({ ok: true, data: { closed: true } });

    const chosen = await command(host.socket, 'breakout:open', { groups: 2, assignment: 'choose', minutes: 30 });
    expect(chosen.ok && chosen.data.groups.every((g) => g.members.length === 0) && chosen.data.endsAt !== null).toBe(true);
    const pick = await command(c!.socket, 'breakout:choose', { group: 0 });
    expect(pick.ok && pick.data.yourGroup).toBe(0);
    expect(code(await command(c!.socket, 'breakout:move', { userId: ua, group: 0 }))).toBe('FORBIDDEN');
    expect(code(await command(c!.socket, 'breakout:close', {}))).toBe('FORBIDDEN');
    const home = await command(c!.socket, 'breakout:choose', { group: null });
    expect(home.ok && home.data.yourGroup).toBeNull();
    expect(await command(host.socket, 'breakout:close', {})).toEqual({ ok: true, data: { closed: true } });
  });

  it('refuses breakout groups in a webinar and malformed requests', async () => {
    const webinar = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = await enter(server.url, ctx.owner.accessToken, webinar.id);
    sockets.push(host.socket);
    expect(code(await command(host.socket, 'breakout:open', { groups: 2, assignment: 'random' }))).toBe('FORBIDDEN');
    host.socket.close();

    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'meeting' });
    const s = await connectSocket(server.url, { token: ctx.owner.accessToken });
    sockets.push(s);
    // Not in a room yet.
    expect(code(await command(s, 'breakout:open', { groups: 2, assignment: 'random' }))).toBe('NOT_IN_ROOM');
    expect(code(await command(s, 'room:join', { roomId: room.id }))).toBe('ok');
    for (const bad of [
      { groups: 0, assignment: 'random' },
      { groups: 51, assignment: 'random' },
      { groups: 2, assignment: 'everyone' },
      { groups: 2, assignment: 'random', names: ['only one'] },
      { groups: 2, assignment: 'manual', placements: [{ userId: ctx.people[0]!.user.id, group: 2 }] },
      { groups: 2, assignment: 'random', minutes: 0 },
      { groups: 2, assignment: 'random', extra: true },
    ]) {
      expect([bad, code(await command(s, 'breakout:open', bad as never))]).toEqual([bad, 'INVALID_PAYLOAD']);
    }
    expect(code(await command(s, 'breakout:move', { userId: ctx.people[0]!.user.id, group: 0 }))).toBe('BREAKOUT_NOT_OPEN');
    expect(code(await command(s, 'breakout:choose', { group: 0 }))).toBe('BREAKOUT_NOT_OPEN');
    expect(await command(s, 'breakout:close', {})).toEqual({ ok: true, data: { closed: false } });
  });
});
