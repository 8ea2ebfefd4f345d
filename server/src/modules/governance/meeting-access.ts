import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { type MeetingAction, REFUSALS, meetingCan, meetingRoles } from './meeting-permissions';
import type { MeetingRow } from './rows';

/**
 * Every check of who may act on a meeting goes through here and the permission table. Outsiders are
 * told the meeting does not exist; members without the right are refused.
 */
@Injectable()
export class MeetingAccess {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
  ) {}

  async meetingRow(meetingId: string): Promise<MeetingRow> {
    return oneRow<MeetingRow>(this.db, `SELECT * FROM meetings WHERE id = $1`, [meetingId], 'Meeting not found.');
  }

  /** The meeting, if `userId` may do `action` on it (for a motion action, with the motion's mover). */
  async require(userId: string, meetingId: string, action: MeetingAction, motion?: { moverId: string }): Promise<MeetingRow> {
    const meeting = await this.meetingRow(meetingId);
    const orgRole = await this.orgs.roleIn(userId, meeting.organization_id);
    if (!orgRole) throw new AppError('NOT_FOUND', 'Meeting not found.');
    const roles = meetingRoles(userId, orgRole, { chairId: meeting.chair_id, secretaryId: meeting.secretary_id, ...(motion ? { moverId: motion.moverId } : {}) });
    if (!meetingCan(roles, action)) throw new AppError('FORBIDDEN', REFUSALS[action]);
    return meeting;
  }

  /** Whether `userId` may do `action` on a meeting already read (for views that show or hide a control). */
  async may(userId: string, meeting: MeetingRow, action: MeetingAction): Promise<boolean> {
    const orgRole = await this.orgs.roleIn(userId, meeting.organization_id);
    return meetingCan(meetingRoles(userId, orgRole, { chairId: meeting.chair_id, secretaryId: meeting.secretary_id }), action);
  }

  /** A meeting of the person's organisation; NOT_FOUND for outsiders. */
  member(userId: string, meetingId: string): Promise<MeetingRow> {
    return this.require(userId, meetingId, 'meeting.view');
  }
}

/** The single row a query finds, or NOT_FOUND with `notFound`. */
export async function oneRow<T>(db: Pick<DataSource, 'query'>, sql: string, params: unknown[], notFound: string): Promise<T> {
  const [row] = await db.query(sql, params);
  if (!row) throw new AppError('NOT_FOUND', notFound);
  return row as T;
}
