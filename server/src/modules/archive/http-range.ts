/**
 * HTTP range requests on a recording's files (RFC 9110 §14), so a player seeks in an MP4 without
 * downloading it first. One range at a time; several ranges, another unit or a malformed header get
 * the whole file, as the RFC allows. Pure.
 */

export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * `header` is the request's Range; `size` the file's; `ifRange` its If-Range (a range is honoured only
 * for the representation it names: `etag` is the file's strong tag).
 */
export function rangeOf(header: string | undefined, size: number, ifRange?: string, etag?: string): RangeAnswer {
  if (!header) return { kind: 'whole' };
  if (ifRange !== undefined && ifRange !== etag) return { kind: 'whole' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  const [first, last] = [m[1]!, m[2]!];
  if (first === '') {
    // A suffix: the last n bytes.
    const n = Number(last);
    if (!Number.isSafeInteger(n)) return { kind: 'whole' };
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (!Number.isSafeInteger(start) || (last !== '' && !Number.isSafeInteger(end)) || end < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
