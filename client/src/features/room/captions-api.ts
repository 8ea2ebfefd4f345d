import {
  type AutomaticCaptions,
  type CaptionedSessionDto,
  CAPTION_LANGUAGES,
  type CaptionLanguage,
  type CaptionLine,
  type CaptionPartial,
  type CaptionerAssignment,
  type Channel,
  LANGUAGES,
  type ServerEvents,
} from '@contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api';
import { newRequestId } from '../../lib/request-id';
import { connectSocket, emitCommand } from '../../lib/socket';
import { Store, useStore } from '../../lib/store';
import type { RoomStatus } from './session/room-session';
import { keepJson, readKeptJson } from '../../lib/storage';

/** Lines shown over the stage at once. */
export const SHOWN_LINES = 3;
/** A partial line nobody updated for this long is stale (its end was lost with a volatile event). */
const PARTIAL_STALE_MS = 6_000;
/** The captioner's typing is sent at most this often. */
const PARTIAL_EVERY_MS = 150;

export interface CaptionsView {
  loaded: boolean;
  captioners: CaptionerAssignment[];
  automatic: AutomaticCaptions | null;
  languages: CaptionLanguage[];
  mine: CaptionLanguage[];
  lines: CaptionLine[];
  partials: (CaptionPartial & { at: number })[];
  /** What this person chose in this room (null: the default). */
  on: boolean;
  chosen: CaptionLanguage | null;
}

const INITIAL: CaptionsView = { loaded: false, captioners: [], automatic: null, languages: [], mine: [], lines: [], partials: [], on: false, chosen: null };

/**
 * The language captions are shown in when the person has not chosen one: their interpretation
 * channel's language when there are captions in it, else the floor's (the automatic captions'
 * language), else the first language with captions.
 */
export function defaultCaptionLanguage(languages: readonly CaptionLanguage[], listening: Channel, floor: CaptionLanguage | null): CaptionLanguage | null {
  if (listening !== 'floor' && listening !== 'sign' && languages.includes(listening)) return listening;
  if (floor && languages.includes(floor)) return floor;
  return languages[0] ?? null;
}

/** The writing direction of a caption language: Arabic right to left, the others left to right. */
export const captionDir = (language: CaptionLanguage): 'ltr' | 'rtl' => LANGUAGES.find((l) => l.code === language)?.dir ?? 'ltr';

/** The lines to show over the stage: the last few in `language`, and what is being said in it now. */
export function shownLines(view: Pick<CaptionsView, 'lines' | 'partials'>, language: CaptionLanguage | null, now: number): { lines: CaptionLine[]; partials: CaptionPartial[] } {
  if (!language) return { lines: [], partials: [] };
  const partials = view.partials.filter((p) => p.language === language && p.text && now - p.at < PARTIAL_STALE_MS);
  const lines = view.lines.filter((l) => l.language === language).slice(-Math.max(1, SHOWN_LINES - partials.length));
  return { lines, partials };
}

const prefKey = (roomId: string) => `quorum.captions.${roomId}`;

function readPrefs(roomId: string): Pick<CaptionsView, 'on' | 'chosen'> {
  const raw = readKeptJson(prefKey(roomId)) as { on?: unknown; chosen?: unknown } | null | undefined;
  const chosen = CAPTION_LANGUAGES.find((l) => l === raw?.chosen) ?? null;
  return { on: raw?.on === true, chosen };
}

type Handlers = { [E in keyof ServerEvents]?: ServerEvents[E] };

/** Captions of the room this tab is in: loaded on entering (and after a rejoin), then kept current by events. */
export class CaptionsFeed {
  readonly store: Store<CaptionsView>;
  private readonly handlers: Handlers;
  private lastPartial = 0;
  private partialTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly roomId: string) {
    this.store = new Store<CaptionsView>({ ...INITIAL, ...readPrefs(roomId) });
    this.handlers = {
      'captions:line': (line) => this.addLine(line),
      'captions:partial': (p) =>
        this.patch((s) => ({ partials: [...s.partials.filter((x) => x.key !== p.key), ...(p.text ? [{ ...p, at: Date.now() }] : [])] })),
      'captions:changed': ({ captioners, automatic, languages, mine }) => this.patch(() => ({ captioners, automatic, languages, mine })),
    };
  }

  private patch(fn: (s: CaptionsView) => Partial<CaptionsView>): void {
    this.store.set((s) => ({ ...s, ...fn(s) }));
  }

  private addLine(line: CaptionLine): void {
    this.patch((s) => {
      if (s.lines.some((l) => l.id === line.id)) return {};
      // A line from the same source replaces what was being typed or said.
      const partials = s.partials.filter((p) => !(p.language === line.language && p.source === line.source && p.speaker === line.speaker));
      return { lines: [...s.lines, line].slice(-100), partials };
    });
  }

  attach(): () => void {
    const socket = connectSocket();
    for (const [event, fn] of Object.entries(this.handlers)) socket.on(event as keyof ServerEvents, fn as never);
    return () => {
      for (const [event, fn] of Object.entries(this.handlers)) socket.off(event as keyof ServerEvents, fn as never);
      clearTimeout(this.partialTimer);
    };
  }

  async load(): Promise<void> {
    const state = await emitCommand('captions:state', {});
    this.patch((s) => ({ loaded: true, captioners: state.captioners, automatic: state.automatic, languages: state.languages, mine: state.mine, lines: withRecent(s.lines, state.recent) }));
  }

  setOn(on: boolean): void {
    this.patch(() => ({ on }));
    this.savePrefs();
  }

  choose(language: CaptionLanguage): void {
    this.patch(() => ({ chosen: language }));
    this.savePrefs();
  }

  private savePrefs(): void {
    const { on, chosen } = this.store.get();
    // Refused (private browsing): the choice lasts as long as the page.
    keepJson(prefKey(this.roomId), { on, chosen });
  }

  /** What the captioner is typing, sent at most every PARTIAL_EVERY_MS (the last state always goes). */
  typing(language: CaptionLanguage, text: string): void {
    clearTimeout(this.partialTimer);
    const send = () => {
      this.lastPartial = Date.now();
      void emitCommand('captions:partial', { language, text: text.slice(0, 500) }).catch(() => undefined);
    };
    const wait = this.lastPartial + PARTIAL_EVERY_MS - Date.now();
    if (wait <= 0) send();
    else this.partialTimer = setTimeout(send, wait);
  }

  async commit(language: CaptionLanguage, text: string): Promise<void> {
    clearTimeout(this.partialTimer);
    this.addLine(await emitCommand('captions:line', { clientRequestId: newRequestId(), language, text }));
  }

  async assign(userId: string, language: CaptionLanguage): Promise<void> {
    const { captioners } = await emitCommand('captions:assign', { userId, language });
    this.patch(() => ({ captioners }));
  }

  async unassign(userId: string, language: CaptionLanguage): Promise<void> {
    const { captioners } = await emitCommand('captions:unassign', { userId, language });
    this.patch(() => ({ captioners }));
  }

  async setAutomatic(enabled: boolean, language: CaptionLanguage): Promise<void> {
    const automatic = await emitCommand('captions:automatic', { enabled, language });
    this.patch(() => ({ automatic }));
  }
}

/** The lines known, with those the server has recently, in order, once each. */
function withRecent(known: readonly CaptionLine[], recent: readonly CaptionLine[]): CaptionLine[] {
  const ids = new Set(recent.map((l) => l.id));
  return [...known.filter((l) => !ids.has(l.id)), ...recent].sort((a, b) => a.startMs - b.startMs).slice(-100);
}

/** The room's captions for this tab: reloaded when it (re)joins and when it moves between breakout groups. */
export function useCaptions(roomId: string, status: RoomStatus, group: number | null): { feed: CaptionsFeed; view: CaptionsView } {
  const [feed] = useState(() => new CaptionsFeed(roomId));
  useEffect(() => feed.attach(), [feed]);
  const previous = useRef<{ status: RoomStatus | null; group: number | null }>({ status: null, group: null });
  useEffect(() => {
    const before = previous.current;
    if (status === 'joined' && (before.status !== 'joined' || before.group !== group)) void feed.load().catch(() => undefined);
    previous.current = { status, group };
  }, [feed, status, group]);
  return { feed, view: useStore(feed.store) };
}

/** Past sessions of a room with captions this person may download (loaded when asked for). */
export const useCaptionedSessions = (roomId: string, enabled: boolean) =>
  useQuery({ queryKey: ['rooms', roomId, 'captions'], queryFn: () => api<CaptionedSessionDto[]>(`/api/rooms/${encodeURIComponent(roomId)}/captions`), enabled });

export const captionsFilePath = (roomId: string, sessionId: string, language: CaptionLanguage): string =>
  `/api/rooms/${encodeURIComponent(roomId)}/sessions/${encodeURIComponent(sessionId)}/captions/${language}`;
