import type { types } from 'mediasoup';
import type { DtlsParameters, TransportInfo } from '../../../contract';
import { AppError } from '../../../common/errors';
import type { PooledRouter } from '../../media/worker-pool';
import type { EdgeBody, EdgeConsumer, PipeTuple } from './edge-protocol';
import { HeldPipes } from './held-pipes';
import { TRANSPORT_OPTIONS } from './live-room';
import { placeViewer } from './viewer-placement';

/** What an edge node needs from its surroundings. */
export interface EdgeHost {
  /** A router for a room served here on behalf of its owner, on a worker other than `avoid`'s. */
  createRouter(roomId: string, avoid?: readonly number[]): Promise<PooledRouter>;
  /** Consumers one router of a room may carry before its next viewer here goes to another worker (MEDIA_ROUTER_CONSUMERS). */
  routerConsumers: number;
  /** Indexes of this node's workers that take new routers. */
  aliveWorkers(): number[];
  /** Where pipes between this node's own workers listen. */
  localPipeListenInfo: types.TransportListenInfo;
  /** Where the pipe transport from the owner lands: this node's media address and published port range. */
  pipeListenInfo: types.TransportListenInfo;
  /** A viewer's transport here closed by itself: the owner is told, so that its record of it goes too. */
  transportClosed(owner: string, roomId: string, transportId: string): void;
  /** Volatile events straight to the viewer's socket, which is connected to this node. */
  toSocket(socketId: string, event: 'consumer:score', data: { consumerId: string; score: number; producerScore: number }): void;
  /** The worker carrying a room here died: its viewers here join again (as after a worker death on one node). */
  mediaLost(socketIds: string[], roomId: string): void;
}

/** One of a room's routers here: the first takes the pipe from the owner, the others are fed from it when it is full. */
interface EdgeRouter {
  pooled: PooledRouter;
  /** Viewers' transports placed on it, and those being created. */
  transports: Set<string>;
  opening: number;
  consumers: number;
  /** The first router's producers piped here, held by the consumers here (null on the first router). */
  pipes: HeldPipes<types.PipeToRouterResult> | null;
  /** Sockets whose transport here closed with a dead worker. */
  lost: Set<string>;
}

/**
 * One room another node owns, as this node serves its viewers: a router fed by one pipe from the
 * owner's origin router, and when its viewers pass MEDIA_ROUTER_CONSUMERS, further routers on this
 * node's other workers fed from it, as the owner spills a room over its own workers.
 */
interface EdgeRoom {
  roomId: string;
  owner: string;
  /** The owner's lease when it opened the room here; a different one in Redis means the owner is gone. */
  lease: string;
  /** The first takes the pipe from the owner. */
  routers: EdgeRouter[];
  pipe: types.PipeTransport;
  producers: Map<string, types.Producer>;
  transports: Map<string, types.WebRtcTransport>;
  /** The router each transport was placed on. */
  placed: Map<string, EdgeRouter>;
  consumers: Map<string, types.Consumer>;
}

/**
 * The edge side of rooms owned elsewhere: everything here is created and closed at the owner's request
 * (the owner keeps the room's state and decides who may receive what); this side only holds the
 * mediasoup objects. A producer arrives through the pipe with the origin's id, so consumers name it
 * as the owner does.
 */
export class EdgeRooms {
  private readonly rooms = new Map<string, EdgeRoom>();

  constructor(private readonly host: EdgeHost) {}

  stats(): { rooms: number; routers: number; pipeTransports: number; pipedProducers: number; consumers: number; transports: number } {
    let pipedProducers = 0;
    let consumers = 0;
    let transports = 0;
    let routers = 0;
    for (const r of this.rooms.values()) {
      pipedProducers += r.producers.size;
      consumers += r.consumers.size;
      transports += r.transports.size;
      routers += r.routers.length;
    }
    return { rooms: this.rooms.size, routers, pipeTransports: this.rooms.size, pipedProducers, consumers, transports };
  }

  /** Per router of a room here, its worker and load (tests, diagnostics). */
  routersOf(roomId: string): { workerIndex: number; transports: number; consumers: number; pipedProducers: number }[] {
    return (this.rooms.get(roomId)?.routers ?? []).map((r) => ({
      workerIndex: r.pooled.worker.index,
      transports: r.transports.size,
      consumers: r.consumers,
      pipedProducers: r.pipes?.size ?? 0,
    }));
  }

  /** The rooms served here with the lease each was opened under, for the owner watch. */
  leases(): Map<string, string> {
    return new Map([...this.rooms].map(([id, r]) => [id, r.lease]));
  }

  async open(owner: string, b: EdgeBody<'room.open'>): Promise<PipeTuple> {
    // A reopening (the owner lost its pipe, or a new owner took the room) starts from nothing.
    this.close(b.roomId);
    const pooled = await this.host.createRouter(b.roomId);
    try {
      const pipe = await pooled.router.createPipeTransport({
        listenInfo: this.host.pipeListenInfo,
        enableSrtp: true,
        enableRtx: true,
        appData: { edgeOf: owner, roomId: b.roomId },
      });
      await pipe.connect({ ip: b.pipe.ip, port: b.pipe.port, srtpParameters: b.pipe.srtpParameters as types.SrtpParameters });
      const room: EdgeRoom = {
        roomId: b.roomId,
        owner,
        lease: b.lease,
        routers: [],
        pipe,
        producers: new Map(),
        transports: new Map(),
        placed: new Map(),
        consumers: new Map(),
      };
      this.track(room, pooled, true);
      this.rooms.set(b.roomId, room);
      return { ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters! };
    } catch (err) {
      pooled.router.close();
      throw err;
    }
  }

  /** Closes the room here: its routers, and with them the pipe, the piped producers, the viewers' transports and consumers. */
  close(roomId: string): boolean {
    const room = this.rooms.get(roomId);
    if (!room) return false;
    this.rooms.delete(roomId);
    for (const r of [...room.routers]) if (!r.pooled.router.closed) r.pooled.router.close();
    return true;
  }

  private track(room: EdgeRoom, pooled: PooledRouter, first: boolean): EdgeRouter {
    const entry: EdgeRouter = {
      pooled,
      transports: new Set(),
      opening: 0,
      consumers: 0,
      lost: new Set(),
      pipes: first
        ? null
        : new HeldPipes<types.PipeToRouterResult>(
            (producerId) =>
              room.routers[0]!.pooled.router.pipeToRouter({
                producerId,
                router: pooled.router,
                listenInfo: this.host.localPipeListenInfo,
                enableSctp: false,
              }),
            ({ pipeConsumer, pipeProducer }) => {
              pipeConsumer?.close();
              pipeProducer?.close();
            },
          ),
    };
    room.routers.push(entry);
    pooled.router.observer.once('close', () => {
      const i = room.routers.indexOf(entry);
      if (i >= 0) room.routers.splice(i, 1);
      entry.pipes?.clear();
      if (first) {
        // Without the router the owner's pipe lands on, the others have nothing to forward: the room goes here.
        if (this.rooms.get(room.roomId) === room) this.rooms.delete(room.roomId);
        for (const other of [...room.routers]) {
          for (const id of other.transports) {
            const socketId = (room.transports.get(id)?.appData as { socketId?: string } | undefined)?.socketId;
            if (socketId) entry.lost.add(socketId);
          }
          other.pooled.router.close();
        }
      }
      if (entry.lost.size) this.host.mediaLost([...entry.lost], room.roomId);
    });
    return entry;
  }

  /** The router a new viewer's transport goes on: the first until it is full, then another worker's (viewer-placement.ts). */
  private async place(room: EdgeRoom): Promise<EdgeRouter> {
    const cost = Math.max(1, room.producers.size);
    const loads = room.routers.map((r) => ({
      workerIndex: r.pooled.worker.index,
      alive: !r.pooled.router.closed,
      load: r.consumers + r.opening * cost,
    }));
    const placement = placeViewer(loads, cost, this.host.routerConsumers, this.host.aliveWorkers());
    if (placement.kind === 'existing') return room.routers[placement.index] ?? room.routers[0]!;
    const pooled = await this.host.createRouter(room.roomId, placement.avoid).catch(() => null);
    if (!pooled) return room.routers[0]!;
    if (this.rooms.get(room.roomId) !== room) {
      pooled.router.close();
      throw new AppError('NOT_FOUND', 'This room is not served on this node.');
    }
    return this.track(room, pooled, false);
  }

  private retireIfIdle(room: EdgeRoom, entry: EdgeRouter): void {
    if (entry === room.routers[0] || entry.transports.size || entry.opening || entry.pooled.router.closed) return;
    entry.pooled.router.close();
  }

  closeAll(): void {
    for (const id of [...this.rooms.keys()]) this.close(id);
  }

  async createTransport(owner: string, b: EdgeBody<'transport.create'>): Promise<TransportInfo> {
    const room = this.room(owner, b.roomId);
    const entry = await this.place(room);
    entry.opening++;
    let transport: types.WebRtcTransport;
    try {
      const { router, worker } = entry.pooled;
      transport = await router.createWebRtcTransport({
        webRtcServer: worker.webRtcServer,
        ...TRANSPORT_OPTIONS,
        appData: { peerId: b.peerId, direction: 'recv', socketId: b.socketId },
      });
    } finally {
      entry.opening--;
    }
    room.transports.set(transport.id, transport);
    room.placed.set(transport.id, entry);
    entry.transports.add(transport.id);
    transport.observer.once('close', () => {
      room.transports.delete(transport.id);
      room.placed.delete(transport.id);
      entry.transports.delete(transport.id);
      if (entry.pooled.worker.worker.died) entry.lost.add(b.socketId);
      else this.retireIfIdle(room, entry);
    });
    transport.on('dtlsstatechange', (state) => {
      if (state !== 'failed' && state !== 'closed') return;
      transport.close();
      if (this.rooms.get(room.roomId) === room) this.host.transportClosed(owner, room.roomId, transport.id);
    });
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters as DtlsParameters,
    };
  }

  async connectTransport(owner: string, b: EdgeBody<'transport.connect'>): Promise<void> {
    await this.transport(owner, b.roomId, b.transportId).connect({ dtlsParameters: b.dtlsParameters as types.DtlsParameters });
  }

  async restartIce(owner: string, b: EdgeBody<'transport.restart-ice'>): Promise<TransportInfo['iceParameters']> {
    return this.transport(owner, b.roomId, b.transportId).restartIce();
  }

  closeTransport(owner: string, b: EdgeBody<'transport.close'>): void {
    const room = this.rooms.get(b.roomId);
    if (room?.owner === owner) room.transports.get(b.transportId)?.close();
  }

  async pipeProducer(owner: string, b: EdgeBody<'producer.pipe'>): Promise<void> {
    const room = this.room(owner, b.roomId);
    if (room.producers.get(b.producerId)?.closed === false) return;
    const producer = await room.pipe.produce({
      id: b.producerId,
      kind: b.kind,
      rtpParameters: b.rtpParameters as types.RtpParameters,
      paused: b.paused,
    });
    room.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      if (room.producers.get(producer.id) === producer) room.producers.delete(producer.id);
    });
  }

  async producerState(owner: string, b: EdgeBody<'producer.state'>): Promise<void> {
    const producer = this.rooms.get(b.roomId)?.producers.get(b.producerId);
    if (!producer || this.rooms.get(b.roomId)?.owner !== owner) return;
    // Closing the piped producer closes every consumer of it here (mediasoup's cascade).
    if (b.state === 'closed') producer.close();
    else if (b.state === 'paused') await producer.pause();
    else await producer.resume();
  }

  async consume(owner: string, b: EdgeBody<'consumer.create'>): Promise<EdgeConsumer> {
    const room = this.room(owner, b.roomId);
    const transport = this.transport(owner, b.roomId, b.transportId);
    if (!room.producers.has(b.producerId)) throw new AppError('NOT_FOUND', 'No such producer on this node.');
    const entry = room.placed.get(transport.id) ?? room.routers[0]!;
    // A viewer on another router here receives the first router's producer through a pipe, held for as long as it consumes.
    const release = entry.pipes ? await entry.pipes.hold(b.producerId) : () => undefined;
    let consumer: types.Consumer;
    try {
      consumer = await transport.consume({
        producerId: b.producerId,
        rtpCapabilities: b.rtpCapabilities as types.RtpCapabilities,
        paused: true,
        appData: { peerId: b.peerId },
      });
    } catch (err) {
      release();
      throw err;
    }
    room.consumers.set(consumer.id, consumer);
    entry.consumers++;
    consumer.observer.once('close', () => {
      room.consumers.delete(consumer.id);
      entry.consumers--;
      release();
    });
    const socketId = (transport.appData as { socketId: string }).socketId;
    consumer.on('score', (s) =>
      this.host.toSocket(socketId, 'consumer:score', { consumerId: consumer.id, score: s.score, producerScore: s.producerScore }),
    );
    return {
      consumerId: consumer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as EdgeConsumer['rtpParameters'],
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  async resumeConsumer(owner: string, b: EdgeBody<'consumer.resume'>): Promise<void> {
    await this.consumer(owner, b.roomId, b.consumerId).resume();
  }

  async pauseConsumer(owner: string, b: EdgeBody<'consumer.pause'>): Promise<void> {
    await this.consumer(owner, b.roomId, b.consumerId).pause();
  }

  async setLayers(owner: string, b: EdgeBody<'consumer.layers'>): Promise<void> {
    await this.consumer(owner, b.roomId, b.consumerId).setPreferredLayers({
      spatialLayer: b.spatialLayer,
      ...(b.temporalLayer === undefined ? {} : { temporalLayer: b.temporalLayer }),
    });
  }

  closeConsumer(owner: string, b: EdgeBody<'consumer.close'>): void {
    const room = this.rooms.get(b.roomId);
    if (room?.owner === owner) room.consumers.get(b.consumerId)?.close();
  }

  /** Only the room's owner reaches its objects here; anyone else finds nothing. */
  private room(owner: string, roomId: string): EdgeRoom {
    const room = this.rooms.get(roomId);
    if (!room || room.owner !== owner || !room.routers[0] || room.routers[0].pooled.router.closed)
      throw new AppError('NOT_FOUND', 'This room is not served on this node.');
    return room;
  }

  private transport(owner: string, roomId: string, transportId: string): types.WebRtcTransport {
    const t = this.room(owner, roomId).transports.get(transportId);
    if (!t || t.closed) throw new AppError('NOT_FOUND', 'No such transport.');
    return t;
  }

  private consumer(owner: string, roomId: string, consumerId: string): types.Consumer {
    const c = this.room(owner, roomId).consumers.get(consumerId);
    if (!c || c.closed) throw new AppError('NOT_FOUND', 'No such consumer.');
    return c;
  }
}
