import type { BallotView, MeetingView, OrganizationDto } from '../../server/src/contract';
import { api, command, register, type TestSession } from '../helpers/api';
import { addMembers, ballotOn, checkIn, requestId, sockets } from '../helpers/governance';
import { code } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/**
 * The frozen roll fixes the seats and their weights when a ballot opens; who may cast for a seat is
 * checked again at the vote. And a ballot says nothing of itself to someone outside its organisation.
 */
describe('who may cast on an open ballot', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: TestSession;
  let org: OrganizationDto;
  let people: TestSession[];

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Regional Library Consortium' }, chair.accessToken)).body;
    people = await addMembers(server.url, chair.accessToken, org.id, 4, 'Delegate');
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function openBallot(meeting: MeetingView, secrecy: 'secret' | 'roll-call'): Promise<BallotView> {
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { election: { title: `Treasurer ${secrecy}`, candidates: ['Ana', 'Bo'], seats: 1, maxChoices: 1 }, secrecy });
    const opened = await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    expect(opened.body.status).toBe('open');
    return opened.body;
  }

  it('refuses a delegate removed from the institution or the organisation after the ballot opened; another delegate still votes', async () => {
    const inst = (await http.post(`/api/organizations/${org.id}/institutions`, { name: 'City Library', country: 'KE', voteWeight: 2 }, chair.accessToken)).body;
    const other = (await http.post(`/api/organizations/${org.id}/institutions`, { name: 'University Library', country: 'KE', voteWeight: 1 }, chair.accessToken)).body;
    for (const p of [people[0]!, people[1]!]) await http.post(`/api/organizations/${org.id}/institutions/${inst.id}/delegates`, { userId: p.user.id }, chair.accessToken);
    await http.post(`/api/organizations/${org.id}/institutions/${other.id}/delegates`, { userId: people[2]!.user.id }, chair.accessToken);
    const meeting = (await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Annual meeting', scheduledAt: new Date().toISOString() }, chair.accessToken)).body;
    await checkIn(server.url, people.slice(0, 3), meeting.id);
    const socks = await sockets(server.url, people.slice(0, 3));
    try {
      for (const secrecy of ['secret', 'roll-call'] as const) {
        const ballot = await openBallot(meeting, secrecy);
        const cast = (i: number, seatId: string) => command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId, choice: ['Ana'] });
        // Delegate 1 leaves the City Library's delegation after the roll was frozen.
        const removed = await http.del(`/api/organizations/${org.id}/institutions/${inst.id}/delegates/${people[0]!.user.id}`, chair.accessToken);
        expect(removed.status).toBeLessThan(300);
        expect(code(await cast(0, inst.id))).toBe('NOT_ELIGIBLE');
        // The seat is not lost: the institution's other delegate casts for it.
        expect(code(await cast(1, inst.id))).toBe('ok');
        // The University Library's delegate leaves the organisation: refused as well.
        expect((await http.del(`/api/organizations/${org.id}/members/${people[2]!.user.id}`, chair.accessToken)).status).toBeLessThan(300);
        expect(['NOT_ELIGIBLE', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']).toContain(code(await cast(2, other.id)));
        await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
        const published = (await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body;
        // Only the seat cast by a current delegate counts: weight 2 for Ana.
        expect(published.result).toMatchObject({ kind: 'election', cast: 2 });
        // Back on the roll for the next round.
        await http.post(`/api/organizations/${org.id}/institutions/${inst.id}/delegates`, { userId: people[0]!.user.id }, chair.accessToken);
        if (secrecy === 'secret') {
          const back = await addMembers(server.url, chair.accessToken, org.id, 1, 'Returning');
          people[2] = back[0]!;
          await http.post(`/api/organizations/${org.id}/institutions/${other.id}/delegates`, { userId: people[2]!.user.id }, chair.accessToken);
          await checkIn(server.url, [people[2]!], meeting.id);
          socks[2]!.close();
          socks[2] = (await sockets(server.url, [people[2]!]))[0]!;
        }
      }
    } finally {
      socks.forEach((s) => s.close());
    }
  });

  it('tells an outsider a ballot does not exist, whatever its state; members learn its state', async () => {
    const meeting = (await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Board', scheduledAt: new Date().toISOString(), voterBasis: 'members' }, chair.accessToken)).body;
    const draft = await ballotOn(server.url, chair.accessToken, meeting.id, { election: { title: 'Secretary', candidates: ['Ana', 'Bo'], seats: 1, maxChoices: 1 }, secrecy: 'secret' });
    const outsider = await register(server.url, 'Outsider');
    const [os, ms] = await sockets(server.url, [outsider, people[3]!]);
    try {
      const cast = (s: typeof os, seatId: string) => command(s!, 'ballot:cast', { clientRequestId: requestId(), ballotId: draft.id, seatId, choice: ['Ana'] });
      const castAll = (s: typeof os) => command(s!, 'ballot:cast-all', { clientRequestId: requestId(), ballotId: draft.id, choice: ['Ana'] });
      expect(code(await cast(os, outsider.user.id))).toBe('NOT_FOUND');
      expect(code(await castAll(os))).toBe('NOT_FOUND');
      expect(code(await cast(os, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
      expect(code(await cast(ms, people[3]!.user.id))).toBe('BALLOT_NOT_OPEN');
    } finally {
      os?.close();
      ms?.close();
    }
  });
});
