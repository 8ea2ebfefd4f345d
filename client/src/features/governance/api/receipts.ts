import type { BulletinEntry, CastReceipt } from '@contract';

/**
 * Receipts kept on this device so their owner can check them on the bulletin board later (also from
 * another tab). They reveal nothing without the board, and the board shows only their hashes.
 */
const KEY = 'quorum.receipts';
const MAX_KEPT = 200;

interface Stored extends CastReceipt {
  at: string;
}

function readAll(): Stored[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Stored[]) : [];
  } catch {
    return [];
  }
}

export function rememberReceipts(receipts: CastReceipt[]): void {
  const seats = new Set(receipts.map((r) => `${r.ballotId}/${r.seatId}`));
  const at = new Date().toISOString();
  const kept = readAll().filter((r) => !seats.has(`${r.ballotId}/${r.seatId}`));
  try {
    localStorage.setItem(KEY, JSON.stringify([...kept, ...receipts.map((r) => ({ ...r, at }))].slice(-MAX_KEPT)));
  } catch {
    /* storage full or blocked: the receipt is still shown and downloadable */
  }
}

export const storedReceipts = (ballotId: string): CastReceipt[] => readAll().filter((r) => r.ballotId === ballotId);

/** The bulletin board's key for a receipt: hex SHA-256 of `${ballotId}:${receipt}`, as the server computes it. */
export async function receiptHash(ballotId: string, receipt: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${ballotId}:${receipt}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function findOnBulletin(board: BulletinEntry[], ballotId: string, receipt: string): Promise<BulletinEntry | null> {
  const hash = await receiptHash(ballotId, receipt.trim());
  return board.find((e) => e.receiptHash === hash) ?? null;
}
