// Over 400 lines on purpose: one document's page geometry (fonts, tables, page breaks) reads best in one place.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type BallotLine, type MinutesDocument, SCRIPTS, scriptRuns, winAnsiText } from './minutes';

/**
 * The minutes as a PDF: pdfkit with the fonts the system has for each script (Noto, WenQuanYi, …),
 * falling back to the built-in Helvetica for Latin text. Layout only; the content is MinutesDocument.
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
function setUpFonts(doc: PDFKit.PDFDocument): { font: (script: string, bold: boolean) => string; builtIn: boolean } {
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
    info: { Title: `Minutes: ${minutes.meeting.title}`, Subject: `${minutes.meeting.kindLabel}, ${minutes.meeting.organization}`, Creator: 'Quorum', Producer: 'Quorum' },
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
  private readonly fmtDay: Intl.DateTimeFormat;
  private readonly fmtFull: Intl.DateTimeFormat;
  private readonly fmtTime: Intl.DateTimeFormat;
  private readonly fmtShort: Intl.DateTimeFormat;
  private readonly sittingDay: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly m: MinutesDocument,
    private readonly timeZone: string,
  ) {
    this.fonts = setUpFonts(doc);
    this.width = doc.page.width - 2 * MARGIN;
    this.fmtDay = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.fmtFull = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    this.fmtTime = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
    this.fmtShort = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
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
    this.certification();
    this.footers();
  }

  /* ---- sections ---- */

  private titleBlock(): void {
    const { meeting: mt, sitting } = this.m;
    this.print(mt.organization.toUpperCase(), { size: 9, color: GREY });
    this.doc.moveDown(0.3);
    this.print('Minutes', { size: 11, bold: true, color: GREY });
    this.print(mt.title, { size: 20, bold: true });
    this.print(`${mt.kindLabel} · ${this.fmtFull.format(new Date(mt.scheduledAt))} (${this.tzLabel()})`, { size: 11, color: GREY });
    this.doc.moveDown(0.8);
    this.table(
      [
        { header: '', width: 120 },
        { header: '', width: this.width - 120 },
      ],
      [
        ['Chair', mt.chair.name],
        ['Secretary', mt.secretary?.name ?? 'None appointed'],
        ['Voting', mt.voterBasisLabel],
        ['Quorum rule', mt.quorumRuleLabel],
        ['Room', mt.room ?? 'None (in person or by check-in only)'],
        ['Sitting', `${this.when(sitting.from)} – ${this.when(sitting.to)}`],
      ],
      { header: false, boldFirst: true, rules: false },
    );
  }

  private attendance(): void {
    const list = this.m.attendance;
    this.heading('1', 'Attendance');
    if (!list.length) return this.note('No attendance was recorded: nobody was in the meeting’s room or checked in.');
    this.note(`${list.length} ${list.length === 1 ? 'person' : 'people'} attended, in the meeting’s room or by checking in. “Still present” means no leaving was recorded by the end of the sitting.`);
    this.table(
      [
        { header: 'Name', width: 175 },
        { header: 'First in', width: 70 },
        { header: 'Last out', width: 80 },
        { header: 'Minutes', width: 55, align: 'right' },
        { header: 'Recorded by', width: this.width - 380 },
      ],
      list.map((a) => [a.name, this.when(a.firstJoin), a.lastLeave ? this.when(a.lastLeave) : 'Still present', a.minutes.toFixed(1), a.sources.map((s) => (s === 'room' ? 'room' : 'check-in')).join(' + ')]),
    );
  }

  private quorum(): void {
    this.heading('2', 'Quorum');
    this.note(`Rule: ${this.m.meeting.quorumRuleLabel}. Checked when each ballot opened; seats held by proxy count when their holder is present.`);
    if (!this.m.quorum.length) return this.note('No ballot was opened, so quorum was never checked.');
    this.table(
      [
        { header: 'Time', width: 50 },
        { header: 'Ballot', width: 145 },
        { header: 'Present', width: 45, align: 'right' },
        { header: 'By proxy', width: 50, align: 'right' },
        { header: 'Counted / required', width: 90, align: 'right' },
        { header: 'Quorum', width: this.width - 380 },
      ],
      this.m.quorum.map((q) => [
        this.when(q.at),
        `${q.ballotRef}. ${q.ballotTitle}`,
        String(q.quorum.present),
        String(q.quorum.represented),
        `${q.quorum.counted} / ${q.quorum.required} of ${q.quorum.entitled}`,
        q.quorum.met ? 'Met' : q.override ? 'Not met; the chair overrode' : 'Not met',
      ]),
    );
    for (const q of this.m.quorum.filter((x) => x.override)) this.note(`${q.ballotRef}: ${q.override!.by.name} opened the ballot without quorum, giving as the reason: “${q.override!.reason}”`);
  }

  private agenda(): void {
    this.heading('3', 'Agenda');
    if (!this.m.agenda.length) return this.note('No agenda was set.');
    for (const a of this.m.agenda) {
      this.print(`${a.ref}.  ${a.title}`, { size: 10.5 });
      if (a.description) this.print(a.description, { size: 9.5, color: GREY, indent: 18 });
    }
  }

  private motions(): void {
    this.heading('4', 'Motions and amendments');
    if (!this.m.motions.length) return this.note('No motion was moved.');
    for (const mo of this.m.motions) {
      this.keepTogether(70);
      const kind = mo.amends ? `Amendment to ${mo.amends}` : 'Motion';
      this.print(`${mo.ref}. ${mo.title}`, { size: 11, bold: true });
      this.print(`${kind}${mo.agendaRef ? ` · agenda item ${mo.agendaRef}` : ''}`, { size: 9, color: GREY });
      this.print(mo.text, { size: 10, indent: 12 });
      this.print(`Moved by ${mo.mover.name}; ${mo.seconder ? `seconded by ${mo.seconder.name}` : 'not seconded'}. Outcome: ${mo.statusLabel}.`, { size: 10 });
      this.doc.moveDown(0.6);
    }
  }

  private ballots(): void {
    this.heading('5', 'Ballots');
    if (!this.m.ballots.length) return this.note('No ballot was held.');
    for (const b of this.m.ballots) this.ballot(b);
  }

  private ballot(b: BallotLine): void {
    this.keepTogether(90);
    this.print(`${b.ref}. ${b.title}`, { size: 11, bold: true });
    const on = b.kind === 'motion' ? `On motion ${b.motionRef ?? ''}` : 'Election';
    const abst = b.kind === 'motion' ? ` · abstentions ${b.abstentionsCount ? 'count' : 'do not count'}` : '';
    this.print(`${on} · ${b.secrecy === 'roll-call' ? 'roll-call (open) vote' : 'secret ballot'} · ${b.ruleLabel}${abst}`, { size: 9, color: GREY });
    const times = [
      b.openedAt ? `Opened ${this.when(b.openedAt)}` : 'Never opened',
      b.closedAt ? `closed ${this.when(b.closedAt)}${b.closedBy ? ` by ${b.closedBy}` : ''}` : null,
      b.publishedAt ? `result announced ${this.when(b.publishedAt)}` : null,
    ];
    this.print(`${times.filter(Boolean).join('; ')}. Status: ${b.statusLabel}.`, { size: 10 });
    if (b.openedAt) {
      const weights = b.entitledWeight !== null && b.entitledWeight !== b.entitledSeats ? ` (weight ${b.entitledWeight}, present ${b.presentWeight ?? 0})` : ` (${b.presentWeight ?? 0} present)`;
      this.print(`Roll: ${b.entitledSeats} ${b.entitledSeats === 1 ? 'seat' : 'seats'}${weights}; ${b.ballotsCast} ${b.ballotsCast === 1 ? 'ballot' : 'ballots'} cast.`, { size: 10 });
    }
    const r = b.result;
    if (r && b.resultLabel) {
      this.print(`Result${b.status === 'published' ? '' : ' (not yet announced)'}: ${b.resultLabel}`, { size: 10.5, bold: true });
      if (r.kind === 'election') {
        this.table(
          [
            { header: 'Candidate', width: 250 },
            { header: 'Votes', width: 60, align: 'right' },
            { header: '', width: 100 },
          ],
          [...r.counts.map((c) => [c.candidate, String(c.votes), r.elected.includes(c.candidate) ? 'Elected' : r.tied.includes(c.candidate) ? 'Tied' : '']), ['Abstentions', String(r.abstentions), '']],
        );
      }
    }
    if (b.votes) {
      this.print('How each seat voted:', { size: 10 });
      this.table(
        [
          { header: 'Seat', width: 220 },
          { header: 'Vote', width: 130 },
          { header: 'Cast by proxy', width: this.width - 350 },
        ],
        b.votes.map((v) => [v.weight === 1 ? v.seat : `${v.seat} (weight ${v.weight})`, v.choice, v.proxy ?? '']),
      );
    } else if (b.secrecy === 'secret' && b.openedAt) {
      this.note('Secret ballot: the record says who voted, not how.');
    }
    this.doc.moveDown(0.6);
  }

  private rulings(): void {
    this.heading('6', 'Rulings and overrides by the chair');
    if (!this.m.rulings.length) return this.note('None.');
    this.table(
      [
        { header: 'Time', width: 55 },
        { header: 'By', width: 110 },
        { header: 'Ruling', width: 190 },
        { header: 'Reason given', width: this.width - 355 },
      ],
      this.m.rulings.map((r) => [this.when(r.at), r.by.name, r.what, r.reason ?? '']),
    );
  }

  private certification(): void {
    this.keepTogether(150);
    this.doc.moveDown(1);
    const rec = this.m.record;
    this.print(
      `Produced by Quorum on ${this.fmtFull.format(new Date(rec.generatedAt))} (${this.tzLabel()}) at the request of ${rec.generatedBy.name}, from the meeting’s records up to entry ${rec.auditSeq} of its audit log` +
        `${rec.auditHash ? ` (hash ${rec.auditHash})` : ''}. The SHA-256 of this file is recorded in that log as the next “minutes.generated” entry.` +
        `${rec.keyId ? ` The server signs the head of that log with its record key ${rec.keyId}, published at /.well-known/quorum-record-key.` : ''}`,
      { size: 8.5, color: GREY },
    );
    this.doc.moveDown(2.5);
    const y = this.doc.y;
    const half = (this.width - 40) / 2;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + half, y).moveTo(MARGIN + half + 40, y).lineTo(MARGIN + this.width, y).lineWidth(0.6).strokeColor('#000000').stroke();
    this.print(`Chair: ${this.m.meeting.chair.name}`, { size: 9, x: MARGIN, y: y + 4, width: half });
    this.print(`Secretary: ${this.m.meeting.secretary?.name ?? ''}`, { size: 9, x: MARGIN + half + 40, y: y + 4, width: half });
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
      this.print(`Minutes · ${this.m.meeting.title}`, { size: 8, color: GREY, x: MARGIN, y, width: this.width * 0.7, lineBreak: false });
      this.print(`Page ${i - range.start + 1} of ${range.count}`, { size: 8, color: GREY, x: MARGIN + this.width * 0.7, y, width: this.width * 0.3, align: 'right', lineBreak: false });
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
    const runs = this.runs(text, !!o.bold);
    const x = o.x ?? MARGIN + (o.indent ?? 0);
    const width = o.width ?? this.width - (o.indent ?? 0);
    doc.fontSize(o.size).fillColor(o.color ?? '#000000');
    runs.forEach((r, i) => {
      doc.font(r.font);
      // Features given: pdfkit shapes the run whole instead of word by word, which RTL needs.
      const opts = { width, align: o.align ?? 'left', lineBreak: o.lineBreak ?? true, continued: i < runs.length - 1, ...(r.rtl ? { features: [] } : {}) };
      if (i === 0) doc.text(r.text, x, o.y ?? doc.y, opts);
      else doc.text(r.text, opts);
    });
    doc.x = MARGIN;
  }

  private runs(text: string, bold: boolean): { font: string; text: string; rtl: boolean }[] {
    const value = text === '' ? ' ' : text;
    if (this.fonts.builtIn) return [{ font: this.fonts.font('body', bold), text: winAnsiText(value), rtl: false }];
    return scriptRuns(value).map((r) => ({ font: this.fonts.font(r.script, bold), text: r.text, rtl: r.rtl }));
  }

  /** Height of text in a box of `width`, measured in the font of its widest script. */
  private heightOf(text: string, width: number, size: number, bold: boolean): number {
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
    const drawHeader = () => {
      const y = doc.y;
      let x = MARGIN;
      for (const c of columns) {
        this.print(c.header, { size: 8, bold: true, color: GREY, x: x + pad, y: y + pad, width: c.width - 2 * pad, align: c.align ?? 'left' });
        x += c.width;
      }
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
      let x = MARGIN;
      columns.forEach((c, i) => {
        this.print(row[i] ?? '', { size, bold: !!o.boldFirst && i === 0, x: x + pad, y: y + pad, width: c.width - 2 * pad, align: c.align ?? 'left' });
        x += c.width;
      });
      doc.y = y + h;
      if (o.rules ?? true) doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + this.width, doc.y).lineWidth(0.3).strokeColor(RULE).stroke();
    }
    doc.x = MARGIN;
    doc.moveDown(0.4);
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
