import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ChatAudience } from '../../contract';

@Entity({ name: 'chat_messages' })
export class ChatMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ name: 'sender_name', type: 'text' })
  senderName!: string;

  @Column({ type: 'text' })
  audience!: ChatAudience;

  @Column({ type: 'text' })
  body!: string;

  /** The breakout group's conversation (`round:group`) it was written in; null: the main room's. */
  @Column({ type: 'text', nullable: true })
  breakout!: string | null;

  @Column({ name: 'client_request_id', type: 'text' })
  clientRequestId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'deleted_by', type: 'uuid', nullable: true })
  deletedBy!: string | null;
}
