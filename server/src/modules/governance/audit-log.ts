import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditEntry, nextEntry } from './audit-chain';
import { RecordSigner, type SignedHead } from './record-signer';

/**
 * The meeting's hash-chained record. Every decision is appended in the same transaction as the change
 * it records, under the meeting's row lock (one writer per meeting, so the chain never forks).
 */
@Injectable()
export class AuditLog {
  constructor(readonly signer: RecordSigner) {}

  /** Appends to the meeting's chain; returns the entries as written. Takes the meeting lock unless the caller holds it. */
  async append(m: EntityManager, meetingId: string, entries: { kind: string; payload: unknown }[], locked = false): Promise<AuditEntry[]> {
    if (!locked) await this.lockMeeting(m, meetingId);
    const [head] = await m.query(`SELECT seq, hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq DESC LIMIT 1`, [meetingId]);
    let prev: { seq: number; hash: string } | null = head ?? null;
    const at = new Date();
    const rows = entries.map((e) => (prev = nextEntry(prev, e.kind, e.payload, at)));
    await m.query(
      `INSERT INTO audit_log (meeting_id, seq, at, kind, payload, prev_hash, hash)
       SELECT $1, * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::text[], $7::text[])`,
      [meetingId, rows.map((r) => r.seq), rows.map((r) => r.at), rows.map((r) => r.kind), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.prevHash), rows.map((r) => r.hash)],
    );
    return rows;
  }

  async lockMeeting(m: EntityManager, meetingId: string): Promise<void> {
    await m.query(`SELECT 1 FROM meetings WHERE id = $1 FOR UPDATE`, [meetingId]);
  }

  /** The whole chain, in order (in `m`'s snapshot). */
  async chain(m: EntityManager, meetingId: string): Promise<AuditEntry[]> {
    const rows: AuditEntry[] = await m.query(`SELECT seq, at, kind, payload, prev_hash AS "prevHash", hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq`, [meetingId]);
    return rows.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
  }

  /** The head of a chain, signed with the server's record key. */
  sign(meetingId: string, head: Pick<AuditEntry, 'seq' | 'hash'>): SignedHead {
    return this.signer.sign({ meetingId, seq: head.seq, hash: head.hash });
  }

  /** What the first entry of a meeting names: the key its record is signed with. */
  get recordKey(): { publicKey: string; keyId: string } {
    return { publicKey: this.signer.publicKey, keyId: this.signer.keyId };
  }
}
