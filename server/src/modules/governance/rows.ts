import type { BallotResult, Choice, MeetingLanguage, QuorumRule } from '../../contract';

/** Rows of the governance tables as the queries in this module read them. */

export interface MeetingRow {
  id: string;
  organization_id: string;
  room_id: string | null;
  title: string;
  kind: 'board' | 'general-assembly';
  scheduled_at: Date;
  language: MeetingLanguage;
  voter_basis: 'institutions' | 'members';
  quorum_rule: QuorumRule;
  chair_id: string;
  secretary_id: string | null;
  tellers: string[];
  teller_threshold: number;
  created_at: Date;
}

export interface BallotRow {
  id: string;
  meeting_id: string;
  motion_id: string | null;
  kind: 'motion' | 'election';
  title: string;
  options: string[];
  seats: number;
  max_choices: number;
  secrecy: 'roll-call' | 'secret';
  rule: 'simple' | 'absolute-present' | 'two-thirds-cast' | 'majority-entitled';
  abstentions_count: boolean;
  allow_revote: boolean;
  duration_seconds: number | null;
  status: 'draft' | 'open' | 'counting' | 'closed' | 'published';
  opened_at: Date | null;
  voting_closed_at: Date | null;
  key_threshold: number | null;
  closes_at: Date | null;
  closed_at: Date | null;
  published_at: Date | null;
  quorum_override: string | null;
  present_weight: number | null;
  entitled_weight: number | null;
  result: BallotResult | null;
  public_key: string | null;
  spoiled: number | null;
  published_seq: number | null;
  published_hash: string | null;
}

export interface RollSeat {
  seat_id: string;
  label: string;
  weight: number;
  holders: string[];
  proxy_holder: string | null;
  instruction: 'yes' | 'no' | 'abstain' | 'free' | null;
  present: boolean;
}

export interface CountedVote {
  choice: Choice;
  weight: number;
}
