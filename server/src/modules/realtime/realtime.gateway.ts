import { Inject, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import { type ErrorCode, type HandshakeAuth, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, SOCKET_PATH } from '../../contract';
import { AppError, toErrorBody } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { AppServer, AppSocket, SocketData } from '../../common/ws/command';
import { GuestPassService } from '../guests/guest-pass.service';
import { IdentityService, SESSION_RECHECK_MS } from '../identity/identity.service';
import { MetricsService } from '../ops/metrics.service';
import { DomainEvents, type MembershipChange } from '../../common/domain-events';
import { ClusterService } from '../cluster/cluster.service';
import { CommandRouter } from './command-router';

/** Well inside socket.io's 30 s memory of sent events, so that a drop of up to ~20 s is recoverable. */
const TICK_MS = 10_000;

/** The largest socket message accepted; anything bigger closes that connection. */
export const MAX_SOCKET_MESSAGE_BYTES = 256 * 1024;

/**
 * The socket.io endpoint. The handshake must carry a valid access token and a supported protocol
 * version, otherwise the connection is refused with `err.data.code` (UNAUTHENTICATED, TOKEN_EXPIRED,
 * CLIENT_TOO_OLD). Each user's sockets share the room `user:<id>`.
 */
@WebSocketGateway({ path: SOCKET_PATH, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES, serveClient: false, connectTimeout: 10_000 })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleInit {
  @WebSocketServer() server!: AppServer;
  /**
   * 'disconnect' (socket, reason): lets other modules (rooms) release what a socket held.
   * 'recovered' (socket): a dropped connection came back within the recovery window, same id and rooms.
   * 'draining': shutdown began; the connections that close from now on are not people leaving.
   */
  private draining = false;

  constructor(
    private readonly identity: IdentityService,
    private readonly guests: GuestPassService,
    private readonly router: CommandRouter,
    private readonly metrics: MetricsService,
    private readonly events: DomainEvents,
    private readonly cluster: ClusterService,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Open (or opening) connections per user and per client address, for the caps in config.limits. */
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();

  onModuleInit(): void {
    this.events.on('organization.changed', (c) => this.server?.to(`org:${c.organizationId}`).emit('org:changed', c));
    this.events.on(
      'membership.changed',
      (c) => void this.membershipChanged(c).catch((err) => this.logger.error({ err }, 'could not apply a membership change to sockets')),
    );
    // An ended session's sockets close at once; the client has to sign in again.
    this.events.on('session.revoked', ({ userId, sessionIds }) => {
      const ended = new Set(sessionIds);
      for (const socket of this.server?.sockets.sockets.values() ?? []) {
        const p = socket.data.principal as SocketData['principal'] | undefined;
        if (p?.userId === userId && ended.has(p.sessionId)) socket.disconnect(true);
      }
    });
    // A guest pass revoked (removed by a host, the room no longer open to guests) or expired.
    this.events.on('guest-pass.revoked', ({ passIds }) => {
      const ended = new Set(passIds);
      for (const socket of this.server?.sockets.sockets.values() ?? []) {
        const guest = (socket.data as Partial<SocketData>).guest;
        if (guest && ended.has(guest.passId)) socket.disconnect(true);
      }
    });
  }

  /** Someone removed from an organisation stops hearing about it: out of its page and its meetings. */
  private async membershipChanged(c: MembershipChange): Promise<void> {
    if (c.role !== null || !this.server) return;
    // Before the change itself is announced to the organisation's page.
    this.server.in(`user:${c.userId}`).socketsLeave(`org:${c.organizationId}`);
    const meetings: { id: string }[] = await this.db.query('SELECT id FROM meetings WHERE organization_id = $1', [c.organizationId]);
    this.server.in(`user:${c.userId}`).socketsLeave(meetings.map((m) => `meeting:${m.id}`));
  }

  afterInit(server: AppServer): void {
    this.cluster.attach(server);
    setInterval(() => server.emit('server:tick', { at: Date.now() }), TICK_MS).unref();
    // Sessions ended elsewhere (another node, SQL) are found within SESSION_RECHECK_MS, without making
    // any command wait for the database.
    setInterval(() => {
      const sockets = [...server.sockets.sockets.values()].filter((s) => s.data.principal);
      const principals = sockets.filter((s) => !s.data.guest).map((s) => s.data.principal);
      const guests = sockets.flatMap((s) => (s.data.guest ? [s.data.guest] : []));
      this.identity.sweep(principals).catch((err: unknown) => this.logger.debug({ err }, 'session sweep failed'));
      this.guests.sweep(guests).catch((err: unknown) => this.logger.debug({ err }, 'guest pass sweep failed'));
    }, SESSION_RECHECK_MS / 2).unref();
    server.use((socket, next) => {
      this.handshake(socket as AppSocket).then(
        () => next(),
        (err: unknown) => {
          const body = toErrorBody(err);
          this.metrics.handshakeRefusals.inc({ code: body.code });
          next(Object.assign(new Error(body.message), { data: { code: body.code } }));
        },
      );
    });
  }

  /**
   * Shutdown, first step (the listener is closed already: no new connections): refuse joins, tell
   * every client, wait for commands in flight — votes included — to finish and deliver, then drop
   * every connection. Clients see a broken connection and keep trying until the next process answers.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.router.draining = true;
    this.events.emit('server.draining');
    // Only this node's clients: with several nodes, a broadcast would reach everyone's.
    this.server.local.emit('server:draining', { retryInMs: 2_000 });
    await this.router.idle(timeoutMs);
    for (const socket of this.server.sockets.sockets.values()) socket.conn.close();
  }

  private async handshake(socket: AppSocket): Promise<void> {
    if (this.draining) throw new AppError('UNAVAILABLE', 'The server is restarting. Try again in a moment.');
    const auth = (socket.handshake.auth ?? {}) as Partial<HandshakeAuth>;
    if (typeof auth.protocol !== 'number' || !Number.isInteger(auth.protocol) || auth.protocol < MIN_PROTOCOL_VERSION) {
      throw new AppError('CLIENT_TOO_OLD' satisfies ErrorCode, 'This version of the app is too old. Reload the page.');
    }
    // A version this server does not speak (newer, or made up) is not guessed at.
    if (auth.protocol > PROTOCOL_VERSION)
      throw new AppError('UNSUPPORTED_PROTOCOL', 'This version of the app is not supported by this server.');
    const before = socket.recovered ? (socket.data.principal as SocketData['principal'] | undefined) : undefined;
    let principal: SocketData['principal'];
    if (typeof auth.guestToken === 'string' && !auth.token) {
      const pass = await this.guests.authenticate(auth.guestToken);
      principal = pass.principal;
      socket.data.guest = pass.guest;
    } else {
      principal = await this.identity.authenticate(typeof auth.token === 'string' ? auth.token : undefined);
      delete socket.data.guest;
    }
    // A recovered socket comes back with its rooms and seat: only the same person may take it over.
    if (before && before.userId !== principal.userId) throw new AppError('UNAUTHENTICATED', 'This connection belongs to someone else.');
    socket.data.principal = principal;
    socket.data.socketId = socket.id;
    this.reserve(socket, principal.userId);
  }

  /**
   * Counts the connection against its user's and its address's caps until it closes. The per-address
   * cap is high by default: a whole library or company behind one NAT address is a normal audience.
   */
  private reserve(socket: AppSocket, userId: string): void {
    const ip = this.clientAddress(socket);
    const { socketsPerUser, socketsPerIp } = this.config.limits;
    if ((this.perUser.get(userId) ?? 0) >= socketsPerUser) {
      throw new AppError('TOO_MANY_CONNECTIONS', `At most ${socketsPerUser} connections per account. Close another tab or device.`);
    }
    if ((this.perIp.get(ip) ?? 0) >= socketsPerIp) throw new AppError('TOO_MANY_CONNECTIONS', 'Too many connections from this network.');
    const bump = (map: Map<string, number>, key: string, by: number) => {
      const n = (map.get(key) ?? 0) + by;
      if (n > 0) map.set(key, n);
      else map.delete(key);
    };
    bump(this.perUser, userId, 1);
    bump(this.perIp, ip, 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      bump(this.perUser, userId, -1);
      bump(this.perIp, ip, -1);
    };
    // The transport closing covers every end, including a handshake that never completed.
    socket.conn.once('close', release);
    socket.once('disconnect', release);
  }

  private clientAddress(socket: AppSocket): string {
    const forwarded = socket.handshake.headers['x-forwarded-for'];
    if (this.config.trustProxy && typeof forwarded === 'string') {
      // The entry our own (single, trusted) proxy appended.
      const last = forwarded.split(',').pop()?.trim();
      if (last) return last;
    }
    return socket.handshake.address;
  }

  handleConnection(socket: AppSocket): void {
    this.metrics.sockets.inc();
    socket.on('disconnect', (reason) => this.events.emit('socket.disconnected', { socket, reason }));
    if (socket.recovered) this.events.emit('socket.recovered', { socket });
    // A broadcast (not socket.emit): only broadcasts carry the offset a later recovery starts from.
    else this.server.to(socket.id).emit('server:tick', { at: Date.now() });
    void socket.join(`user:${socket.data.principal.userId}`);
    socket.onAny((event: string, ...args: unknown[]) => void this.router.dispatch(socket, event, args));
    socket.on('disconnecting', () => this.leaveOrgRooms(socket));
    this.logger.debug({ socketId: socket.id, userId: socket.data.principal.userId }, 'socket connected');
  }

  handleDisconnect(socket: AppSocket): void {
    this.metrics.sockets.dec();
    this.logger.debug({ socketId: socket.id }, 'socket disconnected');
  }

  /** Tells the organisation rooms a user went offline when their last socket there leaves. */
  private leaveOrgRooms(socket: AppSocket): void {
    for (const room of socket.rooms) {
      if (room.startsWith('org:'))
        void this.announceIfLastInOrg(socket, room).catch((err: unknown) =>
          this.logger.debug({ err, room }, 'could not announce a member offline'),
        );
    }
  }

  /**
   * Call before `socket` leaves `room`: emits org:member-offline unless the user has another socket
   * there, on this node or another (asked through the adapter, as `org:watch` lists who is online).
   */
  async announceIfLastInOrg(socket: AppSocket, room: string): Promise<void> {
    const userId = socket.data.principal.userId;
    const socketId = socket.id;
    const sameUser = (id: string, data: Partial<SocketData> | undefined) => id !== socketId && data?.principal?.userId === userId;
    const local = [...(this.server.sockets.adapter.rooms.get(room) ?? [])];
    if (local.some((id) => sameUser(id, this.server.sockets.sockets.get(id)?.data))) return;
    if (this.cluster.enabled) {
      const everywhere = await this.server.in(room).fetchSockets();
      if (everywhere.some((s) => sameUser(s.id, s.data as Partial<SocketData>))) return;
    }
    this.server
      .to(room)
      .except(socketId)
      .emit('org:member-offline', { organizationId: room.slice(4), userId });
  }
}
