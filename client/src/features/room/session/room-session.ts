// Over 400 lines on purpose: one media session's state (the join generation, transports, producers,
// consumers, stage) is read and written by joining, reconnecting and every server event; it is kept in
// one class until that state is its own object. Types, capture and diagnostics could move out first.
import type {
  BreakoutState,
  Channel,
  ChannelInfo,
  ChannelLanguage,
  InterpreterAssignment,
  Listening,
  CommandPayload,
  ErrorCode,
  HandRaise,
  StageInvitation,
  IceServer,
  LobbyEntry,
  MediaSource as Source,
  PeerInfo,
  ProducerInfo,
  RoomJoined,
  RoomOptions,
  RoomRole,
  ServerEvents,
  TransportInfo,
} from '@contract';
import { Device, type types } from 'mediasoup-client';
import { ApiError, asApiError } from '../../../lib/api';
import { REFUSALS, rejoinDelayMs } from '../../../lib/reconnect';
import { connectSocket, emitCommand, type QuorumSocket } from '../../../lib/socket';
import { keepJson, readKeptJson } from '../../../lib/storage';

/**
 * A live room in the browser: mediasoup-client's Device, one send and one receive transport wired to
 * the socket commands, local producers and remote consumers, kept alive through ICE trouble, socket
 * reconnects and media server restarts. No React here: components read `snapshot()` through
 * `subscribe()`.
 */

export type { Source };

/** A remote producer as this browser sees it: known from signalling, then consumed. */
export interface RemoteMedia {
  producerId: string;
  kind: 'audio' | 'video';
  source: Source;
  /** The sender paused it (a muted microphone). */
  paused: boolean;
  consumerId: string | null;
  track: MediaStreamTrack | null;
  /** The consumer has simulcast layers to choose from. */
  layered: boolean;
  /** Quality 0..10 of what reaches this browser (the worse of sender and receiver side). */
  score: number | null;
}

export interface RemotePeer {
  peerId: string;
  userId: string;
  displayName: string;
  role: RoomRole;
  /** Came in with a guest pass (no account). */
  guest: boolean;
  /** Order of arrival, for stable tile order. */
  seq: number;
  media: Partial<Record<Source, RemoteMedia>>;
}

export interface LocalMedia {
  mic: MediaStreamTrack | null;
  micMuted: boolean;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  screenAudio: MediaStreamTrack | null;
  /** Quality 0..10 the server reports for what this browser sends, per source. */
  scores: Partial<Record<Source, number>>;
}

export type RoomStatus = 'idle' | 'joining' | 'joined' | 'reconnecting' | 'left' | 'failed';

export interface DevicePreferences {
  audioInputId?: string | undefined;
  videoInputId?: string | undefined;
  audioOutputId?: string | undefined;
  /** The microphone sent as it is, without the browser's voice processing (music, a mixing desk, tones). */
  originalSound?: boolean | undefined;
}

/** The room beyond its media: options, head count, your hand; raised hands and the lobby for hosts. */
export interface RoomStage {
  /** null until joined. */
  options: RoomOptions | null;
  /** Everyone in, webinar attendees included (they are counted, not listed); null until joined. */
  participants: number | null;
  handRaised: boolean;
  /** Oldest first; hosts and co-hosts only. */
  handQueue: readonly HandRaise[];
  /** Hosts and co-hosts only. */
  lobby: readonly LobbyEntry[];
  /** A host invites you on stage; you have not answered yet. */
  invitation: StageInvitation | null;
  /** Hosts and co-hosts only: invitations on stage waiting for an answer. */
  invitations: readonly StageInvitation[];
  /** The breakout round under way, as this person sees it (their group); null when there is none. */
  breakout: BreakoutState | null;
  /** The latest message a host broadcast to every group, until dismissed. */
  broadcast: { from: string; text: string; at: string } | null;
}

const NO_STAGE: RoomStage = {
  options: null,
  participants: null,
  handRaised: false,
  handQueue: [],
  lobby: [],
  invitation: null,
  invitations: [],
  breakout: null,
  broadcast: null,
};

/** A stream of the chosen interpretation channel, as this browser receives it. */
export interface ChannelMedia {
  producerId: string;
  peerId: string;
  displayName: string;
  channel: ChannelLanguage;
  kind: 'audio' | 'video';
  /** The booth's live interpreter (the partner's stream is held back on the server). */
  live: boolean;
  consumerId: string | null;
  track: MediaStreamTrack | null;
}

export interface RoomInterpretation {
  interpreters: readonly InterpreterAssignment[];
  channels: readonly ChannelInfo[];
  /** What you hear: the server keeps it for you across reconnects. */
  listening: Listening;
  /** Streams of your chosen channel. */
  received: readonly ChannelMedia[];
  /** Your assignment, when you interpret in this room. */
  mine: InterpreterAssignment | null;
  /** The channel you publish into, while you interpret; `live`: your stream is the one forwarded. */
  interpreting: { channel: ChannelLanguage; producerId: string | null; live: boolean } | null;
}

const NO_INTERPRETATION: RoomInterpretation = {
  interpreters: [],
  channels: [],
  listening: { channel: 'floor', floorVolume: 0.2 },
  received: [],
  mine: null,
  interpreting: null,
};
/** The last choice in this browser, shown until the server's (authoritative) one arrives with the join. */
const LISTENING_KEY = 'quorum.listening';

/** Something the server did to this participant that the room view should say. */
export type RoomNotice = { kind: 'muted-by-host'; source: 'mic' | 'camera'; at: number };

export interface RoomSnapshot {
  status: RoomStatus;
  error: ErrorCode | null;
  /** Audio and video cannot connect to the server at all (ICE never succeeded). */
  mediaUnreachable: boolean;
  /** Why the session ended when the server ended it (status 'left'). */
  endedBy: 'removed' | 'ended' | null;
  notice: RoomNotice | null;
  selfPeerId: string | null;
  displayName: string;
  role: RoomRole | null;
  mode: 'meeting' | 'webinar';
  /** In with a guest pass (no account). */
  guest: boolean;
  /** Whether this person may send audio and video (in a webinar, only people on stage). */
  canPublish: boolean;
  peers: readonly RemotePeer[];
  local: LocalMedia;
  activeSpeaker: string | null;
  /** Peers heard above the speaking threshold in the last audio level report. */
  speaking: ReadonlySet<string>;
  devices: DevicePreferences;
  stage: RoomStage;
  interpretation: RoomInterpretation;
}

export interface RoomSessionOptions {
  roomId: string;
  displayName?: string | undefined;
  inviteToken?: string | undefined;
  mic: MediaStreamTrack | null;
  micMuted: boolean;
  camera: MediaStreamTrack | null;
  devices: DevicePreferences;
}

/** One row per received RTP stream, attributed to its peer and source (tests and diagnostics). */
export interface InboundStat {
  peerId: string;
  source: Source;
  /** A stream of an interpretation channel (absent for the floor). */
  channel?: ChannelLanguage;
  kind: 'audio' | 'video';
  consumerId: string;
  packetsReceived: number;
  bytesReceived: number;
  framesDecoded: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
}

/* ---------- capture ---------- */

export const CAMERA_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 24, max: 30 },
};

/**
 * Voice processing (echo cancellation, noise suppression, automatic gain) suits a voice in a room, and
 * fades out what is steady (music, a tone) and flattens what is deliberate: "original sound" turns all
 * three off. An interpreter's booth microphone is always sent as it is (interpreters wear headsets).
 */
export const micConstraints = (originalSound: boolean): MediaTrackConstraints => ({
  echoCancellation: !originalSound,
  noiseSuppression: !originalSound,
  autoGainControl: !originalSound,
});

const withDevice = (base: MediaTrackConstraints, deviceId: string | undefined): MediaTrackConstraints =>
  deviceId ? { ...base, deviceId: { exact: deviceId } } : base;

/**
 * A point on the way into the room, on the page's performance timeline (`quorum:joined`,
 * `quorum:recv-connected`…): where the time between pressing Join and seeing someone goes. Only the
 * first of each name counts.
 */
function mark(name: string): void {
  const full = `quorum:${name}`;
  if (typeof performance !== 'undefined' && performance.getEntriesByName(full).length === 0) performance.mark(full);
}

export async function captureMic(deviceId?: string, originalSound = false): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: withDevice(micConstraints(originalSound), deviceId) });
  return stream.getAudioTracks()[0]!;
}

export async function captureCamera(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: withDevice(CAMERA_CONSTRAINTS, deviceId) });
  return stream.getVideoTracks()[0]!;
}

export const canChooseSpeaker = (): boolean => typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * Camera simulcast: three resolutions, each with three temporal layers, so the server can give every
 * viewer what their tile size and bandwidth need.
 */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
];
const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [{ maxBitrate: 2_500_000, scalabilityMode: 'L1T3' }];

/** Above this level (dBov) someone counts as speaking. */
const SPEAKING_DBOV = -55;
/** ICE that does not come back within this time gets a fresh join. */
const ICE_RECOVERY_MS = 8_000;
/** A first connection that takes longer than this means media cannot get through: the page says so. */
const ICE_FIRST_CONNECT_MS = 10_000;
/** How long publishing waits, on joining, for the streams already in the room to be set up. */
const RECEIVE_FIRST_MS = 1_500;
/** A 'disconnected' transport often recovers by itself; restart ICE only if it does not. */
const ICE_DISCONNECTED_GRACE_MS = 2_000;

class Superseded extends Error {
  constructor() {
    super('superseded by a newer connection attempt');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mediasoup-client refuses browsers without the WebRTC features it needs. */
const isUnsupported = (e: unknown) => e instanceof Error && (e.name === 'UnsupportedError' || e.name === 'InvalidStateError');

interface ProducerData extends types.AppData {
  source: Source;
  paused: boolean;
  channel?: ChannelLanguage;
}

type ServerHandlers = { [E in keyof ServerEvents]?: ServerEvents[E] };

export class RoomSession {
  readonly roomId: string;
  private readonly inviteToken: string | undefined;
  private readonly wantedName: string | undefined;

  private status: RoomStatus = 'idle';
  private error: ErrorCode | null = null;
  private endedBy: RoomSnapshot['endedBy'] = null;
  private notice: RoomNotice | null = null;
  /** No media transport has ever connected, long after trying: the server's media address is out of reach. */
  private mediaUnreachable = false;
  private mediaConnected = false;
  private stage: RoomStage = NO_STAGE;
  private selfPeerId: string | null = null;
  private displayName = '';
  private role: RoomRole | null = null;
  private mode: 'meeting' | 'webinar' = 'meeting';
  private guest = false;
  private peers = new Map<string, RemotePeer>();
  private seq = 0;
  private activeSpeaker: string | null = null;
  private speaking: ReadonlySet<string> = new Set();
  private devices: DevicePreferences;

  private tracks: {
    mic: MediaStreamTrack | null;
    camera: MediaStreamTrack | null;
    screen: MediaStreamTrack | null;
    'screen-audio': MediaStreamTrack | null;
  };
  private micMuted: boolean;
  private sendScores: Partial<Record<Source, number>> = {};

  /** Bumped by every (re)connection and by leaving; async work of an older generation stops. */
  private gen = 0;
  private device: Device | null = null;
  private iceServers: IceServer[] = [];
  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  /** Transports asked for on entry, while the device loads; taken by `createTransport` of the same generation. */
  private requested: { gen: number; recv: Promise<TransportInfo> | null; send: Promise<TransportInfo> | null } | null = null;
  private readonly producers = new Map<Source, types.Producer>();
  private readonly producing = new Map<Source, Promise<void>>();
  private readonly consumers = new Map<string, { consumer: types.Consumer; peerId: string; source: Source }>();
  private readonly consuming = new Set<string>();
  /** Objects that went away while a command about them was in flight. */
  private departedPeers = new Set<string>();
  private closedProducers = new Set<string>();
  private closedConsumers = new Set<string>();
  private readonly preferredLayers = new Map<string, number>();
  private readonly iceTimers = new Map<string, { restart?: ReturnType<typeof setTimeout>; rejoin: ReturnType<typeof setTimeout> }>();

  private socket: QuorumSocket | null = null;
  /** The socket dropped while in the room and has not come back yet. */
  private signallingLost = false;
  /** A full rejoin is under way (transports torn down). */
  private rejoining = false;
  private handlers: ServerHandlers = {};
  private readonly listeners = new Set<() => void>();
  private snap: RoomSnapshot;

  private selfUserId: string | null = null;
  private interp: Omit<RoomInterpretation, 'received' | 'mine' | 'interpreting'> = { ...NO_INTERPRETATION, listening: storedListening() };
  /** Consumers of channel streams, by producer id. */
  private readonly channelMedia = new Map<string, ChannelMedia & { consumer: types.Consumer | null }>();
  /**
   * Consumers of the channel last left, by producer id: paused here and on the server, so going back
   * to it (the usual flip between the floor and one's language) is a resume, not a new consumer.
   */
  private readonly heldChannelMedia = new Map<string, ChannelMedia & { consumer: types.Consumer | null }>();
  /** The channel this person interprets into (kept through reconnects), its track and producer. */
  private interpreting: { channel: ChannelLanguage; track: MediaStreamTrack; producer: types.Producer | null } | null = null;

  constructor(options: RoomSessionOptions) {
    this.roomId = options.roomId;
    this.inviteToken = options.inviteToken;
    this.wantedName = options.displayName;
    this.displayName = options.displayName ?? '';
    this.tracks = { mic: options.mic, camera: options.camera, screen: null, 'screen-audio': null };
    this.micMuted = options.micMuted;
    this.devices = { ...options.devices };
    this.watchTrack('mic', options.mic);
    this.watchTrack('camera', options.camera);
    this.snap = this.build();
  }

  /* ---------- reading ---------- */

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): RoomSnapshot => this.snap;

  private changed(): void {
    this.snap = this.build();
    for (const l of this.listeners) l();
  }

  private build(): RoomSnapshot {
    return {
      status: this.status,
      error: this.error,
      mediaUnreachable: this.mediaUnreachable,
      endedBy: this.endedBy,
      notice: this.notice,
      selfPeerId: this.selfPeerId,
      displayName: this.displayName,
      role: this.role,
      mode: this.mode,
      guest: this.guest,
      canPublish: this.canPublish(),
      peers: [...this.peers.values()].sort((a, b) => a.seq - b.seq).map((p) => ({ ...p, media: { ...p.media } })),
      local: {
        mic: this.tracks.mic,
        micMuted: this.micMuted || !this.tracks.mic,
        camera: this.tracks.camera,
        screen: this.tracks.screen,
        screenAudio: this.tracks['screen-audio'],
        scores: { ...this.sendScores },
      },
      activeSpeaker: this.activeSpeaker,
      speaking: this.speaking,
      devices: { ...this.devices },
      stage: this.stage,
      interpretation: this.interpretationSnapshot(),
    };
  }

  private interpretationSnapshot(): RoomInterpretation {
    const mine = this.interp.interpreters.find((a) => a.userId === this.selfUserId) ?? null;
    const own = this.interpreting;
    const producerId = own?.producer?.id ?? null;
    const live = producerId !== null && this.interp.channels.some((c) => c.streams.some((s) => s.producerId === producerId && s.live));
    return {
      ...this.interp,
      received: [...this.channelMedia.values()].map(({ consumer: _consumer, ...m }) => ({ ...m })),
      mine,
      interpreting: own ? { channel: own.channel, producerId, live } : null,
    };
  }

  /* ---------- joining and leaving ---------- */

  /**
   * First entry. Resolves once seated (media then comes up on its own, reconnecting on failure);
   * rejects with the server's refusal (ROOM_FULL, FORBIDDEN…), leaving local tracks untouched.
   */
  async join(): Promise<void> {
    if (this.status !== 'idle') throw new Error('join() is called once; the session reconnects by itself');
    this.status = 'joining';
    this.changed();
    this.attach();
    const gen = ++this.gen;
    try {
      await this.enter(gen);
    } catch (e) {
      this.detach();
      // Seated, but this browser cannot do WebRTC with the room (no Device): give the seat back.
      if (this.selfPeerId) void emitCommand('room:leave', {}, 3_000).catch(() => undefined);
      const error = isUnsupported(e) ? new ApiError('UNSUPPORTED_MEDIA', (e as Error).message) : e;
      this.status = 'failed';
      this.error = asApiError(error).code;
      this.changed();
      throw error;
    }
    // The room is shown as soon as the seat is taken; transports and streams follow in the background.
    void this.setUpMedia(gen).catch((e: unknown) => {
      if (!(e instanceof Superseded)) void this.reconnect('setup-failed');
    });
  }

  /** Leaves for good: closes transports, stops every local track. */
  async leave(): Promise<void> {
    if (this.status === 'left') return;
    const wasInRoom = this.status !== 'idle' && this.status !== 'failed';
    this.gen++;
    // Tell the room first: the others see the tile go while this tab is still closing its media.
    const told = wasInRoom ? emitCommand('room:leave', {}, 3_000).catch(() => undefined) : Promise.resolve();
    this.teardown();
    this.detach();
    for (const track of Object.values(this.tracks)) track?.stop();
    this.tracks = { mic: null, camera: null, screen: null, 'screen-audio': null };
    this.interpreting?.track.stop();
    this.interpreting = null;
    this.status = 'left';
    this.peers.clear();
    this.changed();
    await told;
  }

  /** Forgets the session without touching the tracks (a refused first join hands them back). */
  dispose(): void {
    this.gen++;
    this.teardown();
    this.detach();
  }

  private async enter(gen: number): Promise<void> {
    // Hosts hear the hand queue and the lobby just before the join is answered.
    this.stage = NO_STAGE;
    this.peers = new Map();
    this.departedPeers = new Set();
    this.closedProducers = new Set();
    this.closedConsumers = new Set();
    this.activeSpeaker = null;
    this.speaking = new Set();
    const joined: RoomJoined = await emitCommand('room:join', {
      roomId: this.roomId,
      ...(this.wantedName ? { displayName: this.wantedName } : {}),
      ...(this.inviteToken ? { inviteToken: this.inviteToken } : {}),
    });
    if (gen !== this.gen) throw new Superseded();
    mark('joined');
    this.selfPeerId = joined.peerId;
    this.selfUserId = joined.userId;
    this.interp = {
      interpreters: joined.interpretation.interpreters,
      channels: joined.interpretation.channels,
      listening: joined.interpretation.listening,
    };
    rememberListening(joined.interpretation.listening);
    this.displayName = joined.displayName;
    this.role = joined.role;
    this.mode = joined.mode;
    this.guest = joined.guest;
    this.stage = {
      ...this.stage,
      options: joined.options,
      participants: joined.participants,
      handRaised: joined.handRaised,
      invitation: joined.stageInvitation,
      breakout: joined.breakout ?? null,
    };
    this.iceServers = joined.iceServers;
    for (const info of joined.peers) this.addPeer(info);
    this.error = null;
    this.status = 'joined';
    this.changed();
    // The transports are asked for while the device loads: the two take about as long.
    const ask = (direction: 'send' | 'recv') => {
      const info = emitCommand('media:create-transport', { direction });
      info.catch(() => undefined);
      return info;
    };
    this.requested = { gen, recv: ask('recv'), send: ask('send') };
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
    if (gen !== this.gen) throw new Superseded();
    mark('device-loaded');
  }

  private async setUpMedia(gen: number): Promise<void> {
    // Both transports are asked for at once: receiving starts without waiting for the send side.
    const canSend = this.device!.canProduce('audio') || this.device!.canProduce('video');
    const sending = canSend ? this.createTransport('send', gen) : null;
    sending?.catch(() => undefined);
    let recv: types.Transport;
    try {
      recv = await this.createTransport('recv', gen);
    } catch (e) {
      void sending?.then(
        (t) => t.close(),
        () => undefined,
      );
      throw e;
    }
    if (gen !== this.gen) {
      recv.close();
      throw new Superseded();
    }
    this.recvTransport = recv;
    mark('recv-transport');
    const receiving = this.syncConsumers(gen);
    this.syncChannel(gen);
    if (sending) {
      // What the room shows comes first: publishing waits until the streams already there are set up
      // (both negotiate in this browser and on the server at once otherwise), for at most a moment.
      await Promise.race([receiving, new Promise((r) => setTimeout(r, RECEIVE_FIRST_MS))]);
      const send = await sending;
      if (gen !== this.gen) {
        send.close();
        throw new Superseded();
      }
      this.sendTransport = send;
      // A source the server refuses (say, a codec it lacks) must not keep the others off the air.
      await Promise.all((['mic', 'camera', 'screen', 'screen-audio'] as const).map((s) => this.produce(s, gen).catch(() => undefined)));
      if (gen !== this.gen) throw new Superseded();
      // Back in the booth after a reconnect.
      if (this.interpreting) await this.produceChannel(gen).catch(() => undefined);
    }
  }

  /** Drops every transport (and so every producer and consumer); local tracks stay for the next join. */
  private teardown(): void {
    for (const timers of this.iceTimers.values()) {
      clearTimeout(timers.restart);
      clearTimeout(timers.rejoin);
    }
    this.iceTimers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.producers.clear();
    this.producing.clear();
    this.consumers.clear();
    this.consuming.clear();
    this.channelMedia.clear();
    this.heldChannelMedia.clear();
    if (this.interpreting) this.interpreting.producer = null;
    this.preferredLayers.clear();
    this.sendScores = {};
    for (const peer of this.peers.values()) {
      for (const m of Object.values(peer.media)) Object.assign(m, { consumerId: null, track: null, score: null });
    }
  }

  /**
   * Joins again from scratch (new peer id, new transports), keeping the local tracks. Retries with
   * backoff while the failure is temporary; gives up on a refusal.
   */
  private async reconnect(reason: string): Promise<void> {
    if (this.status === 'left' || this.status === 'idle') return;
    const gen = ++this.gen;
    console.info(`[room] reconnecting (${reason})`);
    this.teardown();
    this.rejoining = true;
    this.status = 'reconnecting';
    this.changed();
    if (!this.socket?.connected) {
      // The socket's 'connect' brings us back.
      this.signallingLost = true;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.enter(gen);
        await this.setUpMedia(gen);
        if (gen === this.gen) this.rejoining = false;
        return;
      } catch (e) {
        if (e instanceof Superseded || gen !== this.gen) return;
        const code = asApiError(e).code;
        if (REFUSALS.has(code)) {
          this.teardown();
          this.status = 'failed';
          this.error = code;
          this.changed();
          return;
        }
        console.warn('[room] reconnection attempt failed', e);
        this.teardown();
        await sleep(rejoinDelayMs(attempt));
        if (gen !== this.gen) return;
        if (!this.socket?.connected) {
          this.signallingLost = true;
          return;
        }
      }
    }
  }

  /* ---------- transports ---------- */

  private async createTransport(direction: 'send' | 'recv', gen: number): Promise<types.Transport> {
    const asked = this.requested?.gen === gen ? this.requested[direction] : null;
    if (asked) this.requested![direction] = null;
    const info: TransportInfo = await (asked ?? emitCommand('media:create-transport', { direction }));
    if (gen !== this.gen || !this.device) throw new Superseded();
    const options: types.TransportOptions = {
      id: info.transportId,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
      iceServers: this.iceServers as RTCIceServer[],
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      const connecting = emitCommand('media:connect-transport', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as CommandPayload<'media:connect-transport'>['dtlsParameters'],
      });
      if (direction === 'send') return void connecting.then(() => done(), fail);
      // Receiving goes on at once: the browser's DTLS handshake starts only after ICE, which takes
      // longer than this message; a refusal is handled as a lost transport.
      done();
      connecting.catch((e: unknown) => {
        console.warn('[room] the media server refused to connect the receive transport', e);
        if (gen === this.gen) void this.reconnect('setup-failed');
      });
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      const data = appData as ProducerData;
      emitCommand('media:produce', {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as CommandPayload<'media:produce'>['rtpParameters'],
        source: data.source,
        paused: data.paused,
        ...(data.channel ? { channel: data.channel } : {}),
      }).then(({ producerId }) => done({ id: producerId }), fail);
    });
    transport.on('connectionstatechange', (state) => this.onTransportState(transport, state, gen));
    if (!this.mediaConnected) {
      setTimeout(() => {
        if (!this.mediaConnected && !this.mediaUnreachable && this.status !== 'left' && transport.connectionState !== 'connected') {
          this.mediaUnreachable = true;
          console.warn('[room] media transport did not connect: the media server cannot be reached from this browser');
          this.changed();
        }
      }, ICE_FIRST_CONNECT_MS);
    }
    return transport;
  }

  private onTransportState(transport: types.Transport, state: types.ConnectionState, gen: number): void {
    if (gen !== this.gen) return;
    const timers = this.iceTimers.get(transport.id);
    if (state === 'connecting') mark(`${transport.direction}-connecting`);
    if (state === 'connected') {
      mark(`${transport.direction}-connected`);
      this.mediaConnected = true;
      if (this.mediaUnreachable) {
        this.mediaUnreachable = false;
        this.changed();
      }
      if (timers) {
        clearTimeout(timers.restart);
        clearTimeout(timers.rejoin);
        this.iceTimers.delete(transport.id);
      }
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    const entry = timers ?? {
      rejoin: setTimeout(() => {
        if (gen === this.gen && transport.connectionState !== 'connected') void this.reconnect(`ice-${transport.direction}`);
      }, ICE_RECOVERY_MS),
    };
    this.iceTimers.set(transport.id, entry);
    clearTimeout(entry.restart);
    entry.restart = setTimeout(() => void this.restartIce(transport, gen), state === 'failed' ? 0 : ICE_DISCONNECTED_GRACE_MS);
  }

  private async restartIce(transport: types.Transport, gen: number): Promise<void> {
    if (gen !== this.gen || transport.closed || transport.connectionState === 'connected') return;
    try {
      const { iceParameters } = await emitCommand('media:restart-ice', { transportId: transport.id });
      if (gen !== this.gen || transport.closed) return;
      await transport.restartIce({ iceParameters });
    } catch (e) {
      // The rejoin timer takes over.
      console.warn('[room] ICE restart failed', e);
    }
  }

  /* ---------- producing ---------- */

  private canPublish(): boolean {
    return this.mode === 'meeting' || (this.role !== null && this.role !== 'attendee');
  }

  private assertCanPublish(): void {
    if (!this.canPublish()) throw new ApiError('FORBIDDEN', 'Only people on stage can send audio and video in a webinar.');
  }

  /** Publishes the local track of a source, if there is one and it is not published yet. */
  private async produce(source: Source, gen: number): Promise<void> {
    const pending = this.producing.get(source);
    if (pending) return pending;
    const track = this.tracks[source];
    const transport = this.sendTransport;
    if (!track || !transport || this.producers.has(source) || track.readyState === 'ended' || !this.canPublish()) return;
    if (!this.device?.canProduce(track.kind as 'audio' | 'video')) return;
    const paused = source === 'mic' && this.micMuted;
    const work = (async () => {
      const producer = await transport.produce({
        track,
        stopTracks: false,
        ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
        ...(source === 'screen' ? { encodings: SCREEN_ENCODINGS } : {}),
        ...(source === 'mic' ? { codecOptions: { opusDtx: true, opusFec: true } } : {}),
        appData: { source, paused } satisfies ProducerData,
      });
      if (gen !== this.gen || this.tracks[source] !== track) {
        producer.close();
        if (gen === this.gen) void emitCommand('media:close-producer', { producerId: producer.id }).catch(() => undefined);
        return;
      }
      // The server created it paused; the local side must not send either.
      if (paused) producer.pause();
      this.producers.set(source, producer);
      // Muted or unmuted while the produce command was in flight.
      if (source === 'mic' && this.micMuted !== paused) await this.applyMicState(gen);
    })();
    this.producing.set(source, work);
    try {
      await work;
    } catch (e) {
      if (gen === this.gen) console.warn(`[room] could not publish ${source}`, e);
      throw e;
    } finally {
      if (this.producing.get(source) === work) this.producing.delete(source);
    }
  }

  private async unpublish(source: Source): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    delete this.sendScores[source];
    await emitCommand('media:close-producer', { producerId: producer.id }).catch(() => undefined);
  }

  private async applyMicState(gen: number): Promise<void> {
    const producer = this.producers.get('mic');
    if (!producer || gen !== this.gen) return;
    if (this.micMuted && !producer.paused) {
      producer.pause();
      await emitCommand('media:pause-producer', { producerId: producer.id });
    } else if (!this.micMuted && producer.paused) {
      producer.resume();
      try {
        await emitCommand('media:resume-producer', { producerId: producer.id });
      } catch (e) {
        // Refused (a host muted us and self-unmute is off): stay muted, on both sides.
        if (gen === this.gen && !producer.closed) producer.pause();
        this.micMuted = true;
        this.changed();
        throw e;
      }
    }
  }

  private watchTrack(source: Source, track: MediaStreamTrack | null): void {
    if (!track) return;
    // The device was unplugged or the browser's "Stop sharing" was pressed.
    track.addEventListener('ended', () => {
      if (this.tracks[source] !== track || this.status === 'left') return;
      if (source === 'screen' || source === 'screen-audio') void this.stopScreenShare();
      else if (source === 'camera') void this.setCameraOn(false);
      else void this.replaceMic(undefined).catch(() => this.dropMic());
    });
  }

  private dropMic(): void {
    this.tracks.mic = null;
    void this.unpublish('mic');
    this.changed();
  }

  /* ---------- local controls ---------- */

  /** Mute pauses the producer: the server stops forwarding and everyone sees the muted icon. */
  async setMicMuted(muted: boolean): Promise<void> {
    if (!muted) this.assertCanPublish();
    if (!muted && !this.tracks.mic) {
      // Nothing to unmute yet (no permission earlier, or no microphone): ask now.
      const track = await captureMic(this.devices.audioInputId, this.devices.originalSound);
      this.tracks.mic = track;
      this.watchTrack('mic', track);
    }
    this.micMuted = muted;
    this.changed();
    const gen = this.gen;
    if (!this.producers.has('mic')) {
      await this.produce('mic', gen).catch(() => undefined);
      return;
    }
    await this.applyMicState(gen);
  }

  /** Camera off releases the camera (its light goes out); others see the avatar. */
  async setCameraOn(on: boolean): Promise<void> {
    const gen = this.gen;
    if (!on) {
      const track = this.tracks.camera;
      this.tracks.camera = null;
      this.changed();
      await this.unpublish('camera');
      track?.stop();
      return;
    }
    if (this.tracks.camera) return;
    this.assertCanPublish();
    const track = await captureCamera(this.devices.videoInputId);
    if (this.status === 'left') {
      track.stop();
      return;
    }
    this.tracks.camera = track;
    this.watchTrack('camera', track);
    this.changed();
    await this.produce('camera', gen).catch(() => undefined);
  }

  async startScreenShare(): Promise<void> {
    if (this.tracks.screen) return;
    this.assertCanPublish();
    const stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 } },
      audio: true,
      // Chromium hints: offer tab audio, and do not offer this very tab (a hall of mirrors).
      ...({ selfBrowserSurface: 'exclude', surfaceSwitching: 'include', systemAudio: 'include' } as object),
    });
    const video = stream.getVideoTracks()[0];
    if (!video || this.status === 'left') {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    video.contentHint = 'detail';
    const audio = stream.getAudioTracks()[0] ?? null;
    this.tracks.screen = video;
    this.tracks['screen-audio'] = audio;
    this.watchTrack('screen', video);
    this.watchTrack('screen-audio', audio);
    this.changed();
    const gen = this.gen;
    await Promise.all([this.produce('screen', gen), this.produce('screen-audio', gen)]).catch(() => undefined);
  }

  async stopScreenShare(): Promise<void> {
    const tracks = [this.tracks.screen, this.tracks['screen-audio']];
    this.tracks.screen = null;
    this.tracks['screen-audio'] = null;
    this.changed();
    await Promise.all([this.unpublish('screen'), this.unpublish('screen-audio')]);
    tracks.forEach((t) => t?.stop());
  }

  /** Switches microphone without leaving: the producer keeps its id, only the track changes. */
  async replaceMic(deviceId: string | undefined): Promise<void> {
    const track = await captureMic(deviceId, this.devices.originalSound);
    const old = this.tracks.mic;
    this.tracks.mic = track;
    this.watchTrack('mic', track);
    this.devices.audioInputId = deviceId;
    const producer = this.producers.get('mic');
    if (producer) await producer.replaceTrack({ track });
    else void this.produce('mic', this.gen).catch(() => undefined);
    old?.stop();
    this.changed();
  }

  /** Original sound on or off: a microphone in use is opened again with the new processing, its producer kept. */
  async setOriginalSound(on: boolean): Promise<void> {
    const before = this.devices.originalSound;
    this.devices.originalSound = on;
    this.changed();
    if (!this.tracks.mic) return;
    try {
      await this.replaceMic(this.devices.audioInputId);
    } catch (e) {
      // Back to what the microphone still is, unless the switch was flipped again meanwhile.
      if (this.devices.originalSound === on) this.devices.originalSound = before;
      this.changed();
      throw e;
    }
  }

  async replaceCamera(deviceId: string | undefined): Promise<void> {
    this.devices.videoInputId = deviceId;
    if (!this.tracks.camera) {
      this.changed();
      return;
    }
    const track = await captureCamera(deviceId);
    const old = this.tracks.camera;
    this.tracks.camera = track;
    this.watchTrack('camera', track);
    const producer = this.producers.get('camera');
    if (producer) await producer.replaceTrack({ track });
    old.stop();
    this.changed();
  }

  /** The server tells the others, not you: the answer is what says your hand is up. */
  async raiseHand(): Promise<void> {
    await emitCommand('stage:raise-hand', {});
    this.setStage({ handRaised: true });
  }

  async lowerHand(): Promise<void> {
    await emitCommand('stage:lower-hand', {});
    this.setStage({ handRaised: false });
  }

  /**
   * Says yes to an invitation on stage with the tracks the device check captured: they become this
   * session's, and go on the air as soon as the server makes us a panelist. Refused: they are stopped.
   */
  async acceptStage(tracks: { mic: MediaStreamTrack | null; camera: MediaStreamTrack | null } | null, micMuted = false): Promise<void> {
    // In a meeting everyone already holds their devices: only the role changes.
    if (tracks && !this.canPublish()) {
      this.releaseDevices();
      this.tracks.mic = tracks.mic;
      this.tracks.camera = tracks.camera;
      this.micMuted = micMuted;
      this.watchTrack('mic', tracks.mic);
      this.watchTrack('camera', tracks.camera);
      this.changed();
    } else {
      tracks?.mic?.stop();
      tracks?.camera?.stop();
    }
    try {
      await emitCommand('stage:respond', { accept: true });
    } catch (e) {
      if (!this.canPublish()) this.releaseDevices();
      throw e;
    }
    this.setStage({ invitation: null });
  }

  async declineStage(): Promise<void> {
    await emitCommand('stage:respond', { accept: false });
    this.setStage({ invitation: null });
  }

  /** Back to the audience by choice; the devices are released when the server confirms. */
  async stepDown(): Promise<void> {
    await emitCommand('stage:step-down', {});
  }

  /** In a webinar's audience nothing is captured: camera, microphone and screen are stopped. */
  private releaseDevices(): void {
    if (this.mode !== 'webinar') return;
    const held = Object.values(this.tracks);
    this.tracks = { mic: null, camera: null, screen: null, 'screen-audio': null };
    for (const track of held) track?.stop();
    this.changed();
  }

  private setStage(changes: Partial<RoomStage>): void {
    this.stage = { ...this.stage, ...changes };
    this.changed();
  }

  dismissBroadcast(): void {
    this.setStage({ broadcast: null });
  }

  dismissNotice(): void {
    if (!this.notice) return;
    this.notice = null;
    this.changed();
  }

  /** Remembered here; audio elements apply it with setSinkId. */
  setAudioOutput(deviceId: string | undefined): void {
    this.devices.audioOutputId = deviceId;
    this.changed();
  }

  /** Asks the server for the simulcast layer a tile of this size needs (0 smallest … 2 full). */
  setPreferredLayer(consumerId: string, spatialLayer: number): void {
    const entry = this.consumers.get(consumerId);
    if (!entry || this.preferredLayers.get(consumerId) === spatialLayer) return;
    this.preferredLayers.set(consumerId, spatialLayer);
    emitCommand('media:set-preferred-layers', { consumerId, spatialLayer }).catch(() => this.preferredLayers.delete(consumerId));
  }

  /* ---------- consuming ---------- */

  private addPeer(info: PeerInfo): void {
    if (info.peerId === this.selfPeerId || this.departedPeers.has(info.peerId)) return;
    const peer = this.peers.get(info.peerId) ?? {
      peerId: info.peerId,
      userId: info.userId,
      displayName: info.displayName,
      role: info.role,
      guest: info.guest,
      seq: this.seq++,
      media: {},
    };
    this.peers.set(info.peerId, peer);
    for (const producer of info.producers) this.addProducer(peer, producer);
  }

  private addProducer(peer: RemotePeer, p: ProducerInfo): void {
    if (this.closedProducers.has(p.producerId)) return;
    const existing = peer.media[p.source];
    if (existing?.producerId === p.producerId) return;
    if (existing) this.dropMedia(peer, p.source);
    peer.media[p.source] = {
      producerId: p.producerId,
      kind: p.kind,
      source: p.source,
      paused: p.paused,
      consumerId: null,
      track: null,
      layered: false,
      score: null,
    };
  }

  private dropMedia(peer: RemotePeer, source: Source): void {
    const media = peer.media[source];
    if (!media) return;
    delete peer.media[source];
    if (media.consumerId) {
      this.consumers.get(media.consumerId)?.consumer.close();
      this.consumers.delete(media.consumerId);
      this.preferredLayers.delete(media.consumerId);
    }
  }

  /** Consumes every known producer that is not consumed yet. */
  /** Consumes every stream not received yet; resolves when those asked for now are set up (or failed). */
  private syncConsumers(gen: number): Promise<void> {
    if (!this.recvTransport || gen !== this.gen) return Promise.resolve();
    const started: Promise<void>[] = [];
    for (const peer of this.peers.values()) {
      for (const media of Object.values(peer.media)) {
        if (!media.consumerId && !this.consuming.has(media.producerId)) started.push(this.consume(peer.peerId, media, gen));
      }
    }
    return Promise.all(started).then(() => undefined);
  }

  /**
   * Asks the server for a consumer of `producerId` and opens it on the receive transport; null when the
   * session moved on (a rejoin) while the server answered.
   */
  private async receive(transport: types.Transport, device: Device, producerId: string, streamId: string, gen: number) {
    const info = await emitCommand('media:consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: device.recvRtpCapabilities as CommandPayload<'media:consume'>['rtpCapabilities'],
    });
    if (gen !== this.gen) return null;
    mark('consume-ack');
    const consumer = await transport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
      streamId,
    });
    mark('consumed');
    return { info, consumer };
  }

  private async consume(peerId: string, media: RemoteMedia, gen: number): Promise<void> {
    const transport = this.recvTransport;
    if (!transport || !this.device) return;
    this.consuming.add(media.producerId);
    try {
      const received = await this.receive(transport, this.device, media.producerId, `${peerId}-${media.source}`, gen);
      if (!received) return;
      const { info, consumer } = received;
      const current = this.peers.get(peerId)?.media[media.source];
      if (gen !== this.gen || current?.producerId !== media.producerId || this.closedConsumers.has(consumer.id)) {
        consumer.close();
        return;
      }
      this.consumers.set(consumer.id, { consumer, peerId, source: media.source });
      Object.assign(current, {
        consumerId: consumer.id,
        track: consumer.track,
        layered: info.type === 'simulcast' || info.type === 'svc',
        paused: info.producerPaused,
      });
      this.changed();
      // Consumers start paused on the server; now that the track is in place, let the media flow.
      await emitCommand('media:resume-consumer', { consumerId: consumer.id });
      mark('resumed');
    } catch (e) {
      const code = e instanceof ApiError ? e.code : null;
      // NOT_FOUND: the producer closed meanwhile, which its own event reports.
      if (gen === this.gen && code !== 'NOT_FOUND') console.warn('[room] could not receive', media.source, 'of', peerId, e);
    } finally {
      this.consuming.delete(media.producerId);
    }
  }

  /* ---------- server events ---------- */

  private attach(): void {
    const socket = connectSocket();
    this.socket = socket;
    const h: ServerHandlers = {
      'peer:joined': (info) => {
        // Events come in order: someone shown again after leaving our view (a breakout group, the stage
        // of a webinar) is back. Only the join snapshot, which may be older than a leave, is filtered.
        this.departedPeers.delete(info.peerId);
        this.addPeer(info);
        void this.syncConsumers(this.gen);
        this.changed();
      },
      'peer:left': ({ peerId }) => {
        this.departedPeers.add(peerId);
        const peer = this.peers.get(peerId);
        if (!peer) return;
        for (const source of Object.keys(peer.media) as Source[]) this.dropMedia(peer, source);
        this.peers.delete(peerId);
        if (this.activeSpeaker === peerId) this.activeSpeaker = null;
        this.changed();
      },
      'producer:added': ({ peerId, ...producer }) => {
        const peer = this.peers.get(peerId);
        if (!peer) return;
        this.addProducer(peer, producer);
        void this.syncConsumers(this.gen);
        this.changed();
      },
      'producer:closed': ({ peerId, producerId }) => {
        this.closedProducers.add(producerId);
        const peer = this.peers.get(peerId);
        const source = peer && (Object.keys(peer.media) as Source[]).find((s) => peer.media[s]?.producerId === producerId);
        if (!peer || !source) return;
        this.dropMedia(peer, source);
        this.changed();
      },
      'producer:paused': ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, true),
      'producer:resumed': ({ peerId, producerId }) => this.setRemotePaused(peerId, producerId, false),
      'consumer:closed': ({ consumerId, producerId }) => {
        this.closedConsumers.add(consumerId);
        const channelStream = this.channelMedia.get(producerId);
        if (channelStream?.consumerId === consumerId) {
          channelStream.consumer?.close();
          this.channelMedia.delete(producerId);
          this.changed();
          return;
        }
        const held = this.heldChannelMedia.get(producerId);
        if (held?.consumerId === consumerId) {
          held.consumer?.close();
          this.heldChannelMedia.delete(producerId);
          return;
        }
        const entry = this.consumers.get(consumerId);
        if (!entry) return;
        const peer = this.peers.get(entry.peerId);
        if (peer?.media[entry.source]?.producerId === producerId) this.dropMedia(peer, entry.source);
        this.changed();
      },
      'consumer:score': ({ consumerId, score, producerScore }) => {
        const entry = this.consumers.get(consumerId);
        const media = entry && this.peers.get(entry.peerId)?.media[entry.source];
        if (!media) return;
        const next = Math.min(score, producerScore);
        if (media.score === next) return;
        media.score = next;
        this.changed();
      },
      'producer:score': ({ producerId, score }) => {
        for (const [source, producer] of this.producers) {
          if (producer.id !== producerId || this.sendScores[source] === score) continue;
          this.sendScores[source] = score;
          this.changed();
        }
      },
      'speaker:active': ({ peerId }) => {
        if (this.activeSpeaker === peerId) return;
        this.activeSpeaker = peerId;
        this.changed();
      },
      'audio:levels': ({ levels }) => {
        const next = new Set(levels.filter((l) => l.volume > SPEAKING_DBOV).map((l) => l.peerId));
        if (next.size === this.speaking.size && [...next].every((p) => this.speaking.has(p))) return;
        this.speaking = next;
        this.changed();
      },
      'room:media-reset': ({ roomId }) => {
        if (roomId === this.roomId) void this.reconnect('media-reset');
      },
      'peer:updated': ({ peerId, role, handRaised }) => {
        if (peerId === this.selfPeerId) {
          const could = this.canPublish();
          this.role = role;
          this.stage = { ...this.stage, handRaised };
          if (!could && this.canPublish()) {
            // Brought on stage: go on the air with what is already captured.
            for (const source of ['mic', 'camera', 'screen', 'screen-audio'] as const)
              void this.produce(source, this.gen).catch(() => undefined);
          } else if (could && !this.canPublish()) {
            // Back in the audience: the server closed our producers, and the devices are let go.
            for (const producer of this.producers.values()) producer.close();
            this.producers.clear();
            this.sendScores = {};
            this.releaseDevices();
          }
        } else {
          const peer = this.peers.get(peerId);
          if (peer) peer.role = role;
        }
        this.changed();
      },
      'moderation:muted': ({ source }) => {
        this.notice = { kind: 'muted-by-host', source, at: Date.now() };
        if (source === 'mic') {
          // The server paused it already; stop sending too.
          this.micMuted = true;
          const producer = this.producers.get('mic');
          if (producer && !producer.paused) producer.pause();
          this.changed();
        } else {
          const track = this.tracks.camera;
          this.tracks.camera = null;
          const producer = this.producers.get('camera');
          this.producers.delete('camera');
          producer?.close();
          track?.stop();
          this.changed();
        }
      },
      'interpretation:changed': ({ interpreters, channels }) => {
        this.interp = { ...this.interp, interpreters, channels };
        for (const m of this.channelMedia.values())
          m.live = channels.some((c) => c.streams.some((st) => st.producerId === m.producerId && st.live));
        this.syncChannel(this.gen);
        this.changed();
      },
      'room:options': (options) => this.setStage({ options }),
      'room:count': ({ participants }) => this.setStage({ participants }),
      'hand:queue': ({ queue }) => this.setStage({ handQueue: queue }),
      'stage:invitation': ({ invitation }) => this.setStage({ invitation }),
      'stage:invitations': ({ pending }) => this.setStage({ invitations: pending }),
      'lobby:queue': ({ waiting }) => this.setStage({ lobby: waiting }),
      'breakout:state': ({ state }) => this.setStage({ breakout: state }),
      'breakout:broadcast': (broadcast) => this.setStage({ broadcast }),
      'room:removed': ({ roomId, reason }) => {
        if (roomId !== this.roomId) return;
        // Out for good: joining again by itself would start a new session (or be refused).
        this.endedBy = reason;
        void this.leave();
      },
    };
    for (const [event, fn] of Object.entries(h)) socket.on(event as keyof ServerEvents, fn as never);
    socket.on('disconnect', this.onSocketDown);
    socket.on('connect', this.onSocketUp);
    this.handlers = h;
    exposeForDebugging(this);
  }

  private detach(): void {
    const socket = this.socket;
    if (!socket) return;
    for (const [event, fn] of Object.entries(this.handlers)) socket.off(event as keyof ServerEvents, fn as never);
    socket.off('disconnect', this.onSocketDown);
    socket.off('connect', this.onSocketUp);
    this.handlers = {};
    this.socket = null;
  }

  private readonly onSocketDown = (): void => {
    if (this.status !== 'joined' && this.status !== 'reconnecting') return;
    // Only signalling is gone; media may well still flow. socket.io resumes the same connection within
    // the server's recovery window, seat and all, and replays the events we missed: keep everything
    // until we know whether it did.
    this.signallingLost = true;
    if (this.status === 'joined') {
      this.status = 'reconnecting';
      this.changed();
    }
  };

  private readonly onSocketUp = (): void => {
    if (!this.signallingLost) return;
    this.signallingLost = false;
    if (this.socket?.recovered && this.mediaIntact()) {
      this.status = 'joined';
      this.changed();
      return;
    }
    // A new connection: the server dropped (or will replace) our seat. Join again from scratch.
    void this.reconnect('socket-reconnected');
  };

  /** Both transports exist and ICE has not given up on them. */
  private mediaIntact(): boolean {
    const alive = (t: types.Transport | null) =>
      t !== null && !t.closed && t.connectionState !== 'failed' && t.connectionState !== 'closed';
    return (
      this.status === 'reconnecting' &&
      !this.rejoining &&
      alive(this.recvTransport) &&
      (alive(this.sendTransport) || !this.device?.canProduce('audio'))
    );
  }

  private setRemotePaused(peerId: string, producerId: string, paused: boolean): void {
    const peer = this.peers.get(peerId);
    const media = peer && Object.values(peer.media).find((m) => m.producerId === producerId);
    if (!media || media.paused === paused) return;
    media.paused = paused;
    this.changed();
  }

  /* ---------- interpretation ---------- */

  /**
   * Chooses what to hear. The floor is turned down (or up) at once. The channel being left is held
   * (paused; the server pauses it too), any older one closed; a held stream of the chosen channel
   * plays again as soon as the server has the choice, and the rest are consumed after its answer.
   */
  async listen(channel: Channel, floorVolume: number = this.interp.listening.floorVolume): Promise<void> {
    const gen = this.gen;
    const leaving = this.interp.listening.channel;
    this.interp = { ...this.interp, listening: { channel, floorVolume } };
    rememberListening(this.interp.listening);
    const back: (ChannelMedia & { consumer: types.Consumer | null })[] = [];
    for (const [producerId, m] of this.heldChannelMedia) {
      this.heldChannelMedia.delete(producerId);
      if (m.channel === channel && m.consumer && !m.consumer.closed) back.push(m);
      else m.consumer?.close();
    }
    for (const [producerId, m] of this.channelMedia) {
      if (m.channel === channel) continue;
      this.channelMedia.delete(producerId);
      if (m.channel === leaving && m.consumer && !m.consumer.closed) {
        m.consumer.pause();
        this.heldChannelMedia.set(producerId, m);
      } else m.consumer?.close();
    }
    for (const m of back) {
      m.consumer!.resume();
      this.channelMedia.set(m.producerId, m);
    }
    this.changed();
    const res = await emitCommand('interpretation:listen', { channel, floorVolume });
    if (gen !== this.gen) return;
    this.syncChannel(
      gen,
      res.streams.map((st) => ({ ...st, channel: channel as ChannelLanguage })),
    );
  }

  /** Consumes the streams of the chosen channel not received yet; lets go of the ones that ended. */
  private syncChannel(gen: number, extra: (ChannelInfo['streams'][number] & { channel: ChannelLanguage })[] = []): void {
    const channel = this.interp.listening.channel;
    if (!this.recvTransport || gen !== this.gen) return;
    const known =
      channel === 'floor' ? [] : (this.interp.channels.find((c) => c.channel === channel)?.streams ?? []).map((st) => ({ ...st, channel }));
    const wanted = new Map([...extra, ...known].filter((st) => st.peerId !== this.selfPeerId).map((st) => [st.producerId, st]));
    for (const [producerId, m] of this.channelMedia) {
      if (wanted.has(producerId) || !m.consumerId) continue;
      m.consumer?.close();
      this.channelMedia.delete(producerId);
    }
    for (const st of wanted.values()) {
      if (this.channelMedia.has(st.producerId)) continue;
      const entry = { ...st, consumerId: null, track: null, consumer: null };
      this.channelMedia.set(st.producerId, entry);
      void this.consumeChannel(entry, gen);
    }
  }

  private async consumeChannel(entry: ChannelMedia & { consumer: types.Consumer | null }, gen: number): Promise<void> {
    const transport = this.recvTransport;
    if (!transport || !this.device) return;
    try {
      const received = await this.receive(transport, this.device, entry.producerId, `${entry.peerId}-channel-${entry.channel}`, gen);
      if (!received) return;
      const { consumer } = received;
      if (gen !== this.gen || this.channelMedia.get(entry.producerId) !== entry || this.closedConsumers.has(consumer.id)) {
        consumer.close();
        return;
      }
      Object.assign(entry, { consumer, consumerId: consumer.id, track: consumer.track });
      this.changed();
      await emitCommand('media:resume-consumer', { consumerId: consumer.id });
    } catch (e) {
      if (this.channelMedia.get(entry.producerId) === entry && !entry.consumerId) this.channelMedia.delete(entry.producerId);
      // CHANNEL_NOT_CHOSEN: the listener moved on before the stream was resumed; it is held or closed.
      const moved = e instanceof ApiError && e.code === 'CHANNEL_NOT_CHOSEN';
      if (gen === this.gen && !moved) console.warn('[room] could not receive channel', entry.channel, e);
      this.changed();
    }
  }

  /**
   * Starts interpreting into `channel`: a microphone of its own (the camera for sign language) is
   * published into the channel, and the floor microphone is muted so the booth is not heard on the floor.
   */
  async startInterpreting(channel: ChannelLanguage): Promise<void> {
    if (this.interpreting?.channel === channel) return;
    await this.stopInterpreting();
    const video = channel === 'sign';
    const track = video ? await captureCamera(this.devices.videoInputId) : await captureMic(this.devices.audioInputId, true);
    this.interpreting = { channel, track, producer: null };
    if (!video && this.producers.has('mic') && !this.micMuted) await this.setMicMuted(true).catch(() => undefined);
    this.changed();
    try {
      await this.produceChannel(this.gen);
    } catch (e) {
      await this.stopInterpreting();
      throw e;
    }
  }

  private async produceChannel(gen: number): Promise<void> {
    const own = this.interpreting;
    const transport = this.sendTransport;
    if (!own || !transport || own.producer) return;
    const audio = own.channel !== 'sign';
    const producer = await transport.produce({
      track: own.track,
      stopTracks: false,
      ...(audio ? { codecOptions: { opusDtx: false, opusFec: true } } : { encodings: CAMERA_ENCODINGS }),
      appData: { source: audio ? 'mic' : 'camera', paused: false, channel: own.channel } satisfies ProducerData,
    });
    if (gen !== this.gen || this.interpreting !== own) {
      producer.close();
      void emitCommand('media:close-producer', { producerId: producer.id }).catch(() => undefined);
      return;
    }
    own.producer = producer;
    this.changed();
  }

  async stopInterpreting(): Promise<void> {
    const own = this.interpreting;
    if (!own) return;
    this.interpreting = null;
    own.track.stop();
    if (own.producer) {
      own.producer.close();
      await emitCommand('media:close-producer', { producerId: own.producer.id }).catch(() => undefined);
    }
    this.changed();
  }

  /** Makes `peerId` (yourself: take over; your partner: hand over) the live interpreter of your booth. */
  async handOver(peerId: string): Promise<void> {
    const channel = this.interpreting?.channel;
    if (!channel) return;
    await emitCommand('interpretation:hand-over', { channel, peerId });
  }

  async assignInterpreter(a: { userId: string; from: ChannelLanguage; to: ChannelLanguage; twoWay: boolean }): Promise<void> {
    const { interpreters } = await emitCommand('interpretation:assign', a);
    this.interp = { ...this.interp, interpreters };
    this.changed();
  }

  async unassignInterpreter(userId: string): Promise<void> {
    const { interpreters } = await emitCommand('interpretation:unassign', { userId });
    this.interp = { ...this.interp, interpreters };
    this.changed();
  }

  /* ---------- diagnostics ---------- */

  /** Statistics of every received stream, read from the receive transport's RTCPeerConnection. */
  async inboundStats(): Promise<InboundStat[]> {
    const transport = this.recvTransport;
    if (!transport) return [];
    const report = await transport.getStats();
    type Entry = { consumer: types.Consumer; peerId: string; source: Source; channel?: ChannelLanguage };
    const byTrack = new Map<string, Entry>();
    const byMid = new Map<string, Entry>();
    for (const entry of this.consumers.values()) {
      byTrack.set(entry.consumer.track.id, entry);
      if (entry.consumer.rtpParameters.mid) byMid.set(entry.consumer.rtpParameters.mid, entry);
    }
    for (const m of [...this.channelMedia.values(), ...this.heldChannelMedia.values()]) {
      if (!m.consumer) continue;
      const entry = {
        consumer: m.consumer,
        peerId: m.peerId,
        source: (m.kind === 'audio' ? 'mic' : 'camera') as Source,
        channel: m.channel,
      };
      byTrack.set(m.consumer.track.id, entry);
      if (m.consumer.rtpParameters.mid) byMid.set(m.consumer.rtpParameters.mid, entry);
    }
    const rows: InboundStat[] = [];
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      const entry = byTrack.get(String(s.trackIdentifier)) ?? byMid.get(String(s.mid));
      if (!entry) return;
      rows.push({
        peerId: entry.peerId,
        source: entry.source,
        ...(entry.channel ? { channel: entry.channel } : {}),
        kind: entry.consumer.kind,
        consumerId: entry.consumer.id,
        packetsReceived: Number(s.packetsReceived ?? 0),
        bytesReceived: Number(s.bytesReceived ?? 0),
        framesDecoded: typeof s.framesDecoded === 'number' ? s.framesDecoded : null,
        frameWidth: typeof s.frameWidth === 'number' ? s.frameWidth : null,
        frameHeight: typeof s.frameHeight === 'number' ? s.frameHeight : null,
      });
    });
    return rows;
  }

  /** The raw reports of both transports (what chrome://webrtc-internals would show). */
  async transportStats(): Promise<{ send: RTCStats[]; recv: RTCStats[] }> {
    const read = async (t: types.Transport | null) => (t ? ([...(await t.getStats()).values()] as RTCStats[]) : []);
    return { send: await read(this.sendTransport), recv: await read(this.recvTransport) };
  }
}

export interface QuorumDebugHandle {
  session(): RoomSession | null;
  selfPeerId(): string | null;
  inboundStats(): Promise<InboundStat[]>;
  transportStats(): Promise<{ send: RTCStats[]; recv: RTCStats[] }>;
}

declare global {
  interface Window {
    __quorum?: QuorumDebugHandle;
  }
}

let current: RoomSession | null = null;

/** `window.__quorum`: the live session's stats from the console (and for the browser tests). */
function exposeForDebugging(session: RoomSession): void {
  current = session;
  window.__quorum ??= {
    session: () => current,
    selfPeerId: () => current?.snapshot().selfPeerId ?? null,
    inboundStats: async () => (current ? current.inboundStats() : []),
    transportStats: async () => (current ? current.transportStats() : { send: [], recv: [] }),
  };
}

function storedListening(): Listening {
  const raw = readKeptJson(LISTENING_KEY) as Partial<Listening> | null | undefined;
  if (raw && typeof raw.channel === 'string' && typeof raw.floorVolume === 'number') return { channel: raw.channel as Channel, floorVolume: raw.floorVolume };
  return NO_INTERPRETATION.listening;
}

function rememberListening(l: Listening): void {
  // Refused (private browsing): the server keeps the choice anyway.
  keepJson(LISTENING_KEY, l);
}
