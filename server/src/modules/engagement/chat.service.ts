import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { ChatMessageInfo, EngagementEvents, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import type { LiveRoom, Peer } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { roomCan } from '../rooms/room-permissions';
import { Room } from '../rooms/room.entity';
import { ChatMessage } from './chat-message.entity';
import { RateLimits } from './rate-limits';
import { type Seat, rolesThatCan } from './seat';

const toInfo = (m: ChatMessage): ChatMessageInfo => ({
  id: m.id,
  sessionId: m.sessionId,
  senderId: m.senderId,
  senderName: m.senderName,
  audience: m.audience,
  body: m.body,
  createdAt: m.createdAt.toISOString(),
});

/**
 * Room chat. Messages are stored before anyone hears of them, and kept as the plain text sent.
 * History: a members room keeps one conversation across its sessions (a standing committee's room);
 * a public room shows only the current session, so one webinar's audience never reads another's.
 */
@Injectable()
export class ChatService {
  /** Per person: a burst of 5, then one a second (5 per 5 s). */
  private readonly limits = new RateLimits(5, 1);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: RoomRegistry,
  ) {}

  async send({ room, peer }: Seat, p: ParsedCommandPayload<'chat:send'>): Promise<ChatMessageInfo> {
    room.assertCan(peer, 'chat.send');
    const repo = this.db.getRepository(ChatMessage);
    const key = { senderId: peer.userId, clientRequestId: p.clientRequestId };
    if (!this.limits.take(peer.userId)) {
      // Over the limit, only a retry of a message already stored is answered.
      const earlier = await repo.findOneBy(key);
      if (earlier) return toInfo(earlier);
      throw new AppError('RATE_LIMITED', 'You are sending messages too quickly. Wait a moment.');
    }
    // One round trip: a retry (same clientRequestId) inserts nothing and gets the stored message back.
    const fields = { roomId: room.roomId, sessionId: room.sessionId, senderName: peer.displayName, audience: p.audience, body: p.body, deletedAt: null, deletedBy: null, ...key };
    const [row]: { id: string; created_at: Date }[] = await this.db.query(
      `INSERT INTO chat_messages (room_id, session_id, sender_id, sender_name, audience, body, client_request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ON CONSTRAINT uq_chat_messages_request DO NOTHING RETURNING id, created_at`,
      [fields.roomId, fields.sessionId, fields.senderId, fields.senderName, fields.audience, fields.body, fields.clientRequestId],
    );
    if (!row) return toInfo(await repo.findOneByOrFail(key));
    const message = repo.create({ ...fields, id: row.id, createdAt: row.created_at });
    const info = toInfo(message);
    this.deliver(room, message, peer, 'chat:message', info);
    return info;
  }

  async history({ room, peer }: Seat, p: ParsedCommandPayload<'chat:history'>): Promise<{ messages: ChatMessageInfo[]; hasMore: boolean }> {
    const access = (await this.db.getRepository(Room).findOneBy({ id: room.roomId }))?.access ?? 'public';
    const q = this.db.getRepository(ChatMessage).createQueryBuilder('m').where('m.deleted_at IS NULL');
    if (access === 'public') q.andWhere('m.session_id = :sessionId', { sessionId: room.sessionId });
    else q.andWhere('m.room_id = :roomId', { roomId: room.roomId });
    if (!roomCan(peer.role, 'chat.moderate', room.mode)) q.andWhere(`(m.audience = 'everyone' OR m.sender_id = :me)`, { me: peer.userId });
    // Compared in SQL: the database keeps microseconds that a JavaScript Date would drop.
    const anchor = (op: '<' | '>', cursor: string) => q.andWhere(`(m.created_at, m.id) ${op} (SELECT c.created_at, c.id FROM chat_messages c WHERE c.id = :cursor AND c.room_id = :roomId)`, { cursor, roomId: room.roomId });
    if (p.after) {
      anchor('>', p.after);
      const rows = await q.orderBy('m.created_at', 'ASC').addOrderBy('m.id', 'ASC').limit(p.limit + 1).getMany();
      return { messages: rows.slice(0, p.limit).map(toInfo), hasMore: rows.length > p.limit };
    }
    if (p.before) anchor('<', p.before);
    const rows = await q.orderBy('m.created_at', 'DESC').addOrderBy('m.id', 'DESC').limit(p.limit + 1).getMany();
    return { messages: rows.slice(0, p.limit).reverse().map(toInfo), hasMore: rows.length > p.limit };
  }

  async delete({ room, peer }: Seat, messageId: string): Promise<{ messageId: string }> {
    room.assertCan(peer, 'chat.moderate');
    const repo = this.db.getRepository(ChatMessage);
    const message = await repo.findOneBy({ id: messageId, roomId: room.roomId, deletedAt: IsNull() });
    if (!message) throw new AppError('NOT_FOUND', 'Message not found.');
    const [, changed] = (await this.db.query(`UPDATE chat_messages SET deleted_at = now(), deleted_by = $2 WHERE id = $1 AND deleted_at IS NULL`, [messageId, peer.userId])) as [unknown, number];
    if (changed) this.deliver(room, message, null, 'chat:deleted', { messageId });
    return { messageId };
  }

  /** A message for hosts reaches hosts and co-hosts, and the sender's other devices. */
  private deliver<E extends 'chat:message' | 'chat:deleted'>(room: LiveRoom, m: ChatMessage, except: Peer | null, event: E, data: Parameters<EngagementEvents[E]>[0]): void {
    if (m.audience === 'everyone') return this.registry.toOthers(room, except, event, data);
    const hosts = rolesThatCan('chat.moderate', room.mode);
    for (const p of room.peers.values()) if (p !== except && (hosts.includes(p.role) || p.userId === m.senderId)) this.registry.toPeer(p, event, data);
  }
}
