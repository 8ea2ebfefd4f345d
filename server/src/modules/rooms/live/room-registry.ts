// Over 400 lines on purpose: seating, leaving, restarts and worker failures all change the same map of
// live rooms and seats under the same per-room lock; split apart they would each need that lock.
import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, IsNull } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import type { RoomJoined, RoomRole, ServerEvents } from '../../../contract';
import { AppError } from '../../../common/errors';
import { LOGGER } from '../../../common/logging';
import { type AppSocket, RECOVERY_WINDOW_MS } from '../../../common/ws/command';
import { MetricsService } from '../../ops/metrics.service';
import { NoWorkerAvailableError, type PooledRouter } from '../../media/worker-pool';
import { WorkerPoolService } from '../../media/worker-pool.service';
import { DomainEvents, type MembershipChange } from '../../../common/domain-events';
import { RealtimeGateway } from '../../realtime/realtime.gateway';
import { ClusterService } from '../../cluster/cluster.service';
import { standingRoomRole } from '../room-permissions';
import type { Room } from '../room.entity';
import { AttendanceRecord } from '../attendance.entity';
import { RoomSession } from '../room-session.entity';
import { AttendanceWriter } from './attendance-writer';
import { EdgeMediaService } from './edge-media.service';
import { KeyedMutex } from './keyed-mutex';
import { LiveRoom, type Peer, type RoomOutbox } from './live-room';
import { ROOM_DIRECTORY, type RoomDirectory } from './room-directory';
import { BreakoutLog } from './breakout-log';
import { captureState, insertHand, RESUME_GRACE_MS, restoreState, resumable, savedBreakout } from './session-state';

interface Seat {
  room: LiveRoom;
  peer: Peer;
}

/** Disconnect reasons of a connection that broke (not closed on purpose): the client may recover it. */
const RECOVERABLE = new Set(['transport close', 'transport error', 'ping timeout', 'parse error']);
/** How long a join waits for a replacement worker before answering UNAVAILABLE. */
const WORKER_WAIT_MS = 8_000;
/** How often the live sessions of this node are vouched for and their stage state saved. */
const SAVE_EVERY_MS = 2_000;

/** A session continued from a previous process: people not back yet (their open visits) and their hands. */
interface Returning {
  since: Date;
  visits: Map<string, string[]>;
  hands: Map<string, Date>;
  timer: NodeJS.Timeout;
}

/**
 * The live rooms of this node: creates a room's router on first join (one at a time per room),
 * seats peers, closes the room when the last one leaves, and rebuilds rooms whose worker died.
 */
@Injectable()
export class RoomRegistry implements RoomOutbox, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly live = new Map<string, LiveRoom>();
  private readonly seats = new Map<string, Seat>();
  private readonly mutex = new KeyedMutex();
  private readonly pendingLeaves = new Map<string, NodeJS.Timeout>();
  /** By session id. */
  private readonly returning = new Map<string, Returning>();
  /** Sessions of a previous process waiting for their people, ended if nobody comes back in time. */
  private readonly expiries = new Set<NodeJS.Timeout>();
  private readonly savedState = new Map<string, string>();
  private saver: NodeJS.Timeout | undefined;
  private saving = false;
  /** Draining or shut down: connections closing now are not people leaving. */
  private stopping = false;
  /** Told of each live room this node opens (captions attach to its floor microphones). */
  private readonly openedListeners = new Set<(room: LiveRoom) => void>();

  constructor(
    private readonly pool: WorkerPoolService,
    private readonly gateway: RealtimeGateway,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ROOM_DIRECTORY) private readonly directory: RoomDirectory,
    private readonly attendance: AttendanceWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly events: DomainEvents,
    private readonly cluster: ClusterService,
    private readonly edgeMedia: EdgeMediaService,
    private readonly breakoutLog: BreakoutLog,
    metrics: MetricsService,
  ) {
    metrics.gauge('quorum_live_rooms', 'Rooms with a live session on this node', () => this.live.size);
    metrics.gauge('quorum_node_rooms_owned', 'Rooms this node owns: their state and media origin are here', () => this.live.size);
    metrics.gauge('quorum_room_peers', 'People in live rooms on this node', () => this.seats.size);
  }

  async onModuleInit(): Promise<void> {
    this.events.on('server.draining', () => (this.stopping = true));
    this.events.on('socket.disconnected', ({ socket, reason }) => {
      if (this.stopping) return;
      this.forgetWaiting(socket.id);
      const leave = () => {
        this.pendingLeaves.delete(socket.id);
        void this.leave(socket).catch((err) => this.logger.error({ err }, 'leave on disconnect failed'));
      };
      // A dropped network may come back within the recovery window with the same socket: keep the seat
      // (and with it the role, raised hand and media) until then. A deliberate disconnect leaves at once.
      if (RECOVERABLE.has(reason) && this.seats.has(socket.id))
        this.pendingLeaves.set(socket.id, setTimeout(leave, RECOVERY_WINDOW_MS).unref());
      else leave();
    });
    this.events.on('socket.recovered', ({ socket }) => {
      clearTimeout(this.pendingLeaves.get(socket.id));
      this.pendingLeaves.delete(socket.id);
    });
    this.events.on(
      'membership.changed',
      (c) => void this.membershipChanged(c).catch((err) => this.logger.error({ err }, 'could not apply a membership change to live rooms')),
    );
    this.events.on(
      'room.lease-lost',
      ({ roomId }) =>
        void this.dropRoom(roomId).catch((err) => this.logger.error({ err, roomId }, 'could not drop a room whose lease was lost')),
    );
    this.pool.on(
      'workerDied',
      ({ index }) => void this.resetRoomsOf(index).catch((err) => this.logger.error({ err, workerIndex: index }, 'media reset failed')),
    );
    this.edgeMedia.serveOwner({
      relayOf: (roomId) => this.liveRoom(roomId)?.relay,
      relays: () => [...this.live.values()].flatMap((r) => (r.relay && !r.isClosed ? [{ roomId: r.roomId, relay: r.relay }] : [])),
      present: (roomId) => [...(this.liveRoom(roomId)?.peers.values() ?? [])].map((p) => p.userId),
      edgeLost: (roomId, peerIds) =>
        void this.resetEdgeViewers(roomId, peerIds).catch((err: unknown) =>
          this.logger.error({ err, roomId }, 'could not re-place the viewers of a lost node'),
        ),
    });
    await this.settleSessions();
    this.saver = setInterval(() => void this.saveLive(), SAVE_EVERY_MS).unref();
  }

  /**
   * Sessions left open by a previous process: continued when it stopped (or was last heard of, after
   * a crash) within the grace period, ended at that moment otherwise.
   */
  private async settleSessions(): Promise<void> {
    const repo = this.db.getRepository(RoomSession);
    const now = new Date();
    for (const s of await repo.findBy({ endedAt: IsNull() })) {
      // With several nodes, a session whose room another node owns is that node's to keep or end.
      if (this.directory.shared && (await this.directory.owner(s.roomId))) continue;
      const lastSeen = s.suspendedAt ?? s.aliveAt ?? s.startedAt;
      if (!resumable(lastSeen, now)) {
        await this.endStored(s.id, lastSeen);
        continue;
      }
      if (!s.suspendedAt) await repo.update({ id: s.id }, { suspendedAt: lastSeen });
      const timer = setTimeout(
        () => {
          this.expiries.delete(timer);
          void this.mutex
            .run(s.roomId, async () => {
              if (this.live.get(s.roomId)?.sessionId === s.id) return;
              if (this.directory.shared && (await this.directory.owner(s.roomId))) return;
              await this.endStored(s.id, lastSeen);
            })
            .catch((err: unknown) => this.logger.error({ err, sessionId: s.id }, 'could not end a session nobody came back to'));
        },
        Math.max(0, lastSeen.getTime() + RESUME_GRACE_MS - now.getTime()),
      ).unref();
      this.expiries.add(timer);
    }
  }

  private async endStored(sessionId: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE attendance SET left_at = greatest($2, joined_at) WHERE session_id = $1 AND left_at IS NULL`, [
      sessionId,
      at,
    ]);
    await this.db.query(
      `UPDATE room_sessions SET ended_at = greatest($2, started_at), suspended_at = NULL WHERE id = $1 AND ended_at IS NULL`,
      [sessionId, at],
    );
  }

  /** Vouches for this node's live sessions and saves their stage state when it changed. */
  private async saveLive(): Promise<void> {
    if (this.saving || this.stopping) return;
    this.saving = true;
    try {
      for (const live of [...this.live.values()]) {
        if (live.isClosed) continue;
        const state = JSON.stringify(captureState(live, this.returning.get(live.sessionId)?.hands));
        const changed = this.savedState.get(live.sessionId) !== state;
        await this.db.query(
          `UPDATE room_sessions SET alive_at = now()${changed ? ', state = $2' : ''} WHERE id = $1 AND ended_at IS NULL`,
          changed ? [live.sessionId, state] : [live.sessionId],
        );
        if (changed) this.savedState.set(live.sessionId, state);
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not save the live rooms');
    } finally {
      this.saving = false;
    }
  }

  /**
   * Shutdown, after the drain: the sessions are handed over to the next process as they are (roles,
   * hands, options, everyone's visit still open), not ended. Runs before the database closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.saver);
    for (const t of this.pendingLeaves.values()) clearTimeout(t);
    for (const t of this.expiries) clearTimeout(t);
    for (const r of this.returning.values()) clearTimeout(r.timer);
    try {
      await this.attendance.flush();
      for (const live of this.live.values()) {
        if (live.isClosed) continue;
        const state = JSON.stringify(captureState(live, this.returning.get(live.sessionId)?.hands));
        await this.db.query(
          `UPDATE room_sessions SET suspended_at = now(), alive_at = now(), state = $2 WHERE id = $1 AND ended_at IS NULL`,
          [live.sessionId, state],
        );
      }
    } catch (err) {
      this.logger.error({ err }, 'could not hand the live rooms over');
    }
    // Handed over: with several nodes, the next join through any of them takes the rooms at once.
    await this.directory.releaseAll().catch((err: unknown) => this.logger.warn({ err }, 'could not release the room leases'));
  }

  onApplicationShutdown(): void {
    for (const room of this.live.values()) room.close();
    this.live.clear();
    this.seats.clear();
  }

  /** Calls `listener` with every live room this node opens from now on. */
  onRoomOpened(listener: (room: LiveRoom) => void): void {
    this.openedListeners.add(listener);
  }

  participants(roomId: string): number {
    return this.live.get(roomId)?.peers.size ?? 0;
  }

  seatOf(socket: AppSocket): Seat {
    const seat = this.seats.get(socket.id);
    if (!seat || seat.room.isClosed) throw new AppError('NOT_IN_ROOM', 'Join a room first.');
    return seat;
  }

  /**
   * Seats the socket's user. Before that: removed people stay out (FORBIDDEN), a locked room takes
   * only hosts and people already in this session (ROOM_LOCKED), and with the lobby on everyone else
   * waits until a host admits them (LOBBY_WAITING, then `lobby:admitted`).
   */
  async join(socket: AppSocket, room: Room, displayName: string, role: RoomRole): Promise<RoomJoined> {
    await this.leave(socket);
    // Only in-memory work under the room's lock; the attendance row is written in a batch after it.
    const { joined, stored } = await this.mutex.run(room.id, async () => {
      const userId = socket.data.principal.userId;
      const guest = socket.data.guest !== undefined;
      let live = this.live.get(room.id);
      if (live?.isClosed) live = undefined;
      if (live) {
        if (live.removed.has(userId)) throw new AppError('FORBIDDEN', 'A host removed you from this session.');
        const effective = live.sessionRoles.get(userId) ?? role;
        const returning = live.everJoined.has(userId) || live.admitted.has(userId);
        if (effective !== 'host' && effective !== 'co-host' && !returning) {
          if (live.options.locked) throw new AppError('ROOM_LOCKED', 'The room is locked.');
          if (live.options.lobby) {
            const entry = live.lobby.get(userId) ?? {
              userId,
              displayName,
              guest,
              since: new Date().toISOString(),
              socketIds: new Set<string>(),
            };
            entry.socketIds.add(socket.id);
            live.lobby.set(userId, entry);
            live.publishLobby();
            throw new AppError('LOBBY_WAITING', 'Waiting for a host to let you in.');
          }
        }
        if (live.peers.size >= room.capacity) throw new AppError('ROOM_FULL', 'The room is full.');
      }
      if (!live) live = await this.openRoom(room);
      // A seat of this person whose connection broke and came back as a new connection: replace it.
      for (const [socketId, seat] of [...this.seats]) {
        if (seat.room === live && seat.peer.userId === userId && !this.socketOpen(socketId)) {
          clearTimeout(this.pendingLeaves.get(socketId));
          this.pendingLeaves.delete(socketId);
          await this.unseat(socketId, seat);
        }
      }
      const visit = this.visit(live, userId, displayName);
      const peer = live.addPeer(userId, displayName, socket.id, role, guest);
      peer.attendanceId = visit.id;
      const hand = this.returning.get(live.sessionId)?.hands;
      if (hand?.has(userId) && peer.role === 'attendee') insertHand(live.hands, peer.id, hand.get(userId)!);
      hand?.delete(userId);
      if (live.lobby.delete(userId)) live.publishLobby();
      this.seats.set(socket.id, { room: live, peer });
      await socket.join(`room:${room.id}`);
      this.events.emit('room.presence', { roomId: room.id });
      if (peer.role === 'host' || peer.role === 'co-host') {
        this.toPeer(peer, 'hand:queue', { queue: live.handQueue() });
        if (live.invitations.size) this.toPeer(peer, 'stage:invitations', { pending: live.pendingInvitations() });
        if (live.lobby.size) this.toPeer(peer, 'lobby:queue', { waiting: live.lobbyQueue() });
      }
      return { joined: live.joinInfo(peer), stored: visit.stored };
    });
    try {
      await stored;
    } catch (err) {
      await this.leave(socket).catch(() => undefined);
      throw err;
    }
    return joined;
  }

  /** This person's attendance record: the one still open from before a restart, or a new one. */
  private visit(live: LiveRoom, userId: string, displayName: string): { id: string; stored: Promise<void> } {
    const r = this.returning.get(live.sessionId);
    const open = r?.visits.get(userId);
    const id = open?.shift();
    if (r && open && id) {
      if (!open.length) r.visits.delete(userId);
      return { id, stored: this.attendance.resume(id, r.since, new Date()) };
    }
    const visit = { id: randomUUID(), sessionId: live.sessionId, roomId: live.roomId, userId, displayName, joinedAt: new Date() };
    return { id: visit.id, stored: this.attendance.open(visit) };
  }

  /** Connected to this node, or to another node that forwards its commands here. */
  private socketOpen(socketId: string): boolean {
    return this.gateway.server.sockets.sockets.has(socketId) || this.cluster.isRemoteSocket(socketId);
  }

  /** The people seated in a live room, wherever it is owned: with several nodes, its owner is asked. */
  async presentUserIds(roomId: string): Promise<string[]> {
    const live = this.liveRoom(roomId);
    if (live) return [...live.peers.values()].map((p) => p.userId);
    if (!this.directory.shared) return [];
    const owner = await this.directory.owner(roomId);
    return owner && owner !== this.directory.nodeId ? this.edgeMedia.presentAt(owner, roomId) : [];
  }

  liveRoom(roomId: string): LiveRoom | undefined {
    const live = this.live.get(roomId);
    return live?.isClosed ? undefined : live;
  }

  /** Takes a person (all their devices) out of the room and keeps them out for the session. */
  async removeUser(room: LiveRoom, userId: string): Promise<void> {
    await this.mutex.run(room.roomId, async () => {
      room.removed.add(userId);
      for (const [socketId, seat] of [...this.seats]) {
        if (seat.room !== room || seat.peer.userId !== userId) continue;
        this.toPeer(seat.peer, 'room:removed', { roomId: room.roomId, reason: 'removed' });
        await this.unseat(socketId, seat);
      }
      if (room.peers.size === 0) await this.closeRoom(room);
    });
  }

  /**
   * Someone's organisation role changed or they were removed: their seats in that organisation's live
   * rooms follow at once. Out of a members-only room when removed; an organiser who is one no longer
   * loses the host role (a role a host gave them in this session is dropped with it).
   */
  private async membershipChanged(c: MembershipChange): Promise<void> {
    const standing = standingRoomRole(c.role);
    for (const room of [...this.live.values()]) {
      if (room.isClosed || room.organizationId !== c.organizationId) continue;
      const seats = [...this.seats].filter(([, seat]) => seat.room === room && seat.peer.userId === c.userId);
      if (!seats.length) continue;
      if (c.role === null && room.access === 'members') {
        await this.removeUser(room, c.userId);
        continue;
      }
      if (standing === 'host') continue;
      for (const [, seat] of seats) if (seat.peer.role === 'host' || seat.peer.role === 'co-host') room.setRole(seat.peer, standing);
      room.sessionRoles.delete(c.userId);
    }
  }

  /** Ends the session for everyone, the lobby included. */
  async endSession(room: LiveRoom): Promise<void> {
    await this.mutex.run(room.roomId, async () => {
      this.toOthers(room, null, 'room:removed', { roomId: room.roomId, reason: 'ended' });
      for (const entry of room.lobby.values()) this.gateway.server.to([...entry.socketIds]).emit('lobby:denied', { roomId: room.roomId });
      await this.closeRoom(room);
    });
  }

  admit(room: LiveRoom, userIds: string[] | 'all'): number {
    const ids = userIds === 'all' ? [...room.lobby.keys()] : userIds.filter((id) => room.lobby.has(id));
    for (const id of ids) {
      room.admitted.add(id);
      this.gateway.server.to([...room.lobby.get(id)!.socketIds]).emit('lobby:admitted', { roomId: room.roomId });
      room.lobby.delete(id);
    }
    if (ids.length) room.publishLobby();
    return ids.length;
  }

  deny(room: LiveRoom, userId: string): boolean {
    const entry = room.lobby.get(userId);
    if (!entry) return false;
    this.gateway.server.to([...entry.socketIds]).emit('lobby:denied', { roomId: room.roomId });
    room.lobby.delete(userId);
    room.publishLobby();
    return true;
  }

  async leave(socket: AppSocket): Promise<boolean> {
    const seat = this.seats.get(socket.id);
    if (!seat) {
      // Someone giving up on the lobby.
      this.forgetWaiting(socket.id);
      return false;
    }
    const left = await this.mutex.run(seat.room.roomId, async () => {
      if (this.seats.get(socket.id) !== seat) return false;
      await this.unseat(socket.id, seat);
      if (seat.room.peers.size === 0) await this.closeRoom(seat.room);
      return true;
    });
    // Answered once the leave is stored, outside the lock.
    await this.attendance.flush();
    return left;
  }

  private async unseat(socketId: string, seat: Seat): Promise<void> {
    this.seats.delete(socketId);
    this.gateway.server.in(socketId).socketsLeave(`room:${seat.room.roomId}`);
    seat.room.removePeer(seat.peer);
    this.events.emit('room.presence', { roomId: seat.room.roomId });
    if (seat.peer.attendanceId) this.attendance.close(seat.peer.attendanceId, new Date());
  }

  /** A socket waiting in a lobby went away. */
  private forgetWaiting(socketId: string): void {
    for (const room of this.live.values()) {
      for (const [userId, entry] of room.lobby) {
        if (!entry.socketIds.delete(socketId) || entry.socketIds.size) continue;
        room.lobby.delete(userId);
        room.publishLobby();
      }
    }
  }

  /* ---- RoomOutbox ---- */

  toPeer<E extends keyof ServerEvents>(peer: Peer, event: E, data: Parameters<ServerEvents[E]>[0], volatile = false): void {
    const target = this.gateway.server.to(peer.socketId);
    (volatile ? target.volatile : target).emit(event, ...([data] as Parameters<ServerEvents[E]>));
  }

  toOthers<E extends keyof ServerEvents>(
    room: LiveRoom,
    except: Peer | null,
    event: E,
    data: Parameters<ServerEvents[E]>[0],
    volatile = false,
  ): void {
    let target = this.gateway.server.to(`room:${room.roomId}`);
    if (except) target = target.except(except.socketId);
    (volatile ? target.volatile : target).emit(event, ...([data] as Parameters<ServerEvents[E]>));
  }

  /** To everyone in the room holding one of `roles` (e.g. the lobby queue to hosts). */
  toRoles<E extends keyof ServerEvents>(room: LiveRoom, roles: readonly RoomRole[], event: E, data: Parameters<ServerEvents[E]>[0]): void {
    const ids = room.peersWithRole(roles).map((p) => p.socketId);
    if (ids.length) this.gateway.server.to(ids).emit(event, ...([data] as Parameters<ServerEvents[E]>));
  }

  /* ---- internals ---- */

  private async openRoom(room: Room): Promise<LiveRoom> {
    const owner = await this.directory.claim(room.id, this.directory.nodeId);
    if (owner !== this.directory.nodeId) throw new AppError('UNAVAILABLE', 'This room is hosted by another server. Try again.');
    const pooled = await this.routerWhenAvailable(room.id);
    try {
      const { session, found } = await this.openSession(room.id);
      const sessionId = session.id;
      const live = await LiveRoom.open(room.id, sessionId, pooled, this, {
        iceServers: this.config.iceServers,
        plainListenInfo: this.pool.transportListenInfo(),
        limits: this.config.limits,
        spill: {
          routerConsumers: this.config.media.routerConsumers,
          createRouter: async (avoid) => {
            const spilled = await this.pool.createRouter({ roomId: room.id, spillOver: true }, avoid);
            this.logger.info(
              { roomId: room.id, worker: spilled.worker.index, workerPid: spilled.worker.worker.pid },
              'room spilled over to another worker',
            );
            return spilled;
          },
          aliveWorkers: () => this.pool.aliveWorkers(),
          pipeListenInfo: this.pool.pipeListenInfo(),
        },
        ...(this.edgeMedia.link ? { edges: this.edgeMedia.link } : {}),
      });
      live.mode = room.mode;
      live.organizationId = room.organizationId;
      live.access = room.access;
      // Several nodes: a session open without a hand-over is one whose owner died; continued the same way
      // from the moment it was last vouched for.
      const since = session.suspendedAt ?? (found && this.directory.shared ? (session.aliveAt ?? session.startedAt) : null);
      if (since) await this.resume(live, session, since);
      this.live.set(room.id, live);
      for (const listener of this.openedListeners) listener(live);
      this.logger.info({ roomId: room.id, sessionId, worker: pooled.worker.index }, 'room opened');
      return live;
    } catch (err) {
      pooled.router.close();
      throw err;
    }
  }

  /** The room's live session: the open one (after a media reset or a restart) or a new one. */
  private async openSession(roomId: string): Promise<{ session: RoomSession; found: boolean }> {
    const repo = this.db.getRepository(RoomSession);
    const open = await repo.findOneBy({ roomId, endedAt: IsNull() });
    if (open) return { session: open, found: true };
    return {
      session: await repo.save(
        repo.create({ roomId, startedAt: new Date(), endedAt: null, aliveAt: new Date(), suspendedAt: null, state: null }),
      ),
      found: false,
    };
  }

  /**
   * Continues a session a previous process handed over (or left behind in a crash): its stage state
   * comes back, and the visits still open wait for their people, who get them back with the time
   * away marked as a gap. Those not back within the grace period are recorded as gone when it stopped.
   */
  private async resume(live: LiveRoom, session: RoomSession, since: Date): Promise<void> {
    const hands = restoreState(live, session.state);
    // Stays in breakout groups end when the previous process stopped; each person's next stay starts when they are back.
    await this.db.query(`UPDATE breakout_visits SET left_at = greatest($2, joined_at) WHERE session_id = $1 AND left_at IS NULL`, [
      session.id,
      since,
    ]);
    const round = savedBreakout(session.state, new Date());
    if (round) {
      live.groupLog = (e) => this.breakoutLog.record({ sessionId: live.sessionId, roomId: live.roomId, ...e });
      live.openBreakout(round, () =>
        this.logger.info({ roomId: live.roomId, roundId: round.id }, 'breakout time up: everyone back in the main room'),
      );
    }
    const visits = new Map<string, string[]>();
    const rows: { id: string; user_id: string }[] = await this.db.query(
      `SELECT id, user_id FROM attendance WHERE session_id = $1 AND left_at IS NULL ORDER BY joined_at`,
      [session.id],
    );
    for (const r of rows) visits.set(r.user_id, [...(visits.get(r.user_id) ?? []), r.id]);
    const timer = setTimeout(() => this.stopWaiting(session.id), RESUME_GRACE_MS).unref();
    this.returning.set(session.id, { since, visits, hands, timer });
    await this.db.getRepository(RoomSession).update({ id: session.id }, { suspendedAt: null, aliveAt: new Date() });
    this.logger.info({ roomId: live.roomId, sessionId: session.id, away: rows.length, since }, 'room session resumed');
  }

  /** The people of a resumed session who did not come back: gone since the restart. */
  private stopWaiting(sessionId: string): void {
    const r = this.returning.get(sessionId);
    if (!r) return;
    clearTimeout(r.timer);
    this.returning.delete(sessionId);
    for (const ids of r.visits.values()) for (const id of ids) this.attendance.close(id, r.since);
  }

  private async routerWhenAvailable(roomId: string): Promise<PooledRouter> {
    const deadline = Date.now() + WORKER_WAIT_MS;
    for (;;) {
      try {
        return await this.pool.createRouter({ roomId });
      } catch (err) {
        if (!(err instanceof NoWorkerAvailableError) || Date.now() > deadline) {
          throw err instanceof NoWorkerAvailableError ? new AppError('UNAVAILABLE', 'No media server is available. Try again.') : err;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async closeRoom(room: LiveRoom): Promise<void> {
    for (const [socketId, seat] of this.seats) if (seat.room === room) this.seats.delete(socketId);
    this.gateway.server.in(`room:${room.roomId}`).socketsLeave(`room:${room.roomId}`);
    room.close();
    this.stopWaiting(room.sessionId);
    this.savedState.delete(room.sessionId);
    await this.attendance.flush();
    await this.db.getRepository(AttendanceRecord).update({ sessionId: room.sessionId, leftAt: IsNull() }, { leftAt: new Date() });
    if (this.live.get(room.roomId) === room) this.live.delete(room.roomId);
    await this.directory.release(room.roomId, this.directory.nodeId);
    await this.db.getRepository(RoomSession).update({ id: room.sessionId, endedAt: IsNull() }, { endedAt: new Date() });
    this.logger.info({ roomId: room.roomId, sessionId: room.sessionId }, 'room closed');
  }

  /**
   * A worker died with its routers. Rooms whose origin router was there are dropped (the session
   * stays open) and their peers told to join again; the next join builds the room on a live worker.
   * Rooms that had only spilled over to it lose just the viewers received there, who are told to join
   * again and are placed on a live router; everyone else keeps their media.
   */
  private async resetRoomsOf(workerIndex: number): Promise<void> {
    const rooms = [...this.live.values()];
    const hit = rooms.filter((r) => r.pooled.worker.index === workerIndex);
    const viewers = rooms
      .flatMap((room) => (hit.includes(room) ? [] : [{ room, lost: room.takeLostViewers(workerIndex) }]))
      .filter((v) => v.lost.length);
    for (const { room, lost } of viewers) {
      // Everyone in the room was received there: the same as losing the room, whose session stays open.
      if (lost.length >= room.peers.size) hit.push(room);
      else await this.resetViewers(room, lost, workerIndex);
    }
    for (const room of hit) await this.resetRoom(room, workerIndex);
  }

  private async resetRoom(room: LiveRoom, workerIndex: number): Promise<void> {
    await this.mutex.run(room.roomId, async () => {
      this.toOthers(room, null, 'room:media-reset', { roomId: room.roomId, reason: 'worker-died' });
      for (const [socketId, seat] of this.seats) {
        if (seat.room !== room) continue;
        this.seats.delete(socketId);
        this.gateway.server.in(socketId).socketsLeave(`room:${room.roomId}`);
      }
      room.close();
      this.live.delete(room.roomId);
      // Peers are told and seats cleared whatever happens next; bookkeeping failures only get logged.
      try {
        await this.directory.release(room.roomId, this.directory.nodeId);
        await this.attendance.flush();
        await this.db.getRepository(AttendanceRecord).update({ sessionId: room.sessionId, leftAt: IsNull() }, { leftAt: new Date() });
      } catch (err) {
        this.logger.error({ err, roomId: room.roomId }, 'could not record the media reset');
      }
    });
    this.logger.warn({ roomId: room.roomId, workerIndex }, 'room media reset after a worker died');
  }

  /**
   * This node lost the room's lease (it expired while the node was cut off or paused, or another node
   * holds it now): it stops serving the room at once, writing nothing, since the room's next owner
   * continues the session. Its people are told to join again, as after a media failure.
   */
  private async dropRoom(roomId: string): Promise<void> {
    const room = this.live.get(roomId);
    if (!room) return;
    await this.mutex.run(roomId, async () => {
      if (this.live.get(roomId) !== room) return;
      for (const [socketId, seat] of [...this.seats]) {
        if (seat.room !== room) continue;
        // The other nodes tell their own sockets when they see the lease change.
        if (this.gateway.server.sockets.sockets.has(socketId)) this.toPeer(seat.peer, 'room:media-reset', { roomId, reason: 'owner-lost' });
        this.seats.delete(socketId);
        clearTimeout(this.pendingLeaves.get(socketId));
        this.pendingLeaves.delete(socketId);
        this.gateway.server.in(socketId).socketsLeave(`room:${roomId}`);
      }
      room.close();
      this.live.delete(roomId);
      clearTimeout(this.returning.get(room.sessionId)?.timer);
      this.returning.delete(room.sessionId);
      this.savedState.delete(room.sessionId);
    });
    this.logger.warn({ roomId }, 'room dropped: this node no longer holds its lease');
  }

  /** Viewers received on a node that is gone: out of their seat and told to join again, through a live node. */
  private async resetEdgeViewers(roomId: string, peerIds: string[]): Promise<void> {
    const room = this.liveRoom(roomId);
    if (!room) return;
    await this.mutex.run(roomId, async () => {
      for (const peerId of peerIds) {
        const peer = room.peers.get(peerId);
        const seat = peer && this.seats.get(peer.socketId);
        if (!peer || seat?.peer !== peer) continue;
        this.toPeer(peer, 'room:media-reset', { roomId, reason: 'edge-lost' });
        clearTimeout(this.pendingLeaves.get(peer.socketId));
        this.pendingLeaves.delete(peer.socketId);
        await this.unseat(peer.socketId, seat);
      }
      if (room.peers.size === 0) await this.closeRoom(room);
    });
    await this.attendance.flush().catch((err: unknown) => this.logger.error({ err, roomId }, 'could not record the viewers reset'));
    this.logger.warn({ roomId, viewers: peerIds.length }, 'viewers re-placed after the node they were received on left');
  }

  /** The viewers a dying worker took with it: out of their seat and told to join again, as in a room reset. */
  private async resetViewers(room: LiveRoom, lost: Peer[], workerIndex: number): Promise<void> {
    await this.mutex.run(room.roomId, async () => {
      if (room.isClosed) return;
      for (const peer of lost) {
        const seat = this.seats.get(peer.socketId);
        if (seat?.peer !== peer) continue;
        this.toPeer(peer, 'room:media-reset', { roomId: room.roomId, reason: 'worker-died' });
        clearTimeout(this.pendingLeaves.get(peer.socketId));
        this.pendingLeaves.delete(peer.socketId);
        await this.unseat(peer.socketId, seat);
      }
    });
    await this.attendance
      .flush()
      .catch((err: unknown) => this.logger.error({ err, roomId: room.roomId }, 'could not record the viewers reset'));
    this.logger.warn(
      { roomId: room.roomId, workerIndex, viewers: lost.length },
      'viewers re-placed after the worker they were received on died',
    );
  }
}
