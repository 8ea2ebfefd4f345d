import { Client } from 'pg';
import type { BallotView, CastReceipt, MeetingView, OrganizationDto, SessionDto } from '../../server/src/contract';
import { receiptHash } from '../../server/src/modules/governance/audit-chain';
import { api, command, register, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, checkIn, meetingWithMotion, requestId, sockets } from '../helpers/governance';
import { ADMIN_DATABASE_URL, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(300_000);

/**
 * Plays a reader of the whole database — a superuser with every table and system column — against
 * secret ballots: it must not be able to pair a seat with a choice or with a bulletin entry better than
 * chance, nor read a running tally while voting is open. Also walks everything the chair and an admin
 * can reach for a secret proxy instruction.
 */
describe('secret ballots against a database reader', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: SessionDto;
  let admin: SessionDto;
  let org: OrganizationDto;
  let reader: Client;
  const sockets_: TestSocket[] = [];

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Silk Road Library Alliance' }, chair.accessToken)).body;
    admin = (await addMembers(server.url, chair.accessToken, org.id, 1, 'Admin'))[0]!;
    await http.patch(`/api/organizations/${org.id}/members/${admin!.user.id}`, { role: 'admin' }, chair.accessToken);
    // The reader connects as the database superuser, to the server's own database.
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = new URL(server.databaseUrl).pathname;
    reader = new Client({ connectionString: url.toString() });
    await reader.connect();
  });
  afterAll(async () => {
    sockets_.forEach((s) => s.close());
    await reader?.end();
    await server?.stop();
  });

  /** Everything the reader can see of one ballot, and its attempt at pairing seats with choices. */
  async function attack(ballotId: string, meetingId: string, truth: Map<string, { choice: string; weight: number; entries: string[] }>) {
    const casts = (
      await reader.query(
        `SELECT seat_id, ctid::text AS ctid, xmin::text::bigint AS xmin, cast_at, request_key FROM ballot_casts WHERE ballot_id = $1`,
        [ballotId],
      )
    ).rows as { seat_id: string; ctid: string; xmin: string; cast_at: Date; request_key: string }[];
    const chainOrder = (
      await reader.query(`SELECT payload->>'seatId' AS seat, seq FROM audit_log WHERE meeting_id = $1 AND kind = 'vote.cast' AND payload->>'ballotId' = $2`, [meetingId, ballotId])
    ).rows as { seat: string; seq: number }[];
    const board = (await reader.query(`SELECT receipt_hash, choice, ctid::text AS ctid, xmin::text AS xmin FROM ballot_bulletin WHERE ballot_id = $1`, [ballotId])).rows as {
      receipt_hash: string;
      choice: unknown;
      ctid: string;
      xmin: string;
    }[];
    const tid = (c: string) => c.slice(1, -1).split(',').map(Number) as [number, number];
    const byTid = (a: string, b: string) => tid(a)[0] - tid(b)[0] || tid(a)[1] - tid(b)[1];
    const seq = new Map(chainOrder.map((r) => [r.seat, r.seq]));
    const seatOrders: Record<string, string[]> = {
      ctid: [...casts].sort((a, b) => byTid(a.ctid, b.ctid)).map((c) => c.seat_id),
      xmin: [...casts].sort((a, b) => Number(a.xmin) - Number(b.xmin) || byTid(a.ctid, b.ctid)).map((c) => c.seat_id),
      time: [...casts].sort((a, b) => a.cast_at.getTime() - b.cast_at.getTime()).map((c) => c.seat_id),
      chain: [...casts].sort((a, b) => seq.get(a.seat_id)! - seq.get(b.seat_id)!).map((c) => c.seat_id),
      requestKey: [...casts].sort((a, b) => a.request_key.localeCompare(b.request_key)).map((c) => c.seat_id),
    };
    const boardOrders: Record<string, typeof board> = {
      ctid: [...board].sort((a, b) => byTid(a.ctid, b.ctid)),
      hash: [...board].sort((a, b) => a.receipt_hash.localeCompare(b.receipt_hash)),
    };
    // The board is written in one transaction: xmin says nothing about who.
    expect(new Set(board.map((b) => b.xmin)).size).toBe(1);

    const units = [...truth.values()].reduce((n, t) => n + t.weight, 0);
    expect(board).toHaveLength(units);
    // Chance: a unit paired with a random entry has the same choice with probability Σ p².
    const counts = new Map<string, number>();
    for (const t of truth.values()) counts.set(JSON.stringify(t.choice), (counts.get(JSON.stringify(t.choice)) ?? 0) + t.weight);
    const chance = [...counts.values()].reduce((s, c) => s + (c / units) ** 2, 0);
    let best = { rate: 0, how: '' };
    let bestExact = { hits: 0, how: '' };
    for (const [sn, seats] of Object.entries(seatOrders)) {
      for (const reversed of [false, true]) {
        const order = reversed ? [...seats].reverse() : seats;
        // A seat of weight w stands for w consecutive units.
        const expanded = order.flatMap((s) => Array.from({ length: truth.get(s)!.weight }, () => s));
        for (const [bn, entries] of Object.entries(boardOrders)) {
          let same = 0;
          let exact = 0;
          expanded.forEach((seat, i) => {
            const e = entries[i]!;
            if (JSON.stringify(e.choice) === JSON.stringify(truth.get(seat)!.choice)) same++;
            if (truth.get(seat)!.entries.includes(e.receipt_hash)) exact++;
          });
          const how = `seats by ${sn}${reversed ? ' (reversed)' : ''} × entries by ${bn}`;
          if (same / units > best.rate) best = { rate: same / units, how };
          if (exact > bestExact.hits) bestExact = { hits: exact, how };
        }
      }
    }
    const bound = chance + 4 * Math.sqrt((chance * (1 - chance)) / units);
    // Exact hits: a unit of a seat of weight w meets one of that seat's w entries with probability w/N.
    const exactChance = [...truth.values()].reduce((n, t) => n + (t.weight * t.weight) / units, 0);
    const exactBound = exactChance + 4 * Math.sqrt(exactChance) + 1;
    return { units, chance, bound, best, bestExact, exactChance, exactBound, tried: Object.keys(seatOrders).length * 2 * Object.keys(boardOrders).length };
  }

  /** During voting: nothing stored gives a running tally. */
  async function duringVoting(ballotId: string, choiceWords: string[]) {
    const casts = (await reader.query(`SELECT choice, receipt_hash, sealed_receipt, octet_length(envelope) AS len, encode(envelope, 'escape') AS raw FROM ballot_casts WHERE ballot_id = $1`, [ballotId]))
      .rows as { choice: unknown; receipt_hash: string | null; sealed_receipt: Buffer | null; len: number; raw: string }[];
    expect(casts.length).toBeGreaterThan(0);
    expect(casts.every((c) => c.choice === null && c.receipt_hash === null && c.sealed_receipt === null)).toBe(true);
    // One size for every envelope, whatever the choice.
    expect(new Set(casts.map((c) => c.len)).size).toBe(1);
    expect(casts.some((c) => choiceWords.some((w) => c.raw.includes(w)))).toBe(false);
    expect((await reader.query(`SELECT count(*)::int AS n FROM ballot_bulletin WHERE ballot_id = $1`, [ballotId])).rows[0].n).toBe(0);
    // No row written since the ballot opened, in any table, names a choice (beyond the ballot's own definition).
    const tables = (await reader.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename as string);
    for (const table of tables) {
      const rows = (await reader.query(`SELECT t::text AS row FROM "${table}" t`)).rows as { row: string }[];
      const leaking = rows.filter((r) => choiceWords.some((w) => r.row.includes(w)) && !(table === 'ballots' || (table === 'audit_log' && /ballot\.(created|opened)|motion\.|meeting\./.test(r.row))));
      expect({ table, leaking: leaking.map((r) => r.row.slice(0, 200)) }).toEqual({ table, leaking: [] });
    }
    const audit = (await reader.query(`SELECT kind, payload FROM audit_log WHERE kind LIKE 'vote.%' AND payload->>'ballotId' = $1`, [ballotId])).rows as { payload: Record<string, unknown> }[];
    expect(audit.every((e) => !('choice' in e.payload) && !('receiptHash' in e.payload))).toBe(true);
  }

  it('a 40-seat weighted secret ballot with proxies: no tally while open, no pairing better than chance, no instruction shown to the chair or an admin', async () => {
    const delegates = await addMembers(server.url, chair.accessToken, org.id, 40, 'Delegate');
    const socks = await sockets(server.url, [...delegates, chair, admin!]);
    sockets_.push(...socks);
    const chairSock = socks[40]!;
    const adminSock = socks[41]!;
    const seats: { id: string; weight: number; delegate: number }[] = [];
    for (let i = 0; i < 40; i++) {
      // Weights 1..5, and one institution alone with weight 7.
      const weight = i === 39 ? 7 : (i % 5) + 1;
      const inst = (await http.post(`/api/organizations/${org.id}/institutions`, { name: `Library ${String(i + 1).padStart(2, '0')}`, country: 'KZ', voteWeight: weight }, chair.accessToken)).body;
      await http.post(`/api/organizations/${org.id}/institutions/${inst.id}/delegates`, { userId: delegates[i]!.user.id }, chair.accessToken);
      seats.push({ id: inst.id, weight, delegate: i });
    }
    const { meeting, motionId } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'institutions' }, delegates[0]!.accessToken);
    // Four seats give their proxy, with instructions on this motion, to the delegates of seats 4-7.
    const instructions = ['no', 'yes', 'abstain', 'no'] as const;
    for (let i = 0; i < 4; i++) {
      const r = await http.post(`/api/meetings/${meeting.id}/proxies`, { seatId: seats[i]!.id, holderId: delegates[i + 4]!.user.id, instructions: { [motionId]: instructions[i] } }, delegates[i]!.accessToken);
      expect(r.status).toBe(200);
    }
    await checkIn(server.url, delegates, meeting.id);
    const events: unknown[] = [];
    for (const s of [chairSock, adminSock]) {
      s.onAny((name, payload) => events.push({ name, payload }));
      await command(s, 'meeting:watch', { meetingId: meeting.id });
    }
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId, secrecy: 'secret', rule: 'simple' });
    expect((await http.post<BallotView>(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken)).body.status).toBe('open');

    // The holder sees the instruction; it binds the proxied seat.
    const holderView = await command(socks[4]!, 'meeting:watch', { meetingId: meeting.id });
    if (!holderView.ok) throw new Error('watch');
    expect((holderView.data as { mySeats: { seatId: string; instruction: string | null }[] }).mySeats.find((s) => s.seatId === seats[0]!.id)?.instruction).toBe('no');

    const truth = new Map<string, { choice: string; weight: number; entries: string[] }>();
    const words = ['yes', 'no', 'abstain'] as const;
    const cast = async (voter: number, seat: (typeof seats)[number], choice: string) => {
      const r = await command(socks[voter]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: seat.id, choice: choice as 'yes' });
      if (!r.ok) throw new Error(`cast: ${JSON.stringify(r)}`);
      const receipt = (r.data as CastReceipt).receipt!;
      truth.set(seat.id, { choice, weight: seat.weight, entries: Array.from({ length: seat.weight }, (_, u) => receiptHash(ballot.id, receipt, u + 1)) });
    };
    // A pseudo-random but known choice per seat; all at once, in bursts, so batches mix seats.
    const pick = (i: number) => words[(i * 7 + 3) % 3]!;
    await Promise.all(seats.slice(4).map((seat, k) => cast(seat.delegate, seat, pick(k + 4))));
    await Promise.all(seats.slice(0, 4).map((seat, i) => cast(i + 4, seat, instructions[i]!)));

    await duringVoting(ballot.id, ['"yes"', '"no"', '"abstain"']);

    await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    const published = (await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body;
    const expected = { yes: 0, no: 0, abstain: 0 };
    for (const t of truth.values()) expected[t.choice as keyof typeof expected] += t.weight;
    expect(published.result).toMatchObject(expected);

    const a = await attack(ballot.id, meeting.id, truth);
    console.log(`40 weighted seats (${a.units} units): best pairing ${(a.best.rate * 100).toFixed(1)} % same choice (${a.best.how}), chance ${(a.chance * 100).toFixed(1)} %, bound ${(a.bound * 100).toFixed(1)} %; exact entry hits ${a.bestExact.hits}/${a.units} (${a.bestExact.how}; chance ${a.exactChance.toFixed(1)}, bound ${a.exactBound.toFixed(1)}); ${a.tried} pairings tried`);
    expect(a.best.rate).toBeLessThanOrEqual(a.bound);
    expect(a.bestExact.hits).toBeLessThanOrEqual(a.exactBound);
    // The institution with weight 7 is not singled out: every entry weighs 1.
    const board = (await http.get(`/api/ballots/${ballot.id}/bulletin`, delegates[9]!.accessToken)).body as { weight: number }[];
    expect(board.every((e) => e.weight === 1)).toBe(true);

    // Nothing the chair or an admin reaches shows a secret proxy instruction.
    const seen: unknown[] = [...events];
    for (const who of [chair, admin!]) {
      for (const p of [`/api/meetings/${meeting.id}`, `/api/ballots/${ballot.id}`, `/api/ballots/${ballot.id}/bulletin`, `/api/meetings/${meeting.id}/export`, `/api/meetings/${meeting.id}/minutes.csv`]) {
        const r = await http.get(p, who.accessToken);
        expect({ p, status: r.status }).toEqual({ p, status: 200 });
        seen.push(r.body);
      }
      const watch = await command(who === chair ? chairSock : adminSock, 'meeting:watch', { meetingId: meeting.id });
      seen.push(watch);
    }
    const text = JSON.stringify(seen);
    expect(text).not.toMatch(/"instructions?"\s*:\s*(\{[^}]*"(yes|no|abstain)"|"(yes|no|abstain)")/);
    expect(text).not.toContain(motionId + '":"');
    const exported = (await http.get(`/api/meetings/${meeting.id}/export`, chair.accessToken)).body;
    const roll = exported.ballots[0].roll as Record<string, unknown>[];
    expect(roll.filter((s) => s.proxyHolder).every((s) => typeof s.instructionCommitment === 'string' && !('instruction' in s))).toBe(true);
    // Not even in the database in the clear.
    const proxies = (await reader.query(`SELECT instructions::text AS i, encode(sealed_instructions, 'escape') AS raw FROM proxies WHERE meeting_id = $1`, [meeting.id])).rows;
    expect(proxies.every((p) => p.i === '{}' && !/yes|"no"|abstain/.test(p.raw))).toBe(true);
    const roll2 = (await reader.query(`SELECT instruction FROM ballot_roll WHERE ballot_id = $1 AND proxy_holder IS NOT NULL`, [ballot.id])).rows;
    expect(roll2.every((r) => r.instruction === null)).toBe(true);
  });

  it('a 300-member secret election: no tally while open, no pairing better than chance, re-votes replace in place', async () => {
    const members = await addMembers(server.url, chair.accessToken, org.id, 300, 'Member');
    const socks = await sockets(server.url, members);
    sockets_.push(...socks);
    const meeting = (await http.post<MeetingView>(`/api/organizations/${org.id}/meetings`, { title: 'Board election', scheduledAt: new Date().toISOString(), voterBasis: 'members' }, chair.accessToken)).body;
    await checkIn(server.url, members, meeting.id);
    const candidates = ['Amaranth Quill', 'Basalt Ledger', 'Cobalt Vellum'];
    const ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { election: { title: 'President', candidates, seats: 1, maxChoices: 1 }, secrecy: 'secret', allowRevote: true });
    await http.post(`/api/ballots/${ballot.id}/open`, {}, chair.accessToken);
    const truth = new Map<string, { choice: string; weight: number; entries: string[] }>();
    const vote = async (i: number, name: string) => {
      const r = await command(socks[i]!, 'ballot:cast', { clientRequestId: requestId(), ballotId: ballot.id, seatId: members[i]!.user.id, choice: [name] });
      if (!r.ok) throw new Error(`cast: ${JSON.stringify(r)}`);
      truth.set(members[i]!.user.id, { choice: name, weight: 1, entries: [receiptHash(ballot.id, (r.data as CastReceipt).receipt!)] });
    };
    const rnd = (i: number) => candidates[(i * 2654435761) % 3]!;
    for (let i = 0; i < 300; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => vote(i + k, rnd(i + k))));
    // Thirty voters change their mind ("last one counts").
    await Promise.all(Array.from({ length: 30 }, (_, k) => vote(k * 10, candidates[(candidates.indexOf(rnd(k * 10)) + 1) % 3]!)));
    await duringVoting(ballot.id, candidates);

    await http.post(`/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
    const published = (await http.post<BallotView>(`/api/ballots/${ballot.id}/publish`, {}, chair.accessToken)).body;
    const counts = new Map(candidates.map((c) => [c, 0]));
    for (const t of truth.values()) counts.set(t.choice, counts.get(t.choice)! + 1);
    expect(published.result).toMatchObject({ kind: 'election', counts: expect.arrayContaining(candidates.map((c) => ({ candidate: c, votes: counts.get(c) }))), cast: 300 });

    // The bulletin stores choices as names; compare as the reader would.
    const truthAsStored = new Map([...truth].map(([k, v]) => [k, { ...v, choice: [v.choice] as unknown as string }]));
    const a = await attack(ballot.id, meeting.id, truthAsStored);
    console.log(`300 members: best pairing ${(a.best.rate * 100).toFixed(1)} % same choice (${a.best.how}), chance ${(a.chance * 100).toFixed(1)} %, bound ${(a.bound * 100).toFixed(1)} %; exact entry hits ${a.bestExact.hits}/${a.units} (${a.bestExact.how}; chance ${a.exactChance.toFixed(1)}, bound ${a.exactBound.toFixed(1)}); ${a.tried} pairings tried`);
    expect(a.best.rate).toBeLessThanOrEqual(a.bound);
    expect(a.bestExact.hits).toBeLessThanOrEqual(a.exactBound);
    // After the count nothing could open a vote again: the envelopes are erased and the key is gone.
    expect((await reader.query(`SELECT count(*)::int AS n FROM ballot_casts WHERE ballot_id = $1 AND envelope IS NOT NULL`, [ballot.id])).rows[0].n).toBe(0);
  });
});
