import { z } from 'zod';
import type { RoomRole } from './rest';

/**
 * Shapes of the mediasoup objects that travel through signalling. They are validated for structure
 * and size here; mediasoup checks their meaning (codecs, payload types) and its refusal becomes
 * UNSUPPORTED_MEDIA. Unknown keys are kept: mediasoup-client may send fields a newer version added.
 */
const short = z.string().max(256);
const int = z.int().min(0).max(2 ** 32 - 1);
const params = z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])).refine((r) => Object.keys(r).length <= 32);

const rtcpFeedback = z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() });

const codec = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[\w.-]{1,32}$/),
  payloadType: z.int().min(0).max(127),
  clockRate: int,
  channels: z.int().min(1).max(8).optional(),
  parameters: params.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
});

const headerExtension = z.looseObject({
  uri: short,
  id: z.int().min(1).max(255),
  encrypt: z.boolean().optional(),
  parameters: params.optional(),
});

const encoding = z.looseObject({
  ssrc: int.optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: z.int().min(0).max(127).optional(),
  rtx: z.looseObject({ ssrc: int }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().min(1).max(64).optional(),
  maxBitrate: int.optional(),
  active: z.boolean().optional(),
});

export const RtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(codec).min(1).max(16),
  headerExtensions: z.array(headerExtension).max(32).optional(),
  encodings: z.array(encoding).max(8).optional(),
  rtcp: z.looseObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() }).optional(),
});

const capabilityCodec = z.looseObject({
  kind: z.enum(['audio', 'video']),
  mimeType: z.string().regex(/^(audio|video)\/[\w.-]{1,32}$/),
  preferredPayloadType: z.int().min(0).max(127).optional(),
  clockRate: int,
  channels: z.int().min(1).max(8).optional(),
  parameters: params.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
});

export const RtpCapabilities = z.looseObject({
  codecs: z.array(capabilityCodec).max(64).optional(),
  headerExtensions: z
    .array(z.looseObject({ kind: z.enum(['audio', 'video']), uri: short, preferredId: z.int().min(1).max(255), direction: z.string().max(16).optional() }))
    .max(64)
    .optional(),
});

export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.looseObject({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().regex(/^[0-9A-Fa-f:]{1,200}$/) }))
    .min(1)
    .max(8),
});

export const SctpCapabilities = z.looseObject({ numStreams: z.looseObject({ OS: z.int().min(1).max(65535), MIS: z.int().min(1).max(65535) }) });

export type RtpParameters = z.infer<typeof RtpParameters>;
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const MEDIA_SOURCES = ['mic', 'camera', 'screen', 'screen-audio'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** What the server sends to set up a WebRTC transport in the browser (mediasoup-client's TransportOptions). */
export interface TransportInfo {
  transportId: string;
  iceParameters: { usernameFragment: string; password: string; iceLite?: boolean };
  iceCandidates: { foundation: string; priority: number; address: string; ip?: string; protocol: 'udp' | 'tcp'; port: number; type: string; tcpType?: string }[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: unknown;
}

export interface ProducerInfo {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface PeerInfo {
  peerId: string;
  userId: string;
  displayName: string;
  role: RoomRole;
  /** Came in with a guest pass, without an account; hosts see them marked as guests. */
  guest: boolean;
  producers: ProducerInfo[];
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
  type: string;
  producerPaused: boolean;
}
