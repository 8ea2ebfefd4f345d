import type { CommandName } from '../../contract';

/**
 * Commands that act on the live room the socket sits in (or, for `room:join`, the room it names): they
 * run on the node owning that room. The others (meetings and ballots, organisation pages, pings) work
 * on the database alone and run on the node the socket is connected to.
 */
const NOT_ROOM_SCOPED: ReadonlySet<CommandName> = new Set<CommandName>(['session:ping', 'org:watch', 'org:unwatch', 'meeting:watch', 'ballot:cast', 'ballot:cast-all']);

export const roomScoped = (command: CommandName): boolean => !NOT_ROOM_SCOPED.has(command);

/** The live room a command is about: the one it joins, or the one the socket was seated in through this node. */
export function roomOfCommand(command: CommandName, payload: unknown, seatedIn: string | undefined): string | undefined {
  if (!roomScoped(command)) return undefined;
  if (command === 'room:join') return (payload as { roomId: string }).roomId;
  return seatedIn;
}
