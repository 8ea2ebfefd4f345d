// Over 400 lines on purpose: one live room (its peers, their transports, producers and consumers, the
// stage, hands and lobby) is one aggregate whose invariants are easier to keep in one class.
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type {
  ConsumerInfo,
  IceServer,
  MediaSource,
  PeerInfo,
  ProducerInfo,
  RtpCapabilities,
  RtpParameters,
  ServerEvents,
  TransportInfo,
  DtlsParameters,
} from '../../../contract';
import type { HandRaise, LobbyEntry, RoomDto, RoomOptions, RoomRole, StageInvitation } from '../../../contract';
import { AppError } from '../../../common/errors';
import type { PooledRouter } from '../../media/worker-pool';
import { type RoomAction, roomCan } from '../room-permissions';
import { EdgeRelay, type EdgeLink } from './edge-relay';
import { KeyedMutex } from './keyed-mutex';
import { placeViewer } from './viewer-placement';

/** How a live room talks to its peers; the gateway implements it with socket.io rooms. */
export interface RoomOutbox {
  toPeer<E extends keyof ServerEvents>(peer: Peer, event: E, data: Parameters<ServerEvents[E]>[0], volatile?: boolean): void;
  toOthers<E extends keyof ServerEvents>(room: LiveRoom, except: Peer | null, event: E, data: Parameters<ServerEvents[E]>[0], volatile?: boolean): void;
  toRoles<E extends keyof ServerEvents>(room: LiveRoom, roles: readonly RoomRole[], event: E, data: Parameters<ServerEvents[E]>[0]): void;
}

const STAFF: readonly RoomRole[] = ['host', 'co-host'];

/** What one peer may hold at once (a client needs one transport each way and one consumer per stream). */
export interface MediaLimits {
  transportsPerDirection: number;
  consumersPerProducer: number;
}

export interface Peer {
  id: string;
  userId: string;
  role: RoomRole;
  displayName: string;
  /** Came in with a guest pass: an attendee of this room only, never invited on stage. */
  guest: boolean;
  socketId: string;
  joinedAt: Date;
  /** The attendance row of this visit, closed when the peer leaves. */
  attendanceId?: string;
  /** A host paused this peer's mic; with allowSelfUnmute off they cannot resume it themselves. */
  mutedByHost: boolean;
  transports: Map<string, types.Transport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

/**
 * Where a room's viewers may spill over once its router is busy: routers on other workers of this
 * process, fed from the origin router by pipeToRouter. Without it every transport is on the origin.
 */
export interface SpillOver {
  /** Consumers one router of the room carries before the next viewer is received on another worker. */
  routerConsumers: number;
  /** A router on the least-loaded live worker outside `avoid` (throws when there is none). */
  createRouter(avoid: readonly number[]): Promise<PooledRouter>;
  aliveWorkers(): readonly number[];
  /** Where the pipe transports between the room's routers listen (loopback: they never leave the machine). */
  pipeListenInfo: types.TransportListenInfo;
}

/** One router of the room: the origin (every producer, the speaker and level observers) or one it spilled over to. */
interface RoomRouter {
  pooled: PooledRouter;
  /** Consumers on this router, pipe consumers included. */
  consumers: number;
  /** Receive transports placed here, with their viewer and the consumers they hold. */
  viewers: Map<string, { peer: Peer; consumers: number }>;
  /** Receive transports being created here. */
  opening: number;
  /** Origin producers piped here, with how many consumers here hold (or are opening) each. */
  pipes: Map<string, { piped: Promise<types.PipeToRouterResult>; holders: number }>;
}

interface ProducerData extends types.AppData {
  peerId: string;
  source: MediaSource;
}

export const TRANSPORT_OPTIONS = {
  enableUdp: true,
  enableTcp: true,
  preferUdp: true,
  initialAvailableOutgoingBitrate: 1_000_000,
} as const;

/**
 * One room's media: peers, their transports, producers and consumers, the active speaker and audio
 * levels. Everything lives on one router (the origin) until its consumers reach the spill-over
 * budget; then new viewers are received on routers of other workers, fed by pipes from the origin,
 * where every producer and both observers stay. Closing a peer closes its transports, which closes
 * its producers and consumers (mediasoup cascades), and every consumer of those producers.
 */
export class LiveRoom {
  readonly peers = new Map<string, Peer>();
  /** Meeting or webinar; follows the room's setting at the time the session opened. */
  mode: RoomDto['mode'] = 'meeting';
  /** The room's organisation and access, as when the session opened (membership changes act on them). */
  organizationId = '';
  access: RoomDto['access'] = 'members';
  /** Roles given during this session (promotions, co-hosts), kept across a person's rejoins. */
  readonly sessionRoles = new Map<string, RoomRole>();
  readonly options: RoomOptions = { locked: false, lobby: false, allowSelfUnmute: true };
  /** Raised hands by peer id, in order. */
  readonly hands = new Map<string, Date>();
  /** Invitations on stage waiting for an answer, by peer id, in order. */
  readonly invitations = new Map<string, { role: RoomRole; at: Date }>();
  /** People a host removed: kept out until the session ends. */
  readonly removed = new Set<string>();
  /** People who have been in this session; a locked room still lets them back after a dropped connection. */
  readonly everJoined = new Set<string>();
  readonly lobby = new Map<string, LobbyEntry & { socketIds: Set<string> }>();
  readonly admitted = new Set<string>();
  private countTimer: NodeJS.Timeout | undefined;
  private readonly speaker: types.ActiveSpeakerObserver;
  private readonly levels: types.AudioLevelObserver;
  private closed = false;
  /** Transports and consumers being created, by `peer:direction` / `peer:producer`, so a burst cannot pass a cap. */
  private readonly opening = new Map<string, number>();
  /** The origin first, then the routers viewers spilled over to, in the order they were opened. */
  private readonly routers: RoomRouter[] = [];
  /** Viewers whose receive transport closed with its worker, by worker index, until the registry resets them. */
  private readonly lost = new Map<number, Set<Peer>>();
  /** Placements one at a time, so a burst of viewers cannot open two routers where one was needed. */
  private readonly placing = new KeyedMutex();
  private spill: SpillOver | undefined;
  /** With several nodes: the viewers connected to other nodes, received there through pipes from the origin. */
  relay: EdgeRelay | undefined;

  private constructor(
    readonly roomId: string,
    readonly sessionId: string,
    readonly pooled: PooledRouter,
    private readonly outbox: RoomOutbox,
    private readonly iceServers: IceServer[],
    private readonly plainListenInfo: types.TransportListenInfo,
    private readonly limits: MediaLimits,
    observers: { speaker: types.ActiveSpeakerObserver; levels: types.AudioLevelObserver },
  ) {
    this.speaker = observers.speaker;
    this.levels = observers.levels;
    this.track(pooled);
    this.speaker.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as ProducerData).peerId;
      this.outbox.toOthers(this, null, 'speaker:active', { peerId });
    });
    this.levels.on('volumes', (volumes) => {
      const levels = volumes.map((v) => ({ peerId: (v.producer.appData as ProducerData).peerId, volume: v.volume }));
      this.outbox.toOthers(this, null, 'audio:levels', { levels }, true);
    });
    this.levels.on('silence', () => this.outbox.toOthers(this, null, 'audio:levels', { levels: [] }, true));
  }

  static async open(
    roomId: string,
    sessionId: string,
    pooled: PooledRouter,
    outbox: RoomOutbox,
    media: { iceServers: IceServer[]; plainListenInfo: types.TransportListenInfo; limits: MediaLimits; spill?: SpillOver; edges?: EdgeLink },
  ): Promise<LiveRoom> {
    const speaker = await pooled.router.createActiveSpeakerObserver({ interval: 300 });
    const levels = await pooled.router.createAudioLevelObserver({ maxEntries: 10, threshold: -70, interval: 400 });
    const room = new LiveRoom(roomId, sessionId, pooled, outbox, media.iceServers, media.plainListenInfo, media.limits, { speaker, levels });
    room.spill = media.spill;
    if (media.edges) room.relay = new EdgeRelay(roomId, pooled.router, media.edges);
    return room;
  }

  /** The routers of the room, origin first, with the worker each runs on (for logs, metrics and tests). */
  routerStats(): { workerIndex: number; workerPid: number; consumers: number; viewers: number; pipedProducers: number }[] {
    return this.routers.map((r) => ({
      workerIndex: r.pooled.worker.index,
      workerPid: r.pooled.worker.worker.pid,
      consumers: r.consumers,
      viewers: r.viewers.size,
      pipedProducers: r.pipes.size,
    }));
  }

  /**
   * Viewers whose receive transport was on a router of the worker `workerIndex` when it died, still in
   * the room. They lost their media (and only they); the caller tells them to join again.
   */
  takeLostViewers(workerIndex: number): Peer[] {
    const lost = this.lost.get(workerIndex);
    this.lost.delete(workerIndex);
    return lost ? [...lost].filter((p) => this.peers.get(p.id) === p) : [];
  }

  private track(pooled: PooledRouter): RoomRouter {
    const entry: RoomRouter = { pooled, consumers: 0, viewers: new Map(), opening: 0, pipes: new Map() };
    this.routers.push(entry);
    pooled.router.observer.on('newtransport', (transport) =>
      transport.observer.on('newconsumer', (consumer) => {
        entry.consumers++;
        consumer.observer.once('close', () => entry.consumers--);
      }),
    );
    pooled.router.observer.once('close', () => {
      const i = this.routers.indexOf(entry);
      if (i >= 0) this.routers.splice(i, 1);
      entry.pipes.clear();
    });
    return entry;
  }

  /**
   * The router a new viewer is received on: the origin until it carries `routerConsumers`, then
   * another worker's (see viewer-placement.ts). `opening` is counted on it before the lock is let go.
   */
  private async placeViewer(peer: Peer): Promise<RoomRouter> {
    const origin = this.routers[0]!;
    const spill = this.spill;
    if (!spill) {
      origin.opening++;
      return origin;
    }
    return this.placing.run('place', async () => {
      const expected = this.expectedConsumers();
      const cost = expected(peer);
      const loads = this.routers.map((r) => ({
        workerIndex: r.pooled.worker.index,
        alive: !r.pooled.router.closed,
        load: r.consumers + r.opening * cost + [...r.viewers.values()].reduce((sum, v) => sum + Math.max(0, expected(v.peer) - v.consumers), 0),
      }));
      const placement = placeViewer(loads, cost, spill.routerConsumers, spill.aliveWorkers());
      let target: RoomRouter;
      if (placement.kind === 'existing') target = this.routers[placement.index] ?? origin;
      else {
        const pooled = await spill.createRouter(placement.avoid).catch(() => null);
        if (this.isClosed) {
          pooled?.router.close();
          throw new AppError('NOT_IN_ROOM', 'The room has closed.');
        }
        // No other worker after all (it died meanwhile): the origin takes the viewer.
        target = pooled ? this.track(pooled) : origin;
      }
      target.opening++;
      return target;
    });
  }

  /** What a viewer is expected to consume: the producers of the people they can see, their own left out. */
  private expectedConsumers(): (viewer: Peer) => number {
    let all = 0;
    let stage = 0;
    for (const p of this.peers.values()) {
      all += p.producers.size;
      if (p.role !== 'attendee') stage += p.producers.size;
    }
    return (viewer) => {
      const seesAll = this.mode === 'meeting' || STAFF.includes(viewer.role);
      return (seesAll ? all : stage) - (this.visibleTo(viewer, viewer) ? viewer.producers.size : 0);
    };
  }

  /** Registers a receive transport on the router it was placed on; a spilled-over router closes with its last viewer. */
  private seat(entry: RoomRouter, peer: Peer, transport: types.Transport): void {
    entry.viewers.set(transport.id, { peer, consumers: 0 });
    transport.observer.once('close', () => {
      entry.viewers.delete(transport.id);
      const worker = entry.pooled.worker;
      if (worker.worker.died && !this.closed) {
        const lost = this.lost.get(worker.index) ?? new Set<Peer>();
        lost.add(peer);
        this.lost.set(worker.index, lost);
        return;
      }
      this.retireIfIdle(entry);
    });
  }

  private retireIfIdle(entry: RoomRouter): void {
    if (entry === this.routers[0] || entry.viewers.size || entry.opening || entry.pooled.router.closed) return;
    entry.pooled.router.close();
  }

  /** The room's router holding this receive transport (a transport not placed, like a plain send one, is on the origin). */
  private routerOf(transport: types.Transport): RoomRouter {
    return this.routers.find((r) => r.viewers.has(transport.id)) ?? this.routers[0]!;
  }

  /**
   * Makes sure the origin producer is piped to `entry`'s router and holds it for one consumer there;
   * the returned release lets go of it, and the pipe closes when the last holder does.
   */
  private async holdPipe(entry: RoomRouter, producerId: string): Promise<() => void> {
    let pipe = entry.pipes.get(producerId);
    if (!pipe) {
      const piped = this.router.pipeToRouter({ producerId, router: entry.pooled.router, listenInfo: this.spill!.pipeListenInfo, enableSctp: false });
      pipe = { piped, holders: 0 };
      entry.pipes.set(producerId, pipe);
      const failed = pipe;
      piped.catch(() => {
        if (entry.pipes.get(producerId) === failed) entry.pipes.delete(producerId);
      });
    }
    pipe.holders++;
    const held = pipe;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--held.holders > 0) return;
      if (entry.pipes.get(producerId) === held) entry.pipes.delete(producerId);
      // Closing the pipe consumer on the origin closes the pipe producer here (mediasoup links the two).
      void held.piped.then(
        ({ pipeConsumer, pipeProducer }) => {
          pipeConsumer?.close();
          pipeProducer?.close();
        },
        () => undefined,
      );
    };
    try {
      await held.piped;
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /** The origin router: every producer lives here. */
  get router(): types.Router {
    return this.pooled.router;
  }

  get isClosed(): boolean {
    return this.closed || this.router.closed;
  }

  /** `role` is the person's standing role (host for organisers); a role given in this session wins. */
  addPeer(userId: string, displayName: string, socketId: string, role: RoomRole, guest = false): Peer {
    const peer: Peer = {
      id: randomUUID(),
      userId,
      role: this.sessionRoles.get(userId) ?? role,
      displayName,
      guest,
      socketId,
      joinedAt: new Date(),
      mutedByHost: false,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
    };
    this.peers.set(peer.id, peer);
    this.everJoined.add(userId);
    this.announce(peer, 'peer:joined', this.describe(peer));
    this.scheduleCount();
    return peer;
  }

  /**
   * Who sees whom: in a meeting everyone sees everyone; in a webinar attendees see only the people on
   * stage (and are counted), while hosts see everyone.
   */
  visibleTo(viewer: Peer, subject: Peer): boolean {
    return this.mode === 'meeting' || subject.role !== 'attendee' || STAFF.includes(viewer.role);
  }

  /** An event about `subject`, to the others who can see them. */
  private announce<E extends keyof ServerEvents>(subject: Peer, event: E, data: Parameters<ServerEvents[E]>[0]): void {
    if (this.mode === 'meeting' || subject.role !== 'attendee') this.outbox.toOthers(this, subject, event, data);
    else this.outbox.toRoles(this, STAFF, event, data);
  }

  /** Participant count to everyone, at most once a second (a 1,000-person webinar fills up fast). */
  private scheduleCount(): void {
    if (this.countTimer || this.closed) return;
    this.countTimer = setTimeout(() => {
      this.countTimer = undefined;
      if (!this.isClosed) this.outbox.toOthers(this, null, 'room:count', { participants: this.peers.size });
    }, 1_000);
    this.countTimer.unref();
  }

  /** Changes a peer's role for the rest of the session, and tells whoever is concerned. */
  setRole(peer: Peer, role: RoomRole): void {
    if (peer.role === role) return;
    const before = [...this.peers.values()].filter((v) => v !== peer && this.visibleTo(v, peer));
    peer.role = role;
    this.sessionRoles.set(peer.userId, role);
    if (role !== 'attendee') this.hands.delete(peer.id);
    this.closeInvitation(peer);
    if (!roomCan(role, 'media.produce', this.mode)) for (const id of [...peer.producers.keys()]) this.closeProducer(peer, id);
    const after = new Set([...this.peers.values()].filter((v) => v !== peer && this.visibleTo(v, peer)));
    const update = { peerId: peer.id, role, handRaised: this.hands.has(peer.id) };
    for (const v of before) if (!after.has(v)) this.outbox.toPeer(v, 'peer:left', { peerId: peer.id });
    for (const v of after) this.outbox.toPeer(v, before.includes(v) ? 'peer:updated' : 'peer:joined', before.includes(v) ? update : this.describe(peer));
    this.outbox.toPeer(peer, 'peer:updated', update);
    this.publishHands();
  }

  /**
   * Invites an attendee on stage. Their role does not change until they accept: nobody goes on the
   * air without asking. False when they are not in the audience (nothing to invite them to).
   */
  invite(peer: Peer, role: RoomRole = 'panelist'): boolean {
    if (peer.role !== 'attendee') return false;
    if (!this.invitations.has(peer.id)) this.invitations.set(peer.id, { role, at: new Date() });
    this.outbox.toPeer(peer, 'stage:invitation', { invitation: this.invitationOf(peer) });
    this.publishInvitations();
    return true;
  }

  /** The invited person's answer: on stage with the offered role, or still in the audience. */
  respond(peer: Peer, accept: boolean): RoomRole {
    this.assertCan(peer, 'stage.respond');
    const invitation = this.invitations.get(peer.id);
    if (!invitation) throw new AppError('NOT_FOUND', 'Nobody invited you on stage.');
    if (accept) this.setRole(peer, invitation.role);
    else this.closeInvitation(peer);
    return peer.role;
  }

  /** A panelist back to the audience by their own choice. */
  stepDown(peer: Peer): RoomRole {
    this.assertCan(peer, 'stage.step-down');
    this.setRole(peer, 'attendee');
    return peer.role;
  }

  /** Withdraws or settles a pending invitation; true when there was one. */
  closeInvitation(peer: Peer): boolean {
    if (!this.invitations.delete(peer.id)) return false;
    this.outbox.toPeer(peer, 'stage:invitation', { invitation: null });
    this.publishInvitations();
    return true;
  }

  invitationOf(peer: Peer): StageInvitation | null {
    const i = this.invitations.get(peer.id);
    return i ? { peerId: peer.id, displayName: peer.displayName, guest: peer.guest, role: i.role, invitedAt: i.at.toISOString() } : null;
  }

  pendingInvitations(): StageInvitation[] {
    return [...this.invitations.keys()].flatMap((id) => {
      const p = this.peers.get(id);
      const i = p && this.invitationOf(p);
      return i ? [i] : [];
    });
  }

  private publishInvitations(): void {
    this.outbox.toRoles(this, STAFF, 'stage:invitations', { pending: this.pendingInvitations() });
  }

  raiseHand(peer: Peer): number {
    this.assertCan(peer, 'stage.raise-hand');
    if (!this.hands.has(peer.id)) this.hands.set(peer.id, new Date());
    this.announce(peer, 'peer:updated', { peerId: peer.id, role: peer.role, handRaised: true });
    this.publishHands();
    return [...this.hands.keys()].indexOf(peer.id) + 1;
  }

  lowerHand(peer: Peer): boolean {
    if (!this.hands.delete(peer.id)) return false;
    this.announce(peer, 'peer:updated', { peerId: peer.id, role: peer.role, handRaised: false });
    this.outbox.toPeer(peer, 'peer:updated', { peerId: peer.id, role: peer.role, handRaised: false });
    this.publishHands();
    return true;
  }

  handQueue(): HandRaise[] {
    return [...this.hands].flatMap(([peerId, at]) => {
      const p = this.peers.get(peerId);
      return p ? [{ peerId, displayName: p.displayName, raisedAt: at.toISOString() }] : [];
    });
  }

  private publishHands(): void {
    this.outbox.toRoles(this, STAFF, 'hand:queue', { queue: this.handQueue() });
  }

  lobbyQueue(): LobbyEntry[] {
    return [...this.lobby.values()].map(({ userId, displayName, guest, since }) => ({ userId, displayName, guest, since }));
  }

  publishLobby(): void {
    this.outbox.toRoles(this, STAFF, 'lobby:queue', { waiting: this.lobbyQueue() });
  }

  setOptions(changes: Partial<RoomOptions>): RoomOptions {
    Object.assign(this.options, changes);
    if (changes.allowSelfUnmute) for (const p of this.peers.values()) p.mutedByHost = false;
    this.outbox.toOthers(this, null, 'room:options', { ...this.options });
    return { ...this.options };
  }

  /** A host's mute: the mic is paused on the server, the camera is stopped. */
  async muteByHost(target: Peer, source: 'mic' | 'camera'): Promise<boolean> {
    let hit = false;
    for (const producer of [...target.producers.values()]) {
      if ((producer.appData as ProducerData).source !== source) continue;
      hit = true;
      if (source === 'mic') {
        target.mutedByHost = true;
        await this.pauseProducer(target, producer.id);
      } else this.closeProducer(target, producer.id);
    }
    if (hit) this.outbox.toPeer(target, 'moderation:muted', { source });
    return hit;
  }

  joinInfo(peer: Peer) {
    return {
      roomId: this.roomId,
      sessionId: this.sessionId,
      peerId: peer.id,
      displayName: peer.displayName,
      role: peer.role,
      mode: this.mode,
      options: { ...this.options },
      handRaised: this.hands.has(peer.id),
      guest: peer.guest,
      stageInvitation: this.invitationOf(peer),
      participants: this.peers.size,
      routerRtpCapabilities: this.router.rtpCapabilities as RtpCapabilities,
      iceServers: this.iceServers,
      peers: [...this.peers.values()].filter((p) => p !== peer && this.visibleTo(peer, p)).map((p) => this.describe(p)),
    };
  }

  removePeer(peer: Peer): void {
    if (!this.peers.has(peer.id)) return;
    this.hands.delete(peer.id);
    const invited = this.invitations.delete(peer.id);
    for (const t of peer.transports.values()) t.close();
    this.announce(peer, 'peer:left', { peerId: peer.id });
    this.peers.delete(peer.id);
    this.publishHands();
    if (invited) this.publishInvitations();
    this.scheduleCount();
  }

  describe(peer: Peer): PeerInfo {
    return { peerId: peer.id, userId: peer.userId, displayName: peer.displayName, role: peer.role, guest: peer.guest, producers: [...peer.producers.values()].map(producerInfo) };
  }

  /** FORBIDDEN unless the peer's role allows the action in this room's mode. */
  assertCan(peer: Peer, action: RoomAction): void {
    if (!roomCan(peer.role, action, this.mode)) throw new AppError('FORBIDDEN', 'Your role in this room does not allow this.');
  }

  private release(key: string): void {
    const n = (this.opening.get(key) ?? 1) - 1;
    if (n > 0) this.opening.set(key, n);
    else this.opening.delete(key);
  }

  peersWithRole(roles: readonly RoomRole[]): Peer[] {
    return [...this.peers.values()].filter((p) => roles.includes(p.role));
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const key = `${peer.id}:${direction}`;
    const open = [...peer.transports.values()].filter((t) => !t.closed && (t.appData as { direction?: string }).direction === direction).length;
    if (open + (this.opening.get(key) ?? 0) >= this.limits.transportsPerDirection) {
      throw new AppError('TOO_MANY_TRANSPORTS', `At most ${this.limits.transportsPerDirection} ${direction} transports per participant. Close one first.`);
    }
    this.opening.set(key, (this.opening.get(key) ?? 0) + 1);
    // A viewer connected to another node receives there: its browser does ICE with that node.
    const edge = direction === 'recv' ? this.relay?.edgeOf(peer.socketId) : undefined;
    if (edge) {
      const remote = await this.relay!.createTransport(edge, peer.id, peer.socketId).finally(() => this.release(key));
      if (this.peers.get(peer.id) !== peer || this.isClosed) {
        remote.close();
        throw new AppError('NOT_IN_ROOM', 'You left the room meanwhile.');
      }
      peer.transports.set(remote.id, remote as unknown as types.Transport);
      remote.observer.once('close', () => peer.transports.delete(remote.id));
      return remote.info;
    }
    const transport = await this.onRouterFor(peer, direction, ({ router, worker }) =>
      router.createWebRtcTransport({ webRtcServer: worker.webRtcServer, ...TRANSPORT_OPTIONS, appData: { peerId: peer.id, direction } }),
    ).finally(() => this.release(key));
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    // A transport whose DTLS failed or closed is dead for good; the client makes a new one.
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') transport.close();
    });
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters as DtlsParameters,
    };
  }

  /**
   * An unencrypted RTP transport on the server's media address, for in-process feeds (recorders,
   * interpretation and encoder ingest, benchmarks). Never offered to browsers.
   */
  async createPlainTransport(peer: Peer, direction: 'send' | 'recv', options: { comedia?: boolean } = {}): Promise<types.PlainTransport> {
    const transport = await this.onRouterFor(peer, direction, ({ router }) =>
      router.createPlainTransport({
        listenInfo: this.plainListenInfo,
        rtcpMux: true,
        comedia: options.comedia ?? direction === 'send',
        appData: { peerId: peer.id, direction },
      }),
    );
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return transport;
  }

  /** Sending is always on the origin; a receive transport goes where placement says. */
  private async onRouterFor<T extends types.Transport>(peer: Peer, direction: 'send' | 'recv', create: (pooled: PooledRouter) => Promise<T>): Promise<T> {
    if (direction === 'send') return create(this.pooled);
    const entry = await this.placeViewer(peer);
    try {
      const transport = await create(entry.pooled);
      this.seat(entry, peer, transport);
      return transport;
    } finally {
      entry.opening--;
      this.retireIfIdle(entry);
    }
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const t = this.webRtcTransport(peer, transportId);
    await t.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }).catch(asMediaError);
  }

  async restartIce(peer: Peer, transportId: string): Promise<TransportInfo['iceParameters']> {
    return this.webRtcTransport(peer, transportId).restartIce();
  }

  async produce(peer: Peer, p: { transportId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters; source: MediaSource; paused?: boolean }): Promise<string> {
    const transport = this.transport(peer, p.transportId, 'send');
    this.assertCan(peer, 'media.produce');
    if ((p.source === 'mic' || p.source === 'screen-audio') !== (p.kind === 'audio')) {
      throw new AppError('INVALID_PAYLOAD', `A ${p.source} source cannot be ${p.kind}.`);
    }
    // One producer per source: a new camera replaces the old one (device switch).
    for (const existing of peer.producers.values()) {
      if ((existing.appData as ProducerData).source === p.source) this.closeProducer(peer, existing.id);
    }
    const producer = await transport
      .produce({
        kind: p.kind,
        rtpParameters: p.rtpParameters as types.RtpParameters,
        paused: p.paused ?? false,
        appData: { peerId: peer.id, source: p.source } satisfies ProducerData,
      })
      .catch(asMediaError);
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    producer.on('score', (scores) => {
      const score = Math.min(...scores.map((s) => s.score));
      this.outbox.toPeer(peer, 'producer:score', { producerId: producer.id, score: Number.isFinite(score) ? score : 0 }, true);
    });
    if (producer.kind === 'audio' && p.source === 'mic') {
      await this.speaker.addProducer({ producerId: producer.id }).catch(() => undefined);
      await this.levels.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    this.outbox.toOthers(this, peer, 'producer:added', { peerId: peer.id, ...producerInfo(producer) });
    return producer.id;
  }

  async consume(peer: Peer, transportId: string, producerId: string, rtpCapabilities: RtpCapabilities): Promise<ConsumerInfo> {
    const transport = this.transport(peer, transportId, 'recv');
    const owner = this.producerOwner(producerId);
    if (!owner || owner === peer) throw new AppError('NOT_FOUND', 'No such producer in this room.');
    // One copy of a stream is what a viewer needs; a few more cover a client replacing one.
    const key = `${peer.id}:${producerId}`;
    const held = [...peer.consumers.values()].filter((c) => !c.closed && c.producerId === producerId).length;
    if (held + (this.opening.get(key) ?? 0) >= this.limits.consumersPerProducer) {
      throw new AppError('TOO_MANY_CONSUMERS', 'This stream is already being received on this device.');
    }
    const caps = rtpCapabilities as types.RtpCapabilities;
    if (!this.router.canConsume({ producerId, rtpCapabilities: caps })) {
      throw new AppError('UNSUPPORTED_MEDIA', 'Your device cannot receive this stream (no common codec).');
    }
    this.opening.set(key, (this.opening.get(key) ?? 0) + 1);
    const home = this.routerOf(transport);
    let unpipe = () => {};
    const consumer = await (async () => {
      // On a router the room spilled over to, the origin's producer is piped in first (same id there).
      if (home !== this.routers[0]) unpipe = await this.holdPipe(home, producerId);
      return transport.consume({ producerId, rtpCapabilities: caps, paused: true, appData: { peerId: peer.id } });
    })()
      .catch((err: unknown) => {
        unpipe();
        return asMediaError(err);
      })
      .finally(() => this.release(key));
    const seat = home.viewers.get(transport.id);
    if (seat) seat.consumers++;
    consumer.observer.once('close', () => {
      if (seat) seat.consumers--;
      unpipe();
    });
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => this.outbox.toPeer(peer, 'consumer:closed', { consumerId: consumer.id, producerId }));
    consumer.on('score', (s) => this.outbox.toPeer(peer, 'consumer:score', { consumerId: consumer.id, score: s.score, producerScore: s.producerScore }, true));
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    await this.consumer(peer, consumerId).resume();
  }

  async setPreferredLayers(peer: Peer, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<{ spatialLayer: number; temporalLayer: number | null }> {
    const consumer = this.consumer(peer, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') throw new AppError('UNSUPPORTED_MEDIA', 'This stream has no layers to choose from.');
    await consumer.setPreferredLayers({ spatialLayer, ...(temporalLayer === undefined ? {} : { temporalLayer }) });
    return { spatialLayer, temporalLayer: temporalLayer ?? null };
  }

  async pauseProducer(peer: Peer, producerId: string): Promise<void> {
    const producer = this.producer(peer, producerId);
    if (producer.paused) return;
    await producer.pause();
    this.outbox.toOthers(this, peer, 'producer:paused', { peerId: peer.id, producerId });
  }

  async resumeProducer(peer: Peer, producerId: string): Promise<void> {
    const producer = this.producer(peer, producerId);
    if (!producer.paused) return;
    if (peer.mutedByHost && !this.options.allowSelfUnmute && !STAFF.includes(peer.role)) {
      throw new AppError('FORBIDDEN', 'A host muted you; ask to be unmuted.');
    }
    peer.mutedByHost = false;
    await producer.resume();
    this.outbox.toOthers(this, peer, 'producer:resumed', { peerId: peer.id, producerId });
  }

  closeProducer(peer: Peer, producerId: string): void {
    const producer = this.producer(peer, producerId);
    producer.close();
    peer.producers.delete(producerId);
    this.outbox.toOthers(this, peer, 'producer:closed', { peerId: peer.id, producerId });
  }

  /** Closes the router (and with it every transport). Peers are told by the caller. */
  close(): void {
    this.closed = true;
    clearTimeout(this.countTimer);
    this.peers.clear();
    this.relay?.close();
    for (const { pooled } of [...this.routers].reverse()) if (!pooled.router.closed) pooled.router.close();
    if (!this.router.closed) this.router.close();
  }

  private producerOwner(producerId: string): Peer | undefined {
    for (const p of this.peers.values()) if (p.producers.has(producerId)) return p;
    return undefined;
  }

  /** Only the peer's own objects are reachable: another peer's id is simply "not found". */
  private webRtcTransport(peer: Peer, id: string): types.WebRtcTransport {
    const t = this.transport(peer, id);
    if (t.type !== 'webrtc') throw new AppError('NOT_FOUND', 'No such transport.');
    return t as types.WebRtcTransport;
  }

  private transport(peer: Peer, id: string, direction?: 'send' | 'recv'): types.Transport {
    const t = peer.transports.get(id);
    if (!t || t.closed) throw new AppError('NOT_FOUND', 'No such transport.');
    if (direction && (t.appData as { direction: string }).direction !== direction) {
      throw new AppError('INVALID_PAYLOAD', `This is not a ${direction} transport.`);
    }
    return t;
  }

  private producer(peer: Peer, id: string): types.Producer {
    const p = peer.producers.get(id);
    if (!p || p.closed) throw new AppError('NOT_FOUND', 'No such producer.');
    return p;
  }

  private consumer(peer: Peer, id: string): types.Consumer {
    const c = peer.consumers.get(id);
    if (!c || c.closed) throw new AppError('NOT_FOUND', 'No such consumer.');
    return c;
  }
}

const producerInfo = (p: types.Producer): ProducerInfo => ({
  producerId: p.id,
  kind: p.kind,
  source: (p.appData as ProducerData).source,
  paused: p.paused,
});

/** mediasoup refuses bad media parameters with TypeError / UnsupportedError: that is the client's doing. */
function asMediaError(err: unknown): never {
  const name = (err as Error)?.name;
  if (name === 'TypeError' || name === 'UnsupportedError') {
    throw new AppError('UNSUPPORTED_MEDIA', `The media parameters were refused: ${(err as Error).message}`.slice(0, 300));
  }
  throw err;
}
