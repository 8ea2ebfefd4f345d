import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MeetingView, OrganizationDto } from '../../server/src/contract';
import { api, register, type TestSession } from '../helpers/api';
import { addMembers, ballotOn, checkIn, meetingWithMotion } from '../helpers/governance';
import { logicalRuns } from '../helpers/pdf';
import { ROOT, type StartedServer, startServer } from '../helpers/server-process';

/**
 * Minutes in the meeting's language: an Arabic and a Chinese meeting, each planned for a later day
 * but held today, decide a motion; their PDFs carry the title, the motion's text and the result in
 * that language, and are dated by the day the meeting sat.
 */
jest.setTimeout(120_000);

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const DAY = 86_400_000;

describe('minutes in the language of the meeting', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: TestSession;
  let org: OrganizationDto;
  let people: TestSession[];

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Layla Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, owner.accessToken)).body;
    people = await addMembers(server.url, owner.accessToken, org.id, 2);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Holds a meeting planned ten days from now: a motion is seconded, debated, voted on and published today. */
  async function sit(language: 'ar' | 'zh', title: string, motion: { title: string; text: string }) {
    const planned = new Date(Date.now() + 10 * DAY).toISOString();
    const { meeting } = await meetingWithMotion(server.url, owner.accessToken, org.id, { title, language, voterBasis: 'members', scheduledAt: planned }, people[0]!.accessToken);
    expect(meeting.language).toBe(language);
    // The helper moves a motion with fixed words; this meeting's own motion is moved the same way.
    const mo = (await http.post(`/api/meetings/${meeting.id}/motions`, motion, owner.accessToken)).body;
    for (const [event, who] of [['submit', owner], ['second', people[0]!], ['debate', owner]] as const) {
      await http.post(`/api/meetings/${meeting.id}/motions/${mo.id}/transition`, { event }, who.accessToken);
    }
    await checkIn(server.url, [owner, ...people], meeting.id);
    const ballot = await ballotOn(server.url, owner.accessToken, meeting.id, { motionId: mo.id });
    const sittingDay = new Date();
    for (const step of ['open'] as const) expect((await http.post(`/api/ballots/${ballot.id}/${step}`, {}, owner.accessToken)).status).toBe(200);
    for (const p of [owner, ...people]) {
      const view = (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, p.accessToken)).body;
      const seat = view.mySeats[0]!;
      const { connectSocket, command } = await import('../helpers/api');
      const s = await connectSocket(server.url, { token: p.accessToken });
      const ack = await command(s, 'ballot:cast', { clientRequestId: `req-${p.user.id.slice(0, 8)}-${language}`, ballotId: ballot.id, seatId: seat.seatId, choice: 'yes' });
      s.close();
      expect(ack.ok).toBe(true);
    }
    for (const step of ['close', 'publish'] as const) expect((await http.post(`/api/ballots/${ballot.id}/${step}`, {}, owner.accessToken)).status).toBe(200);
    const res = await fetch(`${server.url}/api/meetings/${meeting.id}/minutes.pdf?tz=UTC`, { headers: { authorization: `Bearer ${owner.accessToken}` } });
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, `minutes-${language}.pdf`), pdf);
    return { pdf, planned: new Date(planned), sittingDay, filename: res.headers.get('content-disposition') ?? '' };
  }

  it('writes an Arabic meeting’s minutes in Arabic, dated by the day it sat', async () => {
    const title = 'الجمعية العامة السنوية';
    const motion = { title: 'اعتماد الميزانية', text: 'تعتمد الجمعية الميزانية الجديدة' };
    const { pdf, planned, sittingDay, filename } = await sit('ar', title, motion);
    const runs = logicalRuns(pdf).map((r) => r.trim());
    // pdfkit's ToUnicode map keeps one text per glyph, so the contextual forms of shaped Arabic do not
    // read back letter for letter; the Arabic is checked by the shape of the page (a right-to-left
    // layout puts the labels on the right) and by what reads back exactly: names and figures.
    expect(pdf.toString('latin1')).toMatch(/\/Lang \(ar\)/);
    const all = runs.join(' ');
    for (const expected of ['Layla Chair', 'Voter 1', 'LIBR']) expect(all).toContain(expected);
    expect(runs.some((r) => /\p{Script=Arabic}/u.test(r))).toBe(true);
    // Dated by the sitting: its day and year in Latin digits (Gregorian calendar), not the planned day.
    const parts = (d: Date) => new Intl.DateTimeFormat('en', { timeZone: 'UTC', day: 'numeric', year: 'numeric', month: 'numeric' }).formatToParts(d);
    const day = parts(sittingDay).find((p) => p.type === 'day')!.value;
    expect(runs).toContain(parts(sittingDay).find((p) => p.type === 'year')!.value);
    expect(runs.some((r) => r === day || r.startsWith(`${day} `) || r.endsWith(` ${day}`) || r.includes(`، ${day}`))).toBe(true);
    expect(filename).toContain(sittingDay.toISOString().slice(0, 10));
    // What a reader's tool extracts (poppler's pdftotext): the meeting's own words, letter for letter.
    const extracted = pdftotext(pdf).replace(/\p{Cf}/gu, '');
    for (const expected of [title, motion.title, motion.text, 'Layla Chair']) expect(extracted).toContain(expected);
    void planned;
  });

  it('writes a Chinese meeting’s minutes in Chinese, dated by the day it sat', async () => {
    const title = '年度会员大会';
    const motion = { title: '通过预算', text: '大会通过新的年度预算' };
    const { pdf, planned, sittingDay, filename } = await sit('zh', title, motion);
    // Chinese is drawn left to right, in runs split only where the font changes: joined, they read as written.
    const text = logicalRuns(pdf).join('');
    for (const expected of ['会议纪要', title, motion.title, motion.text, '结果', '通过（赞成 3，反对 0，弃权 0', '全体大会']) expect(text).toContain(expected);
    const day = (d: Date) => new Intl.DateTimeFormat('zh-Hans-CN-u-ca-gregory-nu-latn', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' }).format(d);
    expect(text).toContain(day(sittingDay));
    expect(text).not.toContain(day(planned));
    expect(filename).toContain(sittingDay.toISOString().slice(0, 10));
  });
});

/** The text poppler extracts from a PDF (Debian's poppler-utils, installed by .ci/run). */
function pdftotext(pdf: Buffer): string {
  const file = path.join(ARTIFACTS, `extract-${process.pid}.pdf`);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(file, pdf);
  const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`pdftotext failed (install poppler-utils): ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}
