import { roomCan, type BreakoutAssignment, type BreakoutState, type RoomRole } from '@contract';
import { emitCommand } from '../../../../lib/socket';

/** Hosts and co-hosts of a meeting run breakout groups (the server's table says so too). */
export const canManageBreakouts = (role: RoomRole | null, mode: 'meeting' | 'webinar'): boolean => role !== null && roomCan(role, 'breakout.manage', mode);

/** A group's label: the name the host gave, or "Group n". */
export const groupLabel = (state: BreakoutState, index: number, numbered: (n: number) => string): string => state.groups[index]?.name || numbered(index + 1);

/** The chat a person reads and writes to: their group's in this round, or the main room's (null). */
export const chatScopeOf = (state: BreakoutState | null): string | null => (state && state.yourGroup !== null ? `${state.roundId}:${state.yourGroup}` : null);

export const breakoutCommands = {
  open: (p: { groups: number; assignment: BreakoutAssignment; minutes?: number }) => emitCommand('breakout:open', p),
  move: (userId: string, group: number | null) => emitCommand('breakout:move', { userId, group }),
  choose: (group: number | null) => emitCommand('breakout:choose', { group }),
  broadcast: (text: string) => emitCommand('breakout:broadcast', { text }),
  close: () => emitCommand('breakout:close', {}),
};
