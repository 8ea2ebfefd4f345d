import type { RoomOptions, RoomRole } from '@contract';
import type { RoomSession, RoomSnapshot, RoomStage } from '../../session/room-session';
import { emitCommand } from '../../../../lib/socket';

/**
 * What the room says about its stage beyond the media: options, head count, raised hands and the
 * lobby. The tables mirror the server's room permissions (server/src/modules/rooms/room-permissions.ts)
 * only to decide which controls to show; the server checks every command anyway.
 */

export type RoomMode = 'meeting' | 'webinar';

const HOSTS: readonly RoomRole[] = ['host', 'co-host'];
const STAGE: readonly RoomRole[] = ['host', 'co-host', 'panelist'];
const RANK: Record<RoomRole, number> = { attendee: 0, panelist: 1, 'co-host': 2, host: 3 };

export const isModerator = (role: RoomRole | null): boolean => role !== null && HOSTS.includes(role);
export const isOnStage = (role: RoomRole | null): boolean => role !== null && STAGE.includes(role);
export const canRaiseHand = (role: RoomRole | null, mode: RoomMode): boolean =>
  role !== null && (mode === 'webinar' ? role === 'attendee' : role !== 'host');
export const canModerateQuestions = isOnStage;
/** Moderators act only on people below them (co-hosts cannot remove the host or each other). */
export const outranks = (actor: RoomRole | null, target: RoomRole): boolean => actor !== null && RANK[actor] > RANK[target];

export type StageState = RoomStage;

export interface Stage {
  state: StageState;
  raiseHand(): Promise<void>;
  lowerHand(): Promise<void>;
}

/** The room's stage state (kept by the session) and your hand. */
export const stageOf = (session: RoomSession, snap: RoomSnapshot): Stage => ({
  state: snap.stage,
  raiseHand: () => session.raiseHand(),
  lowerHand: () => session.lowerHand(),
});

export const stageCommands = {
  lowerHand: (peerId: string) => emitCommand('stage:lower-hand', { peerId }),
  promote: (peerId: string) => emitCommand('stage:promote', { peerId }),
  demote: (peerId: string) => emitCommand('stage:demote', { peerId }),
  setRole: (peerId: string, role: 'co-host' | 'panelist' | 'attendee') => emitCommand('participant:set-role', { peerId, role }),
  mute: (peerId: string, source: 'mic' | 'camera') => emitCommand('participant:mute', { peerId, source }),
  muteAll: () => emitCommand('participant:mute-all', {}),
  remove: (peerId: string) => emitCommand('participant:remove', { peerId }),
  setOptions: (options: Partial<RoomOptions>) => emitCommand('room:set-options', options),
  end: () => emitCommand('room:end', {}),
  admit: (userIds: string[]) => emitCommand('lobby:admit', { userIds }),
  admitAll: () => emitCommand('lobby:admit', { all: true }),
  deny: (userId: string) => emitCommand('lobby:deny', { userId }),
};
