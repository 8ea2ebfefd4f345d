// Over 400 lines on purpose: the whole document model of the minutes and its CSV, pure, checked by one spec.
import type { BallotResult, Choice, MeetingLanguage, QuorumRule, QuorumView } from '../../contract';
import { toCsv } from '../../common/csv';
import { type AttendanceInterval, summarizeAttendance } from '../rooms/attendance';
import type { MotionState } from './ballot-state';
import { MINUTES_TEXT, type MinutesText } from './minutes-text';
import type { BallotRow } from './rows';

/**
 * The minutes of a meeting: a document model built from the meeting's rows and its audit log, and its
 * CSV form. Pure: loading is minutes.service.ts's job, and so is drawing the PDF.
 */

export interface Person {
  id: string;
  name: string;
}

export interface MinutesAuditEntry {
  seq: number;
  at: Date;
  kind: string;
  payload: Record<string, unknown>;
  hash: string;
}

export interface PresenceEvent {
  userId: string;
  event: 'check-in' | 'check-out';
  at: Date;
}

export interface RollCallVote {
  seatId: string;
  label: string;
  weight: number;
  /** null: the seat did not vote. */
  choice: Choice | null;
  voterId: string | null;
  asProxy: boolean;
}

export interface MinutesInput {
  meeting: {
    id: string;
    title: string;
    kind: 'board' | 'general-assembly';
    scheduledAt: Date;
    voterBasis: 'institutions' | 'members';
    quorumRule: QuorumRule;
    organization: string;
    room: string | null;
    chairId: string;
    secretaryId: string | null;
    /** The meeting's language: the minutes are written in it. English when not given. */
    language?: MeetingLanguage;
  };
  /** Display names of everyone the record mentions, by user id. */
  names: ReadonlyMap<string, string>;
  agenda: readonly { id: string; position: number; title: string; description: string | null }[];
  /** In the order they were moved. */
  motions: readonly { id: string; agendaItemId: string | null; amendsMotionId: string | null; title: string; text: string; moverId: string; seconderId: string | null; status: MotionState }[];
  /** In the order they were opened (never-opened ones last). `votes` only for closed roll-call ballots. */
  ballots: readonly { row: BallotRow; entitledSeats: number; cast: number; votes: readonly RollCallVote[] | null }[];
  /** Visits to the meeting's room during the sitting (see sittingWindow). */
  roomVisits: readonly AttendanceInterval[];
  /** Explicit check-ins and check-outs, in the order they were recorded. */
  presence: readonly PresenceEvent[];
  /** The whole chain, in order. */
  audit: readonly MinutesAuditEntry[];
  generatedAt: Date;
  generatedBy: string;
  /** Id of the key that signs the record's head (see /.well-known/quorum-record-key). */
  recordKeyId?: string;
  /** The meeting's archived recordings (deleted ones too: their hashes stay in the record), oldest first. */
  recordings?: readonly RecordingEntry[];
}

export interface RecordingEntry {
  id: string;
  title: string | null;
  status: 'recording' | 'processing' | 'ready' | 'failed' | 'deleted';
  startedAt: Date;
  endedAt: Date | null;
  deletedAt: Date | null;
  deletionReason: string | null;
  files: readonly { path: string; kind: string; bytes: number; sha256: string }[];
}

export interface RecordingLine {
  id: string;
  title: string;
  status: RecordingEntry['status'];
  statusLabel: string;
  startedAt: string;
  endedAt: string | null;
  deletedAt: string | null;
  deletionReason: string | null;
  files: { path: string; kind: string; bytes: number; sha256: string }[];
}

export interface AttendanceLine {
  userId: string;
  name: string;
  firstJoin: string;
  /** null: still in the room, or never checked out. */
  lastLeave: string | null;
  minutes: number;
  sources: ('room' | 'check-in')[];
}

export interface QuorumCheck {
  at: string;
  ballotId: string;
  ballotRef: string;
  ballotTitle: string;
  quorum: QuorumView;
  override: { by: Person; reason: string } | null;
}

export interface MotionLine {
  id: string;
  ref: string;
  title: string;
  text: string;
  agendaRef: string | null;
  /** The ref of the motion this one amends. */
  amends: string | null;
  mover: Person;
  seconder: Person | null;
  status: MotionState;
  statusLabel: string;
}

export interface VoteLine {
  seat: string;
  weight: number;
  choice: string;
  /** Who cast it when that was a proxy. */
  proxy: string | null;
}

export interface BallotLine {
  id: string;
  ref: string;
  title: string;
  kind: 'motion' | 'election';
  motionRef: string | null;
  secrecy: 'roll-call' | 'secret';
  rule: BallotRow['rule'];
  ruleLabel: string;
  abstentionsCount: boolean;
  status: BallotRow['status'];
  statusLabel: string;
  openedAt: string | null;
  closedAt: string | null;
  publishedAt: string | null;
  closedBy: string | null;
  entitledSeats: number;
  entitledWeight: number | null;
  presentWeight: number | null;
  ballotsCast: number;
  result: BallotResult | null;
  /** One line for the decision: "Carried (3 yes, 1 no, 0 abstain; 3 needed)". */
  resultLabel: string | null;
  /** Roll-call ballots after voting: every seat of the frozen roll. */
  votes: VoteLine[] | null;
}

export interface Ruling {
  at: string;
  by: Person;
  ref: string;
  what: string;
  reason: string | null;
}

export interface MinutesDocument {
  meeting: {
    id: string;
    title: string;
    kind: 'board' | 'general-assembly';
    language: MeetingLanguage;
    kindLabel: string;
    organization: string;
    scheduledAt: string;
    voterBasisLabel: string;
    quorumRuleLabel: string;
    room: string | null;
    chair: Person;
    secretary: Person | null;
  };
  sitting: { from: string; to: string };
  attendance: AttendanceLine[];
  quorum: QuorumCheck[];
  agenda: { ref: string; title: string; description: string | null }[];
  motions: MotionLine[];
  ballots: BallotLine[];
  rulings: Ruling[];
  recordings: RecordingLine[];
  /** The audit entry the minutes are complete up to: the record they can be checked against. */
  record: { generatedAt: string; generatedBy: Person; auditSeq: number; auditHash: string | null; keyId: string | null };
}

/* ---------------- the sitting ---------------- */

/** Preparation done before the meeting sits (and the minutes themselves) do not stretch the sitting. */
const PREPARATION = new Set(['meeting.created', 'agenda.item-added', 'motion.moved', 'motion.submit', 'proxy.assigned', 'minutes.generated', 'recording.archived', 'recording.deleted']);

/**
 * When the meeting sat: from its first business (or check-in) to its last; its scheduled time only
 * when nothing happened (a meeting that sat on another day than planned is dated by its sitting).
 * The room's sessions that overlap it give its attendance: a
 * room is reused by many meetings, and only this sitting's visits belong in these minutes.
 */
export function sittingWindow(scheduledAt: Date, audit: readonly Pick<MinutesAuditEntry, 'at' | 'kind'>[], presence: readonly Pick<PresenceEvent, 'at'>[]): { from: Date; to: Date } {
  const business = [...audit.filter((e) => !PREPARATION.has(e.kind)).map((e) => e.at.getTime()), ...presence.map((p) => p.at.getTime())];
  const times = business.length ? business : [scheduledAt.getTime()];
  return { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) };
}

/** Check-in → check-out intervals; a check-in never checked out lasts to `end` (the end of business). */
export function checkInIntervals(events: readonly PresenceEvent[], names: ReadonlyMap<string, string>, end: Date): (AttendanceInterval & { open: boolean })[] {
  const since = new Map<string, Date>();
  const out: (AttendanceInterval & { open: boolean })[] = [];
  const interval = (userId: string, joinedAt: Date, leftAt: Date, open: boolean) => ({ userId, displayName: names.get(userId) ?? userId, joinedAt, leftAt, open });
  for (const e of events) {
    const from = since.get(e.userId);
    if (e.event === 'check-in' && !from) since.set(e.userId, e.at);
    else if (e.event === 'check-out' && from) {
      out.push(interval(e.userId, from, e.at, false));
      since.delete(e.userId);
    }
  }
  for (const [userId, from] of since) out.push(interval(userId, from, end < from ? from : end, true));
  return out;
}

/* ---------------- the document ---------------- */

export function buildMinutes(input: MinutesInput): MinutesDocument {
  const { meeting } = input;
  const language = meeting.language ?? 'en';
  const text = MINUTES_TEXT[language];
  const person = (id: string): Person => ({ id, name: input.names.get(id) ?? text.unknownPerson });
  const sitting = sittingWindow(meeting.scheduledAt, input.audit, input.presence);

  // Attendance: room visits and check-ins together, so being in the room and checked in counts once.
  const checkIns = checkInIntervals(input.presence, input.names, sitting.to);
  const sources = new Map<string, Set<'room' | 'check-in'>>();
  const tag = (userId: string, s: 'room' | 'check-in') => sources.set(userId, (sources.get(userId) ?? new Set()).add(s));
  input.roomVisits.forEach((v) => tag(v.userId, 'room'));
  checkIns.forEach((c) => tag(c.userId, 'check-in'));
  const stillIn = new Set(checkIns.filter((c) => c.open).map((c) => c.userId));
  const attendance = summarizeAttendance([...input.roomVisits, ...checkIns], input.generatedAt).map((s) => ({
    userId: s.userId,
    name: input.names.get(s.userId) ?? s.displayName,
    firstJoin: s.firstJoin,
    lastLeave: stillIn.has(s.userId) ? null : s.lastLeave,
    minutes: s.minutes,
    sources: (['room', 'check-in'] as const).filter((k) => sources.get(s.userId)?.has(k)),
  }));

  const agendaRef = new Map(input.agenda.map((a) => [a.id, String(a.position)]));
  const motionRef = new Map(input.motions.map((m, i) => [m.id, `M${i + 1}`]));
  const motions: MotionLine[] = input.motions.map((m) => ({
    id: m.id,
    ref: motionRef.get(m.id)!,
    title: m.title,
    text: m.text,
    agendaRef: m.agendaItemId ? (agendaRef.get(m.agendaItemId) ?? null) : null,
    amends: m.amendsMotionId ? (motionRef.get(m.amendsMotionId) ?? null) : null,
    mover: person(m.moverId),
    seconder: m.seconderId ? person(m.seconderId) : null,
    status: m.status,
    statusLabel: text.motionStatus[m.status],
  }));

  const ballotRef = new Map(input.ballots.map((b, i) => [b.row.id, `B${i + 1}`]));
  const closedEntry = new Map(input.audit.filter((e) => e.kind === 'ballot.closed').map((e) => [String(e.payload.ballotId), e]));
  const ballots: BallotLine[] = input.ballots.map(({ row: b, entitledSeats, cast, votes }) => {
    const closed = closedEntry.get(b.id);
    const result = b.result ?? ((closed?.payload.result as BallotResult | undefined) ?? null);
    const by = closed?.payload.by;
    return {
      id: b.id,
      ref: ballotRef.get(b.id)!,
      title: b.title,
      kind: b.kind,
      motionRef: b.motion_id ? (motionRef.get(b.motion_id) ?? null) : null,
      secrecy: b.secrecy,
      rule: b.rule,
      ruleLabel: b.kind === 'election' ? text.electionRule(b.seats, b.max_choices) : text.rule[b.rule],
      abstentionsCount: b.abstentions_count,
      status: b.status,
      statusLabel: text.ballotStatus[b.status],
      openedAt: iso(b.opened_at),
      closedAt: iso(b.closed_at),
      publishedAt: iso(b.published_at),
      closedBy: by === undefined ? null : by === 'timer' ? text.timeLimit : person(String(by)).name,
      entitledSeats,
      entitledWeight: b.entitled_weight,
      presentWeight: b.present_weight,
      ballotsCast: cast,
      result,
      resultLabel: result ? resultLabel(result, text) : null,
      votes:
        b.secrecy === 'roll-call' && votes && (b.status === 'closed' || b.status === 'published')
          ? votes.map((v) => ({
              seat: v.label,
              weight: v.weight,
              choice: v.choice === null ? text.choice.didNotVote : choiceLabel(v.choice, text),
              proxy: v.asProxy && v.voterId ? person(v.voterId).name : null,
            }))
          : null,
    };
  });

  const titleOf = new Map(input.ballots.map((b) => [b.row.id, b.row.title]));
  const overrides = new Map(input.audit.filter((e) => e.kind === 'quorum.override').map((e) => [String(e.payload.ballotId), e]));
  const quorum: QuorumCheck[] = input.audit
    .filter((e) => e.kind === 'ballot.opened')
    .map((e) => {
      const ballotId = String(e.payload.ballotId);
      const o = overrides.get(ballotId);
      return {
        at: e.at.toISOString(),
        ballotId,
        ballotRef: ballotRef.get(ballotId) ?? '?',
        ballotTitle: titleOf.get(ballotId) ?? String(e.payload.title ?? ''),
        quorum: e.payload.quorum as QuorumView,
        override: o ? { by: person(String(o.payload.by)), reason: String(o.payload.reason ?? '') } : null,
      };
    });

  const moverOf = new Map(input.motions.map((m) => [m.id, m.moverId]));
  const motionTitle = new Map(input.motions.map((m) => [m.id, m.title]));
  const rulings: Ruling[] = [];
  for (const e of input.audit) {
    const p = e.payload;
    if (e.kind === 'quorum.override') {
      const q = p.quorum as QuorumView | undefined;
      const ref = ballotRef.get(String(p.ballotId)) ?? '?';
      const what = text.overrideRuling(ref, titleOf.get(String(p.ballotId)) ?? '', q ? q.counted : null, q ? q.required : null);
      rulings.push({ at: e.at.toISOString(), by: person(String(p.by)), ref, what, reason: String(p.reason ?? '') });
    } else if ((e.kind === 'motion.withdraw' && moverOf.get(String(p.motionId)) !== p.by) || e.kind === 'motion.refer') {
      const ref = motionRef.get(String(p.motionId)) ?? '?';
      const title = motionTitle.get(String(p.motionId)) ?? '';
      const what = e.kind === 'motion.refer' ? text.referredRuling(ref, title) : text.withdrewRuling(ref, title);
      rulings.push({ at: e.at.toISOString(), by: person(String(p.by)), ref, what, reason: null });
    }
  }

  const head = input.audit.at(-1);
  return {
    meeting: {
      id: meeting.id,
      title: meeting.title,
      kind: meeting.kind,
      language,
      kindLabel: text.kind[meeting.kind],
      organization: meeting.organization,
      scheduledAt: meeting.scheduledAt.toISOString(),
      voterBasisLabel: text.voterBasis[meeting.voterBasis],
      quorumRuleLabel: quorumRuleLabel(meeting.quorumRule, text),
      room: meeting.room,
      chair: person(meeting.chairId),
      secretary: meeting.secretaryId ? person(meeting.secretaryId) : null,
    },
    sitting: { from: sitting.from.toISOString(), to: sitting.to.toISOString() },
    attendance,
    quorum,
    agenda: input.agenda.map((a) => ({ ref: String(a.position), title: a.title, description: a.description })),
    motions,
    ballots,
    rulings,
    recordings: (input.recordings ?? []).map((r) => ({
      id: r.id,
      title: r.title || text.recordings.untitled,
      status: r.status,
      statusLabel: text.recordings.status[r.status],
      startedAt: r.startedAt.toISOString(),
      endedAt: iso(r.endedAt),
      deletedAt: iso(r.deletedAt),
      deletionReason: r.deletionReason,
      files: r.files.map((f) => ({ path: f.path, kind: f.kind, bytes: f.bytes, sha256: f.sha256 })),
    })),
    record: { generatedAt: input.generatedAt.toISOString(), generatedBy: person(input.generatedBy), auditSeq: head?.seq ?? 0, auditHash: head?.hash ?? null, keyId: input.recordKeyId ?? null },
  };
}

/* ---------------- CSV ---------------- */

export const MINUTES_CSV_HEADER = ['section', 'ref', 'at', 'until', 'name', 'title', 'value', 'detail'] as const;

/**
 * One table for spreadsheets: each row says its section first, so a filter on that column gives
 * attendance, votes and so on. Times are ISO 8601 (UTC).
 */
export function minutesCsv(doc: MinutesDocument): string {
  type Row = [string, string | null, string | null, string | null, string | null, string | null, string | number | null, string | null];
  const rows: Row[] = [];
  const m = doc.meeting;
  rows.push(['meeting', m.id, m.scheduledAt, null, m.organization, m.title, m.kindLabel, `voters: ${m.voterBasisLabel}; quorum: ${m.quorumRuleLabel}${m.room ? `; room: ${m.room}` : ''}`]);
  rows.push(['officer', m.chair.id, null, null, m.chair.name, null, 'chair', null]);
  if (m.secretary) rows.push(['officer', m.secretary.id, null, null, m.secretary.name, null, 'secretary', null]);
  rows.push(['sitting', null, doc.sitting.from, doc.sitting.to, null, null, null, null]);
  for (const a of doc.attendance) rows.push(['attendance', a.userId, a.firstJoin, a.lastLeave, a.name, null, a.minutes, a.sources.join('+')]);
  for (const q of doc.quorum) {
    const s = q.quorum;
    rows.push([
      'quorum',
      q.ballotRef,
      q.at,
      null,
      q.override?.by.name ?? null,
      q.ballotTitle,
      `${s.counted}/${s.required}`,
      `${s.met ? 'met' : 'not met'}; present ${s.present}; represented ${s.represented}; entitled ${s.entitled}${q.override ? `; overridden: ${q.override.reason}` : ''}`,
    ]);
  }
  for (const a of doc.agenda) rows.push(['agenda', a.ref, null, null, null, a.title, null, a.description]);
  for (const mo of doc.motions) {
    const detail = [mo.seconder ? `seconded by ${mo.seconder.name}` : 'not seconded', mo.amends ? `amends ${mo.amends}` : null, mo.agendaRef ? `agenda item ${mo.agendaRef}` : null];
    rows.push(['motion', mo.ref, null, null, mo.mover.name, mo.title, mo.statusLabel, detail.filter(Boolean).join('; ')]);
    rows.push(['motion-text', mo.ref, null, null, null, mo.title, null, mo.text]);
  }
  for (const b of doc.ballots) {
    const detail = [
      b.motionRef ? `on ${b.motionRef}` : 'election',
      b.secrecy,
      b.ruleLabel,
      b.kind === 'motion' ? `abstentions ${b.abstentionsCount ? 'counted' : 'not counted'}` : null,
      `entitled seats ${b.entitledSeats}`,
      b.entitledWeight !== null ? `entitled weight ${b.entitledWeight}` : null,
      b.presentWeight !== null ? `present weight ${b.presentWeight}` : null,
      `ballots cast ${b.ballotsCast}`,
      b.closedBy ? `closed by ${b.closedBy}` : null,
    ];
    rows.push(['ballot', b.ref, b.openedAt, b.closedAt, null, b.title, b.statusLabel, detail.filter(Boolean).join('; ')]);
    const r = b.result;
    if (r?.kind === 'motion') {
      for (const c of ['yes', 'no', 'abstain'] as const) rows.push(['result', b.ref, null, null, null, c, r[c], null]);
      rows.push(['result', b.ref, b.closedAt, b.publishedAt, null, 'outcome', r.outcome, b.resultLabel]);
    } else if (r?.kind === 'election') {
      for (const c of r.counts) rows.push(['result', b.ref, null, null, null, c.candidate, c.votes, r.elected.includes(c.candidate) ? 'elected' : r.tied.includes(c.candidate) ? 'tied' : null]);
      rows.push(['result', b.ref, null, null, null, 'abstentions', r.abstentions, null]);
      rows.push(['result', b.ref, b.closedAt, b.publishedAt, null, 'outcome', r.outcome, b.resultLabel]);
    }
    for (const v of b.votes ?? []) rows.push(['vote', b.ref, null, null, v.seat, b.title, v.choice, [v.weight !== 1 ? `weight ${v.weight}` : null, v.proxy ? `by proxy: ${v.proxy}` : null].filter(Boolean).join('; ') || null]);
  }
  for (const r of doc.rulings) rows.push(['ruling', r.ref, r.at, null, r.by.name, r.what, null, r.reason]);
  for (const r of doc.recordings) {
    rows.push(['recording', r.id, r.startedAt, r.endedAt, null, r.title, r.statusLabel, r.deletedAt ? `deleted ${r.deletedAt}: ${r.deletionReason ?? ''}` : null]);
    for (const f of r.files) rows.push(['recording-file', r.id, null, null, f.path, null, f.bytes, `sha256:${f.sha256}`]);
  }
  rows.push(['record', String(doc.record.auditSeq), doc.record.generatedAt, null, doc.record.generatedBy.name, 'audit log head', doc.record.auditHash, doc.record.keyId ? `signed by key ${doc.record.keyId}` : null]);
  return toCsv([MINUTES_CSV_HEADER, ...rows]);
}

/* ---------------- labels ---------------- */

export function quorumRuleLabel(rule: QuorumRule, text: MinutesText = MINUTES_TEXT.en): string {
  return text.quorumRule(rule);
}

export function choiceLabel(choice: Choice, text: MinutesText = MINUTES_TEXT.en): string {
  if (typeof choice === 'string') return text.choice[choice === 'yes' || choice === 'no' ? choice : 'abstain'];
  return choice.length ? choice.join(', ') : text.choice.noCandidate;
}

export function resultLabel(r: BallotResult, text: MinutesText = MINUTES_TEXT.en): string {
  if (r.kind === 'motion') return text.motionResult(text.outcome[r.outcome], r.yes, r.no, r.abstain, r.needed, r.base);
  if (r.outcome === 'tie') return text.tiedForLast(r.tied.join(', '), r.elected.length ? r.elected.join(', ') : null);
  return r.elected.length ? text.elected(r.elected.join(', ')) : text.nobodyElected;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/* ---------------- text for the PDF ---------------- */

/** Scripts that the PDF's body font may lack, each drawn with a font of its own when one is installed. */
export const SCRIPTS = [
  { script: 'cjk', re: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef]/u, rtl: false },
  // Extensions: the Arabic comma, semicolon and question mark are "common" to scripts but drawn by Arabic fonts.
  { script: 'arabic', re: /\p{Script_Extensions=Arabic}/u, rtl: true },
  { script: 'hebrew', re: /\p{Script=Hebrew}/u, rtl: true },
  ...['Thai', 'Devanagari', 'Bengali', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Gujarati', 'Gurmukhi', 'Khmer', 'Lao', 'Myanmar', 'Sinhala', 'Oriya'].map((s) => ({
    script: s.toLowerCase(),
    re: new RegExp(`\\p{Script=${s}}`, 'u'),
    rtl: false,
  })),
] as const;

export interface TextRun {
  /** 'body', or one of SCRIPTS. */
  script: string;
  text: string;
  /**
   * Right to left: the run must be shaped as one piece, so that the shaper puts its words (not only
   * the letters of each word) in visual order. It is not reordered here.
   */
  rtl: boolean;
}

/** Splits text into runs of one script, spaces going with the run before them. */
export function scriptRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  for (const ch of text) {
    const last = runs.at(-1);
    const script = /\s/.test(ch) && last ? last.script : (SCRIPTS.find((s) => s.re.test(ch))?.script ?? 'body');
    if (last && last.script === script) last.text += ch;
    else runs.push({ script, text: ch, rtl: SCRIPTS.find((s) => s.script === script)?.rtl ?? false });
  }
  return runs;
}

const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const LOOK_ALIKE: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', '−': '-', '≥': '>=', '≤': '<=', '→': '->' };

/**
 * For the built-in PDF fonts (WinAnsi only), when no font file is installed: letters lose accents the
 * encoding lacks (Ł → L), and anything else becomes '?', rather than the wrong glyph.
 */
export function winAnsiText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (isWinAnsi(ch)) out += ch;
    else if (LOOK_ALIKE[ch]) out += LOOK_ALIKE[ch];
    else {
      const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += bare && [...bare].every(isWinAnsi) ? bare : '?';
    }
  }
  return out;
}

function isWinAnsi(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || c === 0x0a || WIN_ANSI_EXTRA.has(ch);
}
