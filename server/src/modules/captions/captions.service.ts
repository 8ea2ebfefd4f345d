import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CAPTION_LANGUAGES, type CaptionedSessionDto, type CaptionLanguage, type CaptionLine, type CaptionSource, type CaptionerAssignment } from '../../contract';
import { AppError } from '../../common/errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { can } from '../organizations/org-permissions';
import { buildWebVtt, cuesWithin } from './webvtt';

interface LineRow {
  id: string;
  session_id: string;
  language: CaptionLanguage;
  text: string;
  speaker_name: string | null;
  source: CaptionSource;
  start_ms: number;
  end_ms: number;
  group_index: number | null;
}

const asLine = (r: LineRow): CaptionLine => ({
  id: r.id,
  sessionId: r.session_id,
  language: r.language,
  text: r.text,
  speaker: r.speaker_name,
  source: r.source,
  startMs: r.start_ms,
  endMs: r.end_ms,
  group: r.group_index,
});

export interface NewLine {
  sessionId: string;
  language: CaptionLanguage;
  text: string;
  speaker: string | null;
  authorId: string | null;
  source: CaptionSource;
  startMs: number;
  endMs: number;
  group: number | null;
  clientRequestId?: string;
}

/**
 * Captions in the database: captioners of rooms, the automatic-captions setting of rooms, and every
 * committed line of every session. Also what the recording and the download read: a session's
 * languages and its WebVTT per language.
 */
@Injectable()
export class CaptionsService {
  /** Room sessions' start times, which line offsets are counted from (they never change). */
  private readonly starts = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
  ) {}

  async captioners(roomId: string): Promise<CaptionerAssignment[]> {
    const rows: { user_id: string; display_name: string; language: CaptionLanguage }[] = await this.db.query(
      `SELECT c.user_id, u.display_name, c.language
         FROM room_captioners c JOIN users u ON u.id = c.user_id
        WHERE c.room_id = $1 ORDER BY c.assigned_at, c.user_id, c.language`,
      [roomId],
    );
    return rows.map((r) => ({ userId: r.user_id, displayName: r.display_name, language: r.language }));
  }

  /** Someone with an account (not a guest pass) captions the room into `language`, besides any other language of theirs. */
  async assign(roomId: string, by: string, userId: string, language: CaptionLanguage): Promise<CaptionerAssignment[]> {
    const [user]: { guest: boolean }[] = await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM guest_passes g WHERE g.user_id = u.id) AS guest FROM users u WHERE u.id = $1`,
      [userId],
    );
    if (!user) throw new AppError('NOT_FOUND', 'No such person.');
    if (user.guest) throw new AppError('GUESTS_NOT_ALLOWED', 'A guest cannot caption; invite them with an account.');
    await this.db.query(
      `INSERT INTO room_captioners (room_id, user_id, language, assigned_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room_id, user_id, language) DO NOTHING`,
      [roomId, userId, language, by],
    );
    return this.captioners(roomId);
  }

  async unassign(roomId: string, userId: string, language?: CaptionLanguage): Promise<CaptionerAssignment[]> {
    if (language) await this.db.query(`DELETE FROM room_captioners WHERE room_id = $1 AND user_id = $2 AND language = $3`, [roomId, userId, language]);
    else await this.db.query(`DELETE FROM room_captioners WHERE room_id = $1 AND user_id = $2`, [roomId, userId]);
    return this.captioners(roomId);
  }

  async automaticSetting(roomId: string): Promise<{ enabled: boolean; language: CaptionLanguage }> {
    const [row]: { automatic: boolean; language: CaptionLanguage }[] = await this.db.query(`SELECT automatic, language FROM room_caption_settings WHERE room_id = $1`, [roomId]);
    return { enabled: row?.automatic ?? false, language: row?.language ?? 'en' };
  }

  async setAutomatic(roomId: string, by: string, enabled: boolean, language: CaptionLanguage): Promise<void> {
    await this.db.query(
      `INSERT INTO room_caption_settings (room_id, automatic, language, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room_id) DO UPDATE SET automatic = EXCLUDED.automatic, language = EXCLUDED.language,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [roomId, enabled, language, by],
    );
  }

  /** When the session began, in ms since the epoch: offsets of its lines are counted from it. */
  async sessionStart(sessionId: string): Promise<number> {
    const known = this.starts.get(sessionId);
    if (known !== undefined) return known;
    const [row]: { started_at: Date }[] = await this.db.query(`SELECT started_at FROM room_sessions WHERE id = $1`, [sessionId]);
    if (!row) throw new AppError('NOT_FOUND', 'No such session.');
    const at = row.started_at.getTime();
    this.starts.set(sessionId, at);
    return at;
  }

  /**
   * Stores a committed line; `fresh` is false when the same request was stored before (a retry),
   * in which case the stored line comes back and nothing is to be broadcast again.
   */
  async store(l: NewLine): Promise<{ line: CaptionLine; fresh: boolean }> {
    const rows: LineRow[] = await this.db.query(
      `INSERT INTO caption_lines (session_id, language, start_ms, end_ms, text, speaker_name, author_id, source, group_index, client_request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (session_id, author_id, client_request_id) WHERE client_request_id IS NOT NULL DO NOTHING
       RETURNING id, session_id, language, text, speaker_name, source, start_ms, end_ms, group_index`,
      [l.sessionId, l.language, l.startMs, l.endMs, l.text, l.speaker, l.authorId, l.source, l.group, l.clientRequestId ?? null],
    );
    if (rows[0]) return { line: asLine(rows[0]), fresh: true };
    const [before]: LineRow[] = await this.db.query(
      `SELECT id, session_id, language, text, speaker_name, source, start_ms, end_ms, group_index
         FROM caption_lines WHERE session_id = $1 AND author_id = $2 AND client_request_id = $3`,
      [l.sessionId, l.authorId, l.clientRequestId],
    );
    if (!before) throw new AppError('CONFLICT', 'The line could not be stored; send it again.');
    return { line: asLine(before), fresh: false };
  }

  /** The latest lines of a session, oldest first. */
  async recent(sessionId: string, limit: number): Promise<CaptionLine[]> {
    const rows: LineRow[] = await this.db.query(
      `SELECT id, session_id, language, text, speaker_name, source, start_ms, end_ms, group_index
         FROM caption_lines WHERE session_id = $1 ORDER BY created_at DESC, start_ms DESC LIMIT $2`,
      [sessionId, limit],
    );
    return rows.reverse().map(asLine);
  }

  /* ---- what the recording and the download read ---- */

  /** The languages a session has captions in, with their line counts, in the list's order. */
  async languages(sessionId: string): Promise<{ language: CaptionLanguage; lines: number }[]> {
    const rows: { language: CaptionLanguage; lines: number }[] = await this.db.query(
      `SELECT language, count(*)::int AS lines FROM caption_lines WHERE session_id = $1 GROUP BY language`,
      [sessionId],
    );
    return CAPTION_LANGUAGES.flatMap((l) => rows.filter((r) => r.language === l));
  }

  /**
   * The session's captions in `language` as a WebVTT file (typed and automatic lines, every group); with
   * `within`, only that part of the session, timed from its start (a recording's captions).
   */
  async webVtt(sessionId: string, language: CaptionLanguage, within?: { fromMs: number; toMs: number | null }): Promise<string> {
    const rows: LineRow[] = await this.db.query(
      `SELECT id, session_id, language, text, speaker_name, source, start_ms, end_ms, group_index
         FROM caption_lines WHERE session_id = $1 AND language = $2 ORDER BY start_ms, end_ms, created_at`,
      [sessionId, language],
    );
    const cues = rows.map((r) => ({ startMs: r.start_ms, endMs: r.end_ms, text: r.text, speaker: r.speaker_name, automatic: r.source === 'automatic' }));
    return buildWebVtt(within ? cuesWithin(cues, within.fromMs, within.toMs) : cues);
  }

  /* ---- access to past sessions ---- */

  /**
   * A session's captions are for the people who attended it and the organisation's organisers
   * (`rooms.manage`: owners and admins). Anyone else in the organisation is FORBIDDEN; someone outside it,
   * or a session that does not exist, NOT_FOUND (an outsider learns nothing about the room).
   */
  async authorizeSession(userId: string, roomId: string, sessionId: string): Promise<void> {
    const [row]: { organization_id: string; attended: boolean }[] = await this.db.query(
      `SELECT r.organization_id, EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id AND a.user_id = $3) AS attended
         FROM room_sessions s JOIN rooms r ON r.id = s.room_id WHERE s.id = $2 AND r.id = $1`,
      [roomId, sessionId, userId],
    );
    const role = row ? await this.orgs.roleIn(userId, row.organization_id) : null;
    if (!row || (!row.attended && !role)) throw new AppError('NOT_FOUND', 'No such session.');
    if (!row.attended && !can(role, 'rooms.manage')) throw new AppError('FORBIDDEN', 'Only those who attended and the organisers get these captions.');
  }

  /** The room's sessions with captions that `userId` may download, newest first. */
  async sessions(userId: string, roomId: string): Promise<CaptionedSessionDto[]> {
    const [room]: { organization_id: string }[] = await this.db.query(`SELECT organization_id FROM rooms WHERE id = $1`, [roomId]);
    const role = room ? await this.orgs.roleIn(userId, room.organization_id) : null;
    if (!room || !role) throw new AppError('NOT_FOUND', 'Room not found.');
    const organiser = can(role, 'rooms.manage');
    const rows: { id: string; started_at: Date; ended_at: Date | null; language: CaptionLanguage; lines: number }[] = await this.db.query(
      `SELECT s.id, s.started_at, s.ended_at, c.language, count(*)::int AS lines
         FROM room_sessions s JOIN caption_lines c ON c.session_id = s.id
        WHERE s.room_id = $1 AND ($3 OR EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id AND a.user_id = $2))
        GROUP BY s.id, c.language ORDER BY s.started_at DESC`,
      [roomId, userId, organiser],
    );
    const sessions = new Map<string, CaptionedSessionDto>();
    for (const r of rows) {
      const s = sessions.get(r.id) ?? { sessionId: r.id, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null, languages: [] };
      s.languages.push({ language: r.language, lines: r.lines });
      sessions.set(r.id, s);
    }
    for (const s of sessions.values()) s.languages.sort((a, b) => CAPTION_LANGUAGES.indexOf(a.language) - CAPTION_LANGUAGES.indexOf(b.language));
    return [...sessions.values()].slice(0, 200);
  }
}
