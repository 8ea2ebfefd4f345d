import { inflateSync } from 'node:zlib';

/**
 * What a PDF written by pdfkit shows, run by run (one text-showing operation each, in drawing order)
 * and glyph by glyph: each glyph's text comes from its font's ToUnicode map. Right-to-left runs are
 * in visual order, as drawn; `logicalText` puts them back.
 */
export function pdfGlyphRuns(pdf: Buffer): string[][] {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream: string | null }>();
  for (const m of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = m[2]!;
    const at = body.indexOf('stream');
    const dict = at >= 0 ? body.slice(0, at) : body;
    let stream: string | null = null;
    if (at >= 0) {
      const start = body.indexOf('\n', at) + 1;
      const data = Buffer.from(body.slice(start, body.lastIndexOf('endstream')), 'latin1');
      try {
        stream = (/FlateDecode/.test(dict) ? inflateSync(data) : data).toString('latin1');
      } catch {
        stream = null;
      }
    }
    objects.set(Number(m[1]), { dict, stream });
  }
  // Resource name → code-to-text map (null: a built-in font, WinAnsi).
  const fonts = new Map<string, { map: Map<number, string> | null; bytes: number }>();
  for (const { dict } of objects.values()) {
    for (const f of dict.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const font = objects.get(Number(f[2]))?.dict ?? '';
      const tu = /\/ToUnicode (\d+) 0 R/.exec(font);
      const cmap = tu ? objects.get(Number(tu[1]))?.stream : null;
      fonts.set(f[1]!, cmap ? { map: parseCmap(cmap), bytes: 2 } : { map: null, bytes: 1 });
    }
  }
  const out: string[][] = [];
  for (const { stream } of objects.values()) {
    if (!stream || !/\bTf\b/.test(stream)) continue;
    let font = fonts.get('F1');
    // One run per text-showing operation: a TJ array (kerned pieces) or a Tj string.
    for (const t of stream.matchAll(/\/(F\d+) [\d.]+ Tf|\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      if (t[1]) {
        font = fonts.get(t[1]);
        continue;
      }
      if (!font) continue;
      const run: string[] = [];
      out.push(run);
      const pieces = t[2] !== undefined ? [...t[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]!) : [t[3]!];
      for (const hex of pieces) {
        const step = font.bytes * 2;
        for (let i = 0; i + step <= hex.length; i += step) {
          const code = parseInt(hex.slice(i, i + step), 16);
          run.push(font.map ? (font.map.get(code) ?? '') : Buffer.from([code]).toString('latin1'));
        }
      }
    }
  }
  return out;
}


/**
 * The text of each run in reading order: a run of Arabic glyphs (drawn right to left) is read from
 * its last glyph to its first; a glyph of several characters (a lam-alef ligature) stays whole.
 */
export function logicalRuns(pdf: Buffer): string[] {
  return pdfGlyphRuns(pdf).map((glyphs) => (glyphs.some((g) => /\p{Script=Arabic}/u.test(g)) ? [...glyphs].reverse() : glyphs).join(''));
}

function parseCmap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const [lo, hi] = [parseInt(r[1]!, 16), parseInt(r[2]!, 16)];
      if (r[3]!.startsWith('[')) [...r[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].forEach((d, i) => map.set(lo + i, utf16(d[1]!)));
      else {
        const base = Buffer.from(r[3]!.slice(1, -1), 'hex');
        for (let c = lo; c <= hi; c++) {
          const b = Buffer.from(base);
          b.writeUInt16BE(b.readUInt16BE(b.length - 2) + (c - lo), b.length - 2);
          map.set(c, b.swap16().toString('utf16le'));
        }
      }
    }
  }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(r[1]!, 16), utf16(r[2]!));
  }
  return map;
}
