import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { type Ack, commandSchemas, type CommandName, ORG_ROLES } from '../../contract';
import { DomainEvents } from '../../common/domain-events';
import { LOGGER } from '../../common/logging';
import type { AppServer, AppSocket } from '../../common/ws/command';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MetricsService } from '../ops/metrics.service';
import { ROOM_DIRECTORY, type RoomDirectory } from '../rooms/live/room-directory';
import { type ForwardedCommand, NodeBus, type RemoteSocketInfo } from './bus';
import { roomOfCommand } from './command-scope';
import { type Lease, leaseValue, orphaned, ownersChanged, parseLease, placeRoom } from './lease';
import { NodeRegistry } from './node-registry';
import { REDIS, type Redis } from './redis';
import { remoteSocket } from './remote-socket';
import type { RedisRoomDirectory } from './room-leases';

/** Runs a command that already passed the edge's checks (auth, rate limit, guest rules) on this node. */
export type CommandRunner = (socket: AppSocket, event: CommandName, payload: unknown) => Promise<Ack<unknown>>;

const sessionsRevoked = z.object({ userId: z.string(), sessionIds: z.array(z.string()) });
const guestPassesRevoked = z.object({ passIds: z.array(z.string()).max(1_000) });
const membershipChange = z.object({ organizationId: z.string(), userId: z.string(), role: z.enum(ORG_ROLES).nullable() });

/** How often an edge checks that the rooms its sockets sit in still have the owner that seated them. */
const WATCH_MS = 500;
/**
 * A node with nobody on its bus channel at two looks this far apart is gone. A live node whose
 * subscription drops gets it back sooner (its client reconnects within 50 ms to 1 s, mostly the former).
 */
const GONE_RECHECK_MS = 500;

const isCommand = (name: string): name is CommandName => Object.prototype.hasOwnProperty.call(commandSchemas, name);
const unavailable = (message: string): Ack<unknown> => ({ ok: false, error: { code: 'UNAVAILABLE', message } });

/**
 * This node among several (REDIS_URL set): routes each room command to the node owning the room and
 * serves the commands other nodes forward to it, with their sockets seen through `remoteSocket`.
 * Without REDIS_URL it does nothing and every command runs here, as in a single process.
 */
@Injectable()
export class ClusterService implements OnModuleInit, OnApplicationShutdown {
  readonly enabled: boolean;
  private io: AppServer | undefined;
  private bus: NodeBus | undefined;
  private nodes: NodeRegistry | undefined;
  private runner: CommandRunner | undefined;
  /** Sockets of other nodes seated in rooms owned here, with the node each is connected to. */
  private readonly remote = new Map<string, { socket: AppSocket; edge: string }>();
  private readonly forwarded: Counter<'direction'>;
  private watchers: NodeJS.Timeout[] = [];
  /** One look at the owners at a time: a look that waits on a silent node outlasts WATCH_MS. */
  private watchingOwners = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(ROOM_DIRECTORY) private readonly directory: RoomDirectory,
    private readonly events: DomainEvents,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsService,
  ) {
    this.enabled = !!config.cluster && !!redis;
    this.forwarded = new Counter({
      name: 'quorum_node_forwarded_commands_total',
      help: 'Room commands forwarded between nodes: sent to the owner of their room, or served for another node',
      labelNames: ['direction'] as const,
      registers: [metrics.registry],
    });
    if (!this.enabled) return;
    // Names the node in every scrape, so that per-node series can be told apart after aggregation.
    new Gauge({ name: 'quorum_node_info', help: 'This node of several (value 1), by its NODE_ID', labelNames: ['node'] as const, registers: [metrics.registry] }).set({ node: this.directory.nodeId }, 1);
    metrics.gauge('quorum_node_leases_held', 'Room leases this node holds', () => this.leases.leasesHeld());
    metrics.gauge('quorum_node_remote_sockets', 'Sockets of other nodes seated in rooms this node owns', () => this.remote.size);
  }

  private get leases(): RedisRoomDirectory {
    return this.directory as RedisRoomDirectory;
  }

  private get self(): string {
    return this.directory.nodeId;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const cluster = this.config.cluster!;
    this.bus = new NodeBus(this.redis!, cluster.keyPrefix, this.self, this.logger);
    this.bus.onCommand = (cmd) => this.serve(cmd);
    this.bus.onNotice = (msg) => this.notice(msg);
    this.bus.onMedia = (from, op, body) => this.media(from, op, body);
    this.shareEvents();
    await this.bus.start();
    this.nodes = new NodeRegistry(
      this.redis!,
      cluster.keyPrefix,
      { nodeId: this.self, internalUrl: cluster.internalUrl, rtcAddress: this.config.media.rtcAnnouncedIp ?? null },
      cluster.leaseMs,
      () => this.leases.leasesHeld(),
      this.logger,
    );
    await this.nodes.start();
    this.leases.start();
    this.events.on('server.draining', () => void this.nodes?.drain());
    // Every node that ran a command for the socket may hold something of it (a seat, a place in a lobby).
    this.events.on('socket.disconnected', ({ socket, reason }) => {
      for (const node of this.ownersOf(socket)) this.bus!.notify(node, { kind: 'socket-gone', from: this.self, socketId: socket.id, reason });
    });
    this.events.on('socket.recovered', ({ socket }) => {
      for (const node of this.ownersOf(socket)) this.bus!.notify(node, { kind: 'socket-back', from: this.self, socket: this.info(socket) });
    });
    this.watchers = [
      setInterval(() => void this.watchOwners().catch((err: unknown) => this.logger.debug({ err }, 'owner watch failed')), WATCH_MS).unref(),
      setInterval(() => void this.watchEdges().catch((err: unknown) => this.logger.debug({ err }, 'edge watch failed')), WATCH_MS * 2).unref(),
    ];
    this.logger.info({ nodeId: this.self, internalUrl: cluster.internalUrl, leaseMs: cluster.leaseMs }, 'node joined the cluster');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.enabled) return;
    for (const w of this.watchers) clearInterval(w);
    this.leases.stop();
    await this.leases.releaseAll().catch(() => undefined);
    await this.nodes?.stop().catch(() => undefined);
    await this.bus?.stop();
    await this.redis?.quit().catch(() => undefined);
  }

  /** The gateway hands its server over once it exists. */
  attach(io: AppServer): void {
    this.io = io;
  }

  /** The command router's pipeline, for commands forwarded here. */
  serveWith(runner: CommandRunner): void {
    this.runner = runner;
  }

  /**
   * Domain events whose effect is on sockets and live rooms wherever they are: a revoked session's or
   * guest pass's sockets may be connected to any node, and a membership change must reach the node owning the
   * person's room. Raised on one node, they are raised again on every other one (and not sent back).
   */
  private shareEvents(): void {
    const relayed = new WeakSet<object>();
    const checks = { 'session.revoked': sessionsRevoked, 'guest-pass.revoked': guestPassesRevoked, 'membership.changed': membershipChange } as const;
    for (const name of Object.keys(checks) as (keyof typeof checks)[]) {
      this.events.on(name, (payload: object) => {
        if (!relayed.has(payload)) this.bus!.broadcast(name, payload);
      });
    }
    this.bus!.onEvent = (from, name, raw) => {
      if (!(name in checks)) return;
      const parsed = checks[name as keyof typeof checks].safeParse(raw);
      if (!parsed.success) return this.logger.warn({ from, name }, 'malformed shared event');
      relayed.add(parsed.data);
      this.events.emit(name as 'session.revoked', parsed.data as never);
    };
  }

  /** Serves the media requests of other nodes (edge-link.ts). */
  serveMedia(handler: (from: string, op: string, body: unknown) => Promise<Ack<unknown>>): void {
    this.media = handler;
  }

  private media: (from: string, op: string, body: unknown) => Promise<Ack<unknown>> = async () => unavailable('Not ready.');

  /** A media request to another node: its answer, UNAVAILABLE when it does not answer in time, null when it is gone. */
  async request(nodeId: string, op: string, body: unknown): Promise<Ack<unknown> | null> {
    if (!this.bus) return null;
    return this.bus.request(nodeId, op, body);
  }

  /** This node's id (NODE_ID), also without REDIS_URL. */
  get nodeId(): string {
    return this.self;
  }

  /** The other node a socket seated in a room owned here is connected to (undefined: connected here). */
  edgeOf(socketId: string): string | undefined {
    return this.remote.get(socketId)?.edge;
  }

  /** The lease this node holds on a room, as stored in Redis (`<epoch>@<node>`). */
  heldLease(roomId: string): string | undefined {
    const lease = this.enabled ? this.leases.heldLease(roomId) : undefined;
    return lease ? leaseValue(lease) : undefined;
  }

  /** The leases of several rooms as Redis has them now (null: nobody holds it). */
  async currentLeases(roomIds: string[]): Promise<Map<string, string | null>> {
    return this.enabled ? this.leases.leases(roomIds) : new Map();
  }

  /** The nodes whose heartbeat runs now, this one included. */
  async liveNodes(): Promise<Set<string>> {
    const live = new Set((await this.nodes?.nodes())?.map((n) => n.nodeId) ?? []);
    live.add(this.self);
    return live;
  }

  /** A socket of another node, seated in a room this node owns, whose node is still there. */
  isRemoteSocket(socketId: string): boolean {
    return this.remote.has(socketId);
  }

  /**
   * Runs a command where its room lives: here (`local`) when this node owns the room, the command is
   * not about a room, or nobody owns it yet and it should open here; otherwise on the owner.
   */
  async route(socket: AppSocket, event: CommandName, payload: unknown, local: () => Promise<Ack<unknown>>, retried = false): Promise<Ack<unknown>> {
    if (!this.enabled || this.remote.has(socket.id)) return local();
    const roomId = roomOfCommand(event, payload, socket.data.seat?.roomId);
    if (!roomId) return local();
    let lease = await this.leases.lease(roomId);
    // A retry skips placement: the node placement chose did not answer.
    if (!lease && event === 'room:join' && !retried) {
      const place = placeRoom(this.self, await this.nodes!.nodes());
      if (place && place !== this.self) return this.forward(socket, place, roomId, event, payload, null, local, retried);
    }
    if (!lease || lease.nodeId === this.self) {
      // Fencing: this node acts on a room only while Redis still names it, with its epoch, as the owner.
      if (lease && event !== 'room:join' && !(await this.leases.holds(roomId))) return unavailable('This room is moving to another server. Join again.');
      const ack = await local();
      if (ack.ok) this.seated(socket, event, roomId, this.leases.heldLease(roomId));
      if (ack.ok || event !== 'room:join' || ack.error.code !== 'UNAVAILABLE') return ack;
      // Lost the race to open the room: another node took it between our look and our claim.
      lease = await this.leases.lease(roomId);
      if (!lease || lease.nodeId === this.self) return ack;
    }
    return this.forward(socket, lease.nodeId, roomId, event, payload, lease, local, retried);
  }

  private async forward(
    socket: AppSocket,
    owner: string,
    roomId: string,
    event: CommandName,
    payload: unknown,
    lease: Lease | null,
    local: () => Promise<Ack<unknown>>,
    retried: boolean,
  ): Promise<Ack<unknown>> {
    this.forwarded.inc({ direction: 'sent' });
    if (!socket.data.forwardedTo?.includes(owner)) socket.data.forwardedTo = [...(socket.data.forwardedTo ?? []), owner];
    const ack = await this.bus!.forward(owner, { roomId, socket: this.info(socket), event, payload });
    if (ack === null) {
      // The owner is gone without a goodbye (killed): its lease runs out within ROOM_LEASE_MS. A join
      // waits for that here and goes on to the next owner, rather than sending the client into backoff.
      if (event !== 'room:join' || retried) return unavailable('The server hosting this room is gone. Join again in a moment.');
      if (!lease) return this.route(socket, event, payload, local, true);
      if ((await this.evictIfGone(lease.nodeId, [[roomId, lease]])).length) return this.route(socket, event, payload, local, true);
      const deadline = Date.now() + this.config.cluster!.leaseMs + 1_000;
      while (Date.now() < deadline && leaseValue(lease) === (await this.redis!.get(this.leases.leaseKey(roomId)))) await new Promise((r) => setTimeout(r, 100));
      return this.route(socket, event, payload, local, true);
    }
    if (ack.ok) this.seated(socket, event, roomId, lease ?? (await this.leases.lease(roomId)) ?? undefined);
    return ack;
  }

  /** Remembers, on the socket (so it survives a recovery on any node), which room it sits in and by whose lease. */
  private seated(socket: AppSocket, event: CommandName, roomId: string, lease: Lease | undefined): void {
    if (event === 'room:join' && lease) socket.data.seat = { roomId, lease: leaseValue(lease) };
    else if (event === 'room:leave' || event === 'room:end') delete socket.data.seat;
  }

  private info(socket: AppSocket): RemoteSocketInfo {
    const { principal, guest, socketId } = socket.data;
    return { id: socket.id, data: { principal: { ...principal }, ...(guest ? { guest: { ...guest } } : {}), socketId }, rooms: [...socket.rooms] };
  }

  /** The other nodes a local socket's commands went to. */
  private ownersOf(socket: AppSocket): string[] {
    if (this.remote.has(socket.id)) return [];
    const owners = new Set(socket.data.forwardedTo ?? []);
    const seatOwner = this.remoteOwner(socket);
    if (seatOwner) owners.add(seatOwner);
    owners.delete(this.self);
    return [...owners];
  }

  /** The other node owning the room a local socket sits in, if any. */
  private remoteOwner(socket: AppSocket): string | undefined {
    if (this.remote.has(socket.id)) return undefined;
    const owner = parseLease(socket.data.seat?.lease)?.nodeId;
    return owner && owner !== this.self ? owner : undefined;
  }

  /** A command another node forwarded: fenced by this node's lease, then run as if its socket were here. */
  private async serve(cmd: ForwardedCommand): Promise<Ack<unknown>> {
    this.forwarded.inc({ direction: 'served' });
    if (!isCommand(cmd.event) || !this.runner || !this.io) return unavailable('Not ready.');
    if (cmd.event !== 'room:join' && !(await this.leases.holds(cmd.roomId))) return unavailable('This room is moving to another server. Join again.');
    const known = this.remote.get(cmd.socket.id);
    const socket = known?.socket ?? remoteSocket(this.io, cmd.socket);
    this.remote.set(cmd.socket.id, { socket, edge: cmd.from });
    return this.runner(socket, cmd.event, cmd.payload);
  }

  private notice(msg: Parameters<NodeBus['onNotice']>[0]): void {
    if (msg.kind === 'socket-gone') {
      const known = this.remote.get(msg.socketId);
      if (!known) return;
      this.remote.delete(msg.socketId);
      this.events.emit('socket.disconnected', { socket: known.socket, reason: msg.reason });
    } else {
      const socket = this.remote.get(msg.socket.id)?.socket ?? remoteSocket(this.io!, msg.socket);
      this.remote.set(msg.socket.id, { socket, edge: msg.from });
      this.events.emit('socket.recovered', { socket });
    }
  }

  /**
   * Edge side: sockets seated by an owner that is gone (killed, lease run out, drained) have lost their
   * seat with it. They are told, as after a media failure, and join again: the next owner continues
   * the session from the database.
   */
  private async watchOwners(): Promise<void> {
    if (!this.io || this.watchingOwners) return;
    const bySocket = new Map([...this.io.sockets.sockets.values()].filter((s) => this.remoteOwner(s)).map((s) => [s.id, s]));
    if (!bySocket.size) return;
    this.watchingOwners = true;
    try {
      const seats = new Map([...bySocket].map(([id, s]) => [id, { ...s.data.seat! }]));
      const current = await this.leases.leases([...new Set([...seats.values()].map((seat) => seat.roomId))]);
      // Owners that are gone lose their leases now, not when the leases run out.
      const byOwner = new Map<string, Map<string, Lease>>();
      for (const [roomId, value] of current) {
        const lease = parseLease(value);
        if (lease && lease.nodeId !== this.self) byOwner.set(lease.nodeId, (byOwner.get(lease.nodeId) ?? new Map()).set(roomId, lease));
      }
      for (const [owner, rooms] of byOwner) for (const roomId of await this.evictIfGone(owner, [...rooms])) current.set(roomId, null);
      for (const socketId of ownersChanged(seats, current)) {
        const socket = bySocket.get(socketId)!;
        const seat = seats.get(socketId)!;
        // Seated again meanwhile (a join under the next owner): that seat stands.
        if (socket.data.seat?.lease !== seat.lease) continue;
        delete socket.data.seat;
        void socket.leave(`room:${seat.roomId}`);
        socket.emit('room:media-reset', { roomId: seat.roomId, reason: 'owner-lost' });
        this.logger.info({ socketId, roomId: seat.roomId }, 'room owner gone: the socket joins again');
      }
    } finally {
      this.watchingOwners = false;
    }
  }

  /**
   * A node killed without a goodbye keeps its leases until they run out (ROOM_LEASE_MS), but its bus
   * subscription ends with its process. When nobody listens on its channel at two looks, its leases on
   * `rooms` are removed (each only while it is still that lease), so the rooms open on another node at
   * once. Should the node be alive after all, its next renewal finds the lease gone and it drops the
   * room; its people join again, as after any move. Returns the rooms whose lease was removed.
   */
  private async evictIfGone(owner: string, rooms: [string, Lease][]): Promise<string[]> {
    if (owner === this.self) return [];
    try {
      if (await this.bus!.listening(owner)) return [];
      await new Promise((r) => setTimeout(r, GONE_RECHECK_MS));
      if (await this.bus!.listening(owner)) return [];
      const evicted: string[] = [];
      for (const [roomId, lease] of rooms) if (await this.leases.evict(roomId, lease)) evicted.push(roomId);
      if (evicted.length) this.logger.warn({ owner, rooms: evicted }, 'room owner gone: its leases are removed');
      return evicted;
    } catch (err) {
      this.logger.debug({ err, owner }, 'could not tell whether a node is gone');
      return [];
    }
  }

  /** Owner side: sockets of a node that vanished from the registry went with it (a crash sends no goodbye). */
  private async watchEdges(): Promise<void> {
    if (!this.remote.size) return;
    const live = new Set((await this.nodes!.nodes()).map((n) => n.nodeId));
    live.add(this.self);
    const edges = new Map([...this.remote].map(([id, r]) => [id, r.edge]));
    for (const id of orphaned(edges, live)) {
      const known = this.remote.get(id)!;
      this.remote.delete(id);
      this.events.emit('socket.disconnected', { socket: known.socket, reason: 'transport close' });
    }
  }

  async ping(): Promise<void> {
    await this.redis!.ping();
  }
}
