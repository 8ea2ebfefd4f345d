/**
 * Word error rate: the word-level edit distance (substitutions + deletions + insertions) between what
 * was said and what was recognised, over the number of words said. Words are compared normalised:
 * lower case, Unicode letters and digits only (apostrophes kept inside words), so punctuation and
 * capitals are no errors.
 */

export function normaliseWords(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2019\u02bc]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

export interface WordErrors {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Words in the reference. */
  words: number;
  /** (S + D + I) / N; 0 for two empty texts, and the hypothesis length when the reference is empty. */
  rate: number;
}

/** Levenshtein over words, keeping which kind each edit was (the cheapest path; ties prefer substitutions). */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const r = normaliseWords(reference);
  const h = normaliseWords(hypothesis);
  // d[j]: cost and kinds of edits turning r[0..i) into h[0..j).
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = h.map((_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  prev.push({ cost: h.length, s: 0, d: 0, i: h.length });
  for (let i = 1; i <= r.length; i++) {
    const row: Cell[] = [{ cost: i, s: 0, d: i, i: 0 }];
    for (let j = 1; j <= h.length; j++) {
      const same = r[i - 1] === h[j - 1];
      const diag = prev[j - 1]!;
      const up = prev[j]!;
      const left = row[j - 1]!;
      const sub = { cost: diag.cost + (same ? 0 : 1), s: diag.s + (same ? 0 : 1), d: diag.d, i: diag.i };
      const del = { cost: up.cost + 1, s: up.s, d: up.d + 1, i: up.i };
      const ins = { cost: left.cost + 1, s: left.s, d: left.d, i: left.i + 1 };
      row.push(sub.cost <= del.cost && sub.cost <= ins.cost ? sub : del.cost <= ins.cost ? del : ins);
    }
    prev = row;
  }
  const last = prev[h.length]!;
  const words = r.length;
  return { substitutions: last.s, deletions: last.d, insertions: last.i, words, rate: words === 0 ? h.length : last.cost / words };
}

export const wordErrorRate = (reference: string, hypothesis: string): number => wordErrors(reference, hypothesis).rate;
