import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { admitsGuests } from '../../contract';
import type {
  AttendanceDto,
  CreateRoomBody,
  CreateRoomInviteBody,
  OrgRole,
  RoomDto,
  RoomInviteDto,
  RoomInviteSummaryDto,
  RoomPreviewDto,
  RoomRole,
  RoomSessionDto,
  UpdateRoomBody,
} from '../../contract';
import { toCsv } from '../../common/csv';
import { summarizeAttendance } from './attendance';
import { AttendanceRecord } from './attendance.entity';
import { RoomSession } from './room-session.entity';
import { AppError } from '../../common/errors';
import { withinHourlyQuota } from '../../common/quota';
import { User } from '../identity/user.entity';
import { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { BreakoutLog } from './live/breakout-log';
import { RoomRegistry } from './live/room-registry';
import { RoomInvite } from './room-invite.entity';
import { standingRoomRole } from './room-permissions';
import { Room } from './room.entity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface EntranceRow {
  id: string;
  organization_id: string;
  name: string;
  mode: Room['mode'];
  access: Room['access'];
  capacity: number;
  created_by: string;
  created_at: Date;
  display_name: string;
  org_role: OrgRole | null;
}

@Injectable()
export class RoomsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly registry: RoomRegistry,
    private readonly breakoutLog: BreakoutLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(userId: string, organizationId: string): Promise<RoomDto[]> {
    await this.orgs.authorize(userId, organizationId, 'rooms.view');
    const rooms = await this.db.getRepository(Room).find({ where: { organizationId }, order: { name: 'ASC' } });
    return rooms.map((r) => this.toDto(r));
  }

  async create(userId: string, organizationId: string, body: z.output<typeof CreateRoomBody>): Promise<RoomDto> {
    await this.orgs.authorize(userId, organizationId, 'rooms.manage');
    const room = await this.db.transaction(async (m) => {
      await withinHourlyQuota(m, 'rooms', userId, this.config.limits.roomsPerHour);
      const repo = m.getRepository(Room);
      return repo.save(repo.create({ organizationId, createdBy: userId, ...body }));
    });
    return this.toDto(room);
  }

  async update(userId: string, roomId: string, body: UpdateRoomBody): Promise<RoomDto> {
    const room = await this.manageable(userId, roomId);
    await this.db.getRepository(Room).update({ id: room.id }, body);
    return this.toDto({ ...room, ...body });
  }

  async remove(userId: string, roomId: string): Promise<void> {
    const room = await this.manageable(userId, roomId);
    if (this.registry.participants(room.id) > 0) throw new AppError('CONFLICT', 'People are in this room; end the session first.');
    await this.db.getRepository(Room).delete({ id: room.id });
  }

  async createInvite(userId: string, roomId: string, body: z.output<typeof CreateRoomInviteBody>): Promise<RoomInviteDto> {
    const room = await this.manageable(userId, roomId);
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + body.expiresInHours * 3_600_000);
    const maxUses = body.maxUses ?? null;
    const row = await this.db.getRepository(RoomInvite).save(
      this.db.getRepository(RoomInvite).create({ roomId: room.id, tokenHash: sha256(token), createdBy: userId, expiresAt, revokedAt: null, maxUses }),
    );
    return { id: row.id, token, url: `${this.config.publicUrl}/rooms/${room.id}?invite=${token}`, expiresAt: expiresAt.toISOString(), maxUses };
  }

  /** The room's links, newest first, with how many people came in through each. */
  async listInvites(userId: string, roomId: string): Promise<RoomInviteSummaryDto[]> {
    const room = await this.manageable(userId, roomId);
    const rows: { id: string; created_at: Date; expires_at: Date; revoked_at: Date | null; max_uses: number | null; uses: number }[] = await this.db.query(
      `SELECT i.id, i.created_at, i.expires_at, i.revoked_at, i.max_uses, count(u.user_id)::int AS uses
         FROM room_invites i LEFT JOIN room_invite_uses u ON u.invite_id = i.id
        WHERE i.room_id = $1 GROUP BY i.id ORDER BY i.created_at DESC LIMIT 500`,
      [room.id],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
      maxUses: r.max_uses,
      uses: r.uses,
    }));
  }

  /** From now on the link answers INVITE_REVOKED (HTTP 410); people already in the room stay. Idempotent. */
  async revokeInvite(userId: string, roomId: string, inviteId: string): Promise<void> {
    const room = await this.manageable(userId, roomId);
    const r = await this.db.getRepository(RoomInvite).update({ id: inviteId, roomId: room.id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!r.affected && !(await this.db.getRepository(RoomInvite).existsBy({ id: inviteId, roomId: room.id }))) throw new AppError('NOT_FOUND', 'Invite not found.');
  }

  async preview(userId: string, roomId: string, inviteToken?: string): Promise<RoomPreviewDto> {
    const room = await this.admissible(userId, roomId, inviteToken);
    return this.describeForEntry(room, await this.standingRole(userId, room));
  }

  /**
   * A room as a guest (no account) may see it: only a public webinar. A members room is NOT_FOUND, as
   * for anyone outside it; a public meeting is GUESTS_NOT_ALLOWED (its address is no secret).
   */
  async guestRoom(roomId: string): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room || room.access !== 'public') throw new AppError('NOT_FOUND', 'Room not found.');
    if (!admitsGuests(room)) throw new AppError('GUESTS_NOT_ALLOWED', 'Only public webinars take guests; sign in to join this room.');
    return room;
  }

  async guestPreview(roomId: string): Promise<RoomPreviewDto> {
    return this.describeForEntry(await this.guestRoom(roomId), 'attendee');
  }

  private async describeForEntry(room: Room, role: RoomRole): Promise<RoomPreviewDto> {
    const org = await this.db.getRepository(Organization).findOneByOrFail({ id: room.organizationId });
    const participants = this.registry.participants(room.id);
    const full = participants >= room.capacity;
    return {
      id: room.id,
      name: room.name,
      organizationId: org.id,
      organizationName: org.name,
      mode: room.mode,
      access: room.access,
      role,
      participants,
      capacity: room.capacity,
      canJoin: !full,
      ...(full ? { reason: 'ROOM_FULL' as const } : {}),
    };
  }

  /**
   * Who may enter: anyone signed in for a public room; for a members room, people of the
   * organisation and holders of a valid room invite. Others get NOT_FOUND, as for a room that does
   * not exist, so that outsiders cannot learn which members-only rooms there are. `use`: this is the
   * join itself, which counts the person against the link's uses (once per person).
   */
  async admissible(userId: string, roomId: string, inviteToken?: string, use = false): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    if (room.access === 'public') return room;
    if (await this.orgs.isMember(userId, room.organizationId)) return room;
    if (inviteToken) {
      await this.db.transaction(async (m) => {
        const invite = await m
          .getRepository(RoomInvite)
          .createQueryBuilder('i')
          .setLock('pessimistic_write')
          .where('i.room_id = :roomId AND i.token_hash = :h', { roomId, h: sha256(inviteToken) })
          .getOne();
        if (!invite) throw new AppError('NOT_FOUND', 'Room not found.');
        // Whoever holds the link knows the room exists: from here on, say what is wrong with it.
        if (invite.revokedAt) throw new AppError('INVITE_REVOKED', 'This invitation link has been revoked.');
        if (invite.expiresAt.getTime() <= Date.now()) throw new AppError('INVITE_EXPIRED', 'This invitation link has expired.');
        const [row] = (await m.query('SELECT count(*)::int AS n, bool_or(user_id = $2) AS mine FROM room_invite_uses WHERE invite_id = $1', [invite.id, userId])) as {
          n: number;
          mine: boolean | null;
        }[];
        if (row?.mine) return;
        if (invite.maxUses !== null && (row?.n ?? 0) >= invite.maxUses) throw new AppError('INVITE_USED_UP', 'This invitation link has been used as many times as allowed.');
        if (use) await m.query('INSERT INTO room_invite_uses (invite_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [invite.id, userId]);
      });
      return room;
    }
    throw new AppError('NOT_FOUND', 'Room not found.');
  }

  async sessions(userId: string, roomId: string): Promise<RoomSessionDto[]> {
    const room = await this.organised(userId, roomId);
    const rows: { id: string; started_at: Date; ended_at: Date | null; people: number }[] = await this.db.query(
      `SELECT s.id, s.started_at, s.ended_at, count(DISTINCT a.user_id)::int AS people
         FROM room_sessions s LEFT JOIN attendance a ON a.session_id = s.id
        WHERE s.room_id = $1 GROUP BY s.id ORDER BY s.started_at DESC LIMIT 200`,
      [room.id],
    );
    return rows.map((r) => ({ id: r.id, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null, participants: r.people }));
  }

  /** Attendance of one session (the latest when none is named): per person, and every visit. */
  async attendance(userId: string, roomId: string, sessionId?: string): Promise<AttendanceDto> {
    const room = await this.organised(userId, roomId);
    const session = await this.db.getRepository(RoomSession).findOne({
      where: sessionId ? { id: sessionId, roomId: room.id } : { roomId: room.id },
      order: { startedAt: 'DESC' },
    });
    if (!session) throw new AppError('NOT_FOUND', 'This room has no such session.');
    const visits = await this.db.getRepository(AttendanceRecord).find({ where: { sessionId: session.id }, order: { joinedAt: 'ASC' } });
    // Stays in groups that just ended on this node are written before they are read.
    await this.breakoutLog.flush();
    const groups: { user_id: string; round_id: string; group_index: number; group_name: string; joined_at: Date; left_at: Date | null }[] = await this.db.query(
      `SELECT user_id, round_id, group_index, group_name, joined_at, left_at FROM breakout_visits WHERE session_id = $1 ORDER BY joined_at, id`,
      [session.id],
    );
    const until = session.endedAt ?? new Date();
    // Time in groups is counted like time in the room: two devices in one group count once.
    const inGroups = new Map(
      summarizeAttendance(
        groups.map((g) => ({ userId: g.user_id, displayName: '', joinedAt: g.joined_at, leftAt: g.left_at && g.left_at < until ? g.left_at : until })),
        until,
      ).map((s) => [s.userId, s.minutes]),
    );
    return {
      roomId: room.id,
      sessionId: session.id,
      startedAt: session.startedAt.toISOString(),
      endedAt: session.endedAt?.toISOString() ?? null,
      people: summarizeAttendance(visits, until).map((p) => ({ ...p, breakoutMinutes: Math.min(p.minutes, inGroups.get(p.userId) ?? 0) })),
      breakouts: groups.map((g) => ({
        userId: g.user_id,
        roundId: g.round_id,
        group: g.group_index,
        name: g.group_name,
        joinedAt: g.joined_at.toISOString(),
        leftAt: g.left_at?.toISOString() ?? null,
      })),
      visits: visits.map((v) => ({ userId: v.userId, displayName: v.displayName, joinedAt: v.joinedAt.toISOString(), leftAt: v.leftAt?.toISOString() ?? null, gaps: v.gaps ?? [] })),
    };
  }

  attendanceCsv(a: AttendanceDto): string {
    return toCsv([
      ['name', 'user_id', 'first_join', 'last_leave', 'minutes', 'joins', 'breakout_minutes'],
      ...a.people.map((p) => [p.displayName, p.userId, p.firstJoin, p.lastLeave, p.minutes, p.joins, p.breakoutMinutes]),
    ]);
  }

  /** Reports are for the organisers: the organisation's current owners and admins. */
  async organised(userId: string, roomId: string): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    if ((await this.standingRole(userId, room)) !== 'host') {
      throw new AppError((await this.orgs.isMember(userId, room.organizationId)) ? 'FORBIDDEN' : 'NOT_FOUND', 'Only organisers see reports.');
    }
    return room;
  }

  /** Organisers (the organisation's current owners and admins) host; everyone else attends. */
  async standingRole(userId: string, room: Room): Promise<RoomRole> {
    return standingRoomRole(await this.orgs.roleIn(userId, room.organizationId));
  }

  /**
   * What a join needs, in one round trip: the room (refused as `admissible` refuses), the account's
   * name and the standing role. A thousand people coming back after a restart make a thousand queries.
   */
  async entrance(userId: string, roomId: string, inviteToken?: string): Promise<{ room: Room; displayName: string; role: RoomRole }> {
    const [row]: (EntranceRow | undefined)[] = await this.db.query(
      `SELECT r.id, r.organization_id, r.name, r.mode, r.access, r.capacity, r.created_by, r.created_at, u.display_name, m.role AS org_role
         FROM rooms r JOIN users u ON u.id = $2 LEFT JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = $2
        WHERE r.id = $1`,
      [roomId, userId],
    );
    if (!row) throw new AppError('NOT_FOUND', 'Room not found.');
    const room = this.db.getRepository(Room).create({
      id: row.id,
      organizationId: row.organization_id,
      name: row.name,
      mode: row.mode,
      access: row.access,
      capacity: row.capacity,
      createdBy: row.created_by,
      createdAt: row.created_at,
    });
    // Outsiders of a members room: the invitation path (and its use counted), rare enough to keep its own queries.
    if (room.access !== 'public' && !row.org_role) await this.admissible(userId, roomId, inviteToken, true);
    return { room, displayName: row.display_name, role: standingRoomRole(row.org_role) };
  }

  async displayNameOf(userId: string): Promise<string> {
    const user = await this.db.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    return user.displayName;
  }

  private async manageable(userId: string, roomId: string): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    await this.orgs.authorize(userId, room.organizationId, 'rooms.manage');
    return room;
  }

  private toDto(r: Room): RoomDto {
    return {
      id: r.id,
      organizationId: r.organizationId,
      name: r.name,
      mode: r.mode,
      access: r.access,
      capacity: r.capacity,
      participants: this.registry.participants(r.id),
      createdAt: r.createdAt.toISOString(),
    };
  }
}
