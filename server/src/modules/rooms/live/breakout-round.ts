import type { BreakoutAssignment } from '../../../contract';

/**
 * One round of breakout groups in a live room: who is placed in which group (by account, so a person's
 * devices and reconnections follow them), and when it ends. Pure rules; the live room applies them.
 */
export interface BreakoutRound {
  id: string;
  assignment: BreakoutAssignment;
  /** One per group; '' where the host gave no name (the client shows "Group n"). */
  names: string[];
  /** userId → group index. Absent: in the main room. */
  placements: Map<string, number>;
  openedAt: Date;
  endsAt: Date | null;
}

export interface Candidate {
  userId: string;
  /** Hosts and co-hosts run the round: they stay in the main room unless they visit or place themselves. */
  staff: boolean;
}

/** A uniform integer in [0, n). */
export type Pick = (n: number) => number;

/**
 * Deals people out into `groups` groups at random: a shuffled order dealt round-robin, so group sizes
 * differ by at most one. Staff are left in the main room; each person is placed once.
 */
export function dealOut(people: readonly Candidate[], groups: number, pick: Pick): Map<string, number> {
  const ids = [...new Set(people.filter((p) => !p.staff).map((p) => p.userId))];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return new Map(ids.map((id, i) => [id, i % groups]));
}

/** The group with the fewest of `present` in it (the lowest index among equals): where a latecomer goes. */
export function smallestGroup(round: BreakoutRound, present: ReadonlySet<string>): number {
  const sizes = round.names.map(() => 0);
  for (const [userId, g] of round.placements) if (present.has(userId)) sizes[g]!++;
  return sizes.indexOf(Math.min(...sizes));
}

export interface OpenRequest {
  groups: number;
  assignment: BreakoutAssignment;
  names?: string[];
  placements?: { userId: string; group: number }[];
  minutes?: number;
}

/** A new round: random rounds are dealt out now among `people`; manual ones take the host's placements. */
export function openRound(id: string, req: OpenRequest, people: readonly Candidate[], now: Date, pick: Pick): BreakoutRound {
  const placements =
    req.assignment === 'random'
      ? dealOut(people, req.groups, pick)
      : new Map((req.assignment === 'manual' ? (req.placements ?? []) : []).map((p) => [p.userId, p.group]));
  return {
    id,
    assignment: req.assignment,
    names: Array.from({ length: req.groups }, (_, i) => req.names?.[i] ?? ''),
    placements,
    openedAt: now,
    endsAt: req.minutes ? new Date(now.getTime() + req.minutes * 60_000) : null,
  };
}

/**
 * Who sees and hears whom while a round is open: people in the same group, or both in the main room.
 * Without a round, everyone is in the main room.
 */
export const sameGroup = (round: BreakoutRound | null, a: string, b: string): boolean =>
  !round || (round.placements.get(a) ?? null) === (round.placements.get(b) ?? null);

/** The chat a person writes to and reads: their group's in this round, or the main room's (null). */
export const chatScope = (round: BreakoutRound | null, userId: string): string | null => {
  const g = round?.placements.get(userId);
  return round && g !== undefined ? `${round.id}:${g}` : null;
};
