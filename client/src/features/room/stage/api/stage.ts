import { outranks as outranksRole, roomCan, type RoomAction, type RoomOptions, type RoomRole } from '@contract';
import type { RoomSession, RoomSnapshot, RoomStage } from '../../session/room-session';
import { emitCommand } from '../../../../lib/socket';

/**
 * What the room says about its stage beyond the media: options, head count, raised hands and the
 * lobby. Which controls to show comes from the server's own room permission table (in the contract);
 * the server checks every command anyway.
 */

export type RoomMode = 'meeting' | 'webinar';

const allowed = (role: RoomRole | null, action: RoomAction, mode: RoomMode = 'meeting'): boolean => role !== null && roomCan(role, action, mode);

export const isModerator = (role: RoomRole | null): boolean => allowed(role, 'stage.manage');
/** On stage: may publish in a webinar. */
export const isOnStage = (role: RoomRole | null): boolean => allowed(role, 'media.produce', 'webinar');
/** A panelist (or co-host) of a webinar may go back to the audience, which releases their devices. */
export const canStepDown = (role: RoomRole | null, mode: RoomMode): boolean => mode === 'webinar' && allowed(role, 'stage.step-down', mode);
export const canRaiseHand = (role: RoomRole | null, mode: RoomMode): boolean => allowed(role, 'stage.raise-hand', mode);
export const canEndRoom = (role: RoomRole | null, mode: RoomMode): boolean => allowed(role, 'room.end', mode);
export const canModerateQuestions = (role: RoomRole | null): boolean => allowed(role, 'qa.moderate');
/** Moderators act only on people below them (co-hosts cannot remove the host or each other). */
export const outranks = (actor: RoomRole | null, target: RoomRole): boolean => actor !== null && outranksRole(actor, target);

export type StageState = RoomStage;

export interface Stage {
  state: StageState;
  raiseHand(): Promise<void>;
  lowerHand(): Promise<void>;
  stepDown(): Promise<void>;
}

/** The room's stage state (kept by the session) and your hand. */
export const stageOf = (session: RoomSession, snap: RoomSnapshot): Stage => ({
  state: snap.stage,
  raiseHand: () => session.raiseHand(),
  lowerHand: () => session.lowerHand(),
  stepDown: () => session.stepDown(),
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
