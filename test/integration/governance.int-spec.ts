import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { BallotView, BulletinEntry, CastReceipt, OrganizationDto, SessionDto } from '../../server/src/contract';
import { receiptHash } from '../../server/src/modules/governance/audit-chain';
import { api, command, register, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, cast, checkIn, meetingWithMotion, requestId, sockets } from '../helpers/governance';
import { code } from '../helpers/room';
import { ROOT, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(240_000);

const CHOICES = ['yes', 'no', 'abstain'] as const;

describe('formal decisions: 200 voters, integrity, secrecy, proxies, quorum, independent verification', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: SessionDto;
  let org: OrganizationDto;
  let voters: SessionDto[];
  let socks: TestSocket[];
  const verify = (file: string, ...extra: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/verify.mjs'), file, ...extra], { encoding: 'utf8' });

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, chair.accessToken)).body;
    voters = await addMembers(server.url, chair.accessToken, org.id, 200);
    socks = await sockets(server.url, voters);
  });
  afterAll(async () => {
    if (process.env.SHOW_ERRORS) console.log(server.logs().split('\n').filter((l) => l.includes('"level":50')).join('\n').slice(0, 3000));
    socks?.forEach((s) => s.close());
    await server?.stop();
  });

  it('counts 200 concurrent secret votes exactly, publishes a verifiable bulletin board, and an edited export fails verification', async () => {
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members' }, voters[0]!.accessToken);
    await checkIn(server.url, voters, meeting.id);
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId, secrecy: 'secret', rule: 'simple' });
    const opened = await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    expect(opened.body.status).toBe('open');

    const expected = { yes: 0, no: 0, abstain: 0 };
    const results = await Promise.all(
      voters.map((v, i) => {
        const choice = CHOICES[(i * 7) % 3]!;
        expected[choice]++;
        return cast(socks[i]!, ballot.id, v.user.id, choice);
      }),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const receipts = results.map((r) => (r as { data: CastReceipt }).data.receipt);
    expect(new Set(receipts).size).toBe(200);

    // Casting after the close is refused.
    expect((await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken)).body.status).toBe('closed');
    expect(code(await cast(socks[0]!, ballot.id, voters[0]!.user.id, 'no'))).toBe('BALLOT_CLOSED');
    const published = await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
    expect(published.body.result).toMatchObject({ kind: 'motion', ...expected, cast: 200, outcome: expected.yes > expected.no ? 'carried' : expected.yes === expected.no ? 'tie' : 'lost' });

    // Each voter finds their receipt on the bulletin board, counted as cast.
    const bulletin = (await http.get<BulletinEntry[]>(`/api/ballots/${ballot.id}/bulletin`, voters[5]!.accessToken)).body;
    expect(bulletin).toHaveLength(200);
    const byHash = new Map(bulletin.map((e) => [e.receiptHash, e.choice]));
    voters.forEach((_, i) => expect(byHash.get(receiptHash(ballot.id, receipts[i]!))).toBe(CHOICES[(i * 7) % 3]));

    // The database alone does not link a voter to a choice.
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const casts = await db.query(`SELECT choice, receipt_hash FROM ballot_casts WHERE ballot_id = $1`, [ballot.id]);
      expect(casts.rows.every((r) => r.choice === null && r.receipt_hash === null)).toBe(true);
      // Counted: the envelopes are erased and the bulletin board holds no seat.
      expect(casts.rows).toHaveLength(200);
      const left = await db.query(`SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1 AND envelope IS NOT NULL`, [ballot.id]);
      expect(left.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }

    // Independent verification: passes on the real export, fails on each kind of tampering.
    const exported = (await http.get(`/api/meetings/${meeting.id}/export`, chair.accessToken)).body;
    const dir = mkdtempSync(path.join(tmpdir(), 'quorum-export-'));
    const write = (name: string, data: unknown) => {
      const f = path.join(dir, name);
      writeFileSync(f, JSON.stringify(data));
      return f;
    };
    const good = verify(write('good.json', exported), '--ballot', ballot.id, '--receipt', receipts[3]!);
    expect(good.stdout).toContain('PASS');
    expect(good.status).toBe(0);

    const edited = structuredClone(exported);
    const entry = edited.ballots[0].bulletin.find((e: BulletinEntry) => e.choice === 'no');
    entry.choice = 'yes';
    const removed = structuredClone(exported);
    removed.ballots[0].bulletin.splice(10, 1);
    const altered = structuredClone(exported);
    const voteEntry = altered.audit.find((e: { kind: string }) => e.kind === 'vote.cast');
    voteEntry.payload.seatId = voters[199]!.user.id;
    for (const [name, data, reason] of [
      ['edited.json', edited, /recount|bulletin board is not/],
      ['removed.json', removed, /199 entries on the bulletin board, 200 were published/],
      ['altered.json', altered, /audit chain: entry \d+ .*altered/],
    ] as const) {
      const r = verify(write(name, data));
      expect({ name, status: r.status, out: r.stdout }).toEqual({ name, status: 1, out: expect.stringMatching(reason) });
    }
    expect(verify(write('good2.json', exported), '--ballot', ballot.id, '--receipt', 'AAAAA-BBBBB-CCCCC-DDDDD').stdout).toContain('FAIL: this receipt is not on the bulletin board');
  });

  it('counts one ballot per seat when the same voter sends twice at once; a retry with the same request id gets the same receipt', async () => {
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members' }, voters[0]!.accessToken);
    await checkIn(server.url, voters.slice(0, 150), meeting.id);
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId });
    await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);

    const counted: string[] = [];
    for (const [i, second] of [[1, 'yes'], [2, 'no']] as const) {
      const [a, b] = await Promise.all([cast(socks[i]!, ballot.id, voters[i]!.user.id, 'yes'), cast(socks[i]!, ballot.id, voters[i]!.user.id, second)]);
      expect([code(a), code(b)].sort()).toEqual(['ALREADY_VOTED', 'ok']);
      counted.push(a.ok ? 'yes' : second);
    }
    const key = requestId();
    const [r1, r2] = await Promise.all([cast(socks[3]!, ballot.id, voters[3]!.user.id, 'no', key), cast(socks[3]!, ballot.id, voters[3]!.user.id, 'no', key)]);
    expect(r1.ok && r2.ok && r1.data.receipt === r2.data.receipt).toBe(true);

    // Not eligible: someone else's seat, and a person outside the organisation.
    expect(code(await cast(socks[4]!, ballot.id, voters[5]!.user.id, 'yes'))).toBe('NOT_ELIGIBLE');
    const outsider = await register(server.url, 'Outsider');
    const os = (await sockets(server.url, [outsider]))[0]!;
    // To someone outside the organisation the ballot does not exist.
    expect(code(await cast(os, ballot.id, outsider.user.id, 'yes'))).toBe('NOT_FOUND');
    os.close();
    expect(code(await cast(socks[6]!, ballot.id, voters[6]!.user.id, 'maybe'))).toBe('INVALID_PAYLOAD');

    await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    const published = (await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body;
    const yes = counted.filter((c) => c === 'yes').length;
    expect(published.result).toMatchObject({ yes, no: 3 - yes, cast: 3 });
    // Roll-call: the record shows who voted what.
    const bulletin = (await http.get<BulletinEntry[]>(`/api/ballots/${ballot.id}/bulletin`, chair.accessToken)).body;
    expect(bulletin.map((e) => (e.secrecy === 'roll-call' ? [e.label, e.choice] : null)).sort()).toEqual([
      ['Voter 2', counted[0]],
      ['Voter 3', counted[1]],
      ['Voter 4', 'no'],
    ]);
  });

  it('refuses to open without quorum unless the chair overrides with a reason, which is recorded', async () => {
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members' }, voters[0]!.accessToken);
    await checkIn(server.url, voters.slice(0, 50), meeting.id);
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId });
    const refused = await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'QUORUM_NOT_MET']);
    expect(refused.body.error.details).toMatchObject({ counted: 50, required: 101, met: false });
    // Only the chair may open, override or not.
    expect((await http.post(`/api/ballots/${ballot.id}/open`, { overrideQuorumReason: 'I say so' }, voters[0]!.accessToken)).body.error.code).toBe('FORBIDDEN');
    const opened = await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, { overrideQuorumReason: 'Adjourned assembly: no quorum needed by statute' }, chair.accessToken);
    expect(opened.body).toMatchObject({ status: 'open', quorumOverride: 'Adjourned assembly: no quorum needed by statute' });
    const exported = (await http.get(`/api/meetings/${meeting.id}/export`, chair.accessToken)).body;
    expect(exported.audit.find((e: { kind: string }) => e.kind === 'quorum.override').payload).toMatchObject({ ballotId: ballot.id, reason: 'Adjourned assembly: no quorum needed by statute' });
  });

  it('enforces proxy instructions and lets a proxy holder cast for every seat they hold', async () => {
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members', quorumRule: { kind: 'at-least', seats: 2 } }, voters[0]!.accessToken);
    const [grantor, holder, free] = [voters[10]!, voters[11]!, voters[12]!];
    expect((await http.post(`/api/meetings/${meeting.id}/proxies`, { seatId: grantor.user.id, holderId: holder.user.id, instructions: { [motionId]: 'no' } }, grantor.accessToken)).status).toBe(200);
    expect((await http.post(`/api/meetings/${meeting.id}/proxies`, { seatId: free.user.id, holderId: holder.user.id }, free.accessToken)).status).toBe(200);
    // Only the seat's holder can give its proxy.
    expect((await http.post(`/api/meetings/${meeting.id}/proxies`, { seatId: voters[13]!.user.id, holderId: holder.user.id }, holder.accessToken)).body.error.code).toBe('NOT_ELIGIBLE');
    await checkIn(server.url, [holder], meeting.id);
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId });
    expect((await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken)).body.status).toBe('open');

    expect(code(await cast(socks[11]!, ballot.id, grantor.user.id, 'yes'))).toBe('PROXY_INSTRUCTED');
    expect(code(await cast(socks[10]!, ballot.id, grantor.user.id, 'no'))).toBe('NOT_ELIGIBLE');
    const all = await command(socks[11]!, 'ballot:cast-all', { clientRequestId: requestId(), ballotId: ballot.id, choice: 'yes' }, 15_000);
    if (!all.ok) throw new Error(JSON.stringify(all));
    expect(all.data.receipts.map((r) => r.seatId).sort()).toEqual([grantor.user.id, holder.user.id, free.user.id].sort());

    await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    await http.post(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
    const bulletin = (await http.get<BulletinEntry[]>(`/api/ballots/${ballot.id}/bulletin`, chair.accessToken)).body;
    const bySeat = Object.fromEntries(bulletin.map((e) => [(e as { seatId: string }).seatId, e.choice]));
    expect(bySeat).toEqual({ [grantor.user.id]: 'no', [holder.user.id]: 'yes', [free.user.id]: 'yes' });
  });

  it('never links a voter to a choice in a secret ballot, through any endpoint or event the chair or an admin reaches', async () => {
    const admin = voters[199]!;
    const members = await http.get(`/api/organizations/${org.id}/members`, chair.accessToken);
    expect(members.status).toBe(200);
    await http.patch(`/api/organizations/${org.id}/members/${admin.user.id}`, { role: 'admin' }, chair.accessToken);
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members', quorumRule: { kind: 'at-least', seats: 3 } }, voters[0]!.accessToken);
    const sample = voters.slice(20, 26);
    await checkIn(server.url, sample, meeting.id);

    const seen: unknown[] = [];
    const chairSock = (await sockets(server.url, [chair]))[0]!;
    for (const s of [chairSock, socks[199]!]) {
      s.onAny((event: string, data: unknown) => seen.push({ event, data }));
      seen.push(await command(s, 'meeting:watch', { meetingId: meeting.id }));
    }
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId, secrecy: 'secret' });
    await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    const receipts = new Map<string, string>();
    for (const [k, v] of sample.entries()) {
      const r = await cast(socks[20 + k]!, ballot.id, v.user.id, CHOICES[k % 3]);
      if (!r.ok) throw new Error(JSON.stringify(r));
      receipts.set(v.user.id, receiptHash(ballot.id, r.data.receipt!));
      seen.push(await http.get(`/api/ballots/${ballot.id}`, chair.accessToken), await http.get(`/api/meetings/${meeting.id}`, admin.accessToken));
    }
    await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    await http.post(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
    await new Promise((r) => setTimeout(r, 400));
    for (const token of [chair.accessToken, admin.accessToken]) {
      for (const p of [`/api/ballots/${ballot.id}`, `/api/ballots/${ballot.id}/bulletin`, `/api/meetings/${meeting.id}`, `/api/meetings/${meeting.id}/export`, `/api/organizations/${org.id}/meetings`]) {
        seen.push((await http.get(p, token)).body);
      }
    }
    chairSock.close();

    // A link is any object that names a voter (id or seat) together with their receipt hash or a choice.
    const links: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const text = JSON.stringify(node);
      const own = Object.values(node as Record<string, unknown>).filter((v) => typeof v !== 'object').map(String);
      for (const v of sample) {
        const names = own.some((x) => x === v.user.id || x === v.user.displayName);
        const hasChoice = 'choice' in (node as object) || own.includes(receipts.get(v.user.id)!);
        if (names && hasChoice) links.push(text.slice(0, 200));
      }
      Object.values(node as object).forEach(walk);
    };
    walk(seen);
    expect(links).toEqual([]);
    // ...while the record does show who took part, and the bulletin board what was counted.
    expect(JSON.stringify(seen)).toContain(sample[0]!.user.id);
    expect(JSON.stringify(seen)).toContain(receipts.get(sample[0]!.user.id));
  });
});
