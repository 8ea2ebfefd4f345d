import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PollStatus } from '../../contract';

/** A quick poll of one session. Votes live in poll_voters, poll_ballots (named polls) and poll_counts. */
@Entity({ name: 'polls' })
export class Poll {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'text' })
  question!: string;

  @Column({ type: 'jsonb' })
  options!: string[];

  @Column({ type: 'boolean' })
  multiple!: boolean;

  @Column({ type: 'boolean' })
  anonymous!: boolean;

  @Column({ type: 'text' })
  status!: PollStatus;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'client_request_id', type: 'text' })
  clientRequestId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}
