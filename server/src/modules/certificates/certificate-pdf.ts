import type { CertificateDto } from '../../contract';
import { scriptRuns, winAnsiText } from '../governance/minutes';
import { setUpFonts, visualRuns } from '../governance/minutes-pdf';

/**
 * The certificate as a one-page PDF (A4 landscape): the holder's name, the event, the sessions and
 * minutes, the issuer and the date, and a QR code to the public verification page. Names and titles
 * in any script are drawn with the system's fonts for it (as the minutes are); a line holding
 * right-to-left text is put in visual order by the Unicode bidi algorithm and centred.
 */

const NAVY = '#1d2b4f';
const GREY = '#555555';

export async function renderCertificatePdf(c: CertificateDto): Promise<Buffer> {
  // Loaded on the first PDF, not at boot, like the minutes.
  const [{ default: PDFDocument }, QRCode] = await Promise.all([import('pdfkit'), import('qrcode')]);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: 48, bottom: 40, left: 56, right: 56 },
    info: { Title: `Certificate of attendance: ${c.eventTitle}`, Subject: c.holderName, Author: c.issuerName, Creator: 'Quorum', Producer: 'Quorum' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const fonts = setUpFonts(doc);
  const width = doc.page.width;
  const height = doc.page.height;

  /** One centred line; each script in a font that has it. */
  const line = (text: string, y: number, size: number, o: { bold?: boolean; color?: string } = {}): number => {
    const value = text || ' ';
    const runs = fonts.builtIn
      ? [{ script: 'body', text: winAnsiText(value), rtl: false }]
      : /[\p{Script_Extensions=Arabic}\p{Script=Hebrew}]/u.test(value)
        ? visualRuns(value.replace(/[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g, ''))
        : scriptRuns(value);
    const placed = runs.map((r) => {
      const font = fonts.font(r.script, !!o.bold);
      const opts: PDFKit.Mixins.TextOptions = r.rtl ? { features: [] } : {};
      return { ...r, font, opts, w: doc.font(font).fontSize(size).widthOfString(r.text, opts) };
    });
    let x = (width - placed.reduce((s, r) => s + r.w, 0)) / 2;
    doc.fillColor(o.color ?? '#000000');
    for (const r of placed) {
      doc.font(r.font).fontSize(size).text(r.text, x, y, { lineBreak: false, ...r.opts });
      x += r.w;
    }
    return y + size * 1.45;
  };

  doc.rect(20, 20, width - 40, height - 40).lineWidth(2).strokeColor(NAVY).stroke();
  doc.rect(27, 27, width - 54, height - 54).lineWidth(0.5).strokeColor(NAVY).stroke();

  let y = 60;
  y = line('CERTIFICATE OF ATTENDANCE', y, 26, { bold: true, color: NAVY });
  y = line('Continuing professional development', y, 13, { color: GREY }) + 14;
  y = line('This certifies that', y, 13, { color: GREY });
  y = line(c.holderName, y + 4, 28, { bold: true }) + 6;
  y = line(`attended ${c.totalMinutes} minutes of the live sessions of`, y, 13, { color: GREY });
  y = line(c.eventTitle, y + 2, 20, { bold: true, color: NAVY });
  y = line('organised by', y, 12, { color: GREY });
  y = line(c.issuerName, y, 15, { bold: true }) + 10;

  const dateIn = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: c.eventTimeZone, calendar: 'gregory', numberingSystem: 'latn', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  for (const s of c.sessions.slice(0, 8)) y = line(`${s.title}  ·  ${dateIn(s.startsAt)}  ·  ${s.attendedMinutes} min`, y, 10.5, { color: '#222222' });
  if (c.sessions.length > 8) y = line(`and ${c.sessions.length - 8} more sessions`, y, 10.5, { color: GREY });
  const rule = c.threshold.mode === 'minutes' ? `at least ${c.threshold.value} minutes of the programme` : `at least ${c.threshold.value} % of each session's live time`;
  line(`Awarded for attendance of ${rule}, measured from the rooms' attendance.`, y + 6, 9.5, { color: GREY });

  const issued = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(c.issuedAt));
  const footY = height - 130;
  doc.font(fonts.font('body', false)).fontSize(10).fillColor('#000000');
  doc.text(`Issued ${issued} (UTC)`, 56, footY + 20, { lineBreak: false });
  doc.text(`Certificate ${c.id}`, 56, footY + 36, { lineBreak: false });
  doc.fillColor(GREY).fontSize(8.5).text(`Verify: ${c.verifyUrl}`, 56, footY + 52, { lineBreak: false });
  if (c.status === 'revoked') doc.fillColor('#b00020').fontSize(14).text(`REVOKED ${c.revokedAt?.slice(0, 10) ?? ''}`, 56, footY - 6, { lineBreak: false });

  // The QR code, drawn as vector squares: sharp at any print size.
  const qr = QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const side = 96;
  const cell = side / (n + 8);
  const qx = width - 56 - side;
  const qy = height - 56 - side;
  doc.rect(qx, qy, side, side).fill('#ffffff');
  for (let r = 0; r < n; r++) {
    for (let col = 0; col < n; col++) if (qr.modules.get(r, col)) doc.rect(qx + (col + 4) * cell, qy + (r + 4) * cell, cell, cell);
  }
  doc.fill('#000000');
  doc.end();
  return done;
}
