import type { BallotView, MeetingView, MotionView, OrganizationDto, SessionDto } from '../../server/src/contract';
import { receiptHash } from '../../server/src/modules/governance/audit-chain';
import { api, command, rawEmit, register, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, checkIn, releaseTellerShares, requestId, sockets } from '../helpers/governance';
import { code } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('motions, amendments, elections and timed ballots', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: SessionDto;
  let org: OrganizationDto;
  let people: SessionDto[];
  let socks: TestSocket[];
  let meeting: MeetingView;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'BRICS Library Alliance' }, chair.accessToken)).body;
    people = await addMembers(server.url, chair.accessToken, org.id, 5, 'Delegate');
    socks = await sockets(server.url, people);
    // Institutions basis: each institution votes with its weight through one of its delegates.
    const inst = async (name: string, country: string, voteWeight: number, delegate: SessionDto) => {
      const i = (await http.post(`/api/organizations/${org.id}/institutions`, { name, country, voteWeight }, chair.accessToken)).body;
      await http.post(`/api/organizations/${org.id}/institutions/${i.id}/delegates`, { userId: delegate.user.id }, chair.accessToken);
      return i.id as string;
    };
    await inst('National Library of Brazil', 'BR', 3, people[0]!);
    await inst('Russian State Library', 'RU', 2, people[1]!);
    await inst('National Library of India', 'IN', 2, people[2]!);
    await inst('National Library of China', 'CN', 3, people[3]!);
    await inst('National Library of South Africa', 'ZA', 1, people[4]!);
    meeting = (await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Annual assembly', scheduledAt: new Date().toISOString() }, chair.accessToken)).body;
    await checkIn(server.url, people, meeting.id);
  });
  afterAll(async () => {
    socks?.forEach((s) => s.close());
    await server?.stop();
  });

  const step = (motionId: string, event: string, token: string) => http.post<MotionView & { error: { code: string } }>(`/api/meetings/${meeting.id}/motions/${motionId}/transition`, { event }, token);

  it('moves a motion through its workflow and refuses every step out of turn', async () => {
    const m = (await http.post<MotionView>(`/api/meetings/${meeting.id}/motions`, { title: 'Open access policy', text: 'Members adopt the open access policy.' }, people[0]!.accessToken)).body;
    expect(m).toMatchObject({ status: 'draft', moverName: 'Delegate 1' });
    expect((await step(m.id, 'second', people[1]!.accessToken)).body.error.code).toBe('ILLEGAL_TRANSITION');
    expect((await step(m.id, 'submit', people[1]!.accessToken)).body.error.code).toBe('FORBIDDEN');
    expect((await step(m.id, 'submit', people[0]!.accessToken)).body.status).toBe('submitted');
    expect((await step(m.id, 'second', people[0]!.accessToken)).body.error.code).toBe('FORBIDDEN');
    expect((await step(m.id, 'second', people[1]!.accessToken)).body).toMatchObject({ status: 'seconded', seconderName: 'Delegate 2' });
    expect((await step(m.id, 'debate', people[1]!.accessToken)).body.error.code).toBe('FORBIDDEN');
    expect((await step(m.id, 'debate', chair.accessToken)).body.status).toBe('debate');

    // An amendment is decided before the motion it amends.
    const am = (await http.post<MotionView>(`/api/meetings/${meeting.id}/motions`, { title: 'Amendment: embargo of 6 months', text: 'Insert "after an embargo of at most six months".', amendsMotionId: m.id }, people[2]!.accessToken)).body;
    await step(am.id, 'submit', people[2]!.accessToken);
    await step(am.id, 'second', people[3]!.accessToken);
    expect((await http.post(`/api/meetings/${meeting.id}/ballots`, { motionId: m.id }, chair.accessToken)).body.error.code).toBe('ILLEGAL_TRANSITION');
    await step(am.id, 'debate', chair.accessToken);
    const amBallot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId: am.id, rule: 'two-thirds-cast' });
    expect((await http.post<BallotView>(`/api/ballots/${amBallot.id}/open`, {}, chair.accessToken)).body.status).toBe('open');
    // Weighted: yes 3 + 2 + 3 = 8 of 11 cast -> carries two thirds.
    for (const [i, choice] of ['yes', 'yes', 'no', 'yes', 'abstain'].entries()) {
      const seat = (await command(socks[i]!, 'meeting:watch', { meetingId: meeting.id })) as { ok: true; data: { mySeats: { seatId: string }[] } };
      expect(code(await command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: amBallot.id, seatId: seat.data.mySeats[0]!.seatId, choice: choice as 'yes' }))).toBe('ok');
    }
    await http.post(`/api/ballots/${amBallot.id}/close`, {}, chair.accessToken);
    const pub = (await http.post<BallotView>(`/api/ballots/${amBallot.id}/publish`, {}, chair.accessToken)).body;
    expect(pub.result).toMatchObject({ kind: 'motion', yes: 8, no: 2, abstain: 1, base: 10, outcome: 'carried' });
    const view = (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, people[4]!.accessToken)).body;
    expect(view.motions.find((x) => x.id === am.id)!.status).toBe('carried');
    // Now the motion itself may go to the vote; a finished ballot cannot be reopened or closed again.
    expect((await http.post(`/api/meetings/${meeting.id}/ballots`, { motionId: m.id }, chair.accessToken)).status).toBe(201);
    expect((await http.post(`/api/ballots/${amBallot.id}/open`, {}, chair.accessToken)).body.error.code).toBe('ILLEGAL_TRANSITION');
    expect((await http.post(`/api/ballots/${amBallot.id}/close`, {}, chair.accessToken)).body.error.code).toBe('ILLEGAL_TRANSITION');
  });

  it('runs a two-seat election with weights and closes a timed ballot by itself', async () => {
    const e = await ballotOn(server.url, chair.accessToken, meeting.id, {
      election: { title: 'Board seats', candidates: ['Amara', 'Bruno', 'Chen', 'Divya'], seats: 2, maxChoices: 2 },
      secrecy: 'secret',
      durationSeconds: 10,
    });
    const opened = (await http.post<BallotView>(`/api/ballots/${e.id}/open`, {}, chair.accessToken)).body;
    expect(opened.closesAt).not.toBeNull();
    // The last voter's device sends a choice no candidate list holds: the server cannot read it while
    // voting is open, so it is taken, and spoiled at the count.
    const picks = [['Amara', 'Chen'], ['Bruno'], ['Chen', 'Bruno'], ['Amara', 'Divya'], ['Zoe']];
    for (const [i, choice] of picks.entries()) {
      const seat = (await command(socks[i]!, 'meeting:watch', { meetingId: meeting.id })) as { ok: true; data: { mySeats: { seatId: string }[] } };
      expect(code(await command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: e.id, seatId: seat.data.mySeats[0]!.seatId, choice }))).toBe('ok');
    }
    const mine = ((await command(socks[0]!, 'meeting:watch', { meetingId: meeting.id })) as { ok: true; data: { mySeats: { seatId: string }[] } }).data.mySeats[0]!.seatId;
    const again = (choice: string[], seatId = mine) => command(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: e.id, seatId, choice });
    expect(code(await again(['Bruno']))).toBe('ALREADY_VOTED');
    expect(code(await again(['Bruno'], '00000000-0000-4000-8000-000000000000'))).toBe('NOT_ELIGIBLE');
    // A choice in the clear is refused outright: a secret vote is sealed on the voter's device.
    expect(code(await rawEmit(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: e.id, seatId: mine, choice: ['Bruno'] }))).toBe('SEALED_VOTE_REQUIRED');
    // The timer ends voting; the count waits for the teller (the chair's device) to release its share.
    const ended = await new Promise<BallotView>((resolve) => socks[4]!.once('ballot:closed', resolve));
    expect(ended).toMatchObject({ status: 'counting', result: null, keyThreshold: 1 });
    expect((await releaseTellerShares(server.url, chair.accessToken, e.id)).status).toBe('closed');
    const pub = (await http.post<BallotView>(`/api/ballots/${e.id}/publish`, {}, chair.accessToken)).body;
    // Amara 3+3=6, Chen 3+2=5, Bruno 2+2=4, Divya 3; the fifth seat's envelope is spoiled.
    expect(pub.result).toMatchObject({ kind: 'election', elected: ['Amara', 'Chen'], tied: [], abstentions: 0, cast: 10, outcome: 'decided' });
    expect(pub.spoiled).toBe(1);
  });

  it('counts the last ballot of a seat when re-voting is allowed, secret ballots included', async () => {
    const m = (await http.post<MotionView>(`/api/meetings/${meeting.id}/motions`, { title: 'Change the dues', text: 'Dues rise by 2%.' }, people[0]!.accessToken)).body;
    await step(m.id, 'submit', people[0]!.accessToken);
    await step(m.id, 'second', people[1]!.accessToken);
    await step(m.id, 'debate', chair.accessToken);
    const b = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId: m.id, secrecy: 'secret', allowRevote: true });
    await http.post(`/api/ballots/${b.id}/open`, {}, chair.accessToken);
    const seatOf = async (i: number) => ((await command(socks[i]!, 'meeting:watch', { meetingId: meeting.id })) as { ok: true; data: { mySeats: { seatId: string }[] } }).data.mySeats[0]!.seatId;
    const s0 = await seatOf(0);
    const first = await command(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: b.id, seatId: s0, choice: 'yes' });
    const second = await command(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: b.id, seatId: s0, choice: 'no' });
    if (!first.ok || !second.ok) throw new Error('revote refused');
    expect(second.data.receipt).not.toBe(first.data.receipt);
    expect(code(await command(socks[1]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: b.id, seatId: await seatOf(1), choice: 'yes' }))).toBe('ok');
    await http.post(`/api/ballots/${b.id}/close`, {}, chair.accessToken);
    const pub = (await http.post<BallotView>(`/api/ballots/${b.id}/publish`, {}, chair.accessToken)).body;
    // Brazil (3) changed to no; Russia (2) yes.
    expect(pub.result).toMatchObject({ yes: 2, no: 3, cast: 5, outcome: 'lost' });
    // One entry per unit of weight (3 + 2), none left of the replaced ballot.
    const bulletin = (await http.get(`/api/ballots/${b.id}/bulletin`, chair.accessToken)).body as { receiptHash: string; choice: string; weight: number }[];
    expect(bulletin).toHaveLength(5);
    expect(bulletin.every((e) => e.weight === 1)).toBe(true);
    const byHash = new Map(bulletin.map((e) => [e.receiptHash, e.choice]));
    expect([1, 2, 3].map((u) => byHash.get(receiptHash(b.id, second.data.receipt!, u)))).toEqual(['no', 'no', 'no']);
    expect(byHash.has(receiptHash(b.id, first.data.receipt!))).toBe(false);
    const exported = (await http.get(`/api/meetings/${meeting.id}/export`, chair.accessToken)).body;
    expect(exported.audit.filter((e: { kind: string; payload: { ballotId: string } }) => e.kind === 'vote.replaced' && e.payload.ballotId === b.id)).toHaveLength(1);
  });
});
