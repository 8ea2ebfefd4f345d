import { z } from 'zod';
import { plainText } from './text';

/**
 * Breakout rooms: a meeting splits into groups that see, hear and chat only among themselves, then
 * comes back. A group is a part of the live room, not another room: people stay seated (their
 * attendance keeps running) and a call-back is one step for the server. Merged into socket.ts.
 */

const id = z.uuid();
const text = (max: number) => plainText(1, max);

export const BREAKOUT_MAX_GROUPS = 50;
export const BREAKOUT_MAX_MINUTES = 480;
export const BREAKOUT_NAME_MAX_LENGTH = 60;
export const BREAKOUT_BROADCAST_MAX_LENGTH = 500;

/** How people get into groups: the host places them, the server deals them out, or each picks one. */
export const BREAKOUT_ASSIGNMENTS = ['manual', 'random', 'choose'] as const;
export type BreakoutAssignment = (typeof BREAKOUT_ASSIGNMENTS)[number];

/** A group's number: 0-based index into the round's groups. */
const group = z.int().min(0).max(BREAKOUT_MAX_GROUPS - 1);

export const breakoutCommandSchemas = {
  /**
   * Hosts: open a round of `groups` groups. `random` deals everyone but hosts and co-hosts out evenly;
   * `manual` places the people listed in `placements` (others stay in the main room); `choose` lets
   * each person pick. With `minutes`, everyone is called back when the time is up.
   */
  'breakout:open': z
    .strictObject({
      groups: z.int().min(1).max(BREAKOUT_MAX_GROUPS),
      assignment: z.enum(BREAKOUT_ASSIGNMENTS),
      names: z.array(text(BREAKOUT_NAME_MAX_LENGTH)).max(BREAKOUT_MAX_GROUPS).optional(),
      placements: z.array(z.strictObject({ userId: id, group })).max(2000).optional(),
      minutes: z.int().min(1).max(BREAKOUT_MAX_MINUTES).optional(),
    })
    .refine((p) => !p.names || p.names.length === p.groups, { message: 'names must name every group', path: ['names'] })
    .refine((p) => !p.placements || p.placements.every((x) => x.group < p.groups), { message: 'a placement names a group that does not exist', path: ['placements'] })
    .refine((p) => !p.placements || new Set(p.placements.map((x) => x.userId)).size === p.placements.length, { message: 'a person is placed twice', path: ['placements'] }),
  /** Hosts: move a person to a group, or back to the main room (`null`). A host moving themselves visits. */
  'breakout:move': z.strictObject({ userId: id, group: group.nullable() }),
  /** Anyone, in a round where people choose: go to a group (or back to the main room). */
  'breakout:choose': z.strictObject({ group: group.nullable() }),
  /** Hosts: a message shown to everyone, in every group. */
  'breakout:broadcast': z.strictObject({ text: text(BREAKOUT_BROADCAST_MAX_LENGTH) }),
  /** Hosts: call everyone back to the main room and end the round. */
  'breakout:close': z.strictObject({}),
};

export interface BreakoutMember {
  userId: string;
  displayName: string;
}

export interface BreakoutGroupInfo {
  index: number;
  name: string;
  /** The people of the group who are in the room now. */
  members: BreakoutMember[];
}

/** A round of breakout groups as one person sees it. */
export interface BreakoutState {
  roundId: string;
  assignment: BreakoutAssignment;
  groups: BreakoutGroupInfo[];
  /** The people in the room who are in no group. */
  mainRoom: BreakoutMember[];
  openedAt: string;
  /** When everyone is called back by itself; null: when a host does it. */
  endsAt: string | null;
  /** Your group; null: the main room. */
  yourGroup: number | null;
}

export interface BreakoutResults {
  'breakout:open': BreakoutState;
  'breakout:move': BreakoutState;
  'breakout:choose': BreakoutState;
  'breakout:broadcast': { sent: true };
  'breakout:close': { closed: boolean };
}

export interface BreakoutEvents {
  /** To each person in the room: the round as it stands now (null: there is none, everyone is back). */
  'breakout:state': (e: { state: BreakoutState | null }) => void;
  /** To everyone in every group: a host's message. */
  'breakout:broadcast': (e: { from: string; text: string; at: string }) => void;
}
