import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One visit of a person to a room session: from join to leave (null while still in). */
@Entity({ name: 'attendance' })
export class AttendanceRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: Date;

  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt!: Date | null;

  /** Times the person was out because the server restarted or crashed (ISO instants). */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  gaps!: { from: string; to: string }[];
}
