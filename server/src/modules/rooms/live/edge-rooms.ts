import type { types } from 'mediasoup';
import type { DtlsParameters, TransportInfo } from '../../../contract';
import { AppError } from '../../../common/errors';
import type { PooledRouter } from '../../media/worker-pool';
import type { EdgeBody, EdgeConsumer, PipeTuple } from './edge-protocol';
import { TRANSPORT_OPTIONS } from './live-room';

/** What an edge node needs from its surroundings. */
export interface EdgeHost {
  /** A router for a room served here on behalf of its owner. */
  createRouter(roomId: string): Promise<PooledRouter>;
  /** Where the pipe transport from the owner lands: this node's media address and published port range. */
  pipeListenInfo: types.TransportListenInfo;
  /** A viewer's transport here closed by itself: the owner is told, so that its record of it goes too. */
  transportClosed(owner: string, roomId: string, transportId: string): void;
  /** Volatile events straight to the viewer's socket, which is connected to this node. */
  toSocket(socketId: string, event: 'consumer:score', data: { consumerId: string; score: number; producerScore: number }): void;
  /** The worker carrying a room here died: its viewers here join again (as after a worker death on one node). */
  mediaLost(socketIds: string[], roomId: string): void;
}

/** One room another node owns, as this node serves its viewers: a router fed by one pipe from the owner's origin router. */
interface EdgeRoom {
  roomId: string;
  owner: string;
  /** The owner's lease when it opened the room here; a different one in Redis means the owner is gone. */
  lease: string;
  pooled: PooledRouter;
  pipe: types.PipeTransport;
  producers: Map<string, types.Producer>;
  transports: Map<string, types.WebRtcTransport>;
  consumers: Map<string, types.Consumer>;
  /** Sockets whose transport here closed with a dead worker. */
  lost: Set<string>;
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

  stats(): { rooms: number; pipeTransports: number; pipedProducers: number; consumers: number; transports: number } {
    let pipedProducers = 0;
    let consumers = 0;
    let transports = 0;
    for (const r of this.rooms.values()) {
      pipedProducers += r.producers.size;
      consumers += r.consumers.size;
      transports += r.transports.size;
    }
    return { rooms: this.rooms.size, pipeTransports: this.rooms.size, pipedProducers, consumers, transports };
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
      const pipe = await pooled.router.createPipeTransport({ listenInfo: this.host.pipeListenInfo, enableSrtp: true, enableRtx: true, appData: { edgeOf: owner, roomId: b.roomId } });
      await pipe.connect({ ip: b.pipe.ip, port: b.pipe.port, srtpParameters: b.pipe.srtpParameters as types.SrtpParameters });
      const room: EdgeRoom = { roomId: b.roomId, owner, lease: b.lease, pooled, pipe, producers: new Map(), transports: new Map(), consumers: new Map(), lost: new Set() };
      this.rooms.set(b.roomId, room);
      pooled.router.observer.once('close', () => {
        if (this.rooms.get(b.roomId) === room) this.rooms.delete(b.roomId);
        if (room.lost.size) this.host.mediaLost([...room.lost], b.roomId);
      });
      return { ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters! };
    } catch (err) {
      pooled.router.close();
      throw err;
    }
  }

  /** Closes the room here: its router, and with it the pipe, the piped producers, the viewers' transports and consumers. */
  close(roomId: string): boolean {
    const room = this.rooms.get(roomId);
    if (!room) return false;
    this.rooms.delete(roomId);
    if (!room.pooled.router.closed) room.pooled.router.close();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.rooms.keys()]) this.close(id);
  }

  async createTransport(owner: string, b: EdgeBody<'transport.create'>): Promise<TransportInfo> {
    const room = this.room(owner, b.roomId);
    const { router, worker } = room.pooled;
    const transport = await router.createWebRtcTransport({ webRtcServer: worker.webRtcServer, ...TRANSPORT_OPTIONS, appData: { peerId: b.peerId, direction: 'recv', socketId: b.socketId } });
    room.transports.set(transport.id, transport);
    transport.observer.once('close', () => {
      room.transports.delete(transport.id);
      if (room.pooled.worker.worker.died) room.lost.add(b.socketId);
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
    const producer = await room.pipe.produce({ id: b.producerId, kind: b.kind, rtpParameters: b.rtpParameters as types.RtpParameters, paused: b.paused });
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
    const consumer = await transport.consume({ producerId: b.producerId, rtpCapabilities: b.rtpCapabilities as types.RtpCapabilities, paused: true, appData: { peerId: b.peerId } });
    room.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => room.consumers.delete(consumer.id));
    const socketId = (transport.appData as { socketId: string }).socketId;
    consumer.on('score', (s) => this.host.toSocket(socketId, 'consumer:score', { consumerId: consumer.id, score: s.score, producerScore: s.producerScore }));
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

  async setLayers(owner: string, b: EdgeBody<'consumer.layers'>): Promise<void> {
    await this.consumer(owner, b.roomId, b.consumerId).setPreferredLayers({ spatialLayer: b.spatialLayer, ...(b.temporalLayer === undefined ? {} : { temporalLayer: b.temporalLayer }) });
  }

  closeConsumer(owner: string, b: EdgeBody<'consumer.close'>): void {
    const room = this.rooms.get(b.roomId);
    if (room?.owner === owner) room.consumers.get(b.consumerId)?.close();
  }

  /** Only the room's owner reaches its objects here; anyone else finds nothing. */
  private room(owner: string, roomId: string): EdgeRoom {
    const room = this.rooms.get(roomId);
    if (!room || room.owner !== owner || room.pooled.router.closed) throw new AppError('NOT_FOUND', 'This room is not served on this node.');
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
