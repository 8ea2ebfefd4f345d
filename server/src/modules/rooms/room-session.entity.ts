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
}
