import { EventEmitter } from 'node:events';
import { Inject, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Logger } from 'pino';
import { type ErrorCode, type HandshakeAuth, MIN_PROTOCOL_VERSION, SOCKET_PATH } from '../../contract';
import { AppError, toErrorBody } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import type { AppServer, AppSocket } from '../../common/ws/command';
import { IdentityService } from '../identity/identity.service';
import { MetricsService } from '../ops/metrics.service';
import { OrganizationsService, type OrgChange } from '../organizations/organizations.service';
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
  readonly lifecycle = new EventEmitter<{ disconnect: [AppSocket, string]; recovered: [AppSocket]; draining: [] }>();
  private draining = false;

  constructor(
    private readonly identity: IdentityService,
    private readonly router: CommandRouter,
    private readonly metrics: MetricsService,
    private readonly orgs: OrganizationsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.orgs.events.on('changed', (c: OrgChange) => this.server?.to(`org:${c.organizationId}`).emit('org:changed', c));
  }

  afterInit(server: AppServer): void {
    setInterval(() => server.emit('server:tick', { at: Date.now() }), TICK_MS).unref();
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
    this.lifecycle.emit('draining');
    this.server.emit('server:draining', { retryInMs: 2_000 });
    await this.router.idle(timeoutMs);
    for (const socket of this.server.sockets.sockets.values()) socket.conn.close();
  }

  private async handshake(socket: AppSocket): Promise<void> {
    if (this.draining) throw new AppError('UNAVAILABLE', 'The server is restarting. Try again in a moment.');
    const auth = (socket.handshake.auth ?? {}) as Partial<HandshakeAuth>;
    if (typeof auth.protocol !== 'number' || !Number.isInteger(auth.protocol) || auth.protocol < MIN_PROTOCOL_VERSION) {
      throw new AppError('CLIENT_TOO_OLD' satisfies ErrorCode, 'This version of the app is too old. Reload the page.');
    }
    socket.data.principal = await this.identity.authenticate(typeof auth.token === 'string' ? auth.token : undefined);
    socket.data.socketId = socket.id;
  }

  handleConnection(socket: AppSocket): void {
    this.metrics.sockets.inc();
    socket.on('disconnect', (reason) => this.lifecycle.emit('disconnect', socket, reason));
    if (socket.recovered) this.lifecycle.emit('recovered', socket);
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
    for (const room of socket.rooms) if (room.startsWith('org:')) this.announceIfLastInOrg(socket, room);
  }

  /** Call before `socket` leaves `room`: emits org:member-offline unless the user has another socket there. */
  announceIfLastInOrg(socket: AppSocket, room: string): void {
    const userId = socket.data.principal.userId;
    const others = [...(this.server.sockets.adapter.rooms.get(room) ?? [])].filter(
      (id) => id !== socket.id && this.server.sockets.sockets.get(id)?.data.principal.userId === userId,
    );
    if (others.length === 0) socket.to(room).emit('org:member-offline', { organizationId: room.slice(4), userId });
  }
}
