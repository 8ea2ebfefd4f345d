import type { DataSourceOptions } from 'typeorm';
import { AuthSession } from '../modules/identity/auth-session.entity';
import { RefreshToken } from '../modules/identity/refresh-token.entity';
import { User } from '../modules/identity/user.entity';
import { Delegate } from '../modules/organizations/delegate.entity';
import { Institution } from '../modules/organizations/institution.entity';
import { Invitation } from '../modules/organizations/invitation.entity';
import { Membership } from '../modules/organizations/membership.entity';
import { Organization } from '../modules/organizations/organization.entity';
import { Room } from '../modules/rooms/room.entity';
import { RoomInvite } from '../modules/rooms/room-invite.entity';
import { RoomSession } from '../modules/rooms/room-session.entity';
import { AttendanceRecord } from '../modules/rooms/attendance.entity';
import { ENGAGEMENT_ENTITIES } from '../modules/engagement/engagement.entities';
import { IdentityAndOrganizations1764201600000 } from './migrations/1764201600000-identity-and-organizations';
import { Rooms1764288000000 } from './migrations/1764288000000-rooms';
import { Attendance1764290000000 } from './migrations/1764290000000-attendance';
import { Governance1764460800000 } from './migrations/1764460800000-governance';
import { InvitationLimits1764633600000 } from './migrations/1764633600000-invitation-limits';
import { Engagement1764374400000 } from './migrations/1764374400000-engagement';

export const ENTITIES = [User, AuthSession, RefreshToken, Organization, Membership, Institution, Delegate, Invitation, Room, RoomInvite, RoomSession, AttendanceRecord, ...ENGAGEMENT_ENTITIES];
export const MIGRATIONS = [IdentityAndOrganizations1764201600000, Rooms1764288000000, Attendance1764290000000, Engagement1764374400000, Governance1764460800000, InvitationLimits1764633600000];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: true,
    // A lost connection must not hang a command forever; it fails fast and the caller sees UNAVAILABLE.
    extra: { max: 20, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 },
  };
}
