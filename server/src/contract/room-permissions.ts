import type { RoomDto, RoomRole } from './rest';

/**
 * Everything a person can do inside a live room. The server checks every command against the table
 * below, and a test tries every action with every role in both modes; an action without a rule here
 * does not compile. The client reads the same table to decide which controls to show.
 */
export const ROOM_ACTIONS = [
  'media.produce',
  'stage.raise-hand',
  'stage.manage',
  'stage.respond',
  'stage.step-down',
  'participant.mute',
  'participant.remove',
  'participant.set-role',
  'room.lock',
  'room.end',
  'lobby.manage',
  'chat.send',
  'chat.moderate',
  'qa.ask',
  'qa.upvote',
  'qa.moderate',
  'poll.manage',
  'poll.vote',
  'reaction.send',
  'breakout.manage',
  'interpretation.manage',
  'interpretation.listen',
  'captions.manage',
  'captions.view',
  'recording.manage',
] as const;
export type RoomAction = (typeof ROOM_ACTIONS)[number];
type Mode = RoomDto['mode'];

const ALL: readonly RoomRole[] = ['host', 'co-host', 'panelist', 'attendee'];
const HOSTS: readonly RoomRole[] = ['host', 'co-host'];
const STAGE: readonly RoomRole[] = ['host', 'co-host', 'panelist'];
const same = (roles: readonly RoomRole[]) => ({ meeting: roles, webinar: roles });

export const ROOM_PERMISSIONS: Record<RoomAction, Record<Mode, readonly RoomRole[]>> = {
  // In a meeting everyone may publish; in a webinar only the people on stage.
  'media.produce': { meeting: ALL, webinar: STAGE },
  'stage.raise-hand': { meeting: ['co-host', 'panelist', 'attendee'], webinar: ['attendee'] },
  'stage.manage': same(HOSTS),
  // Only an attendee is invited on stage, so only an attendee answers; a panelist may step down.
  'stage.respond': same(['attendee']),
  'stage.step-down': same(['co-host', 'panelist']),
  'participant.mute': same(HOSTS),
  'participant.remove': same(HOSTS),
  'participant.set-role': same(['host']),
  'room.lock': same(HOSTS),
  'room.end': same(['host']),
  'lobby.manage': same(HOSTS),
  'chat.send': same(ALL),
  'chat.moderate': same(HOSTS),
  'qa.ask': same(ALL),
  'qa.upvote': same(ALL),
  'qa.moderate': same(STAGE),
  'poll.manage': same(HOSTS),
  'poll.vote': same(ALL),
  'reaction.send': same(ALL),
  // Breakout groups are a meeting's: a webinar's audience does not speak.
  'breakout.manage': { meeting: HOSTS, webinar: [] },
  // Who interprets is the hosts' call; publishing into a channel then needs the assignment, not a role.
  'interpretation.manage': same(HOSTS),
  'interpretation.listen': same(ALL),
  // Who captions, and whether the floor is captioned automatically, is the hosts' call; typing then needs the assignment.
  'captions.manage': same(HOSTS),
  'captions.view': same(ALL),
  // Everyone in the room is told when it records; only hosts start and stop it.
  'recording.manage': same(HOSTS),
};

export const roomCan = (role: RoomRole, action: RoomAction, mode: Mode): boolean => ROOM_PERMISSIONS[action][mode].includes(role);

const RANK: Record<RoomRole, number> = { attendee: 0, panelist: 1, 'co-host': 2, host: 3 };

/** A moderator acts only on people below them: co-hosts cannot remove or mute the host or each other. */
export const outranks = (actor: RoomRole, target: RoomRole): boolean => RANK[actor] > RANK[target];
