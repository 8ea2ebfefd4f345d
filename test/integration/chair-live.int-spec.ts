import type { MeetingView, MotionView, OrganizationDto, ServerEvents } from '../../server/src/contract';
import { api, command, connectSocket, register, type TestSession, type TestSocket } from '../helpers/api';
import { addMembers } from '../helpers/governance';
import { type StartedServer, startServer } from '../helpers/server-process';

/**
 * What a chair's console learns without asking: motions moved and moved along reach every socket
 * watching the meeting as `motion:changed`. Also: a meeting's language (the one its minutes are
 * written in) and whether the viewer may download its record.
 */
jest.setTimeout(90_000);

type MotionChanged = Parameters<ServerEvents['motion:changed']>[0];

/** Collects `motion:changed` events and waits for one matching a predicate (no timed assertion). */
function motionEvents(socket: TestSocket) {
  const seen: MotionChanged[] = [];
  const waiters: { match: (e: MotionChanged) => boolean; resolve: (e: MotionChanged) => void }[] = [];
  socket.on('motion:changed', (e) => {
    seen.push(e);
    for (const w of waiters.filter((x) => x.match(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    seen,
    next: (match: (e: MotionChanged) => boolean) =>
      new Promise<MotionChanged>((resolve) => {
        const found = seen.find(match);
        if (found) resolve(found);
        else waiters.push({ match, resolve });
      }),
  };
}

describe('the chair follows motions live, and a meeting carries its language', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: TestSession;
  let chair: TestSession;
  let members: TestSession[];
  let org: OrganizationDto;
  let meeting: MeetingView;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Regional Library Council' }, owner.accessToken)).body;
    const people = await addMembers(server.url, owner.accessToken, org.id, 3, 'Member');
    chair = people[0]!;
    members = people.slice(1);
    meeting = (await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Board meeting', kind: 'board', scheduledAt: new Date().toISOString(), chairId: chair.user.id }, owner.accessToken)).body;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server?.stop();
  });

  it('tells the watching chair when a member moves a motion and each time it changes status', async () => {
    const chairSocket = await connectSocket(server.url, { token: chair.accessToken });
    sockets.push(chairSocket);
    const events = motionEvents(chairSocket);
    const watch = await command(chairSocket, 'meeting:watch', { meetingId: meeting.id });
    expect(watch.ok).toBe(true);

    const moved = (await http.post<MotionView>(`/api/meetings/${meeting.id}/motions`, { title: 'Extend opening hours', text: 'Branches open until 21:00 on weekdays.' }, members[0]!.accessToken)).body;
    const first = await events.next((e) => e.motion.id === moved.id && e.motion.status === 'draft');
    expect(first).toEqual({ meetingId: meeting.id, motion: expect.objectContaining({ title: 'Extend opening hours', text: 'Branches open until 21:00 on weekdays.', moverName: 'Member 2', status: 'draft' }) });

    await http.post(`/api/meetings/${meeting.id}/motions/${moved.id}/transition`, { event: 'submit' }, members[0]!.accessToken);
    expect((await events.next((e) => e.motion.id === moved.id && e.motion.status === 'submitted')).motion.seconderName).toBeNull();
    await http.post(`/api/meetings/${meeting.id}/motions/${moved.id}/transition`, { event: 'second' }, members[1]!.accessToken);
    expect((await events.next((e) => e.motion.id === moved.id && e.motion.status === 'seconded')).motion.seconderName).toBe('Member 3');
    // The chair's own step comes back to the chair's other tabs in the same way.
    await http.post(`/api/meetings/${meeting.id}/motions/${moved.id}/transition`, { event: 'debate' }, chair.accessToken);
    await events.next((e) => e.motion.id === moved.id && e.motion.status === 'debate');
    expect(events.seen.map((e) => e.motion.status)).toEqual(['draft', 'submitted', 'seconded', 'debate']);
  });

  it('does not tell a refused change: the status the chair sees stays the last real one', async () => {
    const chairSocket = sockets[0]!;
    const events = motionEvents(chairSocket);
    const moved = (await http.post<MotionView>(`/api/meetings/${meeting.id}/motions`, { title: 'Close on Sundays', text: 'Branches close on Sundays.' }, members[1]!.accessToken)).body;
    await events.next((e) => e.motion.id === moved.id);
    // Seconding a draft is out of turn: refused, and nothing is announced for it; the next real step is.
    const refused = await http.post(`/api/meetings/${meeting.id}/motions/${moved.id}/transition`, { event: 'second' }, members[0]!.accessToken);
    expect(refused.body.error.code).toBe('ILLEGAL_TRANSITION');
    await http.post(`/api/meetings/${meeting.id}/motions/${moved.id}/transition`, { event: 'withdraw' }, members[1]!.accessToken);
    await events.next((e) => e.motion.id === moved.id && e.motion.status === 'withdrawn');
    expect(events.seen.filter((e) => e.motion.id === moved.id).map((e) => e.motion.status)).toEqual(['draft', 'withdrawn']);
  });

  it('keeps the language a meeting was created in, English by default, and refuses one the product does not speak', async () => {
    expect(meeting.language).toBe('en');
    const ar = await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'اجتماع المجلس', language: 'ar', scheduledAt: new Date().toISOString() }, owner.accessToken);
    expect(ar.status).toBe(201);
    expect(ar.body.language).toBe('ar');
    expect((await http.get<MeetingView>(`/api/meetings/${ar.body.id}`, members[0]!.accessToken)).body.language).toBe('ar');
    const fr = await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Réunion du conseil', language: 'fr', scheduledAt: new Date().toISOString() }, owner.accessToken);
    expect([fr.status, fr.body.language]).toEqual([201, 'fr']);
    // German is not (yet) one of the product's languages.
    const de = await http.post(`/api/organizations/${org.id}/meetings`, { title: 'Vorstandssitzung', language: 'de', scheduledAt: new Date().toISOString() }, owner.accessToken);
    expect(de.status).toBe(400);
    expect(de.body.error.code).toBe('INVALID_PAYLOAD');
  });

  it('says who may download the record, from the meeting permission table', async () => {
    const as = async (s: TestSession) => (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, s.accessToken)).body.canExport;
    expect(await as(chair)).toBe(true);
    expect(await as(owner)).toBe(true);
    expect(await as(members[0]!)).toBe(false);
    // And the server agrees with what the view says.
    expect((await http.get(`/api/meetings/${meeting.id}/minutes.csv`, members[0]!.accessToken)).status).toBe(403);
  });
});
