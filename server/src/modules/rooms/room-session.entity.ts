import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One live period of a room: from the first person in to the last person out. */
@Entity({ name: 'room_sessions' })
export class RoomSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** Last time the process hosting the session vouched for it (a crash leaves it behind). */
  @Column({ name: 'alive_at', type: 'timestamptz', nullable: true })
  aliveAt!: Date | null;

  /** Set when a shutdown handed the session over to the next process; cleared when it resumes. */
  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  /** The stage state of the live session (see live/session-state.ts). */
  @Column({ type: 'jsonb', nullable: true })
  state!: unknown;
}
