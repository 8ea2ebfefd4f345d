import { z } from 'zod';
import { type EngagementEvents, type EngagementResults, engagementCommandSchemas } from './engagement';
import type { Ack } from './errors';
import {
  type ConsumerInfo,
  DtlsParameters,
  type IceServer,
  MEDIA_SOURCES,
  type PeerInfo,
  type ProducerInfo,
  RtpCapabilities,
  RtpParameters,
  SctpCapabilities,
  type TransportInfo,
} from './media';

/**
 * The socket contract. Each client→server command has one zod schema for its payload and one result
 * type; the server validates every payload with the same schema the client is typed from. Server→client
 * events are facts in the past tense.
 */

/** Present on every command that changes state, so a retried command never applies twice. */
export const clientRequestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

const id = z.uuid();

export const commandSchemas = {
  'session:ping': z.strictObject({ at: z.number().finite().optional() }),
  'org:watch': z.strictObject({ organizationId: id }),
  'org:unwatch': z.strictObject({ organizationId: id }),

  /** Enter a room (leaving any other room this socket is in). */
  'room:join': z.strictObject({
    roomId: id,
    displayName: z.string().trim().min(1).max(80).optional(),
    inviteToken: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional(),
  }),
  'room:leave': z.strictObject({}),
  'media:create-transport': z.strictObject({ direction: z.enum(['send', 'recv']), sctpCapabilities: SctpCapabilities.optional() }),
  'media:connect-transport': z.strictObject({ transportId: id, dtlsParameters: DtlsParameters }),
  'media:restart-ice': z.strictObject({ transportId: id }),
  'media:produce': z.strictObject({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters: RtpParameters,
    source: z.enum(MEDIA_SOURCES),
    paused: z.boolean().optional(),
  }),
  'media:consume': z.strictObject({ transportId: id, producerId: id, rtpCapabilities: RtpCapabilities }),
  'media:resume-consumer': z.strictObject({ consumerId: id }),
  /** Simulcast/SVC layer wanted for a consumer, chosen from the tile size the viewer shows it at. */
  'media:set-preferred-layers': z.strictObject({ consumerId: id, spatialLayer: z.int().min(0).max(3), temporalLayer: z.int().min(0).max(3).optional() }),
  'media:pause-producer': z.strictObject({ producerId: id }),
  'media:resume-producer': z.strictObject({ producerId: id }),
  'media:close-producer': z.strictObject({ producerId: id }),

  ...engagementCommandSchemas,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandPayload<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;
export type ParsedCommandPayload<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;

export interface RoomJoined {
  roomId: string;
  sessionId: string;
  peerId: string;
  displayName: string;
  role: PeerInfo['role'];
  mode: 'meeting' | 'webinar';
  routerRtpCapabilities: RtpCapabilities;
  iceServers: IceServer[];
  /** Everyone else already in the room, with what they publish. */
  peers: PeerInfo[];
}

export interface CommandResults extends EngagementResults {
  'session:ping': { serverTime: number; userId: string };
  'org:watch': { organizationId: string; online: string[] };
  'org:unwatch': { organizationId: string };
  'room:join': RoomJoined;
  'room:leave': { left: boolean };
  'media:create-transport': TransportInfo;
  'media:connect-transport': { connected: true };
  'media:restart-ice': { iceParameters: TransportInfo['iceParameters'] };
  'media:produce': { producerId: string };
  'media:consume': ConsumerInfo;
  'media:resume-consumer': { resumed: true };
  'media:set-preferred-layers': { spatialLayer: number; temporalLayer: number | null };
  'media:pause-producer': { paused: true };
  'media:resume-producer': { paused: false };
  'media:close-producer': { closed: true };
}

export interface ServerEvents extends EngagementEvents {
  'org:member-online': (e: { organizationId: string; userId: string }) => void;
  'org:member-offline': (e: { organizationId: string; userId: string }) => void;
  'org:changed': (e: { organizationId: string; what: 'members' | 'institutions' | 'invitations' }) => void;
  /** The server is going away (deploy, restart); reconnect after `retryInMs`. */
  'server:draining': (e: { retryInMs: number }) => void;

  'peer:joined': (e: PeerInfo) => void;
  'peer:left': (e: { peerId: string }) => void;
  'producer:added': (e: ProducerInfo & { peerId: string }) => void;
  'producer:closed': (e: { peerId: string; producerId: string }) => void;
  'producer:paused': (e: { peerId: string; producerId: string }) => void;
  'producer:resumed': (e: { peerId: string; producerId: string }) => void;
  /** The server closed one of your consumers (its producer went away). */
  'consumer:closed': (e: { consumerId: string; producerId: string }) => void;
  /** Volatile: transmission quality 0..10 of what you receive and what the sender sends. */
  'consumer:score': (e: { consumerId: string; score: number; producerScore: number }) => void;
  /** Volatile: quality of what you send, 0..10. */
  'producer:score': (e: { producerId: string; score: number }) => void;
  'speaker:active': (e: { peerId: string | null }) => void;
  /** Volatile, several times a second while anyone speaks. volume in dBov, -127..0. */
  'audio:levels': (e: { levels: { peerId: string; volume: number }[] }) => void;
  /**
   * The room's media server was replaced (its process failed). Every transport, producer and consumer
   * is gone; send room:join again and set media up anew.
   */
  'room:media-reset': (e: { roomId: string; reason: 'worker-died' }) => void;
}

export type ClientEvents = {
  [C in CommandName]: (payload: CommandPayload<C>, ack: (res: Ack<CommandResults[C]>) => void) => void;
};

/** Handshake `auth` object. */
export interface HandshakeAuth {
  token: string;
  protocol: number;
}
