import { BREAKOUT_ASSIGNMENTS, type Listening, type RoomDto, type RoomOptions, type RoomRole } from '../../../contract';
import type { BreakoutRound } from './breakout-round';

/**
 * The part of a live room that must outlive its process so that a restart or a crash continues the
 * same session: roles given during the session, raised hands (by person: peer ids die with the
 * process), room options (lock, lobby, self-unmute), removals and admissions. Media is not kept: it is
 * rebuilt when people rejoin.
 */
export interface SavedRoomState {
  v: 1;
  mode: RoomDto['mode'];
  options: RoomOptions;
  roles: [userId: string, role: RoomRole][];
  hands: [userId: string, raisedAt: string][];
  removed: string[];
  everJoined: string[];
  admitted: string[];
  /** What each person listens to (interpretation channel); absent in states saved before channels existed. */
  listening?: [userId: string, listening: Listening][];
  /** The breakout round under way, if any. */
  breakout?: SavedBreakout;
}

export interface SavedBreakout {
  id: string;
  assignment: BreakoutRound['assignment'];
  names: string[];
  placements: [userId: string, group: number][];
  openedAt: string;
  endsAt: string | null;
}

/** What of a live room the state is read from and written to (LiveRoom has all of it). */
export interface StatefulRoom {
  mode: RoomDto['mode'];
  readonly options: RoomOptions;
  readonly sessionRoles: Map<string, RoomRole>;
  readonly hands: Map<string, Date>;
  readonly peers: Map<string, { userId: string }>;
  readonly removed: Set<string>;
  readonly everJoined: Set<string>;
  readonly admitted: Set<string>;
  readonly listening?: Map<string, Listening>;
  readonly breakout?: BreakoutRound | null;
}

/** How long after its process stopped a session can still be continued by the next one. */
export const RESUME_GRACE_MS = 120_000;

/** `pendingHands`: hands of people who have not rejoined yet since a restart. */
export function captureState(room: StatefulRoom, pendingHands: ReadonlyMap<string, Date> = new Map()): SavedRoomState {
  const hands = new Map(pendingHands);
  for (const [peerId, at] of room.hands) {
    const userId = room.peers.get(peerId)?.userId;
    if (userId) hands.set(userId, at);
  }
  return {
    v: 1,
    mode: room.mode,
    options: { ...room.options },
    roles: [...room.sessionRoles],
    hands: [...hands].sort((a, b) => a[1].getTime() - b[1].getTime()).map(([u, at]) => [u, at.toISOString()]),
    removed: [...room.removed],
    everJoined: [...room.everJoined],
    admitted: [...room.admitted],
    ...(room.listening?.size ? { listening: [...room.listening] } : {}),
    ...(room.breakout ? { breakout: saveBreakout(room.breakout) } : {}),
  };
}

function saveBreakout(round: BreakoutRound): SavedBreakout {
  return {
    id: round.id,
    assignment: round.assignment,
    names: [...round.names],
    placements: [...round.placements],
    openedAt: round.openedAt.toISOString(),
    endsAt: round.endsAt?.toISOString() ?? null,
  };
}

/**
 * The breakout round a saved state carries, to open again after a restart; null when there was none,
 * when it is malformed, or when its time ran out meanwhile (everyone is then back in the main room).
 */
export function savedBreakout(saved: unknown, now: Date): BreakoutRound | null {
  const b = (saved as Partial<SavedRoomState> | null)?.breakout as Partial<SavedBreakout> | undefined;
  if (!b || typeof b.id !== 'string' || !BREAKOUT_ASSIGNMENTS.includes(b.assignment as never)) return null;
  if (!Array.isArray(b.names) || !b.names.every((n) => typeof n === 'string') || !Array.isArray(b.placements)) return null;
  const groups = b.names.length;
  const placements = new Map<string, number>();
  for (const entry of b.placements) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]) || entry[1] < 0 || entry[1] >= groups)
      return null;
    placements.set(entry[0], entry[1]);
  }
  const openedAt = new Date(b.openedAt ?? '');
  const endsAt = b.endsAt == null ? null : new Date(b.endsAt);
  if (Number.isNaN(openedAt.getTime()) || (endsAt && Number.isNaN(endsAt.getTime()))) return null;
  if (endsAt && endsAt <= now) return null;
  return { id: b.id, assignment: b.assignment as BreakoutRound['assignment'], names: [...b.names], placements, openedAt, endsAt };
}

/** Puts a saved state back into a fresh room; returns the raised hands, to give back as people return. */
export function restoreState(room: StatefulRoom, saved: unknown): Map<string, Date> {
  const hands = new Map<string, Date>();
  if (!isSavedState(saved)) return hands;
  room.mode = saved.mode;
  Object.assign(room.options, saved.options);
  for (const [userId, role] of saved.roles) room.sessionRoles.set(userId, role);
  for (const id of saved.removed) room.removed.add(id);
  for (const id of saved.everJoined) room.everJoined.add(id);
  for (const id of saved.admitted) room.admitted.add(id);
  for (const [userId, at] of saved.hands) hands.set(userId, new Date(at));
  if (Array.isArray(saved.listening)) for (const [userId, l] of saved.listening) room.listening?.set(userId, l);
  return hands;
}

function isSavedState(s: unknown): s is SavedRoomState {
  const o = s as Partial<SavedRoomState> | null;
  return (
    !!o &&
    o.v === 1 &&
    Array.isArray(o.roles) &&
    Array.isArray(o.hands) &&
    Array.isArray(o.removed) &&
    Array.isArray(o.everJoined) &&
    Array.isArray(o.admitted) &&
    typeof o.options === 'object'
  );
}

/**
 * Whether a session whose process last vouched for it at `lastSeen` may be continued at `now`;
 * otherwise it ends, at `lastSeen`.
 */
export function resumable(lastSeen: Date, now: Date, graceMs = RESUME_GRACE_MS): boolean {
  return now.getTime() - lastSeen.getTime() <= graceMs;
}

/** Inserts a hand into a room's queue by the time it was raised (the queue is in order of raising). */
export function insertHand(hands: Map<string, Date>, peerId: string, at: Date): void {
  const all = [...hands, [peerId, at] as const].sort((a, b) => a[1].getTime() - b[1].getTime());
  hands.clear();
  for (const [id, t] of all) hands.set(id, t);
}
