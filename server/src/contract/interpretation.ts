import { z } from 'zod';

/**
 * Simultaneous interpretation: interpreters assigned to a room publish into language channels; every
 * listener picks the floor (the room as it is) or one channel, heard over the floor at the volume they
 * choose. The languages offered for channels are a fixed list, broader than the interface languages;
 * `sign` is the sign-language channel (video).
 */
export const CHANNEL_LANGUAGES = ['en', 'zh', 'ar', 'ru', 'es', 'fr', 'pt', 'de', 'it', 'ja', 'ko', 'hi', 'sw', 'sign'] as const;
export type ChannelLanguage = (typeof CHANNEL_LANGUAGES)[number];
/** What a listener hears: the floor alone, or a channel over the floor. */
export type Channel = 'floor' | ChannelLanguage;

const id = z.uuid();
const language = z.enum(CHANNEL_LANGUAGES);

export interface InterpreterAssignment {
  userId: string;
  displayName: string;
  /** Interpreted from (a spoken language). */
  from: ChannelLanguage;
  /** Into; `sign` for a sign-language interpreter. */
  to: ChannelLanguage;
  /** Works both ways (en⇄zh): publishes into `from` too, when the floor speaks `to`. */
  twoWay: boolean;
}

/** One interpreter's stream in a channel. Only the active one of a booth is forwarded. */
export interface ChannelStream {
  producerId: string;
  peerId: string;
  displayName: string;
  kind: 'audio' | 'video';
  /** Forwarded to the channel's listeners right now (the active interpreter of the booth). */
  live: boolean;
}

export interface ChannelInfo {
  channel: ChannelLanguage;
  streams: ChannelStream[];
}

/** Your own choice: kept by the room per person, so it survives a reconnect. */
export interface Listening {
  channel: Channel;
  /** 0..1: how loud the floor stays under a channel (0: muted). Ignored on the floor itself. */
  floorVolume: number;
}

export interface InterpretationState {
  interpreters: InterpreterAssignment[];
  channels: ChannelInfo[];
  listening: Listening;
}

export const DEFAULT_LISTENING: Listening = { channel: 'floor', floorVolume: 0.2 };

export const interpretationCommandSchemas = {
  /** Hosts: makes someone an interpreter of this room for a language pair (replaces their previous pair). */
  'interpretation:assign': z.strictObject({ userId: id, from: language, to: language, twoWay: z.boolean().optional() }),
  'interpretation:unassign': z.strictObject({ userId: id }),
  /** Picks what you hear: the floor, or a channel with the floor under it at `floorVolume`. */
  'interpretation:listen': z.strictObject({
    channel: z.union([z.literal('floor'), language]),
    floorVolume: z.number().min(0).max(1).optional(),
  }),
  /**
   * Within a booth: makes `peerId` (yourself to take over, or your partner to hand over) the live
   * interpreter of the channel. The incoming stream is forwarded before the outgoing one is paused.
   */
  'interpretation:hand-over': z.strictObject({ channel: language, peerId: id }),
} as const;

export interface InterpretationResults {
  'interpretation:assign': { interpreters: InterpreterAssignment[] };
  'interpretation:unassign': { interpreters: InterpreterAssignment[] };
  /** `streams`: what to consume now for the chosen channel (empty on the floor). */
  'interpretation:listen': Listening & { streams: ChannelStream[] };
  'interpretation:hand-over': { channel: ChannelLanguage; live: string };
}

export interface InterpretationEvents {
  /** To everyone in the room: interpreters and channel streams changed (assignment, publish, hand-over). */
  'interpretation:changed': (e: { interpreters: InterpreterAssignment[]; channels: ChannelInfo[] }) => void;
}
