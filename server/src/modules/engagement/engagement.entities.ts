import { ChatMessage } from './chat-message.entity';
import { Poll } from './poll.entity';
import { Question } from './question.entity';

/** Tables read through TypeORM; the vote tables are written with plain SQL (ON CONFLICT, row locks). */
export const ENGAGEMENT_ENTITIES = [ChatMessage, Question, Poll];
