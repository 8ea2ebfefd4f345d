import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Ack, InvitationDto, OrganizationDto, QuestionView, RoomDto, RoomJoined, SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, register, type TestSocket } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

const rid = () => `r${randomUUID().replace(/-/g, '')}`;
const code = (r: Ack<unknown>) => (r.ok ? 'ok' : r.error.code);
function data<T>(r: Ack<T>): T {
  if (!r.ok) throw new Error(`command failed: ${JSON.stringify(r.error)}`);
  return r.data;
}

interface Recorded {
  event: string;
  data: unknown;
}
/** Every event a socket receives, in order. */
function record(s: TestSocket): Recorded[] {
  const seen: Recorded[] = [];
  s.onAny((event: string, payload: unknown) => seen.push({ event, data: payload }));
  return seen;
}
async function until<T>(what: string, f: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('engagement: chat, Q&A, polls and reactions (real server)', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let db: Client;
  let owner: SessionDto;
  let org: OrganizationDto;
  const sockets: TestSocket[] = [];

  /** A new member of the organisation: they join rooms as an attendee. */
  const member = async (name: string): Promise<SessionDto> => {
    const person = await register(server.url, name);
    const inv = await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken);
    expect((await http.post(`/api/invitations/${inv.body.token}/accept`, undefined, person.accessToken)).status).toBe(200);
    return person;
  };
  const newRoom = async (name: string): Promise<RoomDto> => (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name }, owner.accessToken)).body;
  const join = async (who: SessionDto, room: RoomDto, displayName?: string): Promise<{ s: TestSocket; joined: RoomJoined }> => {
    const s = await connectSocket(server.url, { token: who.accessToken });
    sockets.push(s);
    return { s, joined: data(await command(s, 'room:join', { roomId: room.id, ...(displayName ? { displayName } : {}) })) };
  };

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    owner = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Engagement Org' }, owner.accessToken)).body;
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.close());
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  describe('chat', () => {
    it('refuses chat outside a room with NOT_IN_ROOM', async () => {
      const s = await connectSocket(server.url, { token: owner.accessToken });
      sockets.push(s);
      expect(code(await command(s, 'chat:send', { clientRequestId: rid(), body: 'hello' }))).toBe('NOT_IN_ROOM');
    });

    it('delivers messages and returns them in the history after a reconnect', async () => {
      const room = await newRoom('Chat room');
      const ann = await member('Ann Attendee');
      const host = await join(owner, room);
      const first = await join(ann, room);
      expect(first.joined.role).toBe('attendee');
      expect(host.joined.role).toBe('host');

      const heard = nextEvent(host.s, 'chat:message');
      const sent = data(await command(first.s, 'chat:send', { clientRequestId: rid(), body: '  Good morning  ' }));
      expect(sent).toMatchObject({ body: 'Good morning', senderId: ann.user.id, senderName: 'Ann Attendee', audience: 'everyone' });
      expect(await heard).toEqual(sent);
      const reply = data(await command(host.s, 'chat:send', { clientRequestId: rid(), body: 'Welcome, Ann' }));

      first.s.close();
      const again = await join(ann, room);
      const history = data(await command(again.s, 'chat:history', {}));
      expect(history).toEqual({ messages: [sent, reply], hasMore: false });

      // Paging backwards: newest first page, then what came before it.
      const page = data(await command(again.s, 'chat:history', { limit: 1 }));
      expect(page).toEqual({ messages: [reply], hasMore: true });
      expect(data(await command(again.s, 'chat:history', { limit: 1, before: reply.id }))).toEqual({ messages: [sent], hasMore: false });

      // Catching up: what came after a message already on screen, oldest first.
      const third = data(await command(host.s, 'chat:send', { clientRequestId: rid(), body: 'Shall we begin?' }));
      expect(data(await command(again.s, 'chat:history', { after: sent.id }))).toEqual({ messages: [reply, third], hasMore: false });
      expect(data(await command(again.s, 'chat:history', { after: sent.id, limit: 1 }))).toEqual({ messages: [reply], hasMore: true });
      expect(data(await command(again.s, 'chat:history', { after: third.id }))).toEqual({ messages: [], hasMore: false });
    });

    it("keeps a members room's conversation across sessions; a public room shows only this session", async () => {
      const emptied = async (room: RoomDto) => {
        const deadline = Date.now() + 5_000;
        while ((await http.get(`/api/rooms/${room.id}`, owner.accessToken)).body.participants !== 0) {
          if (Date.now() > deadline) throw new Error('the room did not empty');
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const members = await newRoom('Standing committee');
      const pub = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Public webinar', access: 'public' }, owner.accessToken)).body;
      for (const room of [members, pub]) {
        const first = await join(owner, room);
        data(await command(first.s, 'chat:send', { clientRequestId: rid(), body: `Earlier in ${room.name}` }));
        first.s.close();
        await emptied(room);
        const second = await join(owner, room);
        expect(second.joined.sessionId).not.toBe(first.joined.sessionId);
        const bodies = data(await command(second.s, 'chat:history', {})).messages.map((m) => m.body);
        expect(bodies).toEqual(room === members ? ['Earlier in Standing committee'] : []);
        second.s.close();
      }
    });

    it('shows a message for hosts to hosts and its sender only, live and in the history', async () => {
      const room = await newRoom('Private chat room');
      const [ann, bob] = await Promise.all([member('Ann'), member('Bob')]);
      const host = await join(owner, room);
      const a = await join(ann, room);
      const b = await join(bob, room);
      const bobHeard = record(b.s);

      const hostHeard = nextEvent(host.s, 'chat:message');
      const secret = data(await command(a.s, 'chat:send', { clientRequestId: rid(), body: 'For the chair only', audience: 'hosts' }));
      expect(secret.audience).toBe('hosts');
      expect((await hostHeard).id).toBe(secret.id);
      // A public message after it: once Bob hears that one, he would have heard the private one.
      const open = data(await command(a.s, 'chat:send', { clientRequestId: rid(), body: 'For everyone' }));
      await until('Bob hears the public message', () => bobHeard.some((e) => e.event === 'chat:message'));
      expect(bobHeard.filter((e) => e.event === 'chat:message').map((e) => (e.data as { id: string }).id)).toEqual([open.id]);

      const ids = async (s: TestSocket) => data(await command(s, 'chat:history', {})).messages.map((m) => m.id);
      expect(await ids(host.s)).toEqual([secret.id, open.id]);
      expect(await ids(a.s)).toEqual([secret.id, open.id]);
      expect(await ids(b.s)).toEqual([open.id]);
    });

    it('stores a retried message once and answers the original', async () => {
      const room = await newRoom('Retry room');
      const host = await join(await member('Retrier'), room);
      const clientRequestId = rid();
      const [x, y] = await Promise.all([
        command(host.s, 'chat:send', { clientRequestId, body: 'Once' }),
        command(host.s, 'chat:send', { clientRequestId, body: 'Once' }),
      ]);
      const z = await command(host.s, 'chat:send', { clientRequestId, body: 'Once, edited on retry' });
      expect(data(y)).toEqual(data(x));
      expect(data(z)).toEqual(data(x));
      expect(data(await command(host.s, 'chat:history', {})).messages).toEqual([data(x)]);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM chat_messages WHERE client_request_id = $1`, [clientRequestId]);
      expect(rows[0].n).toBe(1);
    });

    it('refuses a body over 2000 characters and keeps HTML as plain text', async () => {
      const room = await newRoom('Text room');
      const host = await join(await member('Texter'), room);
      const tooLong = await command(host.s, 'chat:send', { clientRequestId: rid(), body: 'x'.repeat(2001) });
      expect(code(tooLong)).toBe('INVALID_PAYLOAD');
      expect(code(await command(host.s, 'chat:send', { clientRequestId: rid(), body: '   ' }))).toBe('INVALID_PAYLOAD');
      expect(data(await command(host.s, 'chat:send', { clientRequestId: rid(), body: 'y'.repeat(2000) })).body).toHaveLength(2000);

      const html = `<script>alert("x")</script> &amp; <b onclick='y()'>bold</b> =1+1`;
      const sent = data(await command(host.s, 'chat:send', { clientRequestId: rid(), body: html }));
      expect(sent.body).toBe(html);
      expect(data(await command(host.s, 'chat:history', {})).messages.at(-1)!.body).toBe(html);
    });

    it('lets hosts delete messages and refuses attendees with FORBIDDEN', async () => {
      const room = await newRoom('Moderated room');
      const ann = await member('Ann');
      const host = await join(owner, room);
      const a = await join(ann, room);
      const msg = data(await command(a.s, 'chat:send', { clientRequestId: rid(), body: 'Regrettable' }));
      expect(code(await command(a.s, 'chat:delete', { messageId: msg.id }))).toBe('FORBIDDEN');

      const deleted = nextEvent(a.s, 'chat:deleted');
      expect(data(await command(host.s, 'chat:delete', { messageId: msg.id }))).toEqual({ messageId: msg.id });
      expect(await deleted).toEqual({ messageId: msg.id });
      expect(data(await command(a.s, 'chat:history', {})).messages).toEqual([]);
      expect(code(await command(host.s, 'chat:delete', { messageId: msg.id }))).toBe('NOT_FOUND');
    });

    it('limits each person to a burst of 5 messages', async () => {
      const room = await newRoom('Busy room');
      const chatty = await member('Chatty');
      const c = await join(chatty, room);
      const results = await Promise.all(Array.from({ length: 7 }, (_, i) => command(c.s, 'chat:send', { clientRequestId: rid(), body: `msg ${i}` })));
      expect(results.map(code).sort()).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'ok', 'ok', 'ok', 'ok', 'ok']);
      expect(data(await command(c.s, 'chat:history', {})).messages).toHaveLength(5);
    });
  });

  describe('Q&A', () => {
    it('counts one upvote per person under 10 concurrent duplicates', async () => {
      const room = await newRoom('Q&A room');
      const [ann, bob] = await Promise.all([member('Ann'), member('Bob')]);
      const host = await join(owner, room);
      const a = await join(ann, room);
      const b = await join(bob, room);
      const q = data(await command(a.s, 'qa:ask', { clientRequestId: rid(), body: 'When is the next meeting?' }));
      expect(q).toMatchObject({ authorName: 'Ann', anonymous: false, mine: true, votes: 0, status: 'open' });

      const results = await Promise.all(Array.from({ length: 10 }, () => command(b.s, 'qa:upvote', { questionId: q.id })));
      expect(results.map(code).sort()).toEqual([...Array<string>(9).fill('ALREADY_VOTED'), 'ok']);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM question_votes WHERE question_id = $1`, [q.id]);
      expect(rows[0].n).toBe(1);

      const hostHeard = record(host.s);
      data(await command(host.s, 'qa:upvote', { questionId: q.id }));
      await until('host sees 2 votes', () => hostHeard.find((e) => e.event === 'qa:updated' && (e.data as QuestionView).votes === 2));
      const list = data(await command(b.s, 'qa:list', {})).questions;
      expect(list).toEqual([expect.objectContaining({ id: q.id, votes: 2, votedByMe: true, mine: false })]);

      expect(data(await command(b.s, 'qa:unvote', { questionId: q.id }))).toMatchObject({ votes: 1, votedByMe: false });
      expect(data(await command(b.s, 'qa:unvote', { questionId: q.id }))).toMatchObject({ votes: 1, votedByMe: false });
    });

    it('orders by votes then age, and lets moderators answer, pin and dismiss', async () => {
      const room = await newRoom('Moderated Q&A');
      const ann = await member('Ann');
      const host = await join(owner, room);
      const a = await join(ann, room);
      const q1 = data(await command(a.s, 'qa:ask', { clientRequestId: rid(), body: 'First' }));
      const q2 = data(await command(a.s, 'qa:ask', { clientRequestId: rid(), body: 'Second' }));
      data(await command(host.s, 'qa:upvote', { questionId: q2.id }));
      const order = async (s: TestSocket) => data(await command(s, 'qa:list', {})).questions.map((q) => q.body);
      expect(await order(a.s)).toEqual(['Second', 'First']);

      expect(code(await command(a.s, 'qa:moderate', { questionId: q1.id, action: 'pin' }))).toBe('FORBIDDEN');
      expect(data(await command(host.s, 'qa:moderate', { questionId: q1.id, action: 'pin' }))).toMatchObject({ pinned: true });
      expect(await order(a.s)).toEqual(['First', 'Second']);
      expect(data(await command(host.s, 'qa:moderate', { questionId: q1.id, action: 'answer-text', answer: 'Tuesday.' }))).toMatchObject({ status: 'answered', answer: 'Tuesday.' });

      const removed = nextEvent(a.s, 'qa:removed');
      const hostEvents = record(host.s);
      expect(data(await command(host.s, 'qa:moderate', { questionId: q2.id, action: 'dismiss' }))).toMatchObject({ status: 'dismissed' });
      expect(await removed).toEqual({ questionId: q2.id });
      await until('moderators hear of the dismissal', () => hostEvents.find((e) => e.event === 'qa:updated' && (e.data as QuestionView).id === q2.id && (e.data as QuestionView).status === 'dismissed'));
      expect(await order(a.s)).toEqual(['First']);
      expect(await order(host.s)).toEqual(['First', 'Second']);
      expect(code(await command(a.s, 'qa:upvote', { questionId: q2.id }))).toBe('NOT_FOUND');
      expect(code(await command(host.s, 'qa:moderate', { questionId: q2.id, action: 'answer-live' }))).toBe('CONFLICT');
      expect(data(await command(host.s, 'qa:moderate', { questionId: q2.id, action: 'reopen' }))).toMatchObject({ status: 'open' });
    });

    it('never reveals the author of an anonymous question, to hosts or anyone, yet tells the author it is theirs', async () => {
      const room = await newRoom('Anonymous Q&A');
      const [asker, other] = await Promise.all([member('Zebulon Secretasker'), member('Other Person')]);
      const host = await join(owner, room);
      const o = await join(other, room);
      const a = await join(asker, room);
      const needles = [asker.user.id, asker.user.email, 'Zebulon', 'Secretasker', a.joined.peerId];
      const hostEvents = record(host.s);
      const otherEvents = record(o.s);
      const responses: unknown[] = [];
      const keep = <T>(r: Ack<T>): T => {
        responses.push(r);
        return data(r);
      };

      const clientRequestId = rid();
      const q = keep(await command(a.s, 'qa:ask', { clientRequestId, body: 'Is the budget final?', anonymous: true }));
      expect(q).toMatchObject({ anonymous: true, authorName: null, mine: true });
      expect(keep(await command(a.s, 'qa:ask', { clientRequestId, body: 'Is the budget final?', anonymous: true })).id).toBe(q.id);
      await until('host hears the question', () => hostEvents.find((e) => e.event === 'qa:updated'));

      keep(await command(o.s, 'qa:upvote', { questionId: q.id }));
      keep(await command(host.s, 'qa:moderate', { questionId: q.id, action: 'pin' }));
      keep(await command(host.s, 'qa:moderate', { questionId: q.id, action: 'answer-text', answer: 'Not yet.' }));
      await until('host hears the answer', () => hostEvents.find((e) => e.event === 'qa:updated' && (e.data as QuestionView).answer === 'Not yet.'));
      const hostList = keep(await command(host.s, 'qa:list', {}));
      const otherList = keep(await command(o.s, 'qa:list', {}));
      expect(hostList.questions).toEqual([expect.objectContaining({ id: q.id, anonymous: true, authorName: null, mine: false, votes: 1 })]);
      expect(otherList.questions[0]).toMatchObject({ mine: false });
      expect(keep(await command(a.s, 'qa:list', {})).questions[0]).toMatchObject({ id: q.id, mine: true });

      const engagement = [...hostEvents, ...otherEvents].filter((e) => /^(qa|chat|poll):/.test(e.event));
      expect(engagement.length).toBeGreaterThanOrEqual(3);
      const exposed = JSON.stringify([engagement, responses]);
      for (const n of needles) expect(exposed).not.toContain(n);

      // Nor does the database row: no author id or name, and nothing equal to them in any column.
      const { rows } = await db.query(`SELECT * FROM questions WHERE id = $1`, [q.id]);
      expect(rows[0]).toMatchObject({ author_id: null, author_name: null });
      const row = JSON.stringify(rows[0]);
      for (const n of needles) expect(row).not.toContain(n);
    });
  });

  describe('polls', () => {
    const createPoll = async (s: TestSocket, extra: Partial<{ multiple: boolean; anonymous: boolean; options: string[] }> = {}) =>
      data(await command(s, 'poll:create', { clientRequestId: rid(), question: 'Which venue?', options: ['Almaty', 'Tashkent', 'Baku'], ...extra }));

    it('runs a poll: draft, open, votes with live results, one vote each, closed', async () => {
      const room = await newRoom('Poll room');
      const [ann, bob] = await Promise.all([member('Ann'), member('Bob')]);
      const host = await join(owner, room);
      const a = await join(ann, room);
      const b = await join(bob, room);
      expect(code(await command(a.s, 'poll:create', { clientRequestId: rid(), question: 'Mine?', options: ['a', 'b'] }))).toBe('FORBIDDEN');

      const poll = await createPoll(host.s);
      expect(poll).toMatchObject({ status: 'draft', counts: [0, 0, 0], voters: 0, voted: false, multiple: false, anonymous: false });
      expect(data(await command(a.s, 'poll:list', {})).polls).toEqual([]);
      expect(code(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [0] }))).toBe('NOT_FOUND');

      const opened = nextEvent(a.s, 'poll:opened');
      expect(data(await command(host.s, 'poll:open', { pollId: poll.id }))).toMatchObject({ status: 'open' });
      expect(await opened).toMatchObject({ id: poll.id, question: 'Which venue?', options: ['Almaty', 'Tashkent', 'Baku'], status: 'open' });

      const hostEvents = record(host.s);
      expect(code(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [0, 1] }))).toBe('INVALID_PAYLOAD');
      expect(code(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [3] }))).toBe('INVALID_PAYLOAD');
      expect(data(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [1] }))).toMatchObject({ voted: true, myChoices: [1], counts: [0, 1, 0], voters: 1 });
      expect(code(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [2] }))).toBe('ALREADY_VOTED');
      const dupes = await Promise.all(Array.from({ length: 10 }, () => command(b.s, 'poll:vote', { pollId: poll.id, choices: [2] })));
      expect(dupes.map(code).sort()).toEqual([...Array<string>(9).fill('ALREADY_VOTED'), 'ok']);
      await until('live results with both votes', () => hostEvents.find((e) => e.event === 'poll:results' && (e.data as { voters: number }).voters === 2));
      expect(hostEvents.filter((e) => e.event === 'poll:results').at(-1)!.data).toEqual({ pollId: poll.id, counts: [0, 1, 1], voters: 2 });

      const closed = nextEvent(b.s, 'poll:closed');
      expect(data(await command(host.s, 'poll:close', { pollId: poll.id }))).toMatchObject({ status: 'closed', counts: [0, 1, 1], voters: 2 });
      expect(await closed).toMatchObject({ id: poll.id, status: 'closed', counts: [0, 1, 1], voters: 2 });
      expect(code(await command(host.s, 'poll:vote', { pollId: poll.id, choices: [0] }))).toBe('POLL_CLOSED');
      expect(code(await command(host.s, 'poll:open', { pollId: poll.id }))).toBe('POLL_CLOSED');
      expect(data(await command(a.s, 'poll:list', {})).polls).toEqual([expect.objectContaining({ id: poll.id, voted: true, myChoices: [1], status: 'closed' })]);
    });

    it('takes several choices in a multiple-choice poll', async () => {
      const room = await newRoom('Multi poll room');
      const host = await join(owner, room);
      const poll = await createPoll(host.s, { multiple: true });
      data(await command(host.s, 'poll:open', { pollId: poll.id }));
      expect(data(await command(host.s, 'poll:vote', { pollId: poll.id, choices: [2, 0] }))).toMatchObject({ counts: [1, 0, 1], voters: 1, myChoices: [0, 2] });
    });

    it('exports results as CSV to organisers: counts, who chose what, formulas neutralised', async () => {
      const room = await newRoom('Export room');
      // People appear under their account name, so the hostile name is the account's own.
      const ann = await member('=Ann, "the" voter');
      const host = await join(owner, room);
      const a = await join(ann, room);
      const poll = await createPoll(host.s, { options: ['Yes', '=HYPERLINK("http://evil")'] });
      data(await command(host.s, 'poll:open', { pollId: poll.id }));
      data(await command(a.s, 'poll:vote', { pollId: poll.id, choices: [1] }));
      data(await command(host.s, 'poll:vote', { pollId: poll.id, choices: [0] }));

      const url = `/api/rooms/${room.id}/polls/${poll.id}/results.csv`;
      const res = await http.get<string>(url, owner.accessToken);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="poll-${poll.id}.csv"`);
      expect(res.body.replace(/^\uFEFF/, '').split('\r\n')).toEqual([
        'Question,Which venue?',
        'Status,open',
        'Anonymous,no',
        'Voters,2',
        '',
        'Option,Votes',
        'Yes,1',
        `"'=HYPERLINK(""http://evil"")",1`,
        '',
        `Voter,Yes,"'=HYPERLINK(""http://evil"")"`,
        `"'=Ann, ""the"" voter",0,1`,
        'Chair,1,0',
        '',
      ]);

      expect((await http.get(url, ann.accessToken)).body.error.code).toBe('FORBIDDEN');
      const stranger = await register(server.url, 'Stranger');
      expect((await http.get(url, stranger.accessToken)).body.error.code).toBe('NOT_FOUND');
      const elsewhere = await newRoom('Other room');
      expect((await http.get(`/api/rooms/${elsewhere.id}/polls/${poll.id}/results.csv`, owner.accessToken)).body.error.code).toBe('NOT_FOUND');
      expect((await http.get(`/api/rooms/${room.id}/polls/not-a-uuid/results.csv`, owner.accessToken)).body.error.code).toBe('INVALID_PAYLOAD');
    });

    it('never reveals who chose what in an anonymous poll: not in events, lists, exports or the database', async () => {
      const room = await newRoom('Anonymous poll room');
      const [voter, other] = await Promise.all([member('Quintessa Hiddenvoter'), member('Other Voter')]);
      const host = await join(owner, room);
      const v = await join(voter, room);
      const o = await join(other, room);
      const needles = [voter.user.id, voter.user.email, 'Quintessa', 'Hiddenvoter', v.joined.peerId, other.user.id, 'Other Voter', o.joined.peerId];
      const hostEvents = record(host.s);

      const poll = await createPoll(host.s, { anonymous: true });
      data(await command(host.s, 'poll:open', { pollId: poll.id }));
      expect(data(await command(v.s, 'poll:vote', { pollId: poll.id, choices: [2] }))).toMatchObject({ myChoices: [2], voted: true });
      data(await command(o.s, 'poll:vote', { pollId: poll.id, choices: [0] }));
      await until('live results', () => hostEvents.find((e) => e.event === 'poll:results' && (e.data as { voters: number }).voters === 2));
      const hostList = data(await command(host.s, 'poll:list', {}));
      // While open, nothing readable is written beside a voter: the totals are not touched (so no
      // system column ties a count to a voter row) and each choice is sealed at one size.
      expect((await db.query(`SELECT votes FROM poll_counts WHERE poll_id = $1`, [poll.id])).rows.map((r) => r.votes)).toEqual([0, 0, 0]);
      const sealedRows = (await db.query(`SELECT octet_length(sealed_choices) AS n FROM poll_voters WHERE poll_id = $1`, [poll.id])).rows;
      expect(sealedRows).toHaveLength(2);
      expect(new Set(sealedRows.map((r) => r.n)).size).toBe(1);
      const closedView = data(await command(host.s, 'poll:close', { pollId: poll.id }));
      expect(closedView).toMatchObject({ counts: [1, 0, 1], voters: 2 });
      const csv = (await http.get<string>(`/api/rooms/${room.id}/polls/${poll.id}/results.csv`, owner.accessToken)).body;
      expect(csv).toContain('Anonymous,yes');
      expect(csv).not.toContain('Voter,');

      const exposed = JSON.stringify([hostEvents.filter((e) => /^(qa|chat|poll):/.test(e.event)), hostList, closedView, csv]);
      for (const n of needles) expect(exposed).not.toContain(n);

      // The voter's own view later: they voted, but their choice is not kept with their name.
      expect(data(await command(v.s, 'poll:list', {})).polls[0]).toMatchObject({ voted: true, myChoices: null });
      expect((await db.query(`SELECT * FROM poll_ballots WHERE poll_id = $1`, [poll.id])).rows).toEqual([]);
      // Closed: the totals hold the votes, the sealed choices are erased (and their key destroyed).
      expect((await db.query(`SELECT votes FROM poll_counts WHERE poll_id = $1 ORDER BY option_index`, [poll.id])).rows.map((r) => r.votes)).toEqual([1, 0, 1]);
      expect((await db.query(`SELECT * FROM poll_voters WHERE poll_id = $1`, [poll.id])).rows.map((r) => [Object.keys(r).sort(), r.sealed_choices])).toEqual([
        [['poll_id', 'sealed_choices', 'user_id'], null],
        [['poll_id', 'sealed_choices', 'user_id'], null],
      ]);
    });
  });

  describe('reactions', () => {
    it('shows reactions to the others, volatile and rate limited per person', async () => {
      const room = await newRoom('Reaction room');
      const ann = await member('Ann');
      const host = await join(owner, room);
      const a = await join(ann, room);
      const shown = nextEvent(host.s, 'reaction:shown');
      expect(data(await command(a.s, 'reaction:send', { emoji: '👏' }))).toEqual({ sent: true });
      expect(await shown).toEqual({ peerId: a.joined.peerId, emoji: '👏' });
      expect(code(await command(a.s, 'reaction:send', { emoji: '🤡' as '👏' }))).toBe('INVALID_PAYLOAD');

      // A fresh burst from the host: 3 go through, the rest are refused.
      const burst = await Promise.all(Array.from({ length: 8 }, () => command(host.s, 'reaction:send', { emoji: '🎉' })));
      expect(burst.map(code).sort()).toEqual([...Array<string>(5).fill('RATE_LIMITED'), 'ok', 'ok', 'ok']);
    });
  });
});
