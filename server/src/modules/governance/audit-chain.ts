import { createHash } from 'node:crypto';

/**
 * The hash-chained audit log. Each entry's hash covers its sequence number, time, kind, payload and the
 * previous entry's hash, so changing, removing or reordering any entry breaks every hash after it.
 * Pure: the server appends with it, the standalone verifier checks with it.
 */
export interface AuditEntry {
  seq: number;
  at: string;
  kind: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in audit payload');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256(`${e.prevHash}\n${canonicalJson({ seq: e.seq, at: e.at, kind: e.kind, payload: e.payload })}`);
}

export function nextEntry(prev: Pick<AuditEntry, 'seq' | 'hash'> | null, kind: string, payload: unknown, at: Date): AuditEntry {
  const base = { seq: (prev?.seq ?? 0) + 1, at: at.toISOString(), kind, payload, prevHash: prev?.hash ?? GENESIS };
  return { ...base, hash: entryHash(base) };
}

/** The first problem in a chain, or null when it is intact. */
export function verifyChain(entries: readonly AuditEntry[]): string | null {
  let prev: AuditEntry | null = null;
  for (const e of entries) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) return `entry ${expectedSeq} is missing (found ${e.seq})`;
    if (e.prevHash !== (prev?.hash ?? GENESIS)) return `entry ${e.seq} does not follow entry ${prev?.seq ?? 0}`;
    if (entryHash(e) !== e.hash) return `entry ${e.seq} (${e.kind}) was altered`;
    prev = e;
  }
  return null;
}

/**
 * The hash that stands for a receipt on the bulletin board. A secret vote of weight w has w entries,
 * units 1..w; unit 1 (and a roll-call vote) uses the plain form.
 */
export const receiptHash = (ballotId: string, receipt: string, unit = 1): string => sha256(unit === 1 ? `${ballotId}:${receipt}` : `${ballotId}:${receipt}:${unit}`);
