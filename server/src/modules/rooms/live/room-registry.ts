import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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
import { OrganizationsService, type MembershipChange } from '../../organizations/organizations.service';
import { RealtimeGateway } from '../../realtime/realtime.gateway';
import { standingRoomRole } from '../room-permissions';
import type { Room } from '../room.entity';
import { AttendanceRecord } from '../attendance.entity';
import { RoomSession } from '../room-session.entity';
import { KeyedMutex } from './keyed-mutex';
import { LiveRoom, type Peer, type RoomOutbox } from './live-room';
import { ROOM_DIRECTORY, type RoomDirectory } from './room-directory';

interface Seat {
  room: LiveRoom;
  peer: Peer;
}

const NODE_ID = `${hostname()}:${process.pid}`;
/** Disconnect reasons of a connection that broke (not closed on purpose): the client may recover it. */
const RECOVERABLE = new Set(['transport close', 'transport error', 'ping timeout', 'parse error']);
/** How long a join waits for a replacement worker before answering UNAVAILABLE. */
const WORKER_WAIT_MS = 8_000;

/**
 * The live rooms of this node: creates a room's router on first join (one at a time per room),
 * seats peers, closes the room when the last one leaves, and rebuilds rooms whose worker died.
 */
@Injectable()
export class RoomRegistry implements RoomOutbox, OnModuleInit, OnApplicationShutdown {
  private readonly live = new Map<string, LiveRoom>();
  private readonly seats = new Map<string, Seat>();
  private readonly mutex = new KeyedMutex();
  private readonly pendingLeaves = new Map<string, NodeJS.Timeout>();
  /** 'changed' (roomId): someone came in or went out (presence feeds meeting quorum). */
  readonly presence = new EventEmitter<{ changed: [string] }>();

  constructor(
    private readonly pool: WorkerPoolService,
    private readonly gateway: RealtimeGateway,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ROOM_DIRECTORY) private readonly directory: RoomDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly orgs: OrganizationsService,
    metrics: MetricsService,
  ) {
    metrics.gauge('quorum_live_rooms', 'Rooms with a live session on this node', () => this.live.size);
    metrics.gauge('quorum_room_peers', 'People in live rooms on this node', () => this.seats.size);
  }

  async onModuleInit(): Promise<void> {
    this.gateway.lifecycle.on('disconnect', (socket, reason) => {
      this.forgetWaiting(socket.id);
      const leave = () => {
        this.pendingLeaves.delete(socket.id);
        void this.leave(socket).catch((err) => this.logger.error({ err }, 'leave on disconnect failed'));
      };
      // A dropped network may come back within the recovery window with the same socket: keep the seat
      // (and with it the role, raised hand and media) until then. A deliberate disconnect leaves at once.
      if (RECOVERABLE.has(reason) && this.seats.has(socket.id)) this.pendingLeaves.set(socket.id, setTimeout(leave, RECOVERY_WINDOW_MS).unref());
      else leave();
    });
    this.gateway.lifecycle.on('recovered', (socket) => {
      clearTimeout(this.pendingLeaves.get(socket.id));
      this.pendingLeaves.delete(socket.id);
    });
    this.orgs.events.on('membership', (c) => void this.membershipChanged(c).catch((err) => this.logger.error({ err }, 'could not apply a membership change to live rooms')));
    this.pool.on('workerDied', ({ index }) => void this.resetRoomsOf(index).catch((err) => this.logger.error({ err, workerIndex: index }, 'media reset failed')));
    // Sessions left open by a previous process that stopped abruptly: nobody is in them any more.
    await this.db.getRepository(RoomSession).update({ endedAt: IsNull() }, { endedAt: new Date() });
    await this.db.getRepository(AttendanceRecord).update({ leftAt: IsNull() }, { leftAt: new Date() });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.pendingLeaves.values()) clearTimeout(t);
    for (const room of [...this.live.values()]) await this.mutex.run(room.roomId, () => this.closeRoom(room));
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
    return this.mutex.run(room.id, async () => {
      const userId = socket.data.principal.userId;
      let live = this.live.get(room.id);
      if (live?.isClosed) live = undefined;
      if (live) {
        if (live.removed.has(userId)) throw new AppError('FORBIDDEN', 'A host removed you from this session.');
        const effective = live.sessionRoles.get(userId) ?? role;
        const returning = live.everJoined.has(userId) || live.admitted.has(userId);
        if (effective !== 'host' && effective !== 'co-host' && !returning) {
          if (live.options.locked) throw new AppError('ROOM_LOCKED', 'The room is locked.');
          if (live.options.lobby) {
            const entry = live.lobby.get(userId) ?? { userId, displayName, since: new Date().toISOString(), socketIds: new Set<string>() };
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
        if (seat.room === live && seat.peer.userId === userId && !this.gateway.server.sockets.sockets.has(socketId)) {
          clearTimeout(this.pendingLeaves.get(socketId));
          this.pendingLeaves.delete(socketId);
          await this.unseat(socketId, seat);
        }
      }
      const visit = await this.db.getRepository(AttendanceRecord).save(
        this.db.getRepository(AttendanceRecord).create({ sessionId: live.sessionId, roomId: room.id, userId, displayName, joinedAt: new Date(), leftAt: null }),
      );
      const peer = live.addPeer(userId, displayName, socket.id, role);
      peer.attendanceId = visit.id;
      if (live.lobby.delete(userId)) live.publishLobby();
      this.seats.set(socket.id, { room: live, peer });
      await socket.join(`room:${room.id}`);
      this.presence.emit('changed', room.id);
      if (peer.role === 'host' || peer.role === 'co-host') {
        this.toPeer(peer, 'hand:queue', { queue: live.handQueue() });
        if (live.lobby.size) this.toPeer(peer, 'lobby:queue', { waiting: live.lobbyQueue() });
      }
      return live.joinInfo(peer);
    });
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
    return this.mutex.run(seat.room.roomId, async () => {
      if (this.seats.get(socket.id) !== seat) return false;
      await this.unseat(socket.id, seat);
      if (seat.room.peers.size === 0) await this.closeRoom(seat.room);
      return true;
    });
  }

  private async unseat(socketId: string, seat: Seat): Promise<void> {
    this.seats.delete(socketId);
    this.gateway.server.in(socketId).socketsLeave(`room:${seat.room.roomId}`);
    seat.room.removePeer(seat.peer);
    this.presence.emit('changed', seat.room.roomId);
    if (seat.peer.attendanceId) {
      await this.db
        .getRepository(AttendanceRecord)
        .update({ id: seat.peer.attendanceId, leftAt: IsNull() }, { leftAt: new Date() })
        .catch((err: unknown) => this.logger.error({ err, roomId: seat.room.roomId }, 'could not record a leave'));
    }
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

  toOthers<E extends keyof ServerEvents>(room: LiveRoom, except: Peer | null, event: E, data: Parameters<ServerEvents[E]>[0], volatile = false): void {
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
    const owner = await this.directory.claim(room.id, NODE_ID);
    if (owner !== NODE_ID) throw new AppError('UNAVAILABLE', 'This room is hosted by another server. Try again.');
    const pooled = await this.routerWhenAvailable(room.id);
    try {
      const sessionId = await this.openSession(room.id);
      const live = await LiveRoom.open(room.id, sessionId, pooled, this, {
        iceServers: this.config.iceServers,
        plainListenInfo: this.pool.transportListenInfo(),
        limits: this.config.limits,
      });
      live.mode = room.mode;
      live.organizationId = room.organizationId;
      live.access = room.access;
      this.live.set(room.id, live);
      this.logger.info({ roomId: room.id, sessionId, worker: pooled.worker.index }, 'room opened');
      return live;
    } catch (err) {
      pooled.router.close();
      throw err;
    }
  }

  /** The room's live session: the open one (after a media reset) or a new one. */
  private async openSession(roomId: string): Promise<string> {
    const repo = this.db.getRepository(RoomSession);
    const open = await repo.findOneBy({ roomId, endedAt: IsNull() });
    if (open) return open.id;
    return (await repo.save(repo.create({ roomId, startedAt: new Date(), endedAt: null }))).id;
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
    await this.db.getRepository(AttendanceRecord).update({ sessionId: room.sessionId, leftAt: IsNull() }, { leftAt: new Date() });
    if (this.live.get(room.roomId) === room) this.live.delete(room.roomId);
    await this.directory.release(room.roomId, NODE_ID);
    await this.db.getRepository(RoomSession).update({ id: room.sessionId, endedAt: IsNull() }, { endedAt: new Date() });
    this.logger.info({ roomId: room.roomId, sessionId: room.sessionId }, 'room closed');
  }

  /**
   * A worker died with its routers. Its rooms are dropped (the session stays open) and their peers
   * told to join again; the next join builds the room on a live worker.
   */
  private async resetRoomsOf(workerIndex: number): Promise<void> {
    const hit = [...this.live.values()].filter((r) => r.pooled.worker.index === workerIndex);
    for (const room of hit) {
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
          await this.directory.release(room.roomId, NODE_ID);
          await this.db.getRepository(AttendanceRecord).update({ sessionId: room.sessionId, leftAt: IsNull() }, { leftAt: new Date() });
        } catch (err) {
          this.logger.error({ err, roomId: room.roomId }, 'could not record the media reset');
        }
      });
      this.logger.warn({ roomId: room.roomId, workerIndex }, 'room media reset after a worker died');
    }
  }
}
