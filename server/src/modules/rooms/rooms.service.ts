import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type {
  AttendanceDto,
  CreateRoomBody,
  CreateRoomInviteBody,
  OrgRole,
  RoomDto,
  RoomInviteDto,
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
import { User } from '../identity/user.entity';
import { Organization } from '../organizations/organization.entity';
import { can } from '../organizations/org-permissions';
import { OrganizationsService } from '../organizations/organizations.service';
import { RoomRegistry } from './live/room-registry';
import { RoomInvite } from './room-invite.entity';
import { Room } from './room.entity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Organisers (the room's creator, the organisation's owners and admins) host; everyone else attends. */
const standing = (room: Room, userId: string, orgRole: OrgRole | null): RoomRole => (room.createdBy === userId || can(orgRole, 'rooms.manage') ? 'host' : 'attendee');

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(userId: string, organizationId: string): Promise<RoomDto[]> {
    await this.orgs.authorize(userId, organizationId, 'rooms.view');
    const rooms = await this.db.getRepository(Room).find({ where: { organizationId }, order: { name: 'ASC' } });
    return rooms.map((r) => this.toDto(r));
  }

  async create(userId: string, organizationId: string, body: z.output<typeof CreateRoomBody>): Promise<RoomDto> {
    await this.orgs.authorize(userId, organizationId, 'rooms.manage');
    const repo = this.db.getRepository(Room);
    return this.toDto(await repo.save(repo.create({ organizationId, createdBy: userId, ...body })));
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
    await this.db.getRepository(RoomInvite).insert({ roomId: room.id, tokenHash: sha256(token), createdBy: userId, expiresAt });
    return { token, url: `${this.config.publicUrl}/rooms/${room.id}?invite=${token}`, expiresAt: expiresAt.toISOString() };
  }

  async preview(userId: string, roomId: string, inviteToken?: string): Promise<RoomPreviewDto> {
    const room = await this.admissible(userId, roomId, inviteToken);
    const org = await this.db.getRepository(Organization).findOneByOrFail({ id: room.organizationId });
    const participants = this.registry.participants(room.id);
    const full = participants >= room.capacity;
    return {
      id: room.id,
      name: room.name,
      organizationId: org.id,
      organizationName: org.name,
      mode: room.mode,
      participants,
      capacity: room.capacity,
      canJoin: !full,
      ...(full ? { reason: 'ROOM_FULL' as const } : {}),
    };
  }

  /**
   * Who may enter: anyone signed in for a public room; for a members room, people of the
   * organisation and holders of a valid room invite. Others get FORBIDDEN; an unknown room NOT_FOUND.
   */
  async admissible(userId: string, roomId: string, inviteToken?: string): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    if (room.access === 'public') return room;
    if (await this.orgs.isMember(userId, room.organizationId)) return room;
    if (inviteToken && (await this.db.getRepository(RoomInvite).existsBy({ roomId, tokenHash: sha256(inviteToken), expiresAt: MoreThan(new Date()) }))) {
      return room;
    }
    throw new AppError('FORBIDDEN', 'You are not invited to this room.');
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
    return {
      roomId: room.id,
      sessionId: session.id,
      startedAt: session.startedAt.toISOString(),
      endedAt: session.endedAt?.toISOString() ?? null,
      people: summarizeAttendance(visits, session.endedAt ?? new Date()),
      visits: visits.map((v) => ({ userId: v.userId, displayName: v.displayName, joinedAt: v.joinedAt.toISOString(), leftAt: v.leftAt?.toISOString() ?? null, gaps: v.gaps ?? [] })),
    };
  }

  attendanceCsv(a: AttendanceDto): string {
    return toCsv([['name', 'user_id', 'first_join', 'last_leave', 'minutes', 'joins'], ...a.people.map((p) => [p.displayName, p.userId, p.firstJoin, p.lastLeave, p.minutes, p.joins])]);
  }

  /** Reports are for the organisers: the room's creator and the organisation's owners and admins. */
  async organised(userId: string, roomId: string): Promise<Room> {
    const room = await this.db.getRepository(Room).findOneBy({ id: roomId });
    if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    if ((await this.standingRole(userId, room)) !== 'host') {
      throw new AppError((await this.orgs.isMember(userId, room.organizationId)) ? 'FORBIDDEN' : 'NOT_FOUND', 'Only organisers see reports.');
    }
    return room;
  }

  /** Organisers (the room's creator, the organisation's owners and admins) host; everyone else attends. */
  async standingRole(userId: string, room: Room): Promise<RoomRole> {
    if (room.createdBy === userId) return 'host';
    return standing(room, userId, await this.orgs.roleIn(userId, room.organizationId));
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
    // Outsiders of a members room: the invitation path, rare enough to keep its own queries.
    if (room.access !== 'public' && !row.org_role) await this.admissible(userId, roomId, inviteToken);
    return { room, displayName: row.display_name, role: standing(room, userId, row.org_role) };
  }

  async displayNameOf(userId: string): Promise<string> {
    return (await this.db.getRepository(User).findOneByOrFail({ id: userId })).displayName;
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
