import type { BulletinEntry, CastReceipt } from '@contract';
import { keepJson, readKeptJson } from '../../../lib/storage';

/**
 * Receipts kept on this device so their owner can check them on the bulletin board later (also from
 * another tab). They reveal nothing without the board, and the board shows only their hashes.
 */
const KEY = 'quorum.receipts';
const MAX_KEPT = 200;

interface Stored extends CastReceipt {
  /** Always known on the device that cast: the server's, or the one this device sealed in the envelope. */
  receipt: string;
  at: string;
}

function readAll(): Stored[] {
  const parsed = readKeptJson(KEY);
  return Array.isArray(parsed) ? (parsed as Stored[]) : [];
}

export function rememberReceipts(receipts: CastReceipt[]): void {
  const seats = new Set(receipts.map((r) => `${r.ballotId}/${r.seatId}`));
  const at = new Date().toISOString();
  const kept = readAll().filter((r) => !seats.has(`${r.ballotId}/${r.seatId}`));
  const known = receipts.flatMap((r) => (r.receipt === null ? [] : [{ ...r, receipt: r.receipt, at }]));
  // Refused (full or blocked storage): the receipt is still shown and downloadable.
  keepJson(KEY, [...kept, ...known].slice(-MAX_KEPT));
}

export const storedReceipts = (ballotId: string): Stored[] => readAll().filter((r) => r.ballotId === ballotId);

/**
 * The bulletin board's key for a receipt, as the server computes it: hex SHA-256 of
 * `${ballotId}:${receipt}` for the first unit of weight, `${ballotId}:${receipt}:${unit}` for the next.
 */
export async function receiptHash(ballotId: string, receipt: string, unit = 1): Promise<string> {
  const text = unit === 1 ? `${ballotId}:${receipt}` : `${ballotId}:${receipt}:${unit}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every entry of a receipt: one per unit of its seat's weight on a secret ballot. */
export async function findOnBulletin(board: BulletinEntry[], ballotId: string, receipt: string): Promise<BulletinEntry[]> {
  const hashes = new Set(board.map((e) => e.receiptHash));
  const found: BulletinEntry[] = [];
  for (let unit = 1; ; unit++) {
    const hash = await receiptHash(ballotId, receipt.trim(), unit);
    if (!hashes.has(hash)) break;
    found.push(board.find((e) => e.receiptHash === hash)!);
  }
  return found;
}

/**
 * What a voter keeps and `npm run verify -- export.json --receipt <token>` checks: the ballot, the
 * receipt, and the position and hash of the record at the vote.
 */
export const receiptToken = (r: CastReceipt): string => `${r.ballotId}:${r.receipt}:${r.recordSeq}:${r.recordHash}`;

/** A pasted token, or just a receipt code. */
export function parseReceipt(text: string): { ballotId?: string; receipt: string } {
  const parts = text.trim().split(':');
  return parts.length >= 2 ? { ballotId: parts[0]!, receipt: parts[1]! } : { receipt: text.trim() };
}
