// Over 400 lines on purpose: one document's page geometry (fonts, tables, page breaks) reads best in one place.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import bidiFactory from 'bidi-js';
import { type BallotLine, type MinutesDocument, SCRIPTS, scriptRuns, winAnsiText } from './minutes';
import { MINUTES_TEXT, type MinutesText } from './minutes-text';

/**
 * The minutes as a PDF: pdfkit with the fonts the system has for each script (Noto, WenQuanYi, …),
 * falling back to the built-in Helvetica for Latin text. Layout only; the content is MinutesDocument,
 * in the meeting's language. pdfkit lays text out left to right and knows no bidi: for a right-to-left
 * language the lines are broken here, put in visual order by the Unicode bidi algorithm (bidi-js), and
 * drawn from the right; the Arabic runs stay in logical order because fontkit shapes and reverses them.
 */

/* ---------------- fonts ---------------- */

interface FontFace {
  file: string;
  /** The face's PostScript name inside a collection (.ttc). */
  face?: string;
}

/** Preferred faces by file name, first found wins; looked up anywhere under the system font folders. */
const BODY_FONTS: { regular: FontFace; bold: FontFace }[] = [
  { regular: { file: 'LiberationSans-Regular.ttf' }, bold: { file: 'LiberationSans-Bold.ttf' } },
  { regular: { file: 'DejaVuSans.ttf' }, bold: { file: 'DejaVuSans-Bold.ttf' } },
  { regular: { file: 'NotoSans-Regular.ttf' }, bold: { file: 'NotoSans-Bold.ttf' } },
];
const SCRIPT_FONTS: Record<string, FontFace[]> = {
  cjk: [
    { file: 'NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
    { file: 'wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
    { file: 'wqy-zenhei.ttc', face: 'WenQuanYiZenHei' },
    { file: 'NotoSansSC-Regular.otf' },
  ],
  arabic: [{ file: 'NotoSansArabicUI-Regular.ttf' }, { file: 'NotoSansArabic-Regular.ttf' }, { file: 'NotoNaskhArabicUI-Regular.ttf' }, { file: 'DejaVuSans.ttf' }],
  hebrew: [{ file: 'NotoSansHebrew-Regular.ttf' }, { file: 'DejaVuSans.ttf' }],
};
for (const s of SCRIPTS) {
  const name = s.script[0]!.toUpperCase() + s.script.slice(1);
  SCRIPT_FONTS[s.script] ??= [{ file: `NotoSans${name}UI-Regular.ttf` }, { file: `NotoSans${name}-Regular.ttf` }];
}
const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];

let installed: Map<string, string> | undefined;
/** File name → path of every font file under the system font folders (read once). */
function installedFonts(): Map<string, string> {
  if (installed) return installed;
  installed = new Map();
  const walk = (dir: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(full, depth + 1);
      else if (/\.(ttf|otf|ttc)$/i.test(e.name) && !installed!.has(e.name)) installed!.set(e.name, full);
    }
  };
  FONT_DIRS.filter((d) => existsSync(d)).forEach((d) => walk(d, 0));
  return installed;
}

/**
 * The body face is registered up front; a script's face only when text in that script first appears
 * (a CJK collection is tens of megabytes). Any face that is missing or fails to load is skipped, down
 * to the PDF's built-in Helvetica, and then text is reduced to what Helvetica can show.
 */
export function setUpFonts(doc: PDFKit.PDFDocument): { font: (script: string, bold: boolean) => string; builtIn: boolean } {
  const files = installedFonts();
  const register = (name: string, f: FontFace): boolean => {
    const file = files.get(f.file);
    if (!file) return false;
    try {
      if (f.face) doc.registerFont(name, file, f.face);
      else doc.registerFont(name, file);
      doc.font(name); // loads it now, so a broken file is found here and not halfway through the text
      return true;
    } catch {
      return false;
    }
  };
  const body = BODY_FONTS.find((b) => register('body', b.regular) && register('body-bold', b.bold));
  const scripts = new Map<string, boolean>();
  const hasScript = (script: string) => {
    if (!scripts.has(script)) scripts.set(script, (SCRIPT_FONTS[script] ?? []).some((f) => register(script, f)));
    return scripts.get(script)!;
  };
  const fallback = (bold: boolean) => (body ? (bold ? 'body-bold' : 'body') : bold ? 'Helvetica-Bold' : 'Helvetica');
  return { builtIn: !body, font: (script, bold) => (script !== 'body' && hasScript(script) ? script : fallback(bold)) };
}

/* ---------------- the PDF ---------------- */

const MARGIN = 56;
const FOOTER = 40;
const GREY = '#555555';
const RULE = '#c8c8c8';

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** Draws the minutes on A4. Pages are buffered so that the footers can say "page n of N". */
export async function renderPdf(minutes: MinutesDocument, timeZone: string): Promise<Buffer> {
  // Loaded on the first PDF, not at boot: pdfkit and its fonts are a tenth of the server's start-up.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER / 2 },
    bufferPages: true,
    lang: minutes.meeting.language,
    info: { Title: `${MINUTES_TEXT[minutes.meeting.language].minutes}: ${minutes.meeting.title}`, Subject: `${minutes.meeting.kindLabel}, ${minutes.meeting.organization}`, Creator: 'Quorum', Producer: 'Quorum' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new MinutesPdf(doc, minutes, timeZone).draw();
  doc.end();
  return done;
}

class MinutesPdf {
  private readonly fonts: ReturnType<typeof setUpFonts>;
  private readonly width: number;
  private readonly t: MinutesText;
  private readonly rtl: boolean;
  private readonly fmtDay: Intl.DateTimeFormat;
  private readonly fmtFull: Intl.DateTimeFormat;
  private readonly fmtTime: Intl.DateTimeFormat;
  private readonly fmtShort: Intl.DateTimeFormat;
  private readonly fmtSitting: Intl.DateTimeFormat;
  private readonly sittingDay: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly m: MinutesDocument,
    private readonly timeZone: string,
  ) {
    this.fonts = setUpFonts(doc);
    this.width = doc.page.width - 2 * MARGIN;
    this.t = MINUTES_TEXT[m.meeting.language];
    this.rtl = this.t.rtl && !this.fonts.builtIn;
    // The Gregorian calendar and Latin digits, whatever the locale's default: a record reads the same everywhere.
    const locale = this.t.locale;
    const base = { timeZone, calendar: 'gregory', numberingSystem: 'latn' } as const;
    this.fmtDay = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.fmtFull = new Intl.DateTimeFormat(locale, { ...base, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.fmtTime = new Intl.DateTimeFormat(locale, { ...base, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.fmtShort = new Intl.DateTimeFormat(locale, { ...base, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.fmtSitting = new Intl.DateTimeFormat(locale, { ...base, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.sittingDay = this.fmtDay.format(new Date(m.sitting.from));
  }

  draw(): void {
    this.titleBlock();
    this.attendance();
    this.quorum();
    this.agenda();
    this.motions();
    this.ballots();
    this.rulings();
    if (this.m.recordings.length) this.recordings();
    this.certification();
    this.footers();
  }

  /* ---- sections ---- */

  private titleBlock(): void {
    const { meeting: mt } = this.m;
    const t = this.t.pdf;
    this.print(mt.organization.toUpperCase(), { size: 9, color: GREY });
    this.doc.moveDown(0.3);
    this.print(this.t.minutes, { size: 11, bold: true, color: GREY });
    this.print(mt.title, { size: 20, bold: true });
    // Dated by the day it sat, which may not be the day it was planned for.
    this.print(`${mt.kindLabel} · ${this.sittingLine()} (${this.tzLabel()})`, { size: 11, color: GREY });
    this.doc.moveDown(0.8);
    this.table(
      [
        { header: '', width: 120 },
        { header: '', width: this.width - 120 },
      ],
      [
        [t.chair, mt.chair.name],
        [t.secretary, mt.secretary?.name ?? t.noneAppointed],
        [t.voting, mt.voterBasisLabel],
        [t.quorumRule, mt.quorumRuleLabel],
        [t.room, mt.room ?? t.noRoom],
        [t.sitting, this.sittingLine()],
      ],
      { header: false, boldFirst: true, rules: false },
    );
  }

  private attendance(): void {
    const list = this.m.attendance;
    const t = this.t.pdf;
    const h = t.attendanceColumns;
    this.heading('1', t.sections.attendance);
    if (!list.length) return this.note(t.noAttendance);
    this.note(t.attended(list.length));
    this.table(
      [
        { header: h[0], width: 175 },
        { header: h[1], width: 70 },
        { header: h[2], width: 80 },
        { header: h[3], width: 55, align: 'right' },
        { header: h[4], width: this.width - 380 },
      ],
      list.map((a) => [a.name, this.when(a.firstJoin), a.lastLeave ? this.when(a.lastLeave) : t.stillPresent, a.minutes.toFixed(1), a.sources.map((s) => t.source[s]).join(' + ')]),
    );
  }

  private quorum(): void {
    const t = this.t.pdf;
    const h = t.quorumColumns;
    this.heading('2', t.sections.quorum);
    this.note(t.quorumNote(this.m.meeting.quorumRuleLabel));
    if (!this.m.quorum.length) return this.note(t.quorumNeverChecked);
    this.table(
      [
        { header: h[0], width: 50 },
        { header: h[1], width: 145 },
        { header: h[2], width: 45, align: 'right' },
        { header: h[3], width: 50, align: 'right' },
        { header: h[4], width: 90, align: 'right' },
        { header: h[5], width: this.width - 380 },
      ],
      this.m.quorum.map((q) => [
        this.when(q.at),
        `${q.ballotRef}. ${q.ballotTitle}`,
        String(q.quorum.present),
        String(q.quorum.represented),
        t.countedOf(q.quorum.counted, q.quorum.required, q.quorum.entitled),
        q.quorum.met ? t.met : q.override ? t.notMetOverridden : t.notMet,
      ]),
    );
    for (const q of this.m.quorum.filter((x) => x.override)) this.note(t.overrideNote(q.ballotRef, q.override!.by.name, q.override!.reason));
  }

  private agenda(): void {
    this.heading('3', this.t.pdf.sections.agenda);
    if (!this.m.agenda.length) return this.note(this.t.pdf.noAgenda);
    for (const a of this.m.agenda) {
      this.print(`${a.ref}.  ${a.title}`, { size: 10.5 });
      if (a.description) this.print(a.description, { size: 9.5, color: GREY, indent: 18 });
    }
  }

  private motions(): void {
    const t = this.t.pdf;
    this.heading('4', t.sections.motions);
    if (!this.m.motions.length) return this.note(t.noMotion);
    for (const mo of this.m.motions) {
      this.keepTogether(70);
      const kind = mo.amends ? t.amendmentTo(mo.amends) : t.motion;
      this.print(`${mo.ref}. ${mo.title}`, { size: 11, bold: true });
      this.print(`${kind}${mo.agendaRef ? ` · ${t.agendaItem(mo.agendaRef)}` : ''}`, { size: 9, color: GREY });
      this.print(mo.text, { size: 10, indent: 12 });
      this.print(t.movedBy(mo.mover.name, mo.seconder?.name ?? null, mo.statusLabel), { size: 10 });
      this.doc.moveDown(0.6);
    }
  }

  private ballots(): void {
    this.heading('5', this.t.pdf.sections.ballots);
    if (!this.m.ballots.length) return this.note(this.t.pdf.noBallot);
    for (const b of this.m.ballots) this.ballot(b);
  }

  private ballot(b: BallotLine): void {
    const t = this.t.pdf;
    this.keepTogether(90);
    this.print(`${b.ref}. ${b.title}`, { size: 11, bold: true });
    const on = b.kind === 'motion' ? t.onMotion(b.motionRef ?? '') : t.election;
    const abst = b.kind === 'motion' ? ` · ${t.abstentions(b.abstentionsCount)}` : '';
    this.print(`${on} · ${b.secrecy === 'roll-call' ? t.rollCall : t.secret} · ${b.ruleLabel}${abst}`, { size: 9, color: GREY });
    const times = [
      b.openedAt ? t.opened(this.when(b.openedAt)) : t.neverOpened,
      b.closedAt ? t.closed(this.when(b.closedAt), b.closedBy) : null,
      b.publishedAt ? t.announced(this.when(b.publishedAt)) : null,
    ];
    this.print(`${times.filter(Boolean).join(this.t.locale.startsWith('zh') ? '；' : '; ')}. ${t.status(b.statusLabel)}`, { size: 10 });
    if (b.openedAt) {
      const weighted = b.entitledWeight !== null && b.entitledWeight !== b.entitledSeats;
      this.print(t.roll(b.entitledSeats, weighted ? b.entitledWeight : null, b.presentWeight ?? 0, b.ballotsCast), { size: 10 });
    }
    const r = b.result;
    if (r && b.resultLabel) {
      this.print(`${t.result(b.status === 'published')}: ${b.resultLabel}`, { size: 10.5, bold: true });
      if (r.kind === 'election') {
        this.table(
          [
            { header: t.candidateColumns[0], width: 250 },
            { header: t.candidateColumns[1], width: 60, align: 'right' },
            { header: '', width: 100 },
          ],
          [...r.counts.map((c) => [c.candidate, String(c.votes), r.elected.includes(c.candidate) ? t.electedMark : r.tied.includes(c.candidate) ? t.tiedMark : '']), [t.abstentionsRow, String(r.abstentions), '']],
        );
      }
    }
    if (b.votes) {
      this.print(t.howEachSeatVoted, { size: 10 });
      this.table(
        [
          { header: t.voteColumns[0], width: 220 },
          { header: t.voteColumns[1], width: 130 },
          { header: t.voteColumns[2], width: this.width - 350 },
        ],
        b.votes.map((v) => [v.weight === 1 ? v.seat : `${v.seat} (${t.weight(v.weight)})`, v.choice, v.proxy ?? '']),
      );
    } else if (b.secrecy === 'secret' && b.openedAt) {
      this.note(t.secretNote);
    }
    this.doc.moveDown(0.6);
  }

  private rulings(): void {
    const t = this.t.pdf;
    this.heading('6', t.sections.rulings);
    if (!this.m.rulings.length) return this.note(t.none);
    this.table(
      [
        { header: t.rulingColumns[0], width: 55 },
        { header: t.rulingColumns[1], width: 110 },
        { header: t.rulingColumns[2], width: 190 },
        { header: t.rulingColumns[3], width: this.width - 355 },
      ],
      this.m.rulings.map((r) => [this.when(r.at), r.by.name, r.what, r.reason ?? '']),
    );
  }

  /** Each recording with its files' SHA-256; HLS media segments counted (the CSV lists them). */
  private recordings(): void {
    const t = this.t.recordings;
    this.heading('7', t.section);
    for (const r of this.m.recordings) {
      this.keepTogether(70);
      this.print(r.title, { size: 11, bold: true });
      this.print(`${t.span(this.when(r.startedAt), r.endedAt ? this.when(r.endedAt) : null)} · ${r.statusLabel}`, { size: 9, color: GREY });
      if (r.deletedAt) this.print(t.deleted(this.when(r.deletedAt), r.deletionReason ?? ''), { size: 9.5 });
      const segment = (f: { kind: string; path: string }) => f.kind === 'hls' && !/\.m3u8$/i.test(f.path);
      const listed = r.files.filter((f) => !segment(f));
      this.print(t.files(r.files.length), { size: 9.5 });
      for (const f of listed) {
        this.keepTogether(24);
        this.print(`${f.path} · ${f.bytes}`, { size: 8.5, indent: 12 });
        this.print(f.sha256, { size: 7.5, color: GREY, indent: 12 });
      }
      const segments = r.files.length - listed.length;
      if (segments) this.print(t.segments(segments), { size: 8.5, color: GREY, indent: 12 });
      this.doc.moveDown(0.6);
    }
  }

  private certification(): void {
    this.keepTogether(150);
    this.doc.moveDown(1);
    const rec = this.m.record;
    this.print(
      this.t.pdf.certification({ at: this.fmtFull.format(new Date(rec.generatedAt)), tz: this.tzLabel(), by: rec.generatedBy.name, seq: rec.auditSeq, hash: rec.auditHash, keyId: rec.keyId }),
      { size: 8.5, color: GREY },
    );
    this.doc.moveDown(2.5);
    const y = this.doc.y;
    const half = (this.width - 40) / 2;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + half, y).moveTo(MARGIN + half + 40, y).lineTo(MARGIN + this.width, y).lineWidth(0.6).strokeColor('#000000').stroke();
    // The chair signs first: on the left, or on the right when the document reads right to left.
    const [first, second] = this.rtl ? [MARGIN + half + 40, MARGIN] : [MARGIN, MARGIN + half + 40];
    this.print(`${this.t.pdf.chair}: ${this.m.meeting.chair.name}`, { size: 9, x: first, y: y + 4, width: half });
    this.print(`${this.t.pdf.secretary}: ${this.m.meeting.secretary?.name ?? ''}`, { size: 9, x: second, y: y + 4, width: half });
  }

  private footers(): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Text below the bottom margin would start a new page; the footer is drawn with it lifted.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = doc.page.height - MARGIN + 8;
      doc.moveTo(MARGIN, y - 6).lineTo(MARGIN + this.width, y - 6).lineWidth(0.4).strokeColor(RULE).stroke();
      const title = `${this.t.minutes} · ${this.m.meeting.title}`;
      const page = this.t.pdf.page(i - range.start + 1, range.count);
      if (this.rtl) {
        this.print(title, { size: 8, color: GREY, x: MARGIN + this.width * 0.3, y, width: this.width * 0.7, lineBreak: false });
        this.print(page, { size: 8, color: GREY, x: MARGIN, y, width: this.width * 0.3, align: 'right', lineBreak: false });
      } else {
        this.print(title, { size: 8, color: GREY, x: MARGIN, y, width: this.width * 0.7, lineBreak: false });
        this.print(page, { size: 8, color: GREY, x: MARGIN + this.width * 0.7, y, width: this.width * 0.3, align: 'right', lineBreak: false });
      }
      doc.page.margins.bottom = bottom;
    }
  }

  /* ---- drawing ---- */

  private heading(n: string, title: string): void {
    this.keepTogether(80);
    this.doc.moveDown(1);
    this.print(`${n}. ${title}`, { size: 13, bold: true });
    const y = this.doc.y + 2;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + this.width, y).lineWidth(0.6).strokeColor(RULE).stroke();
    this.doc.y = y + 6;
  }

  private note(text: string): void {
    this.print(text, { size: 9.5, color: GREY });
    this.doc.moveDown(0.3);
  }

  /** Starts a new page unless `height` points are left on this one. */
  private keepTogether(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  private bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /**
   * Text in any script: each run in a font that has it, continued on the same line. `x`/`y` place it;
   * otherwise it flows from the cursor at the left margin.
   */
  private print(
    text: string,
    o: { size: number; bold?: boolean; color?: string; indent?: number; x?: number; y?: number; width?: number; align?: 'left' | 'right'; lineBreak?: boolean },
  ): void {
    const { doc } = this;
    if (this.rtl) return this.printRtl(text, o);
    const runs = this.runs(text, !!o.bold);
    const x = o.x ?? MARGIN + (o.indent ?? 0);
    const width = o.width ?? this.width - (o.indent ?? 0);
    doc.fontSize(o.size).fillColor(o.color ?? '#000000');
    if (o.align === 'right' && runs.length > 1) {
      // pdfkit aligns each continued run on its own: a right-aligned line of several fonts is placed here.
      const widths = runs.map((r) => this.widthOf(r.text, r.font, o.size, r.rtl));
      let cx = x + width - widths.reduce((a, b) => a + b, 0);
      runs.forEach((r, i) => {
        doc.font(r.font).fontSize(o.size);
        doc.text(r.text, cx, o.y ?? doc.y, { lineBreak: false });
        cx += widths[i]!;
      });
      doc.x = MARGIN;
      return;
    }
    runs.forEach((r, i) => {
      doc.font(r.font);
      // Features given: pdfkit shapes the run whole instead of word by word, which RTL needs.
      const opts = { width, align: o.align ?? 'left', lineBreak: o.lineBreak ?? true, continued: i < runs.length - 1, ...(r.rtl ? { features: [] } : {}) };
      if (i === 0) doc.text(r.text, x, o.y ?? doc.y, opts);
      else doc.text(r.text, opts);
    });
    doc.x = MARGIN;
  }

  /**
   * Right-to-left text: lines broken here (pdfkit would break them in logical order), each line put
   * in visual order and drawn from the right edge. `align: 'right'` (figures) means the end of the
   * line, which is on the left.
   */
  private printRtl(
    text: string,
    o: { size: number; bold?: boolean; color?: string; indent?: number; x?: number; y?: number; width?: number; align?: 'left' | 'right'; lineBreak?: boolean },
  ): void {
    const { doc } = this;
    const bold = !!o.bold;
    const width = o.width ?? this.width - (o.indent ?? 0);
    const x = o.x ?? MARGIN;
    const lines = o.lineBreak === false ? [bidiText(text)] : this.wrapLines(bidiText(text), width, o.size, bold);
    let y = o.y ?? doc.y;
    doc.fontSize(o.size).fillColor(o.color ?? '#000000');
    const step = this.lineHeight(text, o.size, bold);
    for (const line of lines) {
      if (o.y === undefined && y + step > this.bottom()) {
        doc.addPage();
        y = doc.y;
      }
      const runs = visualRuns(line).map((r) => ({ ...r, font: this.fonts.font(r.script, bold) }));
      const widths = runs.map((r) => this.widthOf(r.text, r.font, o.size, r.rtl));
      const total = widths.reduce((a, b) => a + b, 0);
      let cx = o.align === 'right' ? x : x + width - total;
      runs.forEach((r, i) => {
        doc.font(r.font).fontSize(o.size);
        doc.text(r.text, cx, y, { lineBreak: false, ...(r.rtl ? { features: [] } : {}) });
        cx += widths[i]!;
      });
      y += step;
    }
    doc.x = MARGIN;
    doc.y = y;
  }

  private widthOf(text: string, font: string, size: number, rtl: boolean): number {
    return this.doc.font(font).fontSize(size).widthOfString(text, rtl ? { features: [] } : {});
  }

  private lineHeight(text: string, size: number, bold: boolean): number {
    const runs = this.runs(text, bold);
    const wide = runs.find((r) => r.font === 'arabic') ?? runs[0]!;
    return this.doc.font(wide.font).fontSize(size).currentLineHeight(true);
  }

  /** Greedy line breaking at spaces (and inside a word longer than the line), measured run by run. */
  private wrapLines(text: string, width: number, size: number, bold: boolean): string[] {
    const measure = (s: string) => this.runs(s, bold).reduce((sum, r) => sum + this.widthOf(r.text, r.font, size, r.rtl), 0);
    const out: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const word of paragraph.split(/(?<=\s)/)) {
        if (line && measure(line + word.trimEnd()) > width) {
          out.push(line.trimEnd());
          line = '';
        }
        if (!line && measure(word.trimEnd()) > width) {
          // A word wider than the line (a hash): cut it where it fills the line.
          let piece = '';
          for (const ch of word) {
            if (piece && measure(piece + ch) > width) {
              out.push(piece);
              piece = '';
            }
            piece += ch;
          }
          line = piece;
        } else line += word;
      }
      out.push(line.trimEnd());
    }
    return out;
  }

  private runs(text: string, bold: boolean): { font: string; text: string; rtl: boolean }[] {
    const value = text === '' ? ' ' : text;
    if (this.fonts.builtIn) return [{ font: this.fonts.font('body', bold), text: winAnsiText(value), rtl: false }];
    return scriptRuns(value).map((r) => ({ font: this.fonts.font(r.script, bold), text: r.text, rtl: r.rtl }));
  }

  /** Height of text in a box of `width`, measured in the font of its widest script. */
  private heightOf(text: string, width: number, size: number, bold: boolean): number {
    if (this.rtl) return this.wrapLines(bidiText(text), width, size, bold).length * this.lineHeight(text, size, bold);
    const runs = this.runs(text, bold);
    const wide = runs.find((r) => r.font === 'cjk') ?? runs[0]!;
    this.doc.font(wide.font).fontSize(size);
    return this.doc.heightOfString(runs.map((r) => r.text).join(''), { width });
  }

  private table(columns: Column[], rows: string[][], o: { header?: boolean; boldFirst?: boolean; rules?: boolean } = {}): void {
    const { doc } = this;
    const pad = 3;
    const size = 9;
    const showHeader = o.header ?? true;
    // Column edges: the first column on the left, or on the right when the document reads right to left.
    const xs: number[] = [];
    let edge = 0;
    for (const c of columns) {
      xs.push(this.rtl ? MARGIN + this.width - edge - c.width : MARGIN + edge);
      edge += c.width;
    }
    const drawHeader = () => {
      const y = doc.y;
      columns.forEach((c, i) => {
        this.print(c.header, { size: 8, bold: true, color: GREY, x: xs[i]! + pad, y: y + pad, width: c.width - 2 * pad, align: c.align ?? 'left' });
      });
      doc.y = y + 8 + 2 * pad + 2;
      doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + this.width, doc.y).lineWidth(0.6).strokeColor('#888888').stroke();
    };
    if (showHeader) {
      if (doc.y + 40 > this.bottom()) doc.addPage();
      drawHeader();
    }
    for (const row of rows) {
      const h = Math.max(...columns.map((c, i) => this.heightOf(row[i] ?? '', c.width - 2 * pad, size, !!o.boldFirst && i === 0))) + 2 * pad;
      if (doc.y + h > this.bottom()) {
        doc.addPage();
        if (showHeader) drawHeader();
      }
      const y = doc.y;
      columns.forEach((c, i) => {
        this.print(row[i] ?? '', { size, bold: !!o.boldFirst && i === 0, x: xs[i]! + pad, y: y + pad, width: c.width - 2 * pad, align: c.align ?? 'left' });
      });
      doc.y = y + h;
      if (o.rules ?? true) doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + this.width, doc.y).lineWidth(0.3).strokeColor(RULE).stroke();
    }
    doc.x = MARGIN;
    doc.moveDown(0.4);
  }

  /** When the meeting sat, from its first business to its last: one date and two times on one day. */
  private sittingLine(): string {
    const from = new Date(this.m.sitting.from);
    const to = new Date(this.m.sitting.to);
    if (this.fmtDay.format(from) !== this.fmtDay.format(to)) return this.fmtSitting.formatRange(from, to);
    return `${this.fmtSitting.format(from)}–${this.fmtTime.format(to)}`;
  }

  /** A time on the sitting's day as 14:05, on another day with its date. */
  private when(iso: string): string {
    const d = new Date(iso);
    return this.fmtDay.format(d) === this.sittingDay ? this.fmtTime.format(d) : this.fmtShort.format(d);
  }

  private tzLabel(): string {
    return this.timeZone === 'UTC' ? 'UTC' : this.timeZone.replace(/_/g, ' ');
  }
}

/* ---------------- right to left ---------------- */

const bidi = bidiFactory();

/** Text as drawn: without the invisible direction marks (Intl puts some in dates), which no font draws. */
function bidiText(text: string): string {
  return text.replace(/[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * One line of a right-to-left paragraph, as runs from left to right (Unicode bidi algorithm, rules L1
 * to L4 with mirrored brackets). A right-to-left run goes back to logical order: fontkit shapes it and
 * reverses it itself.
 */
export function visualRuns(line: string): { script: string; text: string; rtl: boolean }[] {
  const levels = bidi.getEmbeddingLevels(line, 'rtl');
  const visual = bidi.getReorderedString(line, levels);
  return scriptRuns(visual).map((r) => (r.rtl ? { ...r, text: [...r.text].reverse().join('') } : r));
}
