import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BallotView, CastReceipt, MeetingView, OrganizationDto, RecordKeyView, SessionDto } from '../../server/src/contract';
import { type AuditEntry, canonicalJson, entryHash, sha256 } from '../../server/src/modules/governance/audit-chain';
import { RecordSigner } from '../../server/src/modules/governance/record-signer';
import { tallyElection, tallyMotion } from '../../server/src/modules/governance/tally';
import { api, command, register, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, checkIn, requestId, sockets } from '../helpers/governance';
import { ROOT, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

/** Exports are edited here as plain JSON. */
type Export = any;

/**
 * The standalone verifier against an editor of the export: it passes the real record, and fails, with
 * a reason, on every rewrite — including a fully re-hashed and re-signed chain once it is given any one
 * anchor kept outside the export (a voter's receipt, a record head shown in the room, the server key).
 */
describe('npm run verify against a tampered record', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: SessionDto;
  let people: SessionDto[];
  let socks: TestSocket[];
  let exported: Export;
  let serverKey: RecordKeyView;
  let publishedHead: string;
  const tokens: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'quorum-verify-'));
  let n = 0;
  const run = (data: unknown, ...extra: string[]) => {
    const file = path.join(dir, `export-${n++}.json`);
    writeFileSync(file, JSON.stringify(data));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/verify.mjs'), file, ...extra], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Alliance of National Libraries' }, chair.accessToken))
      .body;
    people = await addMembers(server.url, chair.accessToken, org.id, 6, 'Delegate');
    socks = await sockets(server.url, people);
    const weights = [1, 2, 3, 1, 2, 5];
    const seats: string[] = [];
    for (const [i, w] of weights.entries()) {
      const inst = (
        await http.post(
          `/api/organizations/${org.id}/institutions`,
          { name: `National Library ${i + 1}`, country: 'BR', voteWeight: w },
          chair.accessToken,
        )
      ).body;
      await http.post(`/api/organizations/${org.id}/institutions/${inst.id}/delegates`, { userId: people[i]!.user.id }, chair.accessToken);
      seats.push(inst.id);
    }
    const meeting = (
      await http.post<MeetingView>(
        `/api/organizations/${org.id}/meetings`,
        { title: 'Annual forum', scheduledAt: new Date().toISOString() },
        chair.accessToken,
      )
    ).body;
    const motion = async (title: string) => {
      const m = (
        await http.post(`/api/meetings/${meeting.id}/motions`, { title, text: `${title}: the forum agrees.` }, people[0]!.accessToken)
      ).body;
      for (const [event, who] of [
        ['submit', people[0]!],
        ['second', people[1]!],
        ['debate', chair],
      ] as const) {
        await http.post(`/api/meetings/${meeting.id}/motions/${m.id}/transition`, { event }, who.accessToken);
      }
      return m.id as string;
    };
    const a = await motion('Shared catalogue');
    const b = await motion('Annual dues');
    // Seat 1 gives its proxy to the delegate of seat 2, instructed to vote no on the first motion.
    await http.post(
      `/api/meetings/${meeting.id}/proxies`,
      { seatId: seats[0], holderId: people[1]!.user.id, instructions: { [a]: 'no', [b]: 'yes' } },
      people[0]!.accessToken,
    );
    await checkIn(server.url, people, meeting.id);

    const vote = async (ballot: BallotView, choose: (i: number) => unknown) => {
      await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
      for (let i = 1; i < 6; i++) {
        const r = await command(socks[i]!, 'ballot:cast-all', {
          clientRequestId: requestId(),
          ballotId: ballot.id,
          choice: choose(i) as 'yes',
        });
        if (!r.ok) throw new Error(`cast: ${JSON.stringify(r)}`);
        for (const rc of (r.data as { receipts: CastReceipt[] }).receipts)
          tokens.push(`${ballot.id}:${rc.receipt}:${rc.recordSeq}:${rc.recordHash}`);
      }
      await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
      return (await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body;
    };
    await vote(
      await ballotOn(server.url, chair.accessToken, meeting.id, { motionId: a, secrecy: 'secret', abstentionsCount: true }),
      (i) => ['yes', 'no', 'yes', 'abstain', 'yes'][i - 1],
    );
    await vote(await ballotOn(server.url, chair.accessToken, meeting.id, { motionId: b, secrecy: 'roll-call' }), (i) =>
      i % 2 ? 'yes' : 'no',
    );
    const last = await vote(
      await ballotOn(server.url, chair.accessToken, meeting.id, {
        election: { title: 'Chair of the forum', candidates: ['Ilya', 'Zanele', 'Wei'], seats: 1, maxChoices: 1 },
        secrecy: 'secret',
      }),
      (i) => [['Ilya', 'Zanele', 'Wei', 'Wei', 'Zanele'][i - 1]],
    );
    publishedHead = last.record!.hash;
    exported = (await http.get(`/api/meetings/${meeting.id}/export`, chair.accessToken)).body;
    serverKey = (await http.get<RecordKeyView>('/.well-known/quorum-record-key')).body;
  });
  afterAll(async () => {
    socks?.forEach((s) => s.close());
    await server?.stop();
  });

  const secretMotion = () => exported.ballots.find((b: Export) => b.secrecy === 'secret' && b.kind === 'motion');
  const entry = (x: Export, kind: string, ballotId?: string) =>
    x.audit.find((e: AuditEntry & { payload: any }) => e.kind === kind && (!ballotId || e.payload.ballotId === ballotId));
  /** Recomputes every hash from `from` on, as an editor with the verifier's own code would. */
  const rehash = (x: Export, from = 0) => {
    for (let i = Math.max(from, 0); i < x.audit.length; i++) {
      const e = x.audit[i];
      e.prevHash = i === 0 ? '0'.repeat(64) : x.audit[i - 1].hash;
      e.hash = entryHash(e);
    }
  };
  /** Flips one secret vote, and makes the result, its hashes and the chain agree with the flip. */
  const flipped = (): Export => {
    const x = structuredClone(exported);
    const b = x.ballots.find((y: Export) => y.id === secretMotion().id);
    const e = b.bulletin.find((y: Export) => y.choice === 'no');
    e.choice = 'yes';
    b.result = {
      kind: 'motion',
      ...tallyMotion({
        rule: b.rule,
        abstentionsCount: b.abstentionsCount,
        votes: b.bulletin,
        presentWeight: b.presentWeight,
        entitledWeight: b.entitledWeight,
      }),
    };
    const closed = entry(x, 'ballot.closed', b.id);
    closed.payload.result = b.result;
    closed.payload.resultHash = sha256(canonicalJson(b.result));
    entry(x, 'ballot.published', b.id).payload.bulletinHash = sha256(canonicalJson(b.bulletin));
    rehash(x, x.audit.indexOf(closed));
    return x;
  };

  it('passes the untouched export, with each kind of anchor', () => {
    expect(run(exported)).toEqual({ status: 0, out: expect.stringContaining('PASS') });
    expect(run(exported, '--head', publishedHead).out).toMatch(/head .* found at entry #\d+[\s\S]*PASS/);
    expect(run(exported, '--public-key', serverKey.publicKey).out).toMatch(/\(the key given\)[\s\S]*PASS/);
    for (const t of tokens) expect(run(exported, '--receipt', t).out).toMatch(/receipt found: counted as [\s\S]*PASS/);
    // Weighted secret seats have one entry per unit of weight: the seat of weight 5 counts 5 times.
    expect(tokens.map((t) => run(exported, '--receipt', t).out).some((o) => o.includes('with weight 5'))).toBe(true);
    expect(exported.signedHead.keyId).toBe(serverKey.keyId);
  });

  const tamperings: [string, (x: Export) => void, RegExp][] = [
    // The rewrites an auditor tried.
    ['a whole published ballot removed', (x) => x.ballots.splice(1, 1), /was published .* but is missing from the export/],
    [
      'a secret vote flipped with result, hashes and chain re-hashed',
      (x) => Object.assign(x, flipped()),
      /signed head is #\d+ .*chain ends at/,
    ],
    [
      "a motion's text edited and the chain re-hashed",
      (x) => {
        const moved = entry(x, 'motion.moved');
        moved.payload.text = 'The forum agrees to nothing.';
        rehash(x, x.audit.indexOf(moved));
      },
      /signed head is #\d+ .*chain ends at/,
    ],
    ['the last audit entry dropped', (x) => x.audit.pop(), /signed head is #\d+ .*chain ends at #\d+/],
    [
      'a declared majority rule that differs from ballot.opened',
      (x) => (x.ballots[0].rule = 'two-thirds-cast'),
      /rule is "two-thirds-cast" but the ballot opened with "simple"/,
    ],
    [
      'an abstentionsCount flag that differs from ballot.opened',
      (x) => (x.ballots[0].abstentionsCount = !x.ballots[0].abstentionsCount),
      /abstentionsCount is/,
    ],
    [
      "a roll seat's proxy holder changed",
      (x) => (x.ballots[0].roll.find((s: Export) => s.proxyHolder).proxyHolder = people[4]!.user.id),
      /differs from the frozen roll in proxyHolder/,
    ],
    [
      "a secret roll seat's instruction commitment changed",
      (x) => (secretOf(x).roll.find((s: Export) => s.proxyHolder).instructionCommitment = sha256('no')),
      /differs from the frozen roll in instructionCommitment/,
    ],
    [
      "a roll-call seat's instruction changed",
      (x) => (rollCallOf(x).roll.find((s: Export) => s.proxyHolder).instruction = 'free'),
      /differs from the frozen roll in instruction/,
    ],
    [
      "a roll seat's presence changed",
      (x) => (x.ballots[0].roll[2].present = !x.ballots[0].roll[2].present),
      /differs from the frozen roll in present/,
    ],
    [
      "a roll seat's id changed",
      (x) => (x.ballots[0].roll[3].seatId = '00000000-0000-4000-8000-000000000000'),
      /was not on the roll frozen at opening/,
    ],
    // More of our own.
    [
      'a bulletin entry flipped without touching the chain',
      (x) => (secretOf(x).bulletin.find((e: Export) => e.choice === 'no').choice = 'yes'),
      /bulletin board is not the one published/,
    ],
    ['a bulletin entry removed', (x) => secretOf(x).bulletin.pop(), /entries on the bulletin board, \d+ were published/],
    [
      'a receipt hash duplicated',
      (x) => (secretOf(x).bulletin[1].receiptHash = secretOf(x).bulletin[0].receiptHash),
      /bulletin board is not the one published|twice/,
    ],
    ['the exported result changed', (x) => (secretOf(x).result.yes += 1), /exported result differs from the recount/],
    ['an option renamed', (x) => (electionOf(x).options[0] = 'Someone else'), /options is/],
    ['the present weight changed', (x) => (x.ballots[0].presentWeight -= 1), /presentWeight is/],
    ['the secrecy changed', (x) => (rollCallOf(x).secrecy = 'secret'), /secrecy is/],
    ["a seat's weight changed on the roll", (x) => (x.ballots[0].roll[0].weight += 4), /differs from the frozen roll in weight/],
    [
      'the signature altered',
      (x) =>
        (x.signedHead.signature = Buffer.from(Buffer.from(x.signedHead.signature, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString(
          'base64',
        )),
      /signature of the record head does not hold/,
    ],
    ['the signed head removed', (x) => delete x.signedHead, /no signed record head/],
    [
      'the signed head moved to another meeting',
      (x) => (x.signedHead.meetingId = '00000000-0000-4000-8000-000000000000'),
      /another meeting/,
    ],
    [
      'the head re-signed with another key, the chain untouched',
      (x) => {
        const other = new RecordSigner(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
        x.signedHead = other.sign({ meetingId: x.signedHead.meetingId, seq: x.signedHead.seq, hash: x.signedHead.hash });
      },
      /signed with a key other than the one the meeting was created under/,
    ],
    [
      'two audit entries swapped',
      (x) => {
        const [a, b] = [x.audit[3], x.audit[4]];
        x.audit[3] = b;
        x.audit[4] = a;
      },
      /audit chain: /,
    ],
    [
      'an audit payload edited without re-hashing',
      (x) => (entry(x, 'vote.cast').payload.seatId = people[5]!.user.id),
      /audit chain: entry \d+ .*altered/,
    ],
    [
      'a vote entry added after the close, chain re-hashed',
      (x) => {
        const closed = entry(x, 'ballot.closed', secretOf(x).id);
        const at = x.audit.indexOf(closed) + 1;
        x.audit.splice(at, 0, { ...structuredClone(entry(x, 'vote.cast', secretOf(x).id)), seq: 0 });
        x.audit.forEach((e: Export, i: number) => (e.seq = i + 1));
        rehash(x, at);
      },
      /signed head is #\d+ .*chain ends at/,
    ],
    [
      'a secret bulletin entry naming a seat',
      (x) => (secretOf(x).bulletin[0].seatId = x.ballots[0].roll[0].seatId),
      /bulletin board is not the one published|names a seat/,
    ],
    ['a ballot listed twice', (x) => x.ballots.push(structuredClone(x.ballots[0])), /appears twice/],
    ['not an export of this version', (x) => (x.format = 'quorum-meeting-export/1'), /not a Quorum meeting export/],
    ['an election recount that differs', (x) => (electionOf(x).seats = 2), /seats is 2 but the ballot opened with 1/],
  ];
  const secretOf = (x: Export) => x.ballots.find((b: Export) => b.secrecy === 'secret' && b.kind === 'motion');
  const rollCallOf = (x: Export) => x.ballots.find((b: Export) => b.secrecy === 'roll-call');
  const electionOf = (x: Export) => x.ballots.find((b: Export) => b.kind === 'election');

  it.each(tamperings.map(([name, edit, reason]) => [name, edit, reason] as const))('FAILs with a reason: %s', (_name, edit, reason) => {
    const x = structuredClone(exported);
    edit(x);
    const r = run(x);
    expect(r).toEqual({ status: 1, out: expect.stringMatching(/^FAIL: /m) });
    expect(r.out).toMatch(reason);
  });

  it('detects a chain re-hashed from the start and re-signed with a forged key, given any one anchor kept outside the export', () => {
    const x = flipped();
    const forger = new RecordSigner(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
    x.audit[0].payload.recordKey = { publicKey: forger.publicKey, keyId: forger.keyId };
    rehash(x, 0);
    const last = x.audit.at(-1);
    x.signedHead = forger.sign({ meetingId: x.meeting.id, seq: last.seq, hash: last.hash });
    // On its own the forged export is consistent: only its key id betrays it.
    const alone = run(x);
    expect(alone.out).toContain(`signed by key ${forger.keyId}`);
    expect(forger.keyId).not.toBe(serverKey.keyId);
    expect(run(x, '--head', publishedHead)).toEqual({
      status: 1,
      out: expect.stringMatching(/FAIL: the record does not contain the head/),
    });
    expect(run(x, '--public-key', serverKey.publicKey)).toEqual({
      status: 1,
      out: expect.stringMatching(/FAIL: the head is signed by key .*not by the key given/),
    });
    for (const t of tokens)
      expect(run(x, '--receipt', t)).toEqual({
        status: 1,
        out: expect.stringMatching(/FAIL: the record at the receipt's position #\d+ is not the one the voter was given/),
      });
  });

  /** A forgery that leaves nothing inconsistent in the chain itself: re-hashed from the start and re-signed with a key of its own. */
  const forged = (edit: (x: Export) => void): Export => {
    const x = structuredClone(exported);
    edit(x);
    x.audit.forEach((e: Export, i: number) => (e.seq = i + 1));
    const forger = new RecordSigner(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
    x.audit[0].payload.recordKey = { publicKey: forger.publicKey, keyId: forger.keyId };
    rehash(x, 0);
    const last = x.audit.at(-1);
    x.signedHead = forger.sign({ meetingId: x.meeting.id, seq: last.seq, hash: last.hash });
    return x;
  };

  it.each([
    [
      'a vote slipped in after voting ended',
      (x: Export) => {
        const id = secretOf(x).id;
        const vote = structuredClone(entry(x, 'vote.cast', id));
        x.audit.splice(x.audit.indexOf(entry(x, 'ballot.voting-ended', id)) + 1, 0, vote);
      },
      /a vote recorded outside voting/,
    ],
    [
      'a key share released by someone who is not a teller',
      (x: Export) => (entry(x, 'key.share-released', secretOf(x).id).payload.tellerId = people[5]!.user.id),
      /but is not one of its tellers/,
    ],
    [
      'a count without the tellers releasing their shares',
      (x: Export) => x.audit.splice(x.audit.indexOf(entry(x, 'key.share-released', secretOf(x).id)), 1),
      /counted with 0 key shares released, 1 needed/,
    ],
    [
      'a share released before voting ended',
      (x: Export) => {
        const id = secretOf(x).id;
        const released = entry(x, 'key.share-released', id);
        x.audit.splice(x.audit.indexOf(released), 1);
        x.audit.splice(x.audit.indexOf(entry(x, 'ballot.voting-ended', id)), 0, released);
      },
      /a key share released outside the count/,
    ],
  ])('FAILs a forgery re-signed from the start where a secret ballot’s key custody does not hold: %s', (_name, edit, reason) => {
    const { status, out } = run(forged(edit as (x: Export) => void));
    expect(status).toBe(1);
    expect(out).toMatch(reason as RegExp);
  });

  it('an election recount comes from the bulletin board', () => {
    const b = electionOf(exported);
    const r = tallyElection({ candidates: b.options, seats: b.seats, maxChoices: b.maxChoices, votes: b.bulletin });
    expect({ kind: 'election', ...r }).toEqual(b.result);
    // Every unit of weight is its own entry.
    expect(b.bulletin.every((e: Export) => e.weight === 1)).toBe(true);
  });
});
