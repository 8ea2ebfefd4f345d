import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import {
  type AutomaticCaptions,
  CAPTION_LANGUAGES,
  type CaptionLanguage,
  type CaptionLine,
  type CaptionPartial,
  type CaptionerAssignment,
  type CaptionsState,
  CAPTION_RECENT_LINES,
} from '../../contract';
import { LOGGER } from '../../common/logging';
import type { LiveRoom, Peer } from '../rooms/live/live-room';
import { RoomRegistry } from '../rooms/live/room-registry';
import { captionedLanguages, seesLine, spokenCue } from './caption-rules';
import { CaptionsService, type NewLine } from './captions.service';
import { SpeakerRecogniser } from './floor-recogniser';
import { speechProviderFor, unavailableReason } from './speech-providers';
import type { SpeechToTextProvider } from './stt/speech-to-text';

/** Floor microphones recognised at once in one room; more speakers than this are not captioned automatically. */
export const MAX_RECOGNISERS_PER_ROOM = 8;

/** Captions of one live room on this node. */
interface RoomCaptions {
  room: LiveRoom;
  captioners: CaptionerAssignment[];
  automatic: { enabled: boolean; language: CaptionLanguage };
  /** Why automatic captions cannot run in the room's language (null: they can). */
  unavailable: string | null;
  recognisers: Map<string, SpeakerRecogniser>;
  ready: Promise<void>;
}

const isFloorMic = (p: types.Producer): boolean => {
  const data = p.appData as { source?: string; channel?: string };
  return p.kind === 'audio' && data.source === 'mic' && !data.channel && !p.closed;
};

/**
 * Captions in live rooms: who captions which language, what each person sees (their breakout group's
 * lines and the floor's), and automatic captions, which follow every floor microphone of a room
 * whose hosts turned them on. Every line is stored before it is shown to anyone.
 */
@Injectable()
export class LiveCaptions implements OnModuleInit, OnApplicationShutdown {
  private readonly rooms = new Map<string, RoomCaptions>();
  readonly provider: SpeechToTextProvider;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly captions: CaptionsService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.provider = speechProviderFor(config);
  }

  onModuleInit(): void {
    this.registry.onRoomOpened((room) => this.attach(room));
    // Said once at start, so an operator knows whether automatic captions can run here; the product starts either way.
    void unavailableReason(this.provider, this.provider.languages[0] ?? 'en').then(
      (reason) =>
        reason
          ? this.logger.warn({ provider: this.provider.name, reason }, 'automatic captions are unavailable')
          : this.logger.info({ provider: this.provider.name, languages: this.provider.languages }, 'automatic captions available'),
      () => undefined,
    );
  }

  onApplicationShutdown(): void {
    for (const entry of this.rooms.values()) for (const r of entry.recognisers.values()) r.stop('shutdown');
  }

  /** The room's captions, loaded once per live session. */
  private attach(room: LiveRoom): RoomCaptions {
    for (const [id, e] of this.rooms) if (e.room.isClosed) this.rooms.delete(id);
    const entry: RoomCaptions = { room, captioners: [], automatic: { enabled: false, language: 'en' }, unavailable: null, recognisers: new Map(), ready: Promise.resolve() };
    room.floorAudio = (peer, producer) => void entry.ready.then(() => this.recognise(entry, peer, producer));
    entry.ready = (async () => {
      [entry.captioners, entry.automatic] = await Promise.all([this.captions.captioners(room.roomId), this.captions.automaticSetting(room.roomId)]);
      if (entry.automatic.enabled) entry.unavailable = await unavailableReason(this.provider, entry.automatic.language);
      if (entry.automatic.enabled) this.recogniseAll(entry);
    })().catch((err: unknown) => this.logger.error({ err, roomId: room.roomId }, 'could not load the captions of a room'));
    this.rooms.set(room.roomId, entry);
    return entry;
  }

  async entryOf(room: LiveRoom): Promise<RoomCaptions> {
    const known = this.rooms.get(room.roomId);
    const entry = known?.room === room ? known : this.attach(room);
    await entry.ready;
    return entry;
  }

  automaticOf(entry: RoomCaptions): AutomaticCaptions {
    return {
      enabled: entry.automatic.enabled,
      language: entry.automatic.language,
      available: entry.unavailable === null,
      reason: entry.unavailable,
      provider: this.provider.name,
      languages: CAPTION_LANGUAGES.filter((l) => this.provider.languages.includes(l)),
    };
  }

  private languagesOf(entry: RoomCaptions): CaptionLanguage[] {
    const automatic = entry.automatic.enabled && entry.unavailable === null ? entry.automatic.language : null;
    return captionedLanguages(CAPTION_LANGUAGES, entry.captioners, automatic);
  }

  async stateFor(room: LiveRoom, peer: Peer): Promise<CaptionsState> {
    const entry = await this.entryOf(room);
    const recent = await this.captions.recent(room.sessionId, CAPTION_RECENT_LINES * 3);
    return {
      captioners: entry.captioners,
      automatic: this.automaticOf(entry),
      languages: this.languagesOf(entry),
      mine: this.mineOf(entry, peer),
      recent: recent.filter((l) => this.sees(room, peer, l.group)).slice(-CAPTION_RECENT_LINES),
    };
  }

  setCaptioners(entry: RoomCaptions, captioners: CaptionerAssignment[]): void {
    entry.captioners = captioners;
    this.publish(entry);
  }

  /** Why automatic captions cannot run in `language` here (null: they can). */
  reasonAgainst(language: CaptionLanguage): Promise<string | null> {
    return unavailableReason(this.provider, language);
  }

  /** Automatic captions on (every floor microphone from now on) or off, once the setting is stored. */
  applyAutomatic(entry: RoomCaptions, enabled: boolean, language: CaptionLanguage): void {
    entry.automatic = { enabled, language };
    entry.unavailable = null;
    for (const r of [...entry.recognisers.values()]) r.stop('automatic captions changed');
    if (enabled) this.recogniseAll(entry);
    this.publish(entry);
  }

  private publish(entry: RoomCaptions): void {
    if (entry.room.isClosed) return;
    const change = { captioners: entry.captioners, automatic: this.automaticOf(entry), languages: this.languagesOf(entry) };
    for (const p of entry.room.peers.values()) this.registry.toPeer(p, 'captions:changed', { ...change, mine: this.mineOf(entry, p) });
  }

  private mineOf(entry: RoomCaptions, peer: Peer): CaptionLanguage[] {
    return peer.guest ? [] : entry.captioners.filter((a) => a.userId === peer.userId).map((a) => a.language);
  }

  private sees(room: LiveRoom, viewer: Peer, group: number | null): boolean {
    return seesLine(room.groupOf(viewer.userId), group, room.breakout !== null);
  }

  /** A stored line to everyone who can see where it was said (the sender's own device excepted). */
  broadcastLine(room: LiveRoom, line: CaptionLine, except?: Peer): void {
    if (room.isClosed) return;
    for (const p of room.peers.values()) if (p !== except && this.sees(room, p, line.group)) this.registry.toPeer(p, 'captions:line', line);
  }

  broadcastPartial(room: LiveRoom, partial: CaptionPartial, except?: Peer): void {
    if (room.isClosed) return;
    for (const p of room.peers.values()) if (p !== except && this.sees(room, p, partial.group)) this.registry.toPeer(p, 'captions:partial', partial, true);
  }

  /** Stores and shows a line; the stored line comes back (or the earlier one, for a retried request). */
  async commit(room: LiveRoom, line: Omit<NewLine, 'sessionId'>, except?: Peer): Promise<CaptionLine> {
    const { line: stored, fresh } = await this.captions.store({ ...line, sessionId: room.sessionId });
    if (fresh) this.broadcastLine(room, stored, except);
    return stored;
  }

  /* ---- automatic captions ---- */

  private recogniseAll(entry: RoomCaptions): void {
    if (entry.unavailable) return;
    for (const peer of entry.room.peers.values()) for (const producer of peer.producers.values()) if (isFloorMic(producer)) this.recognise(entry, peer, producer);
  }

  private recognise(entry: RoomCaptions, peer: Peer, producer: types.Producer): void {
    const { room } = entry;
    if (!entry.automatic.enabled || entry.unavailable || room.isClosed || !isFloorMic(producer) || entry.recognisers.has(producer.id)) return;
    if (entry.recognisers.size >= MAX_RECOGNISERS_PER_ROOM) {
      this.logger.warn({ roomId: room.roomId, producerId: producer.id }, 'too many microphones to caption automatically; this one is left out');
      return;
    }
    const language = entry.automatic.language;
    const key = peer.id;
    const partial = (text: string) => this.broadcastPartial(room, { key, language, text, speaker: peer.displayName, source: 'automatic', group: room.groupOf(peer.userId) });
    const recogniser = new SpeakerRecogniser(
      room.router,
      producer,
      this.provider,
      language,
      {
        onPartial: partial,
        onFinal: (u) =>
          void this.captions
            .sessionStart(room.sessionId)
            .then((start) =>
              this.commit(room, {
                language,
                text: u.text,
                speaker: peer.displayName,
                authorId: null,
                source: 'automatic',
                group: room.groupOf(peer.userId),
                ...spokenCue(u.startWall, u.endWall, start),
              }),
            )
            .then(() => partial(''))
            .catch((err: unknown) => this.logger.error({ err, roomId: room.roomId }, 'could not keep an automatic caption')),
        onEnded: (reason) => {
          if (entry.recognisers.get(producer.id) === recogniser) entry.recognisers.delete(producer.id);
          this.logger.debug({ roomId: room.roomId, producerId: producer.id, reason }, 'automatic captions of a microphone ended');
        },
      },
      this.logger,
    );
    entry.recognisers.set(producer.id, recogniser);
    recogniser.start().catch((err: unknown) => {
      this.logger.warn({ err, roomId: room.roomId }, 'could not start automatic captions of a microphone');
      recogniser.stop('failed to start');
    });
  }
}
