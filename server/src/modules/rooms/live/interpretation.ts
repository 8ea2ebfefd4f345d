import type { Channel, ChannelLanguage, ErrorCode, InterpreterAssignment } from '../../../contract';

/**
 * The rules of simultaneous interpretation, free of media: which language pairs make sense, into
 * which channels an interpreter may publish, who receives a channel's streams, and how a booth hands
 * the microphone from one interpreter to the other without a gap.
 */

/** Why a pair is refused, or null when it is fine. Sign language is a target only, and one-way. */
export function pairProblem(from: ChannelLanguage, to: ChannelLanguage, twoWay: boolean): ErrorCode | null {
  if (from === to) return 'INVALID_LANGUAGE_PAIR';
  if (from === 'sign') return 'INVALID_LANGUAGE_PAIR';
  if (to === 'sign' && twoWay) return 'INVALID_LANGUAGE_PAIR';
  return null;
}

/** The channels an interpreter publishes into: the target, and for a two-way pair the source as well. */
export const outputsOf = (a: Pick<InterpreterAssignment, 'from' | 'to' | 'twoWay'>): ChannelLanguage[] =>
  a.twoWay ? [a.to, a.from] : [a.to];

/**
 * Whether this interpreter may publish a stream of `kind` into `channel`: assigned, the channel is one
 * of their outputs, and the sign channel carries video while spoken ones carry audio.
 */
export function publishProblem(a: InterpreterAssignment | undefined, channel: ChannelLanguage, kind: 'audio' | 'video'): ErrorCode | null {
  if (!a || !outputsOf(a).includes(channel)) return 'NOT_INTERPRETER';
  if ((channel === 'sign') !== (kind === 'video')) return 'INVALID_PAYLOAD';
  return null;
}

/**
 * Whether a listener receives a stream: the floor (no channel) goes to everyone, a channel's streams
 * only to those who chose that channel. Nobody receives a channel they did not pick.
 */
export const receives = (listening: Channel, streamChannel: ChannelLanguage | undefined): boolean =>
  streamChannel === undefined || streamChannel === listening;

/**
 * What a change of channel (`from` → `to`) does to a listener's consumer of a stream of
 * `streamChannel`: the floor's stay as they are; the chosen channel's are resumed if they were held;
 * the channel being left is held (paused: the server sends nothing, and going back is one resume
 * instead of a new consumer, which is how people flip between the floor and their language); any
 * other channel's are closed.
 */
export function onChannelSwitch(
  from: Channel,
  to: Channel,
  streamChannel: ChannelLanguage | undefined,
): 'keep' | 'resume' | 'hold' | 'close' {
  if (streamChannel === undefined) return 'keep';
  if (streamChannel === to) return 'resume';
  if (streamChannel === from) return 'hold';
  return 'close';
}

/** One interpreter's stream in a booth (a channel), in the order they started. */
export interface BoothStream {
  producerId: string;
  peerId: string;
}

/**
 * The live stream of a booth after `streams` changed: the current one while it is still there, else
 * the earliest remaining (the partner carries on when the live interpreter drops), else none.
 */
export function liveOf(streams: readonly BoothStream[], current: string | undefined): string | undefined {
  if (current && streams.some((s) => s.producerId === current)) return current;
  return streams[0]?.producerId;
}

export type HandOverPlan = { ok: true; resume: string; pause: string[] } | { ok: false; code: ErrorCode };

/**
 * Hand-over within a booth: the incoming interpreter's stream is resumed first, then (once it is
 * live) every other stream of the booth is paused, so listeners never hear silence in between.
 */
export function handOverPlan(streams: readonly BoothStream[], toPeerId: string): HandOverPlan {
  const incoming = streams.find((s) => s.peerId === toPeerId);
  if (!incoming) return { ok: false, code: 'PARTNER_NOT_LIVE' };
  return { ok: true, resume: incoming.producerId, pause: streams.filter((s) => s !== incoming).map((s) => s.producerId) };
}
