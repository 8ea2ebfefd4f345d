import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { BallotView, OrganizationDto, SessionDto } from '../../server/src/contract';
import { type AuditEntry, verifyChain } from '../../server/src/modules/governance/audit-chain';
import { api, command, register, registerAs, type TestSocket } from '../helpers/api';
import { addMembers, ballotOn, cast, checkIn, meetingWithMotion, sockets } from '../helpers/governance';
import { createRoom, enter } from '../helpers/room';
import { logicalRuns } from '../helpers/pdf';
import { ROOT, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

const ARTIFACTS = path.join(ROOT, 'test-artifacts');

describe('minutes: a small assembly, from attendance to the roll-call record, as PDF and CSV', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let chair: SessionDto;
  let members: SessionDto[];
  let wang: SessionDto;
  let mohammed: SessionDto;
  let meetingId: string;
  let motionId: string;
  let roomId: string;
  const open: TestSocket[] = [];

  /** GET as bytes, with the headers. */
  const download = async (p: string, token: string) => {
    const res = await fetch(server.url + p, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    chair = await register(server.url, 'Chair Ada');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, chair.accessToken)).body;
    members = await addMembers(server.url, chair.accessToken, org.id, 4, 'Member');
    const invite = (await http.post(`/api/organizations/${org.id}/invitations`, {}, chair.accessToken)).body.token as string;
    const person = async (displayName: string, tag: string) => {
      const s = await registerAs(server.url, { email: `${tag}.${process.pid}.${Date.now()}@example.org`, password: 'a long enough password', displayName });
      expect((await http.post(`/api/invitations/${invite}/accept`, undefined, s.accessToken)).status).toBe(200);
      return s;
    };
    wang = await person('王小明', 'wang');
    mohammed = await person('محمد علي', 'mohammed');
    expect((await http.patch(`/api/organizations/${org.id}/members/${members[3]!.user.id}`, { role: 'admin' }, chair.accessToken)).status).toBe(204);

    const room = await createRoom(server.url, chair.accessToken, org.id, { name: 'Main hall' });
    const made = await meetingWithMotion(
      server.url,
      chair.accessToken,
      org.id,
      { title: 'Annual general assembly', voterBasis: 'members', quorumRule: { kind: 'at-least', seats: 4 }, roomId: room.id, secretaryId: members[2]!.user.id },
      members[0]!.accessToken,
    );
    meetingId = made.meeting.id;
    roomId = room.id;
    motionId = made.motionId;
    await http.post(`/api/meetings/${meetingId}/agenda`, { title: 'Budget 2027', description: 'Presented by the treasurer.' }, chair.accessToken);
    await http.post(`/api/meetings/${meetingId}/agenda`, { title: 'Election of the treasurer' }, chair.accessToken);

    // An amendment the chair rules out of order (withdraws): a ruling the minutes must show.
    const amendment = (await http.post(`/api/meetings/${meetingId}/motions`, { amendsMotionId: motionId, title: 'Raise the book fund', text: 'Add 5% to acquisitions.' }, members[1]!.accessToken)).body;
    await http.post(`/api/meetings/${meetingId}/motions/${amendment.id}/transition`, { event: 'submit' }, members[1]!.accessToken);
    expect((await http.post(`/api/meetings/${meetingId}/motions/${amendment.id}/transition`, { event: 'withdraw' }, chair.accessToken)).body.status).toBe('withdrawn');
  });

  afterAll(async () => {
    if (process.env.SHOW_ERRORS) console.log(server.logs().split('\n').filter((l) => l.includes('"level":50')).join('\n').slice(0, 3000));
    open.forEach((s) => s.close());
    await server?.stop();
  });

  it('records attendance, quorum, motions, both ballots and the override, and logs each download with its hash', async () => {
    // Two people in the meeting's room, three checked in: quorum (4) is met.
    const inRoom = [await enter(server.url, members[0]!.accessToken, roomId), await enter(server.url, wang.accessToken, roomId)];
    open.push(...inRoom.map((m) => m.socket));
    await checkIn(server.url, [chair, members[1]!, mohammed], meetingId);

    const b1 = await ballotOn(server.url, chair.accessToken, meetingId, { motionId, secrecy: 'roll-call', rule: 'simple' });
    expect((await http.post<BallotView>(`/api/ballots/${b1.id}/open`, {}, chair.accessToken)).body.status).toBe('open');
    const [chairSock, m1Sock, mohSock] = await sockets(server.url, [chair, members[1]!, mohammed]);
    open.push(chairSock!, m1Sock!, mohSock!);
    const votes: [TestSocket, SessionDto, string][] = [
      [chairSock!, chair, 'yes'],
      [inRoom[0]!.socket, members[0]!, 'yes'],
      [m1Sock!, members[1]!, 'no'],
      [inRoom[1]!.socket, wang, 'yes'],
      [mohSock!, mohammed, 'abstain'],
    ];
    const acks = await Promise.all(votes.map(([s, p, c]) => cast(s, b1.id, p.user.id, c)));
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    await http.post(`/api/ballots/${b1.id}/close`, {}, chair.accessToken);
    const published = (await http.post<BallotView>(`/api/ballots/${b1.id}/publish`, {}, chair.accessToken)).body;
    expect(published.result).toMatchObject({ yes: 3, no: 1, abstain: 1, outcome: 'carried' });

    // The room empties; three checked in are no quorum, so the chair overrides with a reason.
    for (const m of inRoom) expect((await command(m.socket, 'room:leave', {})).ok).toBe(true);
    await waitFor(async () => (await db(server, `SELECT count(*)::int AS n FROM attendance WHERE left_at IS NULL`))[0].n === 0);
    const b2 = await ballotOn(server.url, chair.accessToken, meetingId, { election: { title: 'Treasurer', candidates: ['Member 2', '王小明'], seats: 1, maxChoices: 1 }, secrecy: 'secret' });
    const reason = 'Adjourned sitting: article 12 of the statutes needs no quorum';
    expect((await http.post(`/api/ballots/${b2.id}/open`, {}, chair.accessToken)).body.error.code).toBe('QUORUM_NOT_MET');
    expect((await http.post<BallotView>(`/api/ballots/${b2.id}/open`, { overrideQuorumReason: reason }, chair.accessToken)).body.status).toBe('open');
    for (const [s, p, c] of [[chairSock!, chair, ['王小明']], [m1Sock!, members[1]!, ['Member 2']], [mohSock!, mohammed, ['王小明']]] as const) {
      expect((await cast(s, b2.id, p.user.id, c)).ok).toBe(true);
    }
    await http.post(`/api/ballots/${b2.id}/close`, {}, chair.accessToken);
    await http.post(`/api/ballots/${b2.id}/publish`, {}, chair.accessToken);

    /* ---- PDF, by the chair ---- */
    const pdf = await download(`/api/meetings/${meetingId}/minutes.pdf?tz=Europe/Warsaw`, chair.accessToken);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="minutes-\d{4}-\d\d-\d\d-annual-general-assembly\.pdf"$/);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.bytes.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(pdf.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(pdf.bytes).digest('base64')}:`);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'minutes.pdf'), pdf.bytes);

    const text = pdfText(pdf.bytes).replace(/\s+/g, ' ');
    for (const expected of [
      'Annual general assembly',
      'Library Association'.toUpperCase(),
      'Chair Ada',
      'M1. Adopt the budget',
      'Amendment to M1',
      'Raise the book fund',
      'Carried (yes 3, no 1, abstain 1; 2 needed of 4)',
      'Opened ballot B2 "Treasurer" without quorum',
      reason,
      'Elected:',
      'Budget 2027',
      'Europe/Warsaw'.replace('_', ' '),
    ]) {
      expect(text).toContain(expected);
    }
    // Names in other scripts come out as text, not as missing glyphs, when the machine has a font for them.
    if (hasFontFor('cjk')) expect(text).toContain('王小明');

    /* ---- CSV, by the secretary ---- */
    const csvRes = await download(`/api/meetings/${meetingId}/minutes.csv`, members[2]!.accessToken);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    writeFileSync(path.join(ARTIFACTS, 'minutes.csv'), csvRes.bytes);
    const rows = parseCsv(csvRes.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual(['section', 'ref', 'at', 'until', 'name', 'title', 'value', 'detail']);
    const section = (s: string) => rows.filter((r) => r[0] === s);
    expect(
      section('vote')
        .map((r) => [r[1], r[4], r[6]])
        .sort(),
    ).toEqual(
      [
        ['B1', 'Chair Ada', 'Yes'],
        ['B1', 'Member 1', 'Yes'],
        ['B1', 'Member 2', 'No'],
        ['B1', 'Member 3', 'Did not vote'],
        ['B1', 'Member 4', 'Did not vote'],
        ['B1', 'محمد علي', 'Abstain'],
        ['B1', '王小明', 'Yes'],
      ].sort(),
    );
    const attendance = new Map(section('attendance').map((r) => [r[4], r]));
    expect([...attendance.keys()].sort()).toEqual(['Chair Ada', 'Member 1', 'Member 2', 'محمد علي', '王小明'].sort());
    // Left the room: both times; checked in and never out: no leaving time.
    expect(attendance.get('王小明')).toEqual(['attendance', wang.user.id, expect.stringMatching(/^\d{4}-.*Z$/), expect.stringMatching(/^\d{4}-.*Z$/), '王小明', '', expect.stringMatching(/^\d+(\.\d)?$/), 'room']);
    expect(attendance.get('Member 2')!.slice(3, 8)).toEqual(['', 'Member 2', '', expect.any(String), 'check-in']);
    expect(section('quorum').map((r) => [r[1], r[6], r[4]])).toEqual([
      ['B1', '5/4', ''],
      ['B2', '3/4', 'Chair Ada'],
    ]);
    expect(section('ruling').map((r) => [r[4], r[7]])).toEqual([
      ['Chair Ada', ''],
      ['Chair Ada', reason],
    ]);
    expect(section('result').find((r) => r[1] === 'B1' && r[5] === 'outcome')![6]).toBe('carried');
    expect(section('result').find((r) => r[1] === 'B2' && r[5] === '王小明')!.slice(6)).toEqual(['2', 'elected']);
    expect(section('motion').map((r) => [r[1], r[4], r[5], r[6]])).toEqual([
      ['M1', 'Chair Ada', 'Adopt the budget', 'Carried'],
      ['M2', 'Member 2', 'Raise the book fund', 'Withdrawn'],
    ]);
    expect(section('officer').map((r) => [r[6], r[4]])).toEqual([
      ['chair', 'Chair Ada'],
      ['secretary', 'Member 3'],
    ]);

    /* ---- who may ---- */
    const admin = await download(`/api/meetings/${meetingId}/minutes.csv`, members[3]!.accessToken);
    expect(admin.status).toBe(200);
    const plain = await http.get(`/api/meetings/${meetingId}/minutes.pdf`, members[0]!.accessToken);
    expect([plain.status, plain.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const outsider = await register(server.url, 'Outsider');
    const hidden = await http.get(`/api/meetings/${meetingId}/minutes.csv`, outsider.accessToken);
    expect([hidden.status, hidden.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await http.get(`/api/meetings/${meetingId}/minutes.pdf?tz=Mars/Olympus`, chair.accessToken)).body.error.code).toBe('INVALID_PAYLOAD');

    /* ---- the record of each generation, in the intact audit chain ---- */
    const exported = (await http.get(`/api/meetings/${meetingId}/export`, chair.accessToken)).body as { audit: AuditEntry[] };
    expect(verifyChain(exported.audit)).toBeNull();
    const generated = exported.audit.filter((e) => e.kind === 'minutes.generated').map((e) => e.payload as { format: string; sha256: string; by: string });
    expect(generated).toEqual([
      expect.objectContaining({ format: 'pdf', sha256: sha(pdf.bytes), by: chair.user.id }),
      expect.objectContaining({ format: 'csv', sha256: sha(csvRes.bytes), by: members[2]!.user.id }),
      expect.objectContaining({ format: 'csv', sha256: sha(admin.bytes), by: members[3]!.user.id }),
    ]);
  });
});

async function db(server: StartedServer, sql: string): Promise<any[]> {
  const c = new Client({ connectionString: server.databaseUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hasFontFor(script: 'cjk'): boolean {
  const probe = spawnSync('sh', ['-c', 'ls -R /usr/share/fonts /usr/local/share/fonts 2>/dev/null'], { encoding: 'utf8' }).stdout ?? '';
  return script === 'cjk' && /NotoSansCJK-Regular\.ttc|wqy-(microhei|zenhei)\.ttc|NotoSansSC-Regular\.otf/.test(probe);
}

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    }
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

/** The text of a PDF, run by run in reading order (test/helpers/pdf.ts reads what pdfkit writes). */
function pdfText(pdf: Buffer): string {
  return logicalRuns(pdf).join('');
}
