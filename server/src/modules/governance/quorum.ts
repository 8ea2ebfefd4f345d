/** Quorum: enough of the roll present (in person or represented by proxy) to take decisions. */

export type QuorumRule = { kind: 'majority-of-entitled' } | { kind: 'at-least'; seats: number } | { kind: 'fraction'; numerator: number; denominator: number };

export interface QuorumInput {
  rule: QuorumRule;
  /** Every seat on the roll. */
  entitled: readonly string[];
  /** Seats whose voter is present. */
  present: readonly string[];
  /** Seats assigned by proxy to a voter who is present (a proxy held by someone absent represents nobody). */
  represented: readonly string[];
}

export interface QuorumState {
  entitled: number;
  present: number;
  represented: number;
  /** Present or represented, each seat once. */
  counted: number;
  required: number;
  met: boolean;
}

export function quorum(input: QuorumInput): QuorumState {
  const roll = new Set(input.entitled);
  const present = new Set(input.present.filter((s) => roll.has(s)));
  const represented = new Set(input.represented.filter((s) => roll.has(s) && !present.has(s)));
  const counted = present.size + represented.size;
  const required = requiredSeats(input.rule, roll.size);
  return { entitled: roll.size, present: present.size, represented: represented.size, counted, required, met: counted >= required };
}

export function requiredSeats(rule: QuorumRule, entitled: number): number {
  switch (rule.kind) {
    case 'majority-of-entitled':
      return Math.floor(entitled / 2) + 1;
    case 'at-least':
      return rule.seats;
    case 'fraction':
      return Math.ceil((entitled * rule.numerator) / rule.denominator);
  }
}
