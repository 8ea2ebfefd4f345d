/**
 * Counting formal votes. Pure: the same functions count at close, in the export and in the
 * standalone verifier. Weights are integers (an institution's vote weight; 1 for a person).
 */

export const MAJORITY_RULES = ['simple', 'absolute-present', 'two-thirds-cast', 'majority-entitled'] as const;
export type MajorityRule = (typeof MAJORITY_RULES)[number];
export type MotionChoice = 'yes' | 'no' | 'abstain';

export interface WeightedVote<C> {
  choice: C;
  weight: number;
}

export interface MotionTallyInput {
  rule: MajorityRule;
  /** Whether abstentions count as votes cast (raising the bar) or are left out of the base. */
  abstentionsCount: boolean;
  votes: readonly WeightedVote<MotionChoice>[];
  /** Weight of the seats present (in person or by proxy) when the ballot opened. */
  presentWeight: number;
  /** Weight of the whole frozen roll. */
  entitledWeight: number;
}

export type Outcome = 'carried' | 'lost' | 'tie';

export interface MotionResult {
  yes: number;
  no: number;
  abstain: number;
  /** Weight of all ballots returned. */
  cast: number;
  /** What the majority is measured against under the rule. */
  base: number;
  /** The smallest yes weight that carries. */
  needed: number;
  outcome: Outcome;
}

/**
 * - simple: more yes than no among votes cast (abstentions in the base only if they count); yes = no is a tie.
 * - absolute-present: yes > half of the weight present.
 * - two-thirds-cast: yes ≥ two thirds of votes cast.
 * - majority-entitled: yes > half of the whole roll.
 * Exactly half under a "more than half" rule is reported as a tie (and does not carry).
 */
export function tallyMotion(input: MotionTallyInput): MotionResult {
  let yes = 0;
  let no = 0;
  let abstain = 0;
  for (const v of input.votes) {
    assertWeight(v.weight);
    if (v.choice === 'yes') yes += v.weight;
    else if (v.choice === 'no') no += v.weight;
    else abstain += v.weight;
  }
  const cast = yes + no + abstain;
  const counted = input.abstentionsCount ? cast : yes + no;
  let base: number;
  let needed: number;
  let outcome: Outcome;
  switch (input.rule) {
    case 'simple':
      base = counted;
      if (input.abstentionsCount) {
        needed = Math.floor(base / 2) + 1;
        outcome = yes * 2 > base ? 'carried' : yes * 2 === base && yes > 0 ? 'tie' : 'lost';
      } else {
        needed = no + 1;
        outcome = yes > no ? 'carried' : yes === no && yes > 0 ? 'tie' : 'lost';
      }
      break;
    case 'absolute-present':
      base = input.presentWeight;
      ({ needed, outcome } = moreThanHalf(yes, base));
      break;
    case 'majority-entitled':
      base = input.entitledWeight;
      ({ needed, outcome } = moreThanHalf(yes, base));
      break;
    case 'two-thirds-cast':
      base = counted;
      needed = Math.max(1, Math.ceil((2 * base) / 3));
      outcome = base > 0 && yes * 3 >= 2 * base ? 'carried' : 'lost';
      break;
  }
  return { yes, no, abstain, cast, base, needed, outcome };
}

function moreThanHalf(yes: number, base: number): { needed: number; outcome: Outcome } {
  return { needed: Math.floor(base / 2) + 1, outcome: yes * 2 > base ? 'carried' : yes * 2 === base && yes > 0 ? 'tie' : 'lost' };
}

export interface ElectionTallyInput {
  candidates: readonly string[];
  seats: number;
  maxChoices: number;
  /** Each ballot names up to maxChoices distinct candidates; an empty list is an abstention. */
  votes: readonly WeightedVote<readonly string[]>[];
}

export interface ElectionResult {
  /** Weighted votes per candidate, in the order of `candidates`. */
  counts: { candidate: string; votes: number }[];
  elected: string[];
  /** Candidates tied for the last seat(s); they are not in `elected` and the seats stay open. */
  tied: string[];
  abstentions: number;
  cast: number;
  outcome: 'decided' | 'tie';
}

/** Block vote: each ballot gives its weight to every candidate it names; the top `seats` are elected. */
export function tallyElection(input: ElectionTallyInput): ElectionResult {
  if (!Number.isInteger(input.seats) || input.seats < 1) throw new RangeError('seats must be a positive integer');
  const counts = new Map(input.candidates.map((c) => [c, 0]));
  let abstentions = 0;
  let cast = 0;
  for (const v of input.votes) {
    assertWeight(v.weight);
    if (new Set(v.choice).size !== v.choice.length) throw new RangeError('a ballot names a candidate twice');
    if (v.choice.length > input.maxChoices) throw new RangeError('a ballot names too many candidates');
    cast += v.weight;
    if (v.choice.length === 0) abstentions += v.weight;
    for (const c of v.choice) {
      if (!counts.has(c)) throw new RangeError(`unknown candidate ${c}`);
      counts.set(c, counts.get(c)! + v.weight);
    }
  }
  const ranked = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const elected: string[] = [];
  const tied: string[] = [];
  for (let i = 0; i < ranked.length && elected.length < input.seats; ) {
    const score = ranked[i]![1];
    const group = ranked.filter(([, n]) => n === score).map(([c]) => c);
    if (elected.length + group.length <= input.seats) elected.push(...group);
    else tied.push(...group);
    if (tied.length) break;
    i += group.length;
  }
  return {
    counts: input.candidates.map((c) => ({ candidate: c, votes: counts.get(c)! })),
    elected,
    tied,
    abstentions,
    cast,
    outcome: tied.length ? 'tie' : 'decided',
  };
}

function assertWeight(w: number): void {
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`vote weight must be a positive integer, got ${w}`);
}

/** A ballot's result from its counted votes, under the ballot's own rule. */
export function tallyBallot(
  ballot: { kind: 'motion' | 'election'; rule: MajorityRule; abstentions_count: boolean; present_weight: number | null; entitled_weight: number | null; options: string[]; seats: number; max_choices: number },
  votes: { choice: unknown; weight: number }[],
): ({ kind: 'motion' } & MotionResult) | ({ kind: 'election' } & ElectionResult) {
  if (ballot.kind === 'motion') {
    return {
      kind: 'motion',
      ...tallyMotion({
        rule: ballot.rule,
        abstentionsCount: ballot.abstentions_count,
        votes: votes.map((v) => ({ choice: v.choice as MotionChoice, weight: v.weight })),
        presentWeight: ballot.present_weight ?? 0,
        entitledWeight: ballot.entitled_weight ?? 0,
      }),
    };
  }
  return {
    kind: 'election',
    ...tallyElection({ candidates: ballot.options, seats: ballot.seats, maxChoices: ballot.max_choices, votes: votes.map((v) => ({ choice: v.choice as string[], weight: v.weight })) }),
  };
}
