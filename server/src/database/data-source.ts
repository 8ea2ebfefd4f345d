import type { DataSourceOptions } from 'typeorm';
import { AuthSession } from '../modules/identity/auth-session.entity';
import { PasswordReset } from '../modules/identity/password-reset.entity';
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
import { MIGRATIONS } from './migrations';

export const ENTITIES = [
  ...[User, AuthSession, RefreshToken, PasswordReset],
  ...[Organization, Membership, Institution, Delegate, Invitation],
  ...[Room, RoomInvite, RoomSession, AttendanceRecord],
  ...ENGAGEMENT_ENTITIES,
];

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
