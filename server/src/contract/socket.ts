import { z } from 'zod';
import { type BreakoutEvents, type BreakoutResults, type BreakoutState, breakoutCommandSchemas } from './breakouts';
import { type CaptionsEvents, type CaptionsResults, captionsCommandSchemas } from './captions';
import { type EngagementEvents, type EngagementResults, engagementCommandSchemas } from './engagement';
import { type GovernanceEvents, type GovernanceResults, governanceCommandSchemas } from './governance';
import { CHANNEL_LANGUAGES, type InterpretationEvents, type InterpretationResults, type InterpretationState, interpretationCommandSchemas } from './interpretation';
import type { Ack } from './errors';
import { type RecordingEvents, type RecordingResults, type RoomRecording, recordingCommandSchemas } from './recordings';
import type { RoomRole } from './rest';
import { plainText } from './text';
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
    /** Ignored: people appear under their account name. Kept so older clients that send it still join. */
    displayName: plainText(1, 80).optional(),
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
    /** An interpreter's stream into a language channel (the microphone, or the camera for `sign`). */
    channel: z.enum(CHANNEL_LANGUAGES).optional(),
  }),
  'media:consume': z.strictObject({ transportId: id, producerId: id, rtpCapabilities: RtpCapabilities }),
  'media:resume-consumer': z.strictObject({ consumerId: id }),
  /** Simulcast/SVC layer wanted for a consumer, chosen from the tile size the viewer shows it at. */
  'media:set-preferred-layers': z.strictObject({ consumerId: id, spatialLayer: z.int().min(0).max(3), temporalLayer: z.int().min(0).max(3).optional() }),
  'media:pause-producer': z.strictObject({ producerId: id }),
  'media:resume-producer': z.strictObject({ producerId: id }),
  'media:close-producer': z.strictObject({ producerId: id }),

  /* stage and moderation */
  'stage:raise-hand': z.strictObject({}),
  /** Lower your own hand, or (hosts) someone else's. */
  'stage:lower-hand': z.strictObject({ peerId: id.optional() }),
  /**
   * Invites an attendee on stage as a panelist. Nobody is put on the air without asking: they become a
   * panelist only when they accept (`stage:respond`), after checking their camera and microphone.
   */
  'stage:promote': z.strictObject({ peerId: id }),
  /** Back to attendee (their producers are closed), or a pending invitation withdrawn. */
  'stage:demote': z.strictObject({ peerId: id }),
  /** An attendee's answer to an invitation on stage. */
  'stage:respond': z.strictObject({ accept: z.boolean() }),
  /** A panelist goes back to the audience by themselves; their producers are closed. */
  'stage:step-down': z.strictObject({}),
  'participant:set-role': z.strictObject({ peerId: id, role: z.enum(['co-host', 'panelist', 'attendee']) }),
  /** Server-side mute: pauses the mic, or stops the camera. */
  'participant:mute': z.strictObject({ peerId: id, source: z.enum(['mic', 'camera']) }),
  'participant:mute-all': z.strictObject({}),
  /** Out of the room, and kept out for the rest of this session. */
  'participant:remove': z.strictObject({ peerId: id }),
  'room:set-options': z
    .strictObject({ locked: z.boolean(), lobby: z.boolean(), allowSelfUnmute: z.boolean() })
    .partial()
    .refine((o) => Object.keys(o).length > 0, { message: 'nothing to change' }),
  /** End the session for everyone. */
  'room:end': z.strictObject({}),
  'lobby:admit': z.union([z.strictObject({ userIds: z.array(id).min(1).max(500) }), z.strictObject({ all: z.literal(true) })]),
  'lobby:deny': z.strictObject({ userId: id }),

  ...engagementCommandSchemas,
  ...governanceCommandSchemas,
  ...breakoutCommandSchemas,
  ...interpretationCommandSchemas,
  ...captionsCommandSchemas,
  ...recordingCommandSchemas,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandPayload<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;
export type ParsedCommandPayload<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;

export interface RoomJoined {
  roomId: string;
  sessionId: string;
  peerId: string;
  /** Your account (a guest pass has one too). */
  userId: string;
  displayName: string;
  role: PeerInfo['role'];
  mode: 'meeting' | 'webinar';
  options: RoomOptions;
  handRaised: boolean;
  /** You came in with a guest pass (no account): an attendee of this one room only. */
  guest: boolean;
  /** A pending invitation on stage for you (the role you would get), if any. */
  stageInvitation: StageInvitation | null;
  /** Everyone in, including webinar attendees who are not listed in `peers`. */
  participants: number;
  routerRtpCapabilities: RtpCapabilities;
  iceServers: IceServer[];
  /** Everyone else already in the room, with what they publish. */
  peers: PeerInfo[];
  /** The breakout round under way, as you see it (your group, if any); null when there is none. */
  breakout: BreakoutState | null;
  /** Interpreters, their channels, and the channel you listen to (kept from your last visit in this session). */
  interpretation: InterpretationState;
  /** Whether the room records now (everyone is told on joining), and whether it can. */
  recording: RoomRecording;
}

export interface CommandResults extends EngagementResults, GovernanceResults, BreakoutResults, InterpretationResults, CaptionsResults, RecordingResults {
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
  'stage:raise-hand': { position: number };
  'stage:lower-hand': { lowered: boolean };
  /** `invited`: an invitation is now pending (the role is unchanged until they accept). */
  'stage:promote': { role: RoomRole; invited: boolean };
  'stage:demote': { role: RoomRole };
  'stage:respond': { role: RoomRole };
  'stage:step-down': { role: RoomRole };
  'participant:set-role': { role: RoomRole };
  'participant:mute': { muted: boolean };
  'participant:mute-all': { muted: number };
  'participant:remove': { removed: true };
  'room:set-options': RoomOptions;
  'room:end': { ended: true };
  'lobby:admit': { admitted: number };
  'lobby:deny': { denied: boolean };
}


export interface RoomOptions {
  locked: boolean;
  lobby: boolean;
  /** After a host mute, whether people may turn their mic back on themselves. */
  allowSelfUnmute: boolean;
}

export interface HandRaise {
  peerId: string;
  displayName: string;
  raisedAt: string;
}

/** An invitation on stage waiting for the person's answer. */
export interface StageInvitation {
  peerId: string;
  displayName: string;
  guest: boolean;
  role: RoomRole;
  invitedAt: string;
}

export interface LobbyEntry {
  userId: string;
  displayName: string;
  guest: boolean;
  since: string;
}

export interface ServerEvents extends EngagementEvents, GovernanceEvents, BreakoutEvents, InterpretationEvents, CaptionsEvents, RecordingEvents {
  'org:member-online': (e: { organizationId: string; userId: string }) => void;
  'org:member-offline': (e: { organizationId: string; userId: string }) => void;
  'org:changed': (e: { organizationId: string; what: 'members' | 'institutions' | 'invitations' }) => void;
  /** The server is going away (deploy, restart); reconnect after `retryInMs`. */
  'server:draining': (e: { retryInMs: number }) => void;
  /**
   * On connecting and every 10 s; nothing to do. socket.io resumes a dropped connection from the last
   * event the client received, and forgets sent events after 30 s: this keeps that event recent, so a
   * client that drops in a quiet room (or before any other event) still comes back as itself.
   */
  'server:tick': (e: { at: number }) => void;

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
  /** Role or hand changed; in webinars attendees only hear about people on stage. */
  'peer:updated': (e: { peerId: string; role: RoomRole; handRaised: boolean }) => void;
  /** To you: a host invites you on stage (or `null`: the invitation was withdrawn or answered). */
  'stage:invitation': (e: { invitation: StageInvitation | null }) => void;
  /** To hosts and co-hosts: invitations on stage waiting for an answer, oldest first. */
  'stage:invitations': (e: { pending: StageInvitation[] }) => void;
  /** To hosts and co-hosts: raised hands, oldest first. */
  'hand:queue': (e: { queue: HandRaise[] }) => void;
  /** To everyone: how many people are in (webinar attendees are counted, not listed). */
  'room:count': (e: { participants: number }) => void;
  'room:options': (e: RoomOptions) => void;
  /** To you: a host muted your mic or stopped your camera. */
  'moderation:muted': (e: { source: 'mic' | 'camera' }) => void;
  /** To you: you are out of the room (removed by a host, or the session ended). */
  'room:removed': (e: { roomId: string; reason: 'removed' | 'ended' }) => void;
  /** To hosts and co-hosts: who waits in the lobby. */
  'lobby:queue': (e: { waiting: LobbyEntry[] }) => void;
  /** To a waiting person: join again now (room:join succeeds), or go away. */
  'lobby:admitted': (e: { roomId: string }) => void;
  'lobby:denied': (e: { roomId: string }) => void;
  /**
   * The room's media server was replaced: its process failed (`worker-died`), or the node that owned
   * the room stopped or died (`owner-lost`). Every transport, producer and consumer is gone; send
   * room:join again and set media up anew (another node takes the room and continues its session).
   */
  'room:media-reset': (e: { roomId: string; reason: 'worker-died' | 'owner-lost' | 'edge-lost' }) => void;
}

export type ClientEvents = {
  [C in CommandName]: (payload: CommandPayload<C>, ack: (res: Ack<CommandResults[C]>) => void) => void;
};

/**
 * Handshake `auth` object: an account's access token, or a guest pass (`guestToken`) that opens one
 * public webinar as an attendee and nothing else.
 */
export interface HandshakeAuth {
  token?: string;
  guestToken?: string;
  protocol: number;
}
