// Written by `npm run migration:create -w server` (scripts/new-migration.mjs): every migration, oldest first.
import { IdentityAndOrganizations1764201600000 } from './1764201600000-identity-and-organizations';
import { Rooms1764288000000 } from './1764288000000-rooms';
import { Attendance1764290000000 } from './1764290000000-attendance';
import { Engagement1764374400000 } from './1764374400000-engagement';
import { Governance1764460800000 } from './1764460800000-governance';
import { BallotSecrecy1764547200000 } from './1764547200000-ballot-secrecy';
import { InvitationLimits1764633600000 } from './1764633600000-invitation-limits';
import { RoomContinuity1764720000000 } from './1764720000000-room-continuity';
import { MeetingLanguage1796171378877 } from './1796171378877-meeting-language';
import { GuestPasses1796171613042 } from './1796171613042-guest-passes';
import { PersonalDelegateInvitations1796172461706 } from './1796172461706-personal-delegate-invitations';
import { PasswordResets1796172467661 } from './1796172467661-password-resets';
import { BallotTellers1796183588782 } from './1796183588782-ballot-tellers';
import { Events1796186124442 } from './1796186124442-events';
import { InstitutionalSignIn1796195077503 } from './1796195077503-institutional-sign-in';
import { CpdCertificates1796195100864 } from './1796195100864-cpd-certificates';
import { RoomInterpreters1796195236612 } from './1796195236612-room-interpreters';
import { BreakoutGroups1796195256411 } from './1796195256411-breakout-groups';
import { MeetingLanguageFromContract1796195398766 } from './1796195398766-meeting-language-from-contract';
import { Recordings1796206573414 } from './1796206573414-recordings';
import { RecordingArchive1796207116577 } from './1796207116577-recording-archive';
import { RoomCaptions1796207247263 } from './1796207247263-room-captions';
import { RecordingLiveness1796208259116 } from './1796208259116-recording-liveness';

export const MIGRATIONS = [
  IdentityAndOrganizations1764201600000,
  Rooms1764288000000,
  Attendance1764290000000,
  Engagement1764374400000,
  Governance1764460800000,
  BallotSecrecy1764547200000,
  InvitationLimits1764633600000,
  RoomContinuity1764720000000,
  MeetingLanguage1796171378877,
  GuestPasses1796171613042,
  PersonalDelegateInvitations1796172461706,
  PasswordResets1796172467661,
  BallotTellers1796183588782,
  Events1796186124442,
  InstitutionalSignIn1796195077503,
  CpdCertificates1796195100864,
  RoomInterpreters1796195236612,
  BreakoutGroups1796195256411,
  MeetingLanguageFromContract1796195398766,
  Recordings1796206573414,
  RecordingArchive1796207116577,
  RoomCaptions1796207247263,
  RecordingLiveness1796208259116,
];
