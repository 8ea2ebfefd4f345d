import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { ChatAudience, ChatMessageInfo, EngagementEvents, ParsedCommandPayload } from '../../contract';
import { AppError } from '../../common/errors';
import { chatScope } from '../rooms/live/breakout-round';
import type { LiveRoom, Peer } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { roomCan } from '../rooms/room-permissions';
import { ChatMessage } from './chat-message.entity';
import { RateLimits } from './rate-limits';
import { type Seat, rolesThatCan } from './seat';

interface HistoryRow {
  id: string;
  session_id: string;
  sender_id: string;
  sender_name: string;
  audience: ChatAudience;
  body: string;
  created_at: Date;
}

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
 * While breakout groups meet, each group has a conversation of its own, apart from the main room's.
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
    const breakout = chatScope(room.breakout, peer.userId);
    const fields = { roomId: room.roomId, sessionId: room.sessionId, senderName: peer.displayName, audience: p.audience, body: p.body, breakout, deletedAt: null, deletedBy: null, ...key };
    const [row]: { id: string; created_at: Date }[] = await this.db.query(
      `INSERT INTO chat_messages (room_id, session_id, sender_id, sender_name, audience, body, client_request_id, breakout)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT ON CONSTRAINT uq_chat_messages_request DO NOTHING RETURNING id, created_at`,
      [fields.roomId, fields.sessionId, fields.senderId, fields.senderName, fields.audience, fields.body, fields.clientRequestId, breakout],
    );
    if (!row) return toInfo(await repo.findOneByOrFail(key));
    const message = repo.create({ ...fields, id: row.id, createdAt: row.created_at });
    const info = toInfo(message);
    this.deliver(room, message, peer, 'chat:message', info);
    return info;
  }

  async history({ room, peer }: Seat, p: ParsedCommandPayload<'chat:history'>): Promise<{ messages: ChatMessageInfo[]; hasMore: boolean }> {
    // One plain query: every person back after a restart asks for this at once.
    const params: unknown[] = [room.roomId, room.sessionId, p.limit + 1, chatScope(room.breakout, peer.userId)];
    const where = [
      'm.room_id = $1',
      'm.deleted_at IS NULL',
      // The conversation of the person's breakout group, or the main room's.
      'm.breakout IS NOT DISTINCT FROM $4::text',
      // A public room shows this session only; a members room its whole conversation.
      `(m.session_id = $2 OR (SELECT r.access FROM rooms r WHERE r.id = $1) <> 'public')`,
    ];
    if (!roomCan(peer.role, 'chat.moderate', room.mode)) where.push(`(m.audience = 'everyone' OR m.sender_id = $${params.push(peer.userId)})`);
    const cursor = p.after ?? p.before;
    // Compared in SQL: the database keeps microseconds that a JavaScript Date would drop.
    if (cursor) where.push(`(m.created_at, m.id) ${p.after ? '>' : '<'} (SELECT c.created_at, c.id FROM chat_messages c WHERE c.id = $${params.push(cursor)} AND c.room_id = $1)`);
    const order = p.after ? 'ASC' : 'DESC';
    const rows: HistoryRow[] = await this.db.query(
      `SELECT m.id, m.session_id, m.sender_id, m.sender_name, m.audience, m.body, m.created_at FROM chat_messages m
        WHERE ${where.join(' AND ')} ORDER BY m.created_at ${order}, m.id ${order} LIMIT $3`,
      params,
    );
    const page = rows.slice(0, p.limit).map(
      (r): ChatMessageInfo => ({ id: r.id, sessionId: r.session_id, senderId: r.sender_id, senderName: r.sender_name, audience: r.audience, body: r.body, createdAt: r.created_at.toISOString() }),
    );
    return { messages: p.after ? page : page.reverse(), hasMore: rows.length > p.limit };
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
    const round = room.breakout;
    if (m.audience === 'everyone' && !round) return this.registry.toOthers(room, except, event, data);
    const hosts = rolesThatCan('chat.moderate', room.mode);
    const scope = m.breakout ?? null;
    for (const p of room.peers.values()) {
      if (p === except || chatScope(round, p.userId) !== scope) continue;
      if (m.audience === 'everyone' || hosts.includes(p.role) || p.userId === m.senderId) this.registry.toPeer(p, event, data);
    }
  }
}
