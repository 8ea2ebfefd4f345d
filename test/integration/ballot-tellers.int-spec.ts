import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  type BallotView,
  type KeyPair,
  type OrganizationDto,
  type SessionDto,
  b64url,
  fromB64url,
  newKeyPair,
  openShare,
  openVote,
  randomBytes,
  sealShare,
  splitKey,
} from '../../server/src/contract';
import { api, command, rawEmit, register, type TestSocket } from '../helpers/api';
import { ballotKeyOf } from '../helpers/ballot-device';
import { addMembers, ballotOn, checkIn, meetingWithMotion, registerTellerKey, requestId, sockets } from '../helpers/governance';
import { ADMIN_DATABASE_URL, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(240_000);

const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

/**
 * Secret ballots beyond the operator: a choice is sealed on the voter's device, the ballot's key is
 * made on the chair's device and split among tellers, and the count waits for enough of them. Played
 * as an operator who holds everything the server holds — the whole database, the data folder with its
 * seal key, every request the server received — while voting is open: no choice can be read.
 */
describe('secret ballots: the running server cannot read choices while voting is open', () => {
  let server: StartedServer;
  let dataDir: string;
  let http: ReturnType<typeof api>;
  let raw: ReturnType<typeof api>;
  let chair: SessionDto;
  let org: OrganizationDto;
  let voters: SessionDto[];
  let socks: TestSocket[];
  let reader: Client;
  let tellers: SessionDto[];
  const tellerKeys: KeyPair[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'quorum-tellers-'));
    server = await startServer({ env: { DATA_DIR: dataDir } });
    http = api(server.url);
    raw = api(server.url, { device: false });
    chair = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'BRICS Library Alliance' }, chair.accessToken)).body;
    voters = await addMembers(server.url, chair.accessToken, org.id, 12, 'Voter');
    tellers = voters.slice(9, 12);
    for (const t of tellers) tellerKeys.push(await registerTellerKey(server.url, t.accessToken));
    socks = await sockets(server.url, voters);
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = new URL(server.databaseUrl).pathname;
    reader = new Client({ connectionString: url.toString() });
    await reader.connect();
  });
  afterAll(async () => {
    socks?.forEach((s) => s.close());
    await reader?.end();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A secret ballot on a fresh motion in a members' meeting whose tellers are the last three voters, any two of whom count. */
  async function secretBallot(): Promise<{ meetingId: string; ballot: BallotView }> {
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members', quorumRule: { kind: 'at-least', seats: 1 } }, voters[0]!.accessToken);
    await checkIn(server.url, [voters[0]!], meeting.id);
    const named = await http.call('PUT', `/api/meetings/${meeting.id}/tellers`, { tellers: tellers.map((t) => t.user.id), threshold: 2 }, chair.accessToken);
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ tellerThreshold: 2, tellers: tellers.map((t) => ({ userId: t.user.id, displayName: t.user.displayName })) });
    return { meetingId: meeting.id, ballot: await ballotOn(server.url, chair.accessToken, meeting.id, { motionId, secrecy: 'secret' }) };
  }

  /** Every byte the operator holds: all rows of all tables (as text) and every file in the data folder. */
  async function everythingTheServerHolds(): Promise<string> {
    const tables = (await reader.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename as string);
    let all = '';
    for (const t of tables) {
      for (const row of (await reader.query(`SELECT * FROM "${t}"`)).rows) {
        all += JSON.stringify(row, (_k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v)) + '\n';
      }
    }
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else all += readFileSync(file).toString('hex') + '\n' + readFileSync(file, 'latin1') + '\n';
      }
    };
    walk(dataDir);
    return all + server.logs();
  }

  const forms = (bytes: Uint8Array) => [b64url(bytes), Buffer.from(bytes).toString('hex'), Buffer.from(bytes).toString('base64')];

  it('keeps choices and the ballot key out of everything the server holds until two tellers release their shares', async () => {
    const { meetingId, ballot } = await secretBallot();
    const opened = await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    expect(opened.body).toMatchObject({ status: 'open', keyThreshold: 2 });
    expect(opened.body.tellers!.map((t) => t.userId).sort()).toEqual(tellers.map((t) => t.user.id).sort());
    const key = ballotKeyOf(ballot.id)!;
    expect(opened.body.publicKey).toBe(key.publicKey);

    // A choice in the clear is refused, whichever way it comes.
    const seat = voters[0]!.user.id;
    expect(code(await rawEmit(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: seat, choice: 'yes' }))).toBe('SEALED_VOTE_REQUIRED');
    expect(code(await rawEmit(socks[0]!, 'ballot:cast-all', { clientRequestId: requestId(), ballotId: ballot.id, choice: 'yes' }))).toBe('SEALED_VOTE_REQUIRED');
    expect(code(await rawEmit(socks[0]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: seat, envelope: 'A'.repeat(100) }))).toBe('INVALID_PAYLOAD');

    const choices = ['yes', 'no', 'yes', 'abstain', 'yes', 'no', 'yes', 'yes', 'no'] as const;
    for (const [i, choice] of choices.entries()) {
      expect(code(await command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: voters[i]!.user.id, choice }))).toBe('ok');
    }

    // The operator's view while voting is open: neither the ballot's private key nor any teller's
    // appears anywhere in the database, the data folder (seal key included) or the logs...
    const held = await everythingTheServerHolds();
    for (const f of forms(fromB64url(key.privateKey))) expect(held).not.toContain(f);
    for (const k of tellerKeys) for (const f of forms(fromB64url(k.privateKey))) expect(held).not.toContain(f);
    // ...while the envelopes it stores are real votes: the tellers' key (the test's own view of it) opens them.
    const envelopes = (await reader.query(`SELECT envelope FROM ballot_casts WHERE ballot_id = $1`, [ballot.id])).rows.map((r) => r.envelope as Buffer);
    expect(envelopes.map((e) => openVote(key, ballot.id, b64url(e)).choice).sort()).toEqual([...choices].sort());

    const shareOf = async (i: number) => {
      const mine = await raw.get<{ sealedShare: string }>(`/api/ballots/${ballot.id}/key-share`, tellers[i]!.accessToken);
      expect(mine.status).toBe(200);
      return b64url(openShare(tellerKeys[i]!, ballot.id, tellers[i]!.user.id, mine.body.sealedShare));
    };
    // No share is taken while voting is open.
    expect((await raw.post(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, tellers[0]!.accessToken)).body.error.code).toBe('BALLOT_NOT_OPEN');

    // Voting ends: the count waits for the tellers.
    const ended = await raw.post<BallotView>(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    expect(ended.body).toMatchObject({ status: 'counting', result: null });
    expect((await raw.post(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body.error.code).toBe('ILLEGAL_TRANSITION');
    expect(code(await command(socks[9]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: voters[9]!.user.id, choice: 'yes' }))).toBe('BALLOT_CLOSED');

    // Only a teller releases, and only their own share.
    expect((await raw.get(`/api/ballots/${ballot.id}/key-share`, voters[0]!.accessToken)).status).toBe(403);
    expect((await raw.post(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, voters[0]!.accessToken)).status).toBe(403);
    const outsider = await register(server.url, 'Outsider');
    expect((await raw.post(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, outsider.accessToken)).status).toBe(404);

    // One share of two: still counting, and that one share rebuilds nothing; releasing it again changes nothing.
    const first = await raw.post<BallotView>(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, tellers[0]!.accessToken);
    expect(first.body).toMatchObject({ status: 'counting', result: null });
    expect((await raw.post<BallotView>(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, tellers[0]!.accessToken)).body.status).toBe('counting');
    expect(first.body.tellers!.filter((t) => t.released).map((t) => t.userId)).toEqual([tellers[0]!.user.id]);
    expect((await reader.query(`SELECT count(*)::int AS n FROM ballot_bulletin WHERE ballot_id = $1`, [ballot.id])).rows[0].n).toBe(0);

    // The second share: the key is rebuilt in memory, the envelopes counted and erased, the shares erased.
    const counted = await raw.post<BallotView>(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(2) }, tellers[2]!.accessToken);
    expect(counted.body.status).toBe('closed');
    // The view says who released: the teller who did not is not shown as having done so.
    expect(Object.fromEntries(counted.body.tellers!.map((t) => [t.userId, t.released]))).toEqual({
      [tellers[0]!.user.id]: true,
      [tellers[1]!.user.id]: false,
      [tellers[2]!.user.id]: true,
    });
    const published = await raw.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
    expect(published.body.result).toMatchObject({ kind: 'motion', yes: 5, no: 3, abstain: 1, outcome: 'carried' });
    expect((await reader.query(`SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1 AND envelope IS NOT NULL`, [ballot.id])).rows[0].n).toBe(0);
    expect((await reader.query(`SELECT count(*)::int AS n FROM ballot_key_shares WHERE ballot_id = $1 AND released_share IS NOT NULL`, [ballot.id])).rows[0].n).toBe(0);
    expect((await raw.post(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(1) }, tellers[1]!.accessToken)).body.error.code).toBe('BALLOT_CLOSED');

    // The record shows who ended voting, which tellers released, and the count — never a choice before it.
    const audit = (await raw.get(`/api/meetings/${meetingId}/export`, chair.accessToken)).body.audit as { kind: string; payload: Record<string, unknown> }[];
    const kinds = audit.filter((e) => e.payload.ballotId === ballot.id).map((e) => e.kind);
    expect(kinds.slice(-5)).toEqual(['ballot.voting-ended', 'key.share-released', 'key.share-released', 'ballot.closed', 'ballot.published']);
    expect(audit.find((e) => e.kind === 'ballot.opened' && e.payload.ballotId === ballot.id)!.payload).toMatchObject({ publicKey: key.publicKey, keyThreshold: 2 });
  });

  it('does not count with a forged share; the next teller’s good share counts', async () => {
    const { ballot } = await secretBallot();
    await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    for (let i = 0; i < 4; i++) expect(code(await command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: voters[i]!.user.id, choice: 'no' }))).toBe('ok');
    await raw.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    const shareOf = async (i: number) =>
      b64url(openShare(tellerKeys[i]!, ballot.id, tellers[i]!.user.id, (await raw.get(`/api/ballots/${ballot.id}/key-share`, tellers[i]!.accessToken)).body.sealedShare));
    await raw.post(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(0) }, tellers[0]!.accessToken);
    const forged = await raw.post<BallotView>(`/api/ballots/${ballot.id}/key-share`, { share: b64url(randomBytes(33)) }, tellers[1]!.accessToken);
    expect(forged.body).toMatchObject({ status: 'counting', result: null });
    const good = await raw.post<BallotView>(`/api/ballots/${ballot.id}/key-share`, { share: await shareOf(2) }, tellers[2]!.accessToken);
    expect(good.body.status).toBe('closed');
    const published = await raw.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
    expect(published.body.result).toMatchObject({ no: 4, yes: 0, outcome: 'lost' });
  });

  it('opens only with one share per named teller, each with a teller key', async () => {
    const { meetingId, ballot } = await secretBallot();
    // No key at all: the server will not make one.
    const bare = await raw.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    expect([bare.status, bare.body.error.code]).toEqual([400, 'SEALED_VOTE_REQUIRED']);
    // Shares for the wrong people, or one missing.
    const key = newKeyPair();
    const shares = await splitKey(key.privateKey, 3, 2);
    const sealedFor = (who: SessionDto[]) => who.map((t, i) => ({ tellerId: t.user.id, sealedShare: sealShare(newKeyPair().publicKey, ballot.id, t.user.id, shares[i]!) }));
    for (const who of [tellers.slice(0, 2), [tellers[0]!, tellers[1]!, voters[0]!], [tellers[0]!, tellers[0]!, tellers[1]!]]) {
      const r = await raw.post(`/api/ballots/${ballot.id}/open`, { key: { publicKey: key.publicKey, shares: sealedFor(who) } }, chair.accessToken);
      expect([r.status, r.body.error.code]).toEqual([422, 'KEY_SHARE_INVALID']);
    }
    // A named teller without a teller key: nobody could hold their share.
    const fresh = (await addMembers(server.url, chair.accessToken, org.id, 1, 'Keyless'))[0]!;
    await http.call('PUT', `/api/meetings/${meetingId}/tellers`, { tellers: [tellers[0]!.user.id, fresh.user.id], threshold: 1 }, chair.accessToken);
    const missing = await raw.post(`/api/ballots/${ballot.id}/open`, { key: { publicKey: key.publicKey, shares: sealedFor([tellers[0]!, fresh]) } }, chair.accessToken);
    expect([missing.status, missing.body.error.code]).toEqual([409, 'TELLER_KEY_MISSING']);
    // Tellers must be members; the threshold fits the tellers.
    const outsider = await register(server.url, 'Stranger');
    expect((await http.call('PUT', `/api/meetings/${meetingId}/tellers`, { tellers: [outsider.user.id], threshold: 1 }, chair.accessToken)).status).toBe(404);
    expect((await http.call('PUT', `/api/meetings/${meetingId}/tellers`, { tellers: [tellers[0]!.user.id], threshold: 2 }, chair.accessToken)).status).toBe(400);
    expect((await http.call('PUT', `/api/meetings/${meetingId}/tellers`, { tellers: [tellers[0]!.user.id], threshold: 1 }, voters[0]!.accessToken)).status).toBe(403);
  });
});
