import type {
  ChatAudience,
  ChatMessageInfo,
  PollInfo,
  PollView,
  QuestionAction,
  QuestionInfo,
  QuestionView,
  Reaction,
  ServerEvents,
} from '@contract';
import { useEffect, useRef, useState } from 'react';
import type { RoomStatus } from '../../session/room-session';
import { sendChatReliably } from './chat-send';
import { byCreatedAt, pagesSinceKnown, withHistory } from '../../../../lib/merge-by-id';
import { newRequestId } from '../../../../lib/request-id';
import { connectSocket, emitCommand } from '../../../../lib/socket';
import { Store, useStore } from '../../../../lib/store';

/** How long a reaction floats over the stage. */
export const REACTION_MS = 4_000;

export interface ShownReaction {
  id: number;
  emoji: Reaction;
  peerId: string;
  mine: boolean;
}

export interface EngagementState {
  loaded: boolean;
  chat: readonly ChatMessageInfo[];
  chatHasMore: boolean;
  /** Messages that arrived while the chat panel was closed. */
  unread: number;
  questions: readonly QuestionView[];
  polls: readonly PollView[];
  reactions: readonly ShownReaction[];
}

const INITIAL: EngagementState = { loaded: false, chat: [], chatHasMore: false, unread: 0, questions: [], polls: [], reactions: [] };

type Handlers = { [E in keyof ServerEvents]?: ServerEvents[E] };

const upsert = <T extends { id: string }>(list: readonly T[], item: T): T[] => {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [...list, item];
  const next = [...list];
  next[i] = item;
  return next;
};

/** Events carry what everyone sees; what is personal (mine, voted) stays from what we knew. */
const asQuestionView = (info: QuestionInfo, known?: QuestionView): QuestionView => ({ mine: false, votedByMe: false, ...known, ...info });
const asPollView = (info: PollInfo, known?: PollView): PollView => ({ voted: false, myChoices: null, ...known, ...info });

/** Pinned first, then most votes, then oldest (the order qa:list answers in). */
export function sortQuestions(questions: readonly QuestionView[]): QuestionView[] {
  return [...questions].sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.votes - a.votes || a.createdAt.localeCompare(b.createdAt));
}

/**
 * Chat, questions, polls and reactions of the room this tab is in: loaded on entering (and again
 * after a rejoin), then kept current by the room's events.
 */
export class EngagementFeed {
  readonly store = new Store<EngagementState>(INITIAL);
  private chatOpen = false;
  private reactionSeq = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly handlers: Handlers;

  constructor(private readonly selfPeerId: () => string | null) {
    this.handlers = {
      'chat:message': (m) => this.addMessage(m, true),
      'chat:deleted': ({ messageId }) => this.patch((s) => ({ chat: s.chat.filter((m) => m.id !== messageId) })),
      'qa:updated': (info) =>
        this.patch((s) => ({ questions: upsert(s.questions, asQuestionView(info, s.questions.find((q) => q.id === info.id))) })),
      'qa:removed': ({ questionId }) => this.patch((s) => ({ questions: s.questions.filter((q) => q.id !== questionId) })),
      'poll:created': (info) => this.upsertPoll(info),
      'poll:opened': (info) => this.upsertPoll(info),
      'poll:closed': (info) => this.upsertPoll(info),
      'poll:results': ({ pollId, counts, voters }) =>
        this.patch((s) => ({ polls: s.polls.map((p) => (p.id === pollId ? { ...p, counts, voters } : p)) })),
      'reaction:shown': ({ peerId, emoji }) => this.showReaction(emoji, peerId, false),
    };
  }

  private patch(fn: (s: EngagementState) => Partial<EngagementState>): void {
    this.store.set((s) => ({ ...s, ...fn(s) }));
  }

  attach(): () => void {
    const socket = connectSocket();
    for (const [event, fn] of Object.entries(this.handlers)) socket.on(event as keyof ServerEvents, fn as never);
    return () => {
      for (const [event, fn] of Object.entries(this.handlers)) socket.off(event as keyof ServerEvents, fn as never);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
    };
  }

  /** Everything visible to this person now. Failures leave the lists as they were. */
  async load(): Promise<void> {
    const [chat, questions, polls] = await Promise.allSettled([
      // Onward from what is already on screen: only the messages sent while this tab was away.
      pagesSinceKnown(this.store.get().chat, (cursor) => emitCommand('chat:history', { limit: 100, ...cursor }).then((p) => ({ items: p.messages, hasMore: p.hasMore }))),
      emitCommand('qa:list', {}),
      emitCommand('poll:list', {}),
    ]);
    this.patch(() => ({
      loaded: true,
      ...(chat.status === 'fulfilled' ? { chat: withHistory(this.store.get().chat, chat.value.items, byCreatedAt), chatHasMore: this.store.get().chat.length ? this.store.get().chatHasMore : chat.value.hasMore } : {}),
      ...(questions.status === 'fulfilled' ? { questions: questions.value.questions } : {}),
      ...(polls.status === 'fulfilled' ? { polls: polls.value.polls } : {}),
    }));
  }

  /* ---------- chat ---------- */

  /** Another conversation (a breakout group's, or the main room's again): its latest messages replace the list. */
  async switchChat(): Promise<void> {
    this.patch(() => ({ chat: [], chatHasMore: false, unread: 0 }));
    const page = await emitCommand('chat:history', { limit: 100 });
    this.patch((s) => ({ chat: withHistory(s.chat, page.messages, byCreatedAt), chatHasMore: page.hasMore }));
  }

  setChatOpen(open: boolean): void {
    this.chatOpen = open;
    if (open) this.patch(() => ({ unread: 0 }));
  }

  private addMessage(m: ChatMessageInfo, fromOthers: boolean): void {
    this.patch((s) => {
      if (s.chat.some((x) => x.id === m.id)) return {};
      return { chat: [...s.chat, m], unread: fromOthers && !this.chatOpen ? s.unread + 1 : s.unread };
    });
  }

  async sendChat(body: string, audience: ChatAudience): Promise<void> {
    this.addMessage(await sendChatReliably((p) => emitCommand('chat:send', p), body, newRequestId(), audience), false);
  }

  async loadEarlierChat(): Promise<void> {
    const first = this.store.get().chat[0];
    if (!first) return;
    const page = await emitCommand('chat:history', { before: first.id, limit: 100 });
    this.patch((s) => ({ chat: [...page.messages.filter((m) => !s.chat.some((x) => x.id === m.id)), ...s.chat], chatHasMore: page.hasMore }));
  }

  async deleteChat(messageId: string): Promise<void> {
    await emitCommand('chat:delete', { messageId });
    this.patch((s) => ({ chat: s.chat.filter((m) => m.id !== messageId) }));
  }

  /* ---------- questions ---------- */

  private setQuestion(q: QuestionView): void {
    this.patch((s) => ({ questions: upsert(s.questions, q) }));
  }

  async ask(body: string, anonymous: boolean): Promise<void> {
    this.setQuestion(await emitCommand('qa:ask', { clientRequestId: newRequestId(), body, anonymous }));
  }

  async vote(questionId: string, up: boolean): Promise<void> {
    this.setQuestion(await emitCommand(up ? 'qa:upvote' : 'qa:unvote', { questionId }));
  }

  async moderate(questionId: string, action: QuestionAction, answer?: string): Promise<void> {
    const q =
      action === 'answer-text'
        ? await emitCommand('qa:moderate', { questionId, action, answer: answer ?? '' })
        : await emitCommand('qa:moderate', { questionId, action });
    this.setQuestion(q);
  }

  /* ---------- polls ---------- */

  private upsertPoll(info: PollInfo | PollView): void {
    this.patch((s) => ({ polls: upsert(s.polls, asPollView(info, s.polls.find((p) => p.id === info.id))) }));
  }

  async createPoll(question: string, options: string[], multiple: boolean, anonymous: boolean): Promise<void> {
    this.upsertPoll(await emitCommand('poll:create', { clientRequestId: newRequestId(), question, options, multiple, anonymous }));
  }

  async openPoll(pollId: string): Promise<void> {
    this.upsertPoll(await emitCommand('poll:open', { pollId }));
  }

  async closePoll(pollId: string): Promise<void> {
    this.upsertPoll(await emitCommand('poll:close', { pollId }));
  }

  async votePoll(pollId: string, choices: number[]): Promise<void> {
    this.upsertPoll(await emitCommand('poll:vote', { pollId, choices }));
  }

  /* ---------- reactions ---------- */

  /** Your own reaction shows at once; the server sends it to the others only. */
  async react(emoji: Reaction): Promise<void> {
    const { sent } = await emitCommand('reaction:send', { emoji });
    if (sent) this.showReaction(emoji, this.selfPeerId() ?? 'self', true);
  }

  private showReaction(emoji: Reaction, peerId: string, mine: boolean): void {
    const id = ++this.reactionSeq;
    // Keep the overlay light whatever the room's rate.
    this.patch((s) => ({ reactions: [...s.reactions.slice(-19), { id, emoji, peerId, mine }] }));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.patch((s) => ({ reactions: s.reactions.filter((r) => r.id !== id) }));
    }, REACTION_MS);
    this.timers.add(timer);
  }
}

/** The room's engagement feed, (re)loaded each time the session is (back) in the room. */
/** `chatScope`: the conversation the person is in (a breakout group's, or null for the main room's). */
export function useEngagement(selfPeerId: () => string | null, status: RoomStatus, chatScope: string | null = null): { feed: EngagementFeed; state: EngagementState } {
  const [feed] = useState(() => new EngagementFeed(selfPeerId));
  useEffect(() => feed.attach(), [feed]);
  const previous = useRef<RoomStatus | null>(null);
  useEffect(() => {
    if (status === 'joined' && previous.current !== 'joined') void feed.load();
    previous.current = status;
  }, [feed, status]);
  // Into a breakout group or back: another conversation, read from its start.
  const scope = useRef(chatScope);
  useEffect(() => {
    if (scope.current === chatScope) return;
    scope.current = chatScope;
    if (status === 'joined') void feed.switchChat();
  }, [feed, chatScope, status]);
  return { feed, state: useStore(feed.store) };
}
