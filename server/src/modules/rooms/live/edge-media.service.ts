import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { type Ack, ERROR_CODES, type ErrorCode } from '../../../contract';
import { AppError } from '../../../common/errors';
import { LOGGER } from '../../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { ClusterService } from '../../cluster/cluster.service';
import { NoWorkerAvailableError } from '../../media/worker-pool';
import { WorkerPoolService } from '../../media/worker-pool.service';
import { MetricsService } from '../../ops/metrics.service';
import { RealtimeGateway } from '../../realtime/realtime.gateway';
import { type EdgeBody, type EdgeOp, edgeOps, isEdgeOp } from './edge-protocol';
import type { EdgeLink, EdgeRelay } from './edge-relay';
import { EdgeRooms } from './edge-rooms';

/** How often an edge checks that the owners of the rooms it serves still hold them, and an owner that its edges are alive. */
const WATCH_MS = 1_000;

/** What the owner side needs of the room registry. */
export interface OwnedRooms {
  relayOf(roomId: string): EdgeRelay | undefined;
  relays(): { roomId: string; relay: EdgeRelay }[];
  /** The user ids seated in a room owned here (empty when it is not live here). */
  present(roomId: string): string[];
  /** Viewers whose edge node is gone: told to join again, through a live node. */
  edgeLost(roomId: string, peerIds: string[]): void;
}

/**
 * Media between nodes (REDIS_URL set): as a room's owner, the link its rooms use to serve viewers from
 * the nodes they are connected to; as an edge, the rooms of other owners served here (EdgeRooms). Both
 * speak over the node bus. Without REDIS_URL there is no link and every transport stays local.
 */
@Injectable()
export class EdgeMediaService implements OnModuleInit, OnApplicationShutdown {
  readonly link: EdgeLink | undefined;
  private readonly edge: EdgeRooms;
  private owned: OwnedRooms | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private readonly counters = { pipeTransports: 0, pipedProducers: 0 };

  constructor(
    private readonly cluster: ClusterService,
    private readonly pool: WorkerPoolService,
    private readonly gateway: RealtimeGateway,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.edge = new EdgeRooms({
      createRouter: async (roomId, avoid) => this.pool.createRouter({ roomId, edge: true }, avoid),
      routerConsumers: config.media.routerConsumers,
      aliveWorkers: () => this.pool.aliveWorkers(),
      localPipeListenInfo: this.pool.pipeListenInfo(),
      pipeListenInfo: this.pool.transportListenInfo(),
      transportClosed: (owner, roomId, transportId) =>
        void this.request(owner, 'transport.closed', { roomId, transportId }).catch(() => undefined),
      toSocket: (socketId, event, data) => this.gateway.server.sockets.sockets.get(socketId)?.volatile.emit(event, data),
      mediaLost: (socketIds, roomId) => {
        this.logger.warn({ roomId, viewers: socketIds.length }, 'a worker serving viewers of another node’s room died: they join again');
        for (const id of socketIds)
          this.gateway.server.sockets.sockets.get(id)?.emit('room:media-reset', { roomId, reason: 'worker-died' });
      },
    });
    if (cluster.enabled) {
      this.link = {
        nodeOf: (socketId) => this.cluster.edgeOf(socketId),
        request: (node, op, body) => this.request(node, op, body),
        lease: (roomId) => this.cluster.heldLease(roomId),
        listenInfo: this.pool.transportListenInfo(),
        counters: this.counters,
      };
    }
    metrics.gauge(
      'quorum_node_pipe_transports_out',
      'Pipe transports from the origin routers of rooms owned here to other nodes',
      () => this.counters.pipeTransports,
    );
    metrics.gauge(
      'quorum_node_piped_producers_out',
      'Producers of rooms owned here piped to other nodes (one per producer and node)',
      () => this.counters.pipedProducers,
    );
    metrics.gauge(
      'quorum_node_pipe_transports_in',
      'Pipe transports into this node from the owners of rooms whose viewers it serves',
      () => this.edge.stats().pipeTransports,
    );
    metrics.gauge(
      'quorum_node_piped_producers_in',
      'Producers piped into this node from the owners of rooms whose viewers it serves',
      () => this.edge.stats().pipedProducers,
    );
    metrics.gauge('quorum_node_edge_rooms', 'Rooms owned by another node whose viewers this node serves', () => this.edge.stats().rooms);
    metrics.gauge(
      'quorum_node_edge_routers',
      'Routers on this node for rooms owned by another node (more than one per room when it spills over workers)',
      () => this.edge.stats().routers,
    );
    metrics.gauge(
      'quorum_node_edge_consumers',
      'Consumers on this node for viewers of rooms owned by another node',
      () => this.edge.stats().consumers,
    );
  }

  /** The registry hands over its rooms, for the requests edges send to their owner. */
  serveOwner(owned: OwnedRooms): void {
    this.owned = owned;
  }

  onModuleInit(): void {
    if (!this.cluster.enabled) return;
    this.cluster.serveMedia((from, op, body) => this.serve(from, op, body));
    this.watcher = setInterval(
      () => void this.watch().catch((err: unknown) => this.logger.debug({ err }, 'edge watch failed')),
      WATCH_MS,
    ).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.watcher);
    this.edge.closeAll();
  }

  private async request<O extends EdgeOp>(node: string, op: O, body: EdgeBody<O>): Promise<unknown> {
    const ack = await this.cluster.request(node, op, body);
    if (ack === null) throw new AppError('UNAVAILABLE', 'A server carrying this room’s media is gone. Join again.');
    if (!ack.ok)
      throw new AppError(
        (ERROR_CODES as readonly string[]).includes(ack.error.code) ? (ack.error.code as ErrorCode) : 'UNAVAILABLE',
        ack.error.message,
      );
    return ack.data;
  }

  /** The people seated in a room another node owns, asked of that node (empty when it does not answer). */
  async presentAt(owner: string, roomId: string): Promise<string[]> {
    try {
      return (await this.request(owner, 'room.present', { roomId })) as string[];
    } catch (err) {
      this.logger.warn({ err, owner, roomId }, 'could not ask a room owner who is present');
      return [];
    }
  }

  /** A request from another node: checked like any input, then run; errors answer with their code. */
  private async serve(from: string, op: string, raw: unknown): Promise<Ack<unknown>> {
    if (!isEdgeOp(op)) return fail('INVALID_PAYLOAD', 'Unknown media request.');
    const parsed = edgeOps[op].safeParse(raw);
    if (!parsed.success) return fail('INVALID_PAYLOAD', 'Malformed media request.');
    try {
      return { ok: true, data: (await this.run(from, op, parsed.data as never)) ?? null };
    } catch (err) {
      if (err instanceof AppError) return fail(err.code, err.message);
      if (err instanceof NoWorkerAvailableError) return fail('UNAVAILABLE', 'No media server is available here.');
      const name = (err as Error)?.name;
      if (name === 'TypeError' || name === 'UnsupportedError')
        return fail('UNSUPPORTED_MEDIA', `The media parameters were refused: ${(err as Error).message}`.slice(0, 300));
      this.logger.error({ err, op, from }, 'media request from another node failed');
      return fail('UNAVAILABLE', 'The media request failed.');
    }
  }

  private async run(from: string, op: EdgeOp, b: EdgeBody<EdgeOp>): Promise<unknown> {
    const body = b as never;
    switch (op) {
      case 'room.open': {
        const open = b as EdgeBody<'room.open'>;
        // Only the room's owner, by the lease Redis holds now, opens it here.
        const current = (await this.cluster.currentLeases([open.roomId])).get(open.roomId);
        if (current !== open.lease || !open.lease.endsWith(`@${from}`)) throw new AppError('FORBIDDEN', 'Not the owner of this room.');
        this.logger.info({ roomId: open.roomId, owner: from }, 'serving a room of another node: pipe opened');
        return this.edge.open(from, open);
      }
      case 'room.close':
        if (this.edge.close((b as EdgeBody<'room.close'>).roomId))
          this.logger.info({ roomId: b.roomId, owner: from }, 'pipe from the room owner closed');
        return null;
      case 'transport.create':
        return this.edge.createTransport(from, body);
      case 'transport.connect':
        await this.edge.connectTransport(from, body);
        return null;
      case 'transport.restart-ice':
        return this.edge.restartIce(from, body);
      case 'transport.close':
        this.edge.closeTransport(from, body);
        return null;
      case 'producer.pipe':
        await this.edge.pipeProducer(from, body);
        return null;
      case 'producer.state':
        await this.edge.producerState(from, body);
        return null;
      case 'consumer.create':
        return this.edge.consume(from, body);
      case 'consumer.resume':
        await this.edge.resumeConsumer(from, body);
        return null;
      case 'consumer.pause':
        await this.edge.pauseConsumer(from, body);
        return null;
      case 'consumer.layers':
        await this.edge.setLayers(from, body);
        return null;
      case 'consumer.close':
        this.edge.closeConsumer(from, body);
        return null;
      case 'room.present':
        return this.owned?.present(b.roomId) ?? [];
      case 'transport.closed':
        this.owned?.relayOf(b.roomId)?.transportClosed(from, (b as EdgeBody<'transport.closed'>).transportId);
        return null;
    }
  }

  /**
   * Edge: a room whose lease changed (its owner died, or handed it over) is dropped here with its pipe;
   * its viewers are told by the owner watch of ClusterService and join again. Owner: viewers on edges
   * that left the registry are told to join again through a live node.
   */
  private async watch(): Promise<void> {
    const served = this.edge.leases();
    if (served.size) {
      const now = await this.cluster.currentLeases([...served.keys()]);
      for (const [roomId, lease] of served) {
        if (now.get(roomId) === lease) continue;
        this.edge.close(roomId);
        this.logger.warn({ roomId }, 'the owner of a room served here is gone: its pipe is dropped');
      }
    }
    const relays = this.owned?.relays().filter((r) => r.relay.stats().length) ?? [];
    if (!relays.length) return;
    const live = await this.cluster.liveNodes();
    for (const { roomId, relay } of relays) {
      const lost = relay.nodesGone(live);
      if (lost.length) this.owned!.edgeLost(roomId, lost);
    }
  }
}

const fail = (code: ErrorCode, message: string): Ack<unknown> => ({ ok: false, error: { code, message } });
