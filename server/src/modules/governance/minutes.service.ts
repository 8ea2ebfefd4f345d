import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { LOGGER } from '../../common/logging';
import type { AttendanceInterval } from '../rooms/attendance';
import { AuditLog } from './audit-log';
import { MeetingAccess } from './meeting-access';
import { buildMinutes, type MinutesAuditEntry, type MinutesInput, minutesCsv, type PresenceEvent, type RecordingEntry, type RollCallVote, sittingWindow } from './minutes';
import { renderPdf } from './minutes-pdf';
import type { BallotRow, MeetingRow } from './rows';

export type MinutesFormat = 'pdf' | 'csv';

export interface MinutesFile {
  bytes: Buffer;
  sha256: string;
  contentType: string;
  filename: string;
}

/**
 * The minutes of a meeting as a PDF or a CSV, for its chair and secretary and the organisation's
 * owners and admins. Each generation is recorded in the meeting's audit log with the SHA-256 of the
 * bytes handed out, so a copy can later be shown to be the one the platform produced.
 */
@Injectable()
export class MinutesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: MeetingAccess,
    private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async generate(userId: string, meetingId: string, format: MinutesFormat, timeZone = 'UTC'): Promise<MinutesFile> {
    // The minutes are the record: the same people who export it produce them.
    const meeting = await this.access.require(userId, meetingId, 'record.export');
    const started = Date.now();
    // One snapshot: the roll-call table, the results and the audit head the minutes cite agree.
    const input = await this.db.transaction('REPEATABLE READ', (m) => this.load(m, meeting, userId));
    const doc = buildMinutes(input);
    const bytes = format === 'pdf' ? await renderPdf(doc, timeZone) : Buffer.from(minutesCsv(doc), 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.db.transaction((m) =>
      this.audit.append(m, meeting.id, [{ kind: 'minutes.generated', payload: { format, sha256, bytes: bytes.length, by: userId, throughSeq: doc.record.auditSeq } }]),
    );
    this.logger.info({ meetingId: meeting.id, format, bytes: bytes.length, ms: Date.now() - started }, 'minutes generated');
    const day = doc.sitting.from.slice(0, 10);
    return {
      bytes,
      sha256,
      contentType: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
      filename: `minutes-${day}-${slug(doc.meeting.title)}.${format}`,
    };
  }

  private async load(m: EntityManager, meeting: MeetingRow, generatedBy: string): Promise<MinutesInput> {
    const [org] = await m.query(`SELECT name FROM organizations WHERE id = $1`, [meeting.organization_id]);
    const [room] = meeting.room_id ? await m.query(`SELECT name FROM rooms WHERE id = $1`, [meeting.room_id]) : [];
    const agenda = await m.query(`SELECT id, position, title, description FROM agenda_items WHERE meeting_id = $1 ORDER BY position`, [meeting.id]);
    const motions: { id: string; agenda_item_id: string | null; amends_motion_id: string | null; title: string; text: string; mover_id: string; seconder_id: string | null; status: MinutesInput['motions'][number]['status'] }[] =
      await m.query(`SELECT id, agenda_item_id, amends_motion_id, title, text, mover_id, seconder_id, status FROM motions WHERE meeting_id = $1 ORDER BY created_at, id`, [meeting.id]);
    const ballots: (BallotRow & { entitled_seats: number; cast_count: number })[] = await m.query(
      `SELECT b.*, (SELECT count(*)::int FROM ballot_roll r WHERE r.ballot_id = b.id) AS entitled_seats,
              (SELECT count(*)::int FROM ballot_casts c WHERE c.ballot_id = b.id) AS cast_count
         FROM ballots b WHERE b.meeting_id = $1 ORDER BY b.opened_at NULLS LAST, b.created_at, b.id`,
      [meeting.id],
    );
    // Who voted what is read only for roll-call ballots whose voting is over; secret ones keep no choice here.
    const rollCall = ballots.filter((b) => b.secrecy === 'roll-call' && (b.status === 'closed' || b.status === 'published')).map((b) => b.id);
    const seats: (RollCallVote & { ballotId: string })[] = rollCall.length
      ? await m.query(
          `SELECT r.ballot_id AS "ballotId", r.seat_id AS "seatId", r.label, r.weight, c.choice, c.voter_id AS "voterId", COALESCE(c.as_proxy, false) AS "asProxy"
             FROM ballot_roll r LEFT JOIN ballot_casts c USING (ballot_id, seat_id)
            WHERE r.ballot_id = ANY($1::uuid[]) ORDER BY r.label, r.seat_id`,
          [rollCall],
        )
      : [];
    const presence: PresenceEvent[] = (
      await m.query(`SELECT user_id, event, at FROM presence_log WHERE meeting_id = $1 ORDER BY id`, [meeting.id])
    ).map((r: { user_id: string; event: PresenceEvent['event']; at: Date }) => ({ userId: r.user_id, event: r.event, at: r.at }));
    const audit: MinutesAuditEntry[] = await m.query(`SELECT seq, at, kind, payload, hash FROM audit_log WHERE meeting_id = $1 ORDER BY seq`, [meeting.id]);

    const sitting = sittingWindow(meeting.scheduled_at, audit, presence);
    const roomVisits: AttendanceInterval[] = meeting.room_id
      ? (
          await m.query(
            `SELECT a.user_id, a.display_name, a.joined_at, a.left_at
               FROM attendance a JOIN room_sessions s ON s.id = a.session_id
              WHERE s.room_id = $1 AND s.started_at <= $3 AND (s.ended_at IS NULL OR s.ended_at >= $2)
              ORDER BY a.joined_at`,
            [meeting.room_id, sitting.from, sitting.to],
          )
        ).map((r: { user_id: string; display_name: string; joined_at: Date; left_at: Date | null }) => ({ userId: r.user_id, displayName: r.display_name, joinedAt: r.joined_at, leftAt: r.left_at }))
      : [];

    const ids = new Set<string>([meeting.chair_id, generatedBy]);
    if (meeting.secretary_id) ids.add(meeting.secretary_id);
    for (const mo of motions) [mo.mover_id, mo.seconder_id].forEach((id) => id && ids.add(id));
    presence.forEach((p) => ids.add(p.userId));
    roomVisits.forEach((v) => ids.add(v.userId));
    seats.forEach((s) => s.voterId && ids.add(s.voterId));
    audit.forEach((e) => typeof e.payload.by === 'string' && ids.add(e.payload.by));
    // Recordings the archive wrote into the record (deleted ones keep their hashes), with their files.
    const recordings: (Omit<RecordingEntry, 'files' | 'startedAt' | 'endedAt' | 'deletedAt'> & { startedAt: Date; endedAt: Date | null; deletedAt: Date | null })[] = await m.query(
      `SELECT id, title, status, started_at AS "startedAt", ended_at AS "endedAt", deleted_at AS "deletedAt", deletion_reason AS "deletionReason"
         FROM recordings WHERE meeting_id = $1 AND (archived_at IS NOT NULL OR status = 'deleted') ORDER BY started_at, id`,
      [meeting.id],
    );
    const recordingFiles: { recording_id: string; path: string; kind: string; bytes: string; sha256: string }[] = recordings.length
      ? await m.query(`SELECT recording_id, path, kind, bytes, sha256 FROM recording_files WHERE recording_id = ANY($1::uuid[]) ORDER BY path`, [recordings.map((r) => r.id)])
      : [];

    const uuids = [...ids].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    const names = new Map<string, string>((await m.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [uuids])).map((u: { id: string; display_name: string }) => [u.id, u.display_name]));

    return {
      recordKeyId: this.audit.signer.keyId,
      meeting: {
        id: meeting.id,
        title: meeting.title,
        kind: meeting.kind,
        scheduledAt: meeting.scheduled_at,
        language: meeting.language,
        voterBasis: meeting.voter_basis,
        quorumRule: meeting.quorum_rule,
        organization: org?.name ?? '',
        room: room?.name ?? null,
        chairId: meeting.chair_id,
        secretaryId: meeting.secretary_id,
      },
      names,
      agenda,
      motions: motions.map((r) => ({
        id: r.id,
        agendaItemId: r.agenda_item_id,
        amendsMotionId: r.amends_motion_id,
        title: r.title,
        text: r.text,
        moverId: r.mover_id,
        seconderId: r.seconder_id,
        status: r.status,
      })),
      ballots: ballots.map((b) => ({
        row: b,
        entitledSeats: b.entitled_seats,
        cast: b.cast_count,
        votes: rollCall.includes(b.id) ? seats.filter((s) => s.ballotId === b.id) : null,
      })),
      roomVisits,
      presence,
      audit,
      generatedAt: new Date(),
      generatedBy,
      recordings: recordings.map((r) => ({
        ...r,
        files: recordingFiles.filter((f) => f.recording_id === r.id).map((f) => ({ path: f.path, kind: f.kind, bytes: Number(f.bytes), sha256: f.sha256 })),
      })),
    };
  }
}

function slug(s: string): string {
  const ascii = s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 60)
    .replace(/-$/, '');
  return ascii || 'meeting';
}
