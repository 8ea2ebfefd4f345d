import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Ack, type BallotView, type CommandName, commandSchemas, type ErrorCode, type InstitutionDto, type OrganizationDto, type RoomDto, type SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, register, type TestSocket } from '../helpers/api';
import {
  ackProblem,
  argsOnTheWire,
  BAD_IDS,
  BAD_QUERY_VALUES,
  errorLines,
  exampleOf,
  fieldsOf,
  fillPath,
  type FuzzCase,
  JUNK_QUERIES,
  ODD_QUERY_VALUES,
  jsonSchemaOf,
  malformedCommands,
  navigationProblem,
  nestedJson,
  type Operation,
  operationsOf,
  rawEmit,
  rawHttp,
  rawPacket,
  type RawResponse,
  residentMemory,
  restProblem,
  sendAll,
  setPath,
  tableCounts,
  withOwnKey,
  wrongValues,
} from '../helpers/fuzz';
import { ballotOn, checkIn, meetingWithMotion, requestId } from '../helpers/governance';
import { createRoom, enter, type Member } from '../helpers/room';
import { addSession, createEvent, registerFor } from '../helpers/events';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(90_000);

const COMMANDS = Object.keys(commandSchemas) as CommandName[];
/** Growth of the server's resident memory allowed over the whole file. */
const MEMORY_BUDGET = 150 * 1024 * 1024;

const json = { 'content-type': 'application/json' };
const as = (token: string) => ({ authorization: `Bearer ${token}` });

const ok = <T>(r: Ack<T>): T => {
  if (!r.ok) throw new Error(`setup failed: ${r.error.code} ${r.error.message}`);
  return r.data;
};

/** Groups failures so one defect reads as one line, with a few examples, rather than a thousand. */
function summarise(failures: { what: string; problem: string; where: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const f of failures) {
    const key = `${f.what} → ${f.problem}`;
    groups.set(key, [...(groups.get(key) ?? []), f.where]);
  }
  return [...groups].map(([k, where]) => `${k}  (${where.length}×: ${[...new Set(where)].slice(0, 4).join(', ')}${where.length > 4 ? ', …' : ''})`);
}

describe('hostile input on every socket command and REST route', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: SessionDto;
  let admin: SessionDto;
  let member: SessionDto;
  let org: OrganizationDto;
  let room: RoomDto;
  let inRoom: Member;
  let baseline: Record<string, number>;
  let memoryAtStart: number;
  /** Real ids of the scene, by the names paths and payloads use for them. */
  let ids: Record<string, string>;
  const sockets: TestSocket[] = [];
  const connect = async (token = admin.accessToken) => {
    const s = await connectSocket(server.url, { token });
    sockets.push(s);
    return s;
  };

  const unchanged = async () => expect(await tableCounts(server.databaseUrl)).toEqual(baseline);
  const alive = async () => {
    expect({ exitCode: server.process.exitCode, signal: server.process.signalCode }).toEqual({ exitCode: null, signal: null });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const fresh = await connect();
    expect((await command(fresh, 'session:ping', {})).ok).toBe(true);
    // Still seated: nothing above made the member leave, or broke the room.
    expect((await command(inRoom.socket, 'qa:list', {})).ok).toBe(true);
  };

  beforeAll(async () => {
    // The payload cases go out over a pool of 72 sockets of one admin, well past the default cap of
    // sockets per account (caps.int-spec.ts covers that cap).
    server = await startServer({ env: { MAX_SOCKETS_PER_USER: '200' } });
    http = api(server.url);
    [owner, admin, member] = await Promise.all([register(server.url, 'Owner'), register(server.url, 'Admin'), register(server.url, 'Member')]);
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Fuzz Association' }, owner.accessToken)).body;
    for (const [who, role] of [
      [admin, 'admin'],
      [member, 'member'],
    ] as const) {
      const inv = await http.post(`/api/organizations/${org.id}/invitations`, { role }, owner.accessToken);
      expect((await http.post(`/api/invitations/${inv.body.token}/accept`, undefined, who.accessToken)).status).toBe(200);
    }
    const institution = (await http.post<InstitutionDto>(`/api/organizations/${org.id}/institutions`, { name: 'Fuzz Library', country: 'FR' }, owner.accessToken)).body;
    await http.post(`/api/organizations/${org.id}/institutions/${institution.id}/delegates`, { userId: member.user.id }, owner.accessToken);
    const invitation = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Fuzz room' });

    // The fuzzing user is an org admin (so a host in the room), seated in the room, and a voter in an open ballot.
    inRoom = await enter(server.url, admin.accessToken, room.id);
    sockets.push(inRoom.socket);
    const poll = ok(await command(inRoom.socket, 'poll:create', { clientRequestId: requestId(), question: 'Fuzz?', options: ['Yes', 'No'] }));
    ok(await command(inRoom.socket, 'poll:open', { pollId: poll.id }));
    const message = ok(await command(inRoom.socket, 'chat:send', { clientRequestId: requestId(), body: 'hello' }));
    const question = ok(await command(inRoom.socket, 'qa:ask', { clientRequestId: requestId(), body: 'A question?' }));
    const { meeting, motionId } = await meetingWithMotion(server.url, owner.accessToken, org.id, { voterBasis: 'members', roomId: room.id }, member.accessToken);
    await checkIn(server.url, [admin, member], meeting.id);
    const ballot: BallotView = await ballotOn(server.url, owner.accessToken, meeting.id, { motionId });
    expect((await http.post(`/api/ballots/${ballot.id}/open`, { overrideQuorumReason: 'fuzzing the quorum' }, owner.accessToken)).status).toBe(200);
    ok(await command(inRoom.socket, 'org:watch', { organizationId: org.id }));
    ok(await command(inRoom.socket, 'meeting:watch', { meetingId: meeting.id }));
    const sessionId = inRoom.joined.sessionId;
    const event = await createEvent(server.url, owner.accessToken, org.id, { title: 'Fuzz Forum', timeZone: 'Europe/Paris', registration: 'approval' });
    const eventSession = await addSession(server.url, owner.accessToken, event.id, { startsAt: '2031-01-01T10:00', endsAt: '2031-01-01T11:00' });
    const registration = (await registerFor(server.url, member.accessToken, event.id)).body;

    ids = {
      orgId: org.id,
      organizationId: org.id,
      userId: member.user.id,
      institutionId: institution.id,
      token: invitation.token,
      roomId: room.id,
      sessionId,
      pollId: poll.id,
      messageId: message.id,
      questionId: question.id,
      meetingId: meeting.id,
      motionId,
      ballotId: ballot.id,
      seatId: admin.user.id,
      peerId: inRoom.joined.peerId,
      eventId: event.id,
      eventSessionId: eventSession.id,
      registrationId: registration.id,
    };
    baseline = await tableCounts(server.databaseUrl);
    memoryAtStart = await residentMemory(server.url);
  }, 60_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server?.stop();
  });

  describe('socket commands', () => {
    it('refuses malformed payloads to every command with INVALID_PAYLOAD, changing nothing', async () => {
      const logFrom = server.logs().length;
      const generated = COMMANDS.map((name) => malformedCommands(name, commandSchemas[name]));
      const cases = generated.flatMap((g) => g.cases);
      // Every command gets the full treatment, and there is no command the generator cannot reach.
      expect(generated.filter((g) => g.cases.length < 30).map((g) => g.cases[0]?.event)).toEqual([]);

      const pool = [inRoom.socket, ...(await Promise.all(Array.from({ length: 71 }, () => connect())))];
      const outcomes = await sendAll(pool, cases);
      expect(outcomes).toHaveLength(cases.length);
      const failures = outcomes.flatMap(({ c, ack }) => {
        const problem = ackProblem(ack, 'INVALID_PAYLOAD');
        return problem ? [{ what: c.label.replace(/^(?!payload)[\w.-]+: /, 'field: '), problem, where: `${c.event} ${c.label}` }] : [];
      });
      expect(summarise(failures)).toEqual([]);
      console.info(`socket fuzz: ${COMMANDS.length} commands, ${cases.length} malformed inputs (${generated.reduce((n, g) => n + g.acceptedBySchema, 0)} generated inputs were valid and not sent)`);

      await alive();
      await unchanged();
      expect(errorLines(server.logs(), logFrom)).toEqual([]);
      pool.slice(1).forEach((s) => s.close());
    });

    it('answers unknown events with UNKNOWN_EVENT, and never runs a command sent without an ack', async () => {
      const s = await connect();
      const names = [
        'vote:steal',
        '',
        ' ',
        'x'.repeat(10_000),
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'valueOf',
        'error',
        'message',
        'connection',
        'ping',
        ...COMMANDS.flatMap((c) => [c.toUpperCase(), `${c} `, ` ${c}`, `${c}\u0000`, `../${c}`, c.replace(':', '.')]),
      ].filter((n) => !(COMMANDS as string[]).includes(n));
      const cases: FuzzCase[] = names.flatMap((event) => [
        { event, label: 'no payload', args: [] },
        { event, label: 'empty object', args: [{}] },
        { event, label: 'a ballot', args: [{ clientRequestId: requestId(), ballotId: ids.ballotId, seatId: ids.seatId, choice: 'yes' }] },
      ]);
      // socket.io allows numbers as event names; nothing is registered under them.
      for (const n of [0, 1, -1, 42, 1e21]) cases.push({ event: String(n), label: `numeric event name ${n}`, raw: `[${n},{}]` });
      const outcomes = await sendAll([s, ...(await Promise.all(Array.from({ length: 23 }, () => connect())))], cases);
      const failures = outcomes.flatMap(({ c, ack }) => {
        const problem = ackProblem(ack, 'UNKNOWN_EVENT');
        return problem ? [{ what: c.label, problem, where: JSON.stringify(c.event.slice(0, 40)) }] : [];
      });
      expect(summarise(failures)).toEqual([]);

      // Without an ack a command is not run — not even a valid one that would change a lot.
      const real = (name: CommandName) => {
        let payload = exampleOf(jsonSchemaOf(commandSchemas[name]));
        for (const { path } of fieldsOf(jsonSchemaOf(commandSchemas[name]), 1)) if (ids[path[0]!]) payload = setPath(payload, path, ids[path[0]!]);
        return payload;
      };
      for (const name of COMMANDS) {
        inRoom.socket.emit(name, real(name));
        s.emit(name, real(name));
        s.emit(name, null);
        s.emit(name, real(name), 'second payload');
      }
      for (const name of names.slice(0, 50)) s.emit(name, {});
      await new Promise((r) => setTimeout(r, 2_000));
      expect((await command(s, 'session:ping', {})).ok).toBe(true);
      await alive();
      await unchanged();
    });

    it('survives raw packets: 100 000-level nesting, bad event names, broken JSON and attachments', async () => {
      const logFrom = server.logs().length;
      const s = await connect();
      // Deep nesting as JSON text, beyond what JSON.stringify could even produce.
      expect(ackProblem(await rawEmit(s, `["org:watch",${nestedJson(100_000, 'array')}]`), 'INVALID_PAYLOAD')).toBeNull();
      expect(ackProblem(await rawEmit(s, `["org:watch",{"organizationId":${nestedJson(40_000, 'object')}}]`), 'INVALID_PAYLOAD')).toBeNull();
      // A placeholder in a plain (non-binary) packet is just an object.
      expect(ackProblem(await rawEmit(s, '["org:watch",{"_placeholder":true,"num":0}]'), 'INVALID_PAYLOAD')).toBeNull();
      expect(ackProblem(await rawEmit(s, '["session:ping",{"at":1e999}]'), 'INVALID_PAYLOAD')).toBeNull();
      expect(ackProblem(await rawEmit(s, '["session:ping",{"__proto__":{"at":1}}]'), 'INVALID_PAYLOAD')).toBeNull();

      // Packets the parser refuses: the server drops that connection, and only that one.
      const killers: [string, string][] = [
        ['reserved name "disconnect"', '2["disconnect","io server disconnect"]'],
        ['reserved name "disconnecting"', '2["disconnecting"]'],
        ['reserved name "connect"', '2["connect"]'],
        ['reserved name "newListener"', '2["newListener","x"]'],
        ['reserved name "removeListener"', '2["removeListener","x"]'],
        ['event name null', '2[null,{}]'],
        ['event name object', '2[{"a":1},{}]'],
        ['event name array', '2[["room:join"],{}]'],
        ['empty data array', '2[]'],
        ['data not an array', '2{"room:join":{}}'],
        ['broken JSON', '2["org:watch",{"organizationId":'],
        ['unknown packet type', '9["org:watch",{}]'],
        ['binary packet with a placeholder out of range', '51-["org:watch",{"_placeholder":true,"num":7}]'],
        ['deeply nested binary packet', `51-["org:watch",${'['.repeat(20_000)}{"_placeholder":true,"num":0}${']'.repeat(20_000)}]`],
        ['binary packet announcing a million attachments', '51000000-["org:watch",{"_placeholder":true,"num":0}]'],
      ];
      for (const [label, packet] of killers) {
        const k = await connect();
        const engine = k.io.engine as unknown as { send(d: string | Buffer): void };
        const result = rawPacket(k, packet, undefined, 1_500);
        if (packet.startsWith('5')) engine.send(Buffer.from([1, 2, 3]));
        expect({ label, result: await result }).toEqual({ label, result: 'closed' });
        k.close();
      }
      await alive();
      await unchanged();
      expect(errorLines(server.logs(), logFrom)).toEqual([]);
    });

    it('closes only the connection of a message over 256 KiB, text or binary', async () => {
      for (const payload of [{ at: 'x'.repeat(300 * 1024) }, Buffer.alloc(300 * 1024, 1)]) {
        const s = await connect();
        const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
        s.emit('session:ping', payload, () => undefined);
        expect(await closed).toMatch(/transport (close|error)/);
      }
      await alive();
      await unchanged();
    });

    it('answers a flood of thousands of commands with RATE_LIMITED, keeps serving others, and recovers', async () => {
      const flooder = await connect();
      const bystander = await connect(member.accessToken);
      const started = performance.now();
      const flood = Array.from({ length: 4_000 }, (_, i) =>
        (flooder.timeout(30_000).emitWithAck(i % 4 === 0 ? 'vote:steal' : 'session:ping', i % 8 === 1 ? { at: 'x' } : {}) as Promise<Ack<unknown>>).catch(() => ({ timeout: true }) as const),
      );
      for (let i = 0; i < 3_000; i++) flooder.emit('chat:send', { clientRequestId: requestId(), body: 'spam' }); // no ack: dropped
      // Someone else is served while the flood is on.
      const t0 = performance.now();
      expect((await command(bystander, 'session:ping', {}, 5_000)).ok).toBe(true);
      const bystanderMs = performance.now() - t0;
      const results = await Promise.all(flood);
      const elapsed = (performance.now() - started) / 1000;
      const codes = results.map((r) => ('timeout' in r ? 'timeout' : r.ok ? 'ok' : r.error.code));
      const count = (c: string) => codes.filter((x) => x === c).length;
      expect(count('timeout')).toBe(0);
      expect(count('RATE_LIMITED')).toBeGreaterThan(3_500);
      // Only the bucket's worth got through: a burst of 40 and 20 per second.
      expect(count('ok') + count('UNKNOWN_EVENT') + count('INVALID_PAYLOAD')).toBeLessThanOrEqual(40 + Math.ceil(elapsed * 20) + 5);
      expect(new Set(codes)).toEqual(new Set(codes.filter((c) => ['ok', 'RATE_LIMITED', 'UNKNOWN_EVENT', 'INVALID_PAYLOAD'].includes(c))));
      expect(bystanderMs).toBeLessThan(4_000);
      await new Promise((r) => setTimeout(r, 2_500));
      expect((await command(flooder, 'session:ping', {})).ok).toBe(true);
      await alive();
      await unchanged();
    });

    it('keeps its memory bounded through all of the above', async () => {
      sockets.splice(1).forEach((s) => s.close()); // all but the seated member's
      await new Promise((r) => setTimeout(r, 500));
      const growth = (await residentMemory(server.url)) - memoryAtStart;
      console.info(`resident memory grew by ${(growth / 1024 / 1024).toFixed(1)} MB`);
      expect(growth).toBeLessThan(MEMORY_BUDGET);
    });
  });

  describe('REST routes', () => {
    let ops: Operation[];
    beforeAll(async () => {
      const doc = await http.get('/api/docs/openapi.json');
      ops = operationsOf(doc.body);
    });

    interface RestCase {
      op: Operation;
      what: string;
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string;
      chunked?: boolean;
      /**
       * Exact codes expected; undefined: any proper 4xx refusal; 'not-5xx': success is fine too;
       * 'navigation': a redirect back to the sign-in page with an error code (routes a browser opens).
       */
      expect?: ErrorCode[] | 'not-5xx' | 'navigation';
    }

    function casesFor(op: Operation): RestCase[] {
      const out: RestCase[] = [];
      const auth = as(admin.accessToken);
      const realPath = fillPath(op.path, ids);
      const add = (c: Omit<RestCase, 'op' | 'method' | 'path' | 'headers'> & Partial<Pick<RestCase, 'method' | 'path' | 'headers'>>) =>
        out.push({ op, method: op.method, path: realPath, headers: { ...auth }, ...c });

      // Whatever the route: the body parser answers first.
      add({ what: 'invalid JSON', headers: { ...auth, ...json }, body: '{"a":', expect: ['INVALID_PAYLOAD'] });
      add({ what: 'invalid JSON, signed out', headers: json, body: "{'a':1}", expect: ['INVALID_PAYLOAD'] });
      add({ what: 'JSON primitive', headers: { ...auth, ...json }, body: '"x"', expect: ['INVALID_PAYLOAD'] });
      add({ what: '1 MB body', headers: { ...auth, ...json }, body: JSON.stringify({ a: 'x'.repeat(1_000_000) }), expect: ['PAYLOAD_TOO_LARGE'] });
      add({ what: '1 MB chunked body, signed out', headers: { ...json, 'transfer-encoding': 'chunked' }, body: 'x'.repeat(1_000_000), chunked: true, expect: ['PAYLOAD_TOO_LARGE'] });
      for (const enc of ['gzip', 'deflate', 'br', 'x-unknown']) add({ what: `garbage with content-encoding ${enc}`, headers: { ...auth, ...json, 'content-encoding': enc }, body: 'not compressed at all', expect: ['INVALID_PAYLOAD'] });
      add({ what: 'unsupported charset', headers: { ...auth, 'content-type': 'application/json; charset=latin1' }, body: '{}', expect: ['INVALID_PAYLOAD'] });

      if (op.authenticated) {
        for (const [what, header] of [
          ['no token', undefined],
          ['empty bearer', 'Bearer '],
          ['garbage token', 'Bearer garbage'],
          ['basic auth', 'Basic Zm9vOmJhcg=='],
          ['8 KB token', `Bearer ${'a'.repeat(8_000)}`],
          ['alg none', `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: admin.user.id })).toString('base64url')}.`],
          ['forged signature', `Bearer ${admin.accessToken.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`],
          ['two tokens', `Bearer ${admin.accessToken} ${admin.accessToken}`],
        ] as const)
          add({ what: `signed out: ${what}`, headers: header ? { authorization: header, ...json } : json, body: '{}', expect: ['UNAUTHENTICATED', 'TOKEN_EXPIRED'] });
      }

      // Sign-in with an institution is opened by the browser: its refusals send the browser back to the sign-in page.
      const navigation = op.path.startsWith('/api/auth/oidc/') ? { expect: 'navigation' as const } : {};
      for (const param of op.pathParams) {
        const signedOut = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === param ? 'not-a-uuid' : (ids[name] ?? randomUUID())));
        add({ what: `signed out, path ${param} not a uuid`, path: signedOut, headers: {}, ...(op.authenticated ? { expect: ['UNAUTHENTICATED'] as ErrorCode[] } : {}), ...navigation });
        for (const [what, bad] of BAD_IDS) {
          const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === param ? bad : (ids[name] ?? randomUUID())));
          add({ what: `path ${param}: ${what}`, path, headers: op.body ? { ...auth, ...json } : auth, ...(op.body ? { body: '{}' } : {}), ...navigation });
        }
      }

      for (const q of op.queryParams) for (const [what, bad] of BAD_QUERY_VALUES) add({ what: `query ${q.name}: ${what}`, path: `${realPath}?${bad(q.name)}` });
      for (const q of op.queryParams) for (const [what, odd] of ODD_QUERY_VALUES) add({ what: `query ${q.name}: ${what}`, path: `${realPath}?${odd(q.name)}`, expect: 'not-5xx' });
      if (op.method === 'GET') for (const [what, junk] of JUNK_QUERIES) add({ what: `undeclared query: ${what}`, path: `${realPath}?${junk}`, expect: 'not-5xx' });

      if (op.body) {
        const bodies: [string, unknown][] = [];
        const base = exampleOf(op.body.json) ?? {};
        for (const [label, v] of wrongValues({ binary: false, bigString: 'x'.repeat(60_000) })) bodies.push([`body: ${label}`, v]);
        bodies.push(['body: 10 000-level object', '__DEEP__'], ['body: 4 000 keys', Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`k${i}`, i]))]);
        bodies.push(['body: extra field', withOwnKey(base, 'isAdmin', true)], ['body: __proto__ key', withOwnKey(base, '__proto__', { isAdmin: true, role: 'owner' })]);
        bodies.push(['body: constructor.prototype key', withOwnKey(base, 'constructor', { prototype: { isAdmin: true } })], ['body: array of the valid body', [base]]);
        for (const { path } of fieldsOf(op.body.json)) {
          bodies.push([`field: missing`, setPath(base, path, undefined)]);
          for (const [label, v] of wrongValues({ binary: false, bigString: 'x'.repeat(60_000) })) bodies.push([`field: ${label}`, setPath(base, path, v)]);
        }
        for (const [what, body] of bodies) {
          const text = body === '__DEEP__' ? nestedJson(10_000, 'object') : JSON.stringify(body);
          // Only bodies the route's own schema refuses; with no schema to ask, only ones that cannot be right.
          const parsed = JSON.parse(text) as unknown;
          const refused = op.body.zod ? !op.body.zod.safeParse(parsed).success : parsed === null || typeof parsed !== 'object';
          if (refused) add({ what, headers: { ...auth, ...json }, body: text, expect: ['INVALID_PAYLOAD'] });
        }
        if (op.body.zod && !op.body.zod.safeParse(undefined).success) add({ what: 'body as text/plain', headers: { ...auth, 'content-type': 'text/plain' }, body: JSON.stringify(base), expect: ['INVALID_PAYLOAD'] });
      }

      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (ops.some((o) => o.path === op.path && o.method === method)) continue;
        add({ what: `undeclared method ${method}`, method, expect: ['NOT_FOUND'] });
      }
      return out;
    }

    it('documents every route with its body schema from the contract', () => {
      expect(ops.length).toBeGreaterThan(40);
      expect(ops.filter((o) => o.body && !o.body.zod).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    });

    /** Sends the cases, a few at a time; resolves with what was wrong with the answers. */
    async function run(cases: RestCase[]) {
      const failures: { what: string; problem: string; where: string }[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 24 }, async () => {
          while (next < cases.length) {
            const c = cases[next++]!;
            let res: RawResponse;
            try {
              res = await rawHttp(server.url, { method: c.method, path: c.path, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}), ...(c.chunked ? { chunked: true } : {}) });
            } catch (err) {
              failures.push({ what: c.what, problem: `no response (${(err as Error).message.slice(0, 60)})`, where: `${c.method} ${c.op.path}` });
              continue;
            }
            const problem =
              c.expect === 'not-5xx' ? (res.status < 400 ? null : restProblem(res)) : c.expect === 'navigation' ? navigationProblem(res) : restProblem(res, c.expect);
            if (problem) failures.push({ what: c.what, problem, where: `${c.method} ${c.op.path}` });
          }
        }),
      );
      return failures;
    }

    it('refuses malformed bodies, ids, queries and tokens on every route with a 4xx error envelope, changing nothing', async () => {
      const logFrom = server.logs().length;
      const cases = [
        ...ops.flatMap(casesFor).filter((c) => c.expect !== 'not-5xx'),
        ...['/api/nope', '/api/organizations/a/b/c/d/e/f', '/api/%2e%2e/%2e%2e/etc/passwd', `/api/${'a'.repeat(5_000)}`, '/api//organizations', '/api/organizations/%'].map(
          (path): RestCase => ({ op: { ...ops[0]!, path: path.slice(0, 48) }, what: 'unknown path', method: 'GET', path, headers: as(admin.accessToken) }),
        ),
      ];
      const failures = await run(cases);
      console.info(`REST fuzz: ${ops.length} operations, ${cases.length} requests that must be refused`);
      expect(summarise(failures)).toEqual([]);
      await alive();
      await unchanged();
      expect(errorLines(server.logs(), logFrom)).toEqual([]);
    });

    // Last: these requests are valid apart from their query string, so they may succeed (and, say, record minutes in the audit log).
    it('ignores or refuses undeclared and bracketed query parameters, never failing', async () => {
      const cases = ops.flatMap(casesFor).filter((c) => c.expect === 'not-5xx');
      expect(cases.length).toBeGreaterThan(0);
      expect(summarise(await run(cases))).toEqual([]);
    });
  });

  /* Valid by the schema, hostile in content or timing: these may create things, so they run after the no-change checks. */
  describe('valid requests with hostile content or timing', () => {
    const HOSTILE: [string, string][] = [
      ['NUL byte', 'Fuzz\u0000name'],
      ['lone surrogate', 'Fuzz \ud800 name'],
      ['RTL override and zero-width', 'Fuzz \u202e\u200b name'],
    ];
    /** Free-text string fields of a schema: no enum, format or pattern. */
    const textFields = (s: z.ZodType) => fieldsOf(jsonSchemaOf(s)).filter(({ schema }) => schema.type === 'string' && !schema.enum && !schema.format && !schema.pattern && !('const' in schema));
    const withIds = (payload: unknown, s: z.ZodType) => {
      for (const { path } of fieldsOf(jsonSchemaOf(s), 1)) if (ids[path[0]!]) payload = setPath(payload, path, ids[path[0]!]);
      return payload;
    };

    it('never answers INTERNAL to a socket command carrying NUL bytes or broken Unicode', async () => {
      // A spare socket: a room:join from the seated one would move it.
      const s = await connect();
      const failures: { what: string; problem: string; where: string }[] = [];
      let sent = 0;
      for (const name of COMMANDS) {
        const schema = commandSchemas[name];
        const base = withIds(exampleOf(jsonSchemaOf(schema)), schema);
        for (const { path } of textFields(schema)) {
          for (const [what, value] of HOSTILE) {
            const payload = setPath(base, path, value);
            if (!schema.safeParse(argsOnTheWire({ event: name, label: what, args: [payload] })[0]).success) continue;
            sent++;
            const problem = ackProblem((await s.timeout(10_000).emitWithAck(name, payload).catch(() => ({ timeout: true }))) as Ack<unknown>, 'anything');
            if (problem) failures.push({ what, problem, where: `${name} ${path.join('.')}` });
            await new Promise((r) => setTimeout(r, 60));
          }
        }
      }
      expect(sent).toBeGreaterThan(0);
      expect(summarise(failures)).toEqual([]);
    });

    it('survives concurrent writes to one meeting without a deadlock', async () => {
      const meetingPath = `/api/meetings/${ids.meetingId}`;
      // Agenda items and motions from three people at once, as in a busy assembly.
      const writes = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? http.post(`${meetingPath}/agenda`, { title: `Item ${i}` }, owner.accessToken)
          : http.post(`${meetingPath}/motions`, { title: `Motion ${i}`, text: 'Adopt it.' }, [owner, admin, member][i % 3]!.accessToken),
      );
      const statuses = (await Promise.all(writes)).map((r) => (r.status >= 500 ? `${r.status} ${r.body?.error?.code}` : r.status));
      expect(statuses).toEqual(statuses.map(() => 201));
    });

    it('never answers 5xx to a REST body carrying NUL bytes or broken Unicode', async () => {
      const doc = await http.get('/api/docs/openapi.json');
      const failures: { what: string; problem: string; where: string }[] = [];
      let sent = 0;
      for (const op of operationsOf(doc.body)) {
        if (!op.body?.zod) continue;
        const schema = op.body.zod;
        let base = withIds(exampleOf(op.body.json), schema);
        for (const { path, schema: f } of fieldsOf(op.body.json, 1)) if (f.format === 'email') base = setPath(base, path, `fuzz.${randomUUID()}@example.org`);
        for (const { path } of textFields(schema)) {
          for (const [what, value] of HOSTILE) {
            const body = setPath(base, path, value);
            if (!schema.safeParse(body).success) continue;
            sent++;
            const res = await rawHttp(server.url, { method: op.method, path: fillPath(op.path, ids), headers: { ...json, ...as(owner.accessToken) }, body: JSON.stringify(body) });
            const problem = res.status < 400 ? null : restProblem(res);
            if (problem) failures.push({ what, problem, where: `${op.method} ${op.path} ${path.join('.')}` });
          }
        }
      }
      expect(sent).toBeGreaterThan(0);
      expect(summarise(failures)).toEqual([]);
    });
  });
});
