import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { CreateMotionBody, MotionView } from '../../contract';
import { AppError } from '../../common/errors';
import { AuditLog } from './audit-log';
import { GovernanceEvents } from './governance-events';
import { FINAL_MOTION_STATES, type MotionEvent, type MotionState, canBeAmended, nextMotionState } from './ballot-state';
import { MeetingAccess, oneRow } from './meeting-access';
import type { MeetingAction } from './meeting-permissions';

/** What a person may ask of a motion, and the permission each needs. */
export type MotionCommand = Extract<MotionEvent, 'submit' | 'second' | 'debate' | 'withdraw' | 'refer'>;
const COMMAND_ACTION: Record<MotionCommand, MeetingAction> = {
  submit: 'motion.submit',
  second: 'motion.second',
  debate: 'motion.debate',
  withdraw: 'motion.withdraw',
  refer: 'motion.refer',
};

/**
 * Motions and amendments. Every status change goes through the motion state machine
 * (`ballot-state.ts`); voting, carried and lost are set by ballots through `decide`.
 */
@Injectable()
export class MotionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: MeetingAccess,
    private readonly audit: AuditLog,
    private readonly events: GovernanceEvents,
  ) {}

  async create(userId: string, meetingId: string, b: z.output<typeof CreateMotionBody>): Promise<MotionView> {
    const meeting = await this.access.require(userId, meetingId, 'motion.move');
    if (b.agendaItemId) await oneRow(this.db, `SELECT 1 FROM agenda_items WHERE id = $1 AND meeting_id = $2`, [b.agendaItemId, meeting.id], 'Agenda item not found.');
    if (b.amendsMotionId) {
      const parent = await oneRow<{ status: MotionState }>(this.db, `SELECT status FROM motions WHERE id = $1 AND meeting_id = $2`, [b.amendsMotionId, meeting.id], 'Motion not found.');
      if (!canBeAmended(parent.status)) throw new AppError('ILLEGAL_TRANSITION', 'That motion can no longer be amended.');
    }
    const id = await this.db.transaction(async (m) => {
      // The meeting lock first: the insert below takes a key-share lock on the meeting row, and two
      // movers upgrading it to the audit's FOR UPDATE at once deadlock.
      await this.audit.lockMeeting(m, meeting.id);
      const [row] = await m.query(
        `INSERT INTO motions (meeting_id, agenda_item_id, amends_motion_id, title, text, mover_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [meeting.id, b.agendaItemId ?? null, b.amendsMotionId ?? null, b.title, b.text, userId, 'draft' satisfies MotionState],
      );
      await this.audit.append(m, meeting.id, [{ kind: 'motion.moved', payload: { motionId: row.id, amendsMotionId: b.amendsMotionId ?? null, title: b.title, text: b.text, moverId: userId } }], true);
      return row.id as string;
    });
    return this.announce(meeting.id, id);
  }

  /** The mover submits and may withdraw; anyone else present seconds; the chair opens debate and refers. */
  async transition(userId: string, meetingId: string, motionId: string, event: MotionCommand): Promise<MotionView> {
    // One check, with the motion's mover: outsiders get NOT_FOUND, members without the right FORBIDDEN.
    const meeting = await this.db.transaction(async (m) => {
      await this.audit.lockMeeting(m, meetingId);
      const [motion] = await m.query(`SELECT status, mover_id FROM motions WHERE id = $1 AND meeting_id = $2`, [motionId, meetingId]);
      if (!motion) {
        await this.access.member(userId, meetingId);
        throw new AppError('NOT_FOUND', 'Motion not found.');
      }
      const meeting = await this.access.require(userId, meetingId, COMMAND_ACTION[event], { moverId: motion.mover_id });
      const next = nextMotionState(motion.status, event);
      if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${motion.status} motion cannot be ${event}ed.`);
      await m.query(`UPDATE motions SET status = $2${event === 'second' ? ', seconder_id = $3' : ''} WHERE id = $1`, event === 'second' ? [motionId, next, userId] : [motionId, next]);
      await this.audit.append(m, meeting.id, [{ kind: `motion.${event}`, payload: { motionId, by: userId, status: next } }], true);
      return meeting;
    });
    return this.announce(meeting.id, motionId);
  }

  /** The motion as it is now, told to everyone watching the meeting (after the commit). */
  private async announce(meetingId: string, motionId: string): Promise<MotionView> {
    const motion = (await this.list(meetingId, motionId))[0]!;
    this.events.emit('motion', { meetingId, motion });
    return motion;
  }

  /** A motion may be put to the vote only after debate and once its amendments are decided. */
  async assertReadyForVote(meetingId: string, motionId: string): Promise<{ title: string }> {
    const motion = await oneRow<{ title: string; status: MotionState }>(this.db, `SELECT title, status FROM motions WHERE id = $1 AND meeting_id = $2`, [motionId, meetingId], 'Motion not found.');
    if (!nextMotionState(motion.status, 'vote')) throw new AppError('ILLEGAL_TRANSITION', 'A motion is put to the vote after debate.');
    const [pending] = await this.db.query(`SELECT 1 FROM motions WHERE amends_motion_id = $1 AND status <> ALL($2::text[]) LIMIT 1`, [motionId, FINAL_MOTION_STATES]);
    if (pending) throw new AppError('ILLEGAL_TRANSITION', 'Decide its amendments first.');
    return motion;
  }

  /** The ballot's part in a motion's life: voting when it opens, carried or lost when it is counted. */
  async decide(m: EntityManager, motionId: string, event: Extract<MotionEvent, 'vote' | 'carry' | 'lose'>): Promise<void> {
    const [motion] = await m.query(`SELECT status FROM motions WHERE id = $1 FOR UPDATE`, [motionId]);
    const next = motion && nextMotionState(motion.status, event);
    if (!next) throw new AppError('ILLEGAL_TRANSITION', `A ${motion?.status ?? 'missing'} motion cannot be ${event}d.`);
    await m.query(`UPDATE motions SET status = $2 WHERE id = $1`, [motionId, next]);
  }

  async list(meetingId: string, motionId?: string): Promise<MotionView[]> {
    const rows = await this.db.query(
      `SELECT m.id, m.agenda_item_id, m.amends_motion_id, m.title, m.text, m.mover_id, mu.display_name AS mover_name,
              m.seconder_id, su.display_name AS seconder_name, m.status
         FROM motions m JOIN users mu ON mu.id = m.mover_id LEFT JOIN users su ON su.id = m.seconder_id
        WHERE m.meeting_id = $1 AND ($2::uuid IS NULL OR m.id = $2) ORDER BY m.created_at`,
      [meetingId, motionId ?? null],
    );
    return rows.map((r: Record<string, string | null>) => ({
      id: r.id!,
      agendaItemId: r.agenda_item_id ?? null,
      amendsMotionId: r.amends_motion_id ?? null,
      title: r.title!,
      text: r.text!,
      moverId: r.mover_id!,
      moverName: r.mover_name!,
      seconderId: r.seconder_id ?? null,
      seconderName: r.seconder_name ?? null,
      status: r.status as MotionView['status'],
    }));
  }
}
