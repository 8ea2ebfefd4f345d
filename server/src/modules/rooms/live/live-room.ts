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
import type { BreakoutState, HandRaise, LobbyEntry, RoomDto, RoomOptions, RoomRole, StageInvitation } from '../../../contract';
import type { Channel, ChannelInfo, ChannelLanguage, ChannelStream, InterpretationState, InterpreterAssignment, Listening } from '../../../contract';
import type { RoomRecording } from '../../../contract/recordings';
import { DEFAULT_LISTENING } from '../../../contract/interpretation';
import { AppError } from '../../../common/errors';
import type { PooledRouter } from '../../media/worker-pool';
import { type RoomAction, roomCan } from '../room-permissions';
import { EdgeRelay, type EdgeLink } from './edge-relay';
import { KeyedMutex } from './keyed-mutex';
import { HeldPipes } from './held-pipes';
import { placeViewer } from './viewer-placement';
import { type BreakoutRound, sameGroup, smallestGroup } from './breakout-round';
import { type BoothStream, handOverPlan, liveOf, onChannelSwitch, publishProblem, receives } from './interpretation';
import { recorderStatus } from '../../recordings/recorder-tools';

/** How a live room talks to its peers; the gateway implements it with socket.io rooms. */
export interface RoomOutbox {
  toPeer<E extends keyof ServerEvents>(peer: Peer, event: E, data: Parameters<ServerEvents[E]>[0], volatile?: boolean): void;
  toOthers<E extends keyof ServerEvents>(
    room: LiveRoom,
    except: Peer | null,
    event: E,
    data: Parameters<ServerEvents[E]>[0],
    volatile?: boolean,
  ): void;
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
  /** Origin producers piped to this router, held by its consumers. */
  pipes: HeldPipes<types.PipeToRouterResult>;
}

interface ProducerData extends types.AppData {
  peerId: string;
  source: MediaSource;
  /** An interpreter's stream into this language channel; absent for the floor. */
  channel?: ChannelLanguage;
}

const channelOf = (p: types.Producer): ChannelLanguage | undefined => (p.appData as ProducerData).channel;
/** How long a hand-over waits for the incoming interpreter's stream to carry packets. */
const HAND_OVER_WAIT_MS = 1_500;
/**
 * Key-frame requests to a video sender closer together than this are sent as one when it ends.
 * Chromium ignores a request within 300 ms of the one before, and a request it ignored is not sent
 * again: a viewer joining just after another waited for its own browser's next request (up to about a
 * second) for its first picture.
 */
const KEY_FRAME_REQUEST_DELAY_MS = 350;

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
  /** The breakout round under way: people see, hear and chat only within their group. */
  private round: BreakoutRound | null = null;
  private roundTimer: NodeJS.Timeout | undefined;
  /**
   * Told each time a person's presence in a breakout group starts or stops (group `null`: back in the
   * main room or gone), so their breakout time can be recorded.
   */
  groupLog: ((e: { userId: string; roundId: string; group: number | null; name: string; at: Date }) => void) | undefined;
  /** Interpreters of the room by user id (stored; loaded when the session opens and on every change). */
  readonly interpreters = new Map<string, InterpreterAssignment>();
  interpretersLoaded = false;
  /** What each person listens to, by user id, kept across their reconnects for the session. */
  readonly listening = new Map<string, Listening>();
  /** Consumers of the channel their listener just left, paused by `listen` until it is chosen again. */
  private readonly heldConsumers = new Set<string>();
  /** The live stream (producer id) of each booth. */
  private readonly boothLive = new Map<ChannelLanguage, string>();
  /** With several nodes: the viewers connected to other nodes, received there through pipes from the origin. */
  relay: EdgeRelay | undefined;
  /** Told of every floor microphone that starts (not interpreters' channels): automatic captions tap them. */
  floorAudio: ((peer: Peer, producer: types.Producer) => void) | undefined;
  /** Whether the room records (kept by the recordings module; everyone is told on joining). */
  recording: RoomRecording = { available: recorderStatus().available, problem: recorderStatus().problem, current: null };

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
      const speaker = this.peers.get(peerId);
      if (!this.round || !speaker) return this.outbox.toOthers(this, null, 'speaker:active', { peerId });
      // While groups meet, one group's speaker is nothing to the others.
      for (const p of this.peers.values())
        if (p === speaker || this.visibleTo(p, speaker)) this.outbox.toPeer(p, 'speaker:active', { peerId });
    });
    this.levels.on('volumes', (volumes) => {
      const levels = volumes.map((v) => ({ peerId: (v.producer.appData as ProducerData).peerId, volume: v.volume }));
      if (!this.round) return this.outbox.toOthers(this, null, 'audio:levels', { levels }, true);
      for (const p of this.peers.values()) {
        const heard = levels.filter((l) => l.peerId === p.id || this.sameGroupAs(p, l.peerId));
        this.outbox.toPeer(p, 'audio:levels', { levels: heard }, true);
      }
    });
    this.levels.on('silence', () => this.outbox.toOthers(this, null, 'audio:levels', { levels: [] }, true));
  }

  static async open(
    roomId: string,
    sessionId: string,
    pooled: PooledRouter,
    outbox: RoomOutbox,
    media: {
      iceServers: IceServer[];
      plainListenInfo: types.TransportListenInfo;
      limits: MediaLimits;
      spill?: SpillOver;
      edges?: EdgeLink;
    },
  ): Promise<LiveRoom> {
    const speaker = await pooled.router.createActiveSpeakerObserver({ interval: 300 });
    const levels = await pooled.router.createAudioLevelObserver({ maxEntries: 10, threshold: -70, interval: 400 });
    const room = new LiveRoom(roomId, sessionId, pooled, outbox, media.iceServers, media.plainListenInfo, media.limits, {
      speaker,
      levels,
    });
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
    const pipes = new HeldPipes<types.PipeToRouterResult>(
      (producerId) =>
        this.router.pipeToRouter({ producerId, router: pooled.router, listenInfo: this.spill!.pipeListenInfo, enableSctp: false }),
      // Closing the pipe consumer on the origin closes the pipe producer here (mediasoup links the two).
      ({ pipeConsumer, pipeProducer }) => {
        pipeConsumer?.close();
        pipeProducer?.close();
      },
    );
    const entry: RoomRouter = { pooled, consumers: 0, viewers: new Map(), opening: 0, pipes };
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
        load:
          r.consumers + r.opening * cost + [...r.viewers.values()].reduce((sum, v) => sum + Math.max(0, expected(v.peer) - v.consumers), 0),
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
    const round = this.round;
    const firstSeat = ![...this.peers.values()].some((p) => p.userId === userId);
    if (round?.assignment === 'random' && !round.placements.has(userId) && !STAFF.includes(peer.role)) {
      round.placements.set(userId, smallestGroup(round, new Set([...this.peers.values()].map((p) => p.userId))));
    }
    this.peers.set(peer.id, peer);
    this.everJoined.add(userId);
    this.announce(peer, 'peer:joined', this.describe(peer));
    this.scheduleCount();
    if (round) {
      if (firstSeat && round.placements.has(userId)) this.logGroup(userId, round.placements.get(userId)!);
      this.publishBreakout();
    }
    return peer;
  }

  /**
   * Who sees whom: in a meeting everyone sees everyone; in a webinar attendees see only the people on
   * stage (and are counted), while hosts see everyone.
   */
  visibleTo(viewer: Peer, subject: Peer): boolean {
    if (!sameGroup(this.round, viewer.userId, subject.userId)) return false;
    return this.mode === 'meeting' || subject.role !== 'attendee' || STAFF.includes(viewer.role);
  }

  /** An event about `subject`, to the others who can see them. */
  private announce<E extends keyof ServerEvents>(subject: Peer, event: E, data: Parameters<ServerEvents[E]>[0]): void {
    if (this.round) {
      for (const p of this.peers.values()) if (p !== subject && this.visibleTo(p, subject)) this.outbox.toPeer(p, event, data);
    } else if (this.mode === 'meeting' || subject.role !== 'attendee') this.outbox.toOthers(this, subject, event, data);
    else this.outbox.toRoles(this, STAFF, event, data);
  }

  private sameGroupAs(viewer: Peer, peerId: string): boolean {
    const subject = this.peers.get(peerId);
    return !!subject && sameGroup(this.round, viewer.userId, subject.userId);
  }

  /* ---- breakout groups ---- */

  get breakout(): BreakoutRound | null {
    return this.round;
  }

  /** A person's group in the round under way (null: the main room, or no round). */
  groupOf(userId: string): number | null {
    return this.round?.placements.get(userId) ?? null;
  }

  /**
   * Starts a round (the caller checked there is none), or opens again one a restart interrupted; with
   * an end time, everyone comes back by themselves then (`onTimeUp` is told, after).
   */
  openBreakout(round: BreakoutRound, onTimeUp: () => void = () => undefined): void {
    this.regroup(() => (this.round = round));
    for (const userId of round.placements.keys()) if (this.isPresent(userId)) this.logGroup(userId, round.placements.get(userId)!);
    if (!round.endsAt) return;
    this.roundTimer = setTimeout(
      () => {
        // Unless a host already called everyone back or opened another round.
        if (this.isClosed || this.round?.id !== round.id) return;
        this.closeBreakout();
        onTimeUp();
      },
      Math.max(0, round.endsAt.getTime() - Date.now()),
    ).unref();
  }

  /** Moves a person to a group, or back to the main room (`null`). */
  moveToGroup(userId: string, group: number | null): void {
    const round = this.round;
    if (!round) throw new AppError('BREAKOUT_NOT_OPEN', 'No breakout groups are open.');
    if (group !== null && group >= round.names.length) throw new AppError('NOT_FOUND', 'No such group.');
    if ((round.placements.get(userId) ?? null) === group) return;
    this.regroup(() => (group === null ? round.placements.delete(userId) : round.placements.set(userId, group)));
    if (this.isPresent(userId)) this.logGroup(userId, group);
  }

  /** Everyone back to the main room; false when no round was open. */
  closeBreakout(): boolean {
    const round = this.round;
    if (!round) return false;
    clearTimeout(this.roundTimer);
    const placed = [...round.placements.keys()].filter((u) => this.isPresent(u));
    this.regroup(() => (this.round = null));
    for (const userId of placed) this.logGroup(userId, null, round);
    return true;
  }

  /** The round as `peer` sees it. */
  breakoutStateFor(peer: Peer): BreakoutState | null {
    const round = this.round;
    if (!round) return null;
    const members = round.names.map(() => new Map<string, string>());
    const main = new Map<string, string>();
    for (const p of this.peers.values()) {
      const g = round.placements.get(p.userId);
      (g === undefined ? main : members[g]!).set(p.userId, p.displayName);
    }
    return {
      roundId: round.id,
      assignment: round.assignment,
      groups: round.names.map((name, index) => ({
        index,
        name,
        members: [...members[index]!].map(([userId, displayName]) => ({ userId, displayName })),
      })),
      mainRoom: [...main].map(([userId, displayName]) => ({ userId, displayName })),
      openedAt: round.openedAt.toISOString(),
      endsAt: round.endsAt?.toISOString() ?? null,
      yourGroup: round.placements.get(peer.userId) ?? null,
    };
  }

  private publishBreakout(): void {
    for (const p of this.peers.values()) this.outbox.toPeer(p, 'breakout:state', { state: this.breakoutStateFor(p) });
  }

  private isPresent(userId: string): boolean {
    for (const p of this.peers.values()) if (p.userId === userId) return true;
    return false;
  }

  private logGroup(userId: string, group: number | null, round = this.round): void {
    if (!round) return;
    this.groupLog?.({ userId, roundId: round.id, group, name: group === null ? '' : round.names[group]!, at: new Date() });
  }

  /**
   * Applies a change of groups and makes media follow: whoever stops seeing someone is told they left
   * and loses their consumers of that person's streams; whoever starts seeing someone is told they
   * joined, with what they publish, and consumes it as for anyone joining. Then everyone gets the round.
   */
  private regroup(change: () => void): void {
    const peers = [...this.peers.values()];
    const before = new Map(peers.map((v) => [v, new Set(peers.filter((s) => s !== v && this.visibleTo(v, s)))]));
    change();
    for (const viewer of peers) {
      const was = before.get(viewer)!;
      for (const subject of peers) {
        if (subject === viewer) continue;
        const sees = this.visibleTo(viewer, subject);
        if (was.has(subject) && !sees) {
          for (const c of [...viewer.consumers.values()]) {
            const stream = subject.producers.get(c.producerId);
            // An interpretation channel is heard by whoever chose it, wherever its interpreter is.
            if (c.closed || !stream || channelOf(stream)) continue;
            c.close();
            this.outbox.toPeer(viewer, 'consumer:closed', { consumerId: c.id, producerId: c.producerId });
          }
          this.outbox.toPeer(viewer, 'peer:left', { peerId: subject.id });
        } else if (!was.has(subject) && sees) this.outbox.toPeer(viewer, 'peer:joined', this.describe(subject));
      }
    }
    this.publishBreakout();
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
    if (!roomCan(role, 'media.produce', this.mode))
      for (const [id, p] of [...peer.producers]) if (!channelOf(p)) this.closeProducer(peer, id);
    const after = new Set([...this.peers.values()].filter((v) => v !== peer && this.visibleTo(v, peer)));
    const update = { peerId: peer.id, role, handRaised: this.hands.has(peer.id) };
    for (const v of before) if (!after.has(v)) this.outbox.toPeer(v, 'peer:left', { peerId: peer.id });
    for (const v of after)
      this.outbox.toPeer(v, before.includes(v) ? 'peer:updated' : 'peer:joined', before.includes(v) ? update : this.describe(peer));
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
      userId: peer.userId,
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
      breakout: this.breakoutStateFor(peer),
      interpretation: this.interpretationState(peer),
      recording: this.recording,
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
    if (this.round) {
      if (this.round.placements.has(peer.userId) && !this.isPresent(peer.userId)) this.logGroup(peer.userId, null);
      this.publishBreakout();
    }
  }

  describe(peer: Peer): PeerInfo {
    // Channel streams are not the person's own media: they are listed per channel (interpretationState).
    const own = [...peer.producers.values()].filter((p) => !channelOf(p));
    return {
      peerId: peer.id,
      userId: peer.userId,
      displayName: peer.displayName,
      role: peer.role,
      guest: peer.guest,
      producers: own.map(producerInfo),
    };
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
    const open = [...peer.transports.values()].filter(
      (t) => !t.closed && (t.appData as { direction?: string }).direction === direction,
    ).length;
    if (open + (this.opening.get(key) ?? 0) >= this.limits.transportsPerDirection) {
      throw new AppError(
        'TOO_MANY_TRANSPORTS',
        `At most ${this.limits.transportsPerDirection} ${direction} transports per participant. Close one first.`,
      );
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
   * An RTP transport on the server's media address, for in-process feeds (recorders, interpretation
   * and encoder ingest, benchmarks): unencrypted, or SRTP with the suite `srtp` (keys from
   * `srtpParameters` and `connect`). Never offered to browsers.
   */
  async createPlainTransport(peer: Peer, direction: 'send' | 'recv', options: { comedia?: boolean; srtp?: types.SrtpCryptoSuite } = {}): Promise<types.PlainTransport> {
    const transport = await this.onRouterFor(peer, direction, ({ router }) =>
      router.createPlainTransport({
        listenInfo: this.plainListenInfo,
        rtcpMux: true,
        comedia: options.comedia ?? direction === 'send',
        ...(options.srtp ? { enableSrtp: true, srtpCryptoSuite: options.srtp } : {}),
        appData: { peerId: peer.id, direction },
      }),
    );
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return transport;
  }

  /** Sending is always on the origin; a receive transport goes where placement says. */
  private async onRouterFor<T extends types.Transport>(
    peer: Peer,
    direction: 'send' | 'recv',
    create: (pooled: PooledRouter) => Promise<T>,
  ): Promise<T> {
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

  async produce(
    peer: Peer,
    p: {
      transportId: string;
      kind: 'audio' | 'video';
      rtpParameters: RtpParameters;
      source: MediaSource;
      paused?: boolean;
      channel?: ChannelLanguage | undefined;
    },
  ): Promise<string> {
    const transport = this.transport(peer, p.transportId, 'send');
    const channel = p.channel;
    // Into a channel: the assignment decides (an interpreter need not be on a webinar's stage); the floor: the role.
    if (channel) this.assertInterpreter(peer, channel, p.kind);
    else this.assertCan(peer, 'media.produce');
    if ((p.source === 'mic' || p.source === 'screen-audio') !== (p.kind === 'audio')) {
      throw new AppError('INVALID_PAYLOAD', `A ${p.source} source cannot be ${p.kind}.`);
    }
    // One producer per source (a new camera replaces the old one: device switch), channel streams apart.
    for (const existing of peer.producers.values()) {
      const data = existing.appData as ProducerData;
      if (data.source === p.source && Boolean(data.channel) === Boolean(channel)) this.closeProducer(peer, existing.id);
    }
    const producer = await transport
      .produce({
        kind: p.kind,
        rtpParameters: p.rtpParameters as types.RtpParameters,
        // A second interpreter in a booth starts held back: their partner stays live until a hand-over.
        paused: (p.paused ?? false) || (channel !== undefined && this.boothLive.has(channel)),
        ...(p.kind === 'video' ? { keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS } : {}),
        appData: { peerId: peer.id, source: p.source, ...(channel ? { channel } : {}) } satisfies ProducerData,
      })
      .catch(asMediaError);
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    producer.on('score', (scores) => {
      const score = Math.min(...scores.map((s) => s.score));
      this.outbox.toPeer(peer, 'producer:score', { producerId: producer.id, score: Number.isFinite(score) ? score : 0 }, true);
    });
    if (channel) {
      producer.observer.once('close', () => this.boothChanged(channel));
      this.boothChanged(channel);
      // Interpreters are never the floor's speaker: they stay out of both observers, and are listed per channel.
      return producer.id;
    }
    if (producer.kind === 'audio' && p.source === 'mic') {
      await this.speaker.addProducer({ producerId: producer.id }).catch(() => undefined);
      await this.levels.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    this.announce(peer, 'producer:added', { peerId: peer.id, ...producerInfo(producer) });
    if (producer.kind === 'audio' && p.source === 'mic' && !producer.closed) this.floorAudio?.(peer, producer);
    return producer.id;
  }

  async consume(peer: Peer, transportId: string, producerId: string, rtpCapabilities: RtpCapabilities): Promise<ConsumerInfo> {
    const transport = this.transport(peer, transportId, 'recv');
    const owner = this.producerOwner(producerId);
    if (!owner || owner === peer) throw new AppError('NOT_FOUND', 'No such producer in this room.');
    const streamChannel = channelOf(owner.producers.get(producerId)!);
    if (!receives(this.listeningOf(peer).channel, streamChannel)) {
      throw new AppError('CHANNEL_NOT_CHOSEN', 'Choose this interpretation channel before receiving it.');
    }
    // Someone the viewer cannot see (another breakout group, a webinar attendee) is not there for them;
    // an interpreter's channel is heard by whoever chose it.
    if (!streamChannel && !this.visibleTo(peer, owner)) throw new AppError('NOT_FOUND', 'No such producer in this room.');
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
      if (home !== this.routers[0]) unpipe = await home.pipes.hold(producerId);
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
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      this.heldConsumers.delete(consumer.id);
    });
    consumer.on('producerclose', () => this.outbox.toPeer(peer, 'consumer:closed', { consumerId: consumer.id, producerId }));
    consumer.on('score', (s) =>
      this.outbox.toPeer(peer, 'consumer:score', { consumerId: consumer.id, score: s.score, producerScore: s.producerScore }, true),
    );
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
    const consumer = this.consumer(peer, consumerId);
    // A held channel (the one just left) stays silent until it is chosen again.
    const stream = this.findProducer(consumer.producerId);
    if (stream && !receives(this.listeningOf(peer).channel, channelOf(stream))) {
      throw new AppError('CHANNEL_NOT_CHOSEN', 'Choose this interpretation channel before receiving it.');
    }
    await consumer.resume();
  }

  async setPreferredLayers(
    peer: Peer,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ): Promise<{ spatialLayer: number; temporalLayer: number | null }> {
    const consumer = this.consumer(peer, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc')
      throw new AppError('UNSUPPORTED_MEDIA', 'This stream has no layers to choose from.');
    await consumer.setPreferredLayers({ spatialLayer, ...(temporalLayer === undefined ? {} : { temporalLayer }) });
    return { spatialLayer, temporalLayer: temporalLayer ?? null };
  }

  async pauseProducer(peer: Peer, producerId: string): Promise<void> {
    const producer = this.producer(peer, producerId);
    if (producer.paused) return;
    await producer.pause();
    if (channelOf(producer)) return this.publishInterpretation();
    this.announce(peer, 'producer:paused', { peerId: peer.id, producerId });
  }

  async resumeProducer(peer: Peer, producerId: string): Promise<void> {
    const producer = this.producer(peer, producerId);
    if (!producer.paused) return;
    if (peer.mutedByHost && !this.options.allowSelfUnmute && !STAFF.includes(peer.role)) {
      throw new AppError('FORBIDDEN', 'A host muted you; ask to be unmuted.');
    }
    const channel = channelOf(producer);
    // In a booth only the live interpreter is forwarded: the partner goes live by a hand-over.
    if (channel && this.boothLive.get(channel) !== producerId)
      throw new AppError('CONFLICT', 'Your booth partner is live; take over to go live.');
    peer.mutedByHost = false;
    await producer.resume();
    if (channel) return this.publishInterpretation();
    this.announce(peer, 'producer:resumed', { peerId: peer.id, producerId });
  }

  closeProducer(peer: Peer, producerId: string): void {
    const producer = this.producer(peer, producerId);
    producer.close();
    peer.producers.delete(producerId);
    // A channel stream's end is told by its booth (the close observer), not as the person's media.
    if (channelOf(producer)) return;
    this.announce(peer, 'producer:closed', { peerId: peer.id, producerId });
  }

  /* ---- simultaneous interpretation ---- */

  /** The stored assignments of the room; an interpreter who lost theirs stops publishing at once. */
  setInterpreters(list: readonly InterpreterAssignment[]): void {
    this.interpreters.clear();
    for (const a of list) this.interpreters.set(a.userId, a);
    this.interpretersLoaded = true;
    for (const peer of this.peers.values()) {
      for (const [id, producer] of [...peer.producers]) {
        const channel = channelOf(producer);
        if (channel && publishProblem(this.interpreters.get(peer.userId), channel, producer.kind)) this.closeProducer(peer, id);
      }
    }
    this.publishInterpretation();
  }

  private assertInterpreter(peer: Peer, channel: ChannelLanguage, kind: 'audio' | 'video'): void {
    const problem = peer.guest ? 'NOT_INTERPRETER' : publishProblem(this.interpreters.get(peer.userId), channel, kind);
    if (problem === 'NOT_INTERPRETER') throw new AppError('NOT_INTERPRETER', 'You are not an interpreter into this channel here.');
    if (problem) throw new AppError(problem, channel === 'sign' ? 'The sign channel carries video.' : 'A spoken channel carries audio.');
  }

  listeningOf(peer: Peer): Listening {
    return this.listening.get(peer.userId) ?? DEFAULT_LISTENING;
  }

  /** The streams of each channel that has any, in the order interpreters started. */
  channelStreams(): Map<ChannelLanguage, { peer: Peer; producer: types.Producer }[]> {
    const byChannel = new Map<ChannelLanguage, { peer: Peer; producer: types.Producer }[]>();
    for (const peer of this.peers.values()) {
      for (const producer of peer.producers.values()) {
        const channel = channelOf(producer);
        if (!channel || producer.closed) continue;
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), { peer, producer }]);
      }
    }
    return byChannel;
  }

  private channelInfo(): ChannelInfo[] {
    return [...this.channelStreams()].map(([channel, streams]) => ({
      channel,
      streams: streams.map(({ peer, producer }): ChannelStream => ({
        producerId: producer.id,
        peerId: peer.id,
        displayName: peer.displayName,
        kind: producer.kind,
        live: !producer.paused,
      })),
    }));
  }

  interpretationState(peer: Peer): InterpretationState {
    return { interpreters: [...this.interpreters.values()], channels: this.channelInfo(), listening: this.listeningOf(peer) };
  }

  publishInterpretation(): void {
    if (this.isClosed) return;
    this.outbox.toOthers(this, null, 'interpretation:changed', {
      interpreters: [...this.interpreters.values()],
      channels: this.channelInfo(),
    });
  }

  /**
   * A booth's streams changed (an interpreter started or stopped): the live one stays, or the partner
   * takes over when the live one went (their stream is resumed, so listeners keep hearing the booth).
   */
  private boothChanged(channel: ChannelLanguage): void {
    if (this.isClosed) return;
    const streams = (this.channelStreams().get(channel) ?? []).map(({ peer, producer }) => ({ producerId: producer.id, peerId: peer.id }));
    const live = liveOf(streams, this.boothLive.get(channel));
    if (live) this.boothLive.set(channel, live);
    else this.boothLive.delete(channel);
    const producer = live ? this.findProducer(live) : undefined;
    if (producer?.paused)
      void producer.resume().then(
        () => this.publishInterpretation(),
        () => undefined,
      );
    this.publishInterpretation();
  }

  private findProducer(producerId: string): types.Producer | undefined {
    return this.producerOwner(producerId)?.producers.get(producerId);
  }

  /**
   * What a person hears from now on. The server stops sending every other channel at once: the
   * channel being left is held (its consumers paused, so going back resumes them without a new
   * consumer), any other is closed. The answer lists the chosen channel's streams; the client
   * consumes those it does not hold.
   */
  listen(peer: Peer, channel: Channel, floorVolume?: number): Listening & { streams: ChannelStream[] } {
    this.assertCan(peer, 'interpretation.listen');
    const from = this.listeningOf(peer).channel;
    const choice: Listening = { channel, floorVolume: floorVolume ?? this.listeningOf(peer).floorVolume };
    this.listening.set(peer.userId, choice);
    for (const p of this.peers.values()) {
      if (p.userId !== peer.userId) continue;
      for (const consumer of [...p.consumers.values()]) {
        const stream = this.findProducer(consumer.producerId);
        if (!stream) continue;
        const action = onChannelSwitch(from, channel, channelOf(stream));
        if (action === 'hold') {
          this.heldConsumers.add(consumer.id);
          void consumer.pause().catch(() => undefined);
        } else if (action === 'resume' && this.heldConsumers.delete(consumer.id)) {
          void consumer.resume().catch(() => undefined);
        } else if (action === 'close') {
          this.heldConsumers.delete(consumer.id);
          consumer.close();
          this.outbox.toPeer(p, 'consumer:closed', { consumerId: consumer.id, producerId: consumer.producerId });
        }
      }
    }
    const streams = channel === 'floor' ? [] : (this.channelInfo().find((c) => c.channel === channel)?.streams ?? []);
    return { ...choice, streams: streams.filter((s) => s.peerId !== peer.id) };
  }

  /**
   * Makes `toPeerId`'s stream the live one of the booth: it is resumed, and only once it carries
   * packets are the others paused, so the channel never falls silent. PARTNER_NOT_LIVE when the
   * incoming interpreter has no stream in the booth or it sends nothing.
   */
  async handOver(peer: Peer, channel: ChannelLanguage, toPeerId: string): Promise<string> {
    const booth = this.channelStreams().get(channel) ?? [];
    if (!booth.some((s) => s.peer === peer)) this.assertCan(peer, 'interpretation.manage');
    const plan = handOverPlan(
      booth.map(({ peer: p, producer }): BoothStream => ({ producerId: producer.id, peerId: p.id })),
      toPeerId,
    );
    if (!plan.ok) throw new AppError(plan.code, 'That interpreter has no stream in this booth.');
    const incoming = this.findProducer(plan.resume)!;
    const before = this.boothLive.get(channel);
    this.boothLive.set(channel, incoming.id);
    await incoming.resume();
    if (!(await carriesPackets(incoming, HAND_OVER_WAIT_MS))) {
      if (before && before !== incoming.id) {
        this.boothLive.set(channel, before);
        await incoming.pause().catch(() => undefined);
      }
      this.publishInterpretation();
      throw new AppError('PARTNER_NOT_LIVE', 'The incoming interpreter sends no sound yet.');
    }
    for (const id of plan.pause) await this.findProducer(id)?.pause();
    this.publishInterpretation();
    return incoming.id;
  }

  /** Closes the router (and with it every transport). Peers are told by the caller. */
  close(): void {
    const round = this.closed ? null : this.round;
    this.closed = true;
    clearTimeout(this.countTimer);
    clearTimeout(this.roundTimer);
    // Whoever is still in a group when the room closes leaves it now.
    if (round)
      for (const userId of new Set([...this.peers.values()].map((p) => p.userId)))
        if (round.placements.has(userId)) this.logGroup(userId, null, round);
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

/** Whether a producer receives RTP: its packet count grows within `withinMs`. */
async function carriesPackets(producer: types.Producer, withinMs: number): Promise<boolean> {
  const count = async () => (await producer.getStats().catch(() => [])).reduce((n, s) => n + (s.packetCount ?? 0), 0);
  const first = await count();
  for (const end = Date.now() + withinMs; Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 50));
    if (producer.closed) return false;
    if ((await count()) > first) return true;
  }
  return false;
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
