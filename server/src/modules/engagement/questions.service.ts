import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, Not } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { type ParsedCommandPayload, type QuestionInfo, type QuestionView, ROOM_ROLES } from '../../contract';
import { AppError, isUniqueViolation } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import type { LiveRoom } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { roomCan } from '../rooms/room-permissions';
import { type Seat, rolesThatCan } from './seat';
import { Coalescer } from './coalescer';
import { Question } from './question.entity';
import { authorKey, moderate, questionOrder } from './questions';
import { RateLimits } from './rate-limits';

/**
 * The Q&A of a live session. An anonymous question is stored without its author (see authorKey); no
 * event, list or log line carries who asked it, to hosts either. Only the author is told "mine".
 */
@Injectable()
export class QuestionsService {
  /** Per person: 3 questions, then one every 5 s. */
  private readonly limits = new RateLimits(3, 0.2);
  private readonly publisher: Coalescer;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: RoomRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.publisher = new Coalescer((err) => logger.error({ err }, 'publishing a question failed'));
  }

  async ask({ room, peer }: Seat, p: ParsedCommandPayload<'qa:ask'>): Promise<QuestionView> {
    room.assertCan(peer, 'qa.ask');
    const repo = this.db.getRepository(Question);
    const key = authorKey(this.config.jwtSecret, room.roomId, peer.userId, p.clientRequestId);
    const earlier = await repo.findOneBy({ authorKey: key });
    if (earlier) return this.view(earlier, peer.userId);
    if (!this.limits.take(peer.userId)) throw new AppError('RATE_LIMITED', 'You are asking too quickly. Wait a moment.');
    let question: Question;
    try {
      question = await repo.save(
        repo.create({
          roomId: room.roomId,
          sessionId: room.sessionId,
          anonymous: p.anonymous,
          authorId: p.anonymous ? null : peer.userId,
          authorName: p.anonymous ? null : peer.displayName,
          authorKey: key,
          clientRequestId: p.clientRequestId,
          body: p.body,
          status: 'open',
          pinned: false,
          answer: null,
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err, 'uq_questions_author_key')) return this.view(await repo.findOneByOrFail({ authorKey: key }), peer.userId);
      throw err;
    }
    this.publish(room, question.id);
    return { ...toInfo(question, 0), mine: true, votedByMe: false };
  }

  /** ALREADY_VOTED for a second upvote, however many arrive at once: the primary key decides. */
  async upvote({ room, peer }: Seat, questionId: string): Promise<QuestionView> {
    room.assertCan(peer, 'qa.upvote');
    const question = await this.votable(room, questionId);
    const inserted = (await this.db.query(`INSERT INTO question_votes (question_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [question.id, peer.userId])) as unknown[];
    if (inserted.length === 0) throw new AppError('ALREADY_VOTED', 'You have already voted for this question.');
    this.publish(room, question.id);
    return this.view(question, peer.userId);
  }

  async unvote({ room, peer }: Seat, questionId: string): Promise<QuestionView> {
    room.assertCan(peer, 'qa.upvote');
    const question = await this.votable(room, questionId);
    const [, removed] = (await this.db.query(`DELETE FROM question_votes WHERE question_id = $1 AND user_id = $2`, [question.id, peer.userId])) as [unknown, number];
    if (removed) this.publish(room, question.id);
    return this.view(question, peer.userId);
  }

  async moderate({ room, peer }: Seat, p: ParsedCommandPayload<'qa:moderate'>): Promise<QuestionView> {
    room.assertCan(peer, 'qa.moderate');
    const question = await this.db.transaction(async (m) => {
      const q = await m.getRepository(Question).findOne({ where: { id: p.questionId, sessionId: room.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!q) throw new AppError('NOT_FOUND', 'Question not found.');
      const next = moderate({ status: q.status, pinned: q.pinned, answer: q.answer }, p);
      if (next === 'CONFLICT') throw new AppError('CONFLICT', 'Reopen this question first.');
      if (next.status !== q.status || next.pinned !== q.pinned || next.answer !== q.answer) {
        await m.getRepository(Question).update({ id: q.id }, next);
        Object.assign(q, next);
      }
      return q;
    });
    this.publish(room, question.id);
    return this.view(question, peer.userId);
  }

  async list({ room, peer }: Seat): Promise<{ questions: QuestionView[] }> {
    const moderator = roomCan(peer.role, 'qa.moderate', room.mode);
    const questions = await this.db.getRepository(Question).findBy({ sessionId: room.sessionId, ...(moderator ? {} : { status: Not('dismissed' as const) }) });
    if (questions.length === 0) return { questions: [] };
    const ids = questions.map((q) => q.id);
    const counts = (await this.db.query(`SELECT question_id AS id, count(*)::int AS votes FROM question_votes WHERE question_id = ANY($1) GROUP BY question_id`, [ids])) as { id: string; votes: number }[];
    const mine = (await this.db.query(`SELECT question_id AS id FROM question_votes WHERE question_id = ANY($1) AND user_id = $2`, [ids, peer.userId])) as { id: string }[];
    const votes = new Map(counts.map((c) => [c.id, c.votes]));
    const voted = new Set(mine.map((r) => r.id));
    const views = questions.map((q) => ({ ...toInfo(q, votes.get(q.id) ?? 0), mine: this.isAuthor(q, peer.userId), votedByMe: voted.has(q.id) }));
    return { questions: views.sort(questionOrder) };
  }

  /** Questions of this session that are still in play; a dismissed one is out of sight for voters. */
  private async votable(room: LiveRoom, questionId: string): Promise<Question> {
    const q = await this.db.getRepository(Question).findOneBy({ id: questionId, sessionId: room.sessionId, status: Not('dismissed' as const) });
    if (!q) throw new AppError('NOT_FOUND', 'Question not found.');
    return q;
  }

  private isAuthor(q: Question, userId: string): boolean {
    return q.anonymous ? q.authorKey === authorKey(this.config.jwtSecret, q.roomId, userId, q.clientRequestId) : q.authorId === userId;
  }

  private async view(q: Question, userId: string): Promise<QuestionView> {
    const [row] = (await this.db.query(`SELECT count(*)::int AS votes, coalesce(bool_or(user_id = $2), false) AS voted FROM question_votes WHERE question_id = $1`, [q.id, userId])) as {
      votes: number;
      voted: boolean;
    }[];
    return { ...toInfo(q, row?.votes ?? 0), mine: this.isAuthor(q, userId), votedByMe: row?.voted ?? false };
  }

  /** The question's current state to the room; a dismissed one only to moderators, the others drop it. */
  private publish(room: LiveRoom, questionId: string): void {
    this.publisher.request(questionId, async () => {
      if (room.isClosed) return;
      const q = await this.db.getRepository(Question).findOneByOrFail({ id: questionId });
      const [row] = (await this.db.query(`SELECT count(*)::int AS votes FROM question_votes WHERE question_id = $1`, [questionId])) as { votes: number }[];
      const info = toInfo(q, row?.votes ?? 0);
      if (q.status !== 'dismissed') return this.registry.toOthers(room, null, 'qa:updated', info);
      const moderators = rolesThatCan('qa.moderate', room.mode);
      this.registry.toRoles(room, moderators, 'qa:updated', info);
      this.registry.toRoles(room, ROOM_ROLES.filter((r) => !moderators.includes(r)), 'qa:removed', { questionId });
    });
  }
}

function toInfo(q: Question, votes: number): QuestionInfo {
  return {
    id: q.id,
    body: q.body,
    anonymous: q.anonymous,
    authorName: q.anonymous ? null : q.authorName,
    status: q.status,
    pinned: q.pinned,
    answer: q.answer,
    votes,
    createdAt: q.createdAt.toISOString(),
  };
}
