/**
 * Rules of room ownership among nodes, without I/O. A room's lease is one Redis key whose value names
 * the owner and its epoch (`<epoch>@<nodeId>`); the epoch comes from INCR, so a later owner always
 * holds a larger one and an owner that lost its lease (paused, cut off) can tell before acting.
 */

export interface Lease {
  nodeId: string;
  epoch: number;
}

/** What a node announces about itself in the registry, refreshed with each heartbeat. */
export interface NodeRecord {
  nodeId: string;
  internalUrl: string;
  /** The address browsers send this node's media to. */
  rtcAddress: string | null;
  startedAt: number;
  draining: boolean;
  /** Rooms this node owns, at the last heartbeat. */
  rooms: number;
}

export const leaseValue = (lease: Lease): string => `${lease.epoch}@${lease.nodeId}`;

export function parseLease(value: string | null | undefined): Lease | null {
  if (!value) return null;
  const at = value.indexOf('@');
  const epoch = Number(value.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(epoch) || epoch < 1 || at === value.length - 1) return null;
  return { epoch, nodeId: value.slice(at + 1) };
}

/**
 * Whether `held` still entitles its node to act on the room, given the lease as Redis has it now.
 * `held`: ours, unchanged. `lost`: nobody holds it (it expired). `taken`: another node or a later epoch.
 */
export function leaseVerdict(held: Lease, current: string | null): 'held' | 'lost' | 'taken' {
  const now = parseLease(current);
  if (!now) return 'lost';
  return now.nodeId === held.nodeId && now.epoch === held.epoch ? 'held' : 'taken';
}

/**
 * How often a lease is renewed: three tries fit in its lifetime, so one slow round trip to Redis does
 * not lose a room.
 */
export const renewEvery = (leaseMs: number): number => Math.max(200, Math.floor(leaseMs / 3));

/** A node's registry entry outlives its heartbeat by this much: it vanishes with the node. */
export const heartbeatEvery = (leaseMs: number): number => renewEvery(leaseMs);

/**
 * The node that should open a room nobody owns: the one the person came through, unless it is
 * draining; then the least busy live node that is not (ties: the oldest, then by id, so every node
 * picks the same). null: no node can take it.
 */
export function placeRoom(selfId: string, nodes: readonly NodeRecord[]): string | null {
  const self = nodes.find((n) => n.nodeId === selfId);
  if (self && !self.draining) return selfId;
  const open = nodes.filter((n) => !n.draining);
  if (!open.length) return null;
  open.sort((a, b) => a.rooms - b.rooms || a.startedAt - b.startedAt || (a.nodeId < b.nodeId ? -1 : 1));
  return open[0]!.nodeId;
}

/** A socket's seat in a room another node owns: the room, and the lease it was seated under. */
export interface RemoteSeat {
  roomId: string;
  lease: string;
}

/**
 * Of the sockets this node seated on behalf of another owner, those whose room's lease is no longer the
 * one they were seated under: their seats are gone with that owner, and the people there have to join
 * again. Sockets of one room may hold different leases (one seated before the owner changed, one after).
 */
export function ownersChanged(seats: ReadonlyMap<string, RemoteSeat>, current: ReadonlyMap<string, string | null>): string[] {
  return [...seats].filter(([, seat]) => current.get(seat.roomId) !== seat.lease).map(([socketId]) => socketId);
}

/** Sockets seated here from other nodes whose node has left the registry (a crash: no goodbye). */
export function orphaned(edges: ReadonlyMap<string, string>, liveNodes: ReadonlySet<string>): string[] {
  return [...edges].filter(([, nodeId]) => !liveNodes.has(nodeId)).map(([socketId]) => socketId);
}
