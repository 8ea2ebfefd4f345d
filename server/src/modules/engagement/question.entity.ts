import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { QuestionStatus } from '../../contract';

/** A question of one session's Q&A. When anonymous, authorId and authorName are null (a database rule). */
@Entity({ name: 'questions' })
export class Question {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'boolean' })
  anonymous!: boolean;

  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ name: 'author_name', type: 'text', nullable: true })
  authorName!: string | null;

  @Column({ name: 'author_key', type: 'text' })
  authorKey!: string;

  @Column({ name: 'client_request_id', type: 'text' })
  clientRequestId!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text' })
  status!: QuestionStatus;

  @Column({ type: 'boolean' })
  pinned!: boolean;

  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
