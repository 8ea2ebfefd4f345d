import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { DtlsParameters, RtpCapabilities, TransportInfo } from '../../../contract';
import { AppError } from '../../../common/errors';
import { HeldPipes } from './held-pipes';
import type { EdgeBody, EdgeConsumer, EdgeOp, PipeTuple } from './edge-protocol';

/** How a room's owner reaches the other nodes that serve some of its viewers. */
export interface EdgeLink {
  /** The other node the socket is connected to; undefined when it is connected here. */
  nodeOf(socketId: string): string | undefined;
  /** A request to `node`: its answer, or an AppError (UNAVAILABLE when the node is gone or silent). */
  request<O extends EdgeOp>(node: string, op: O, body: EdgeBody<O>): Promise<unknown>;
  /** This node's lease on the room (`<epoch>@<node>`), which the edge watches. */
  lease(roomId: string): string | undefined;
  /** Where the origin's ends of the pipes listen: the node's media address and published port range. */
  listenInfo: types.TransportListenInfo;
  /** Per-node counts for /metrics, kept by every room's relay. */
  counters: { pipeTransports: number; pipedProducers: number };
}

/** The owner's view of one edge node serving viewers of the room: one pipe, the producers sent through it, the viewers' transports there. */
interface EdgeSide {
  node: string;
  ready: Promise<types.PipeTransport>;
  /** Origin producers sent through the pipe (their pipe consumers), held by the viewers' consumers there. */
  producers: HeldPipes<types.Consumer>;
  transports: Set<RemoteTransport>;
  consumers: Map<string, RemoteConsumer>;
  /** Transports being created there. */
  opening: number;
}

interface RemoteAppData extends types.AppData {
  peerId: string;
  direction: 'recv';
  edge: string;
}

/**
 * A viewer's receive transport on an edge node, as the owner's LiveRoom holds it: the few Transport
 * members the room uses, each carried out by the edge. The browser does ICE and DTLS with the edge.
 */
export class RemoteTransport extends EventEmitter {
  readonly type = 'webrtc';
  readonly observer = new EventEmitter();
  readonly appData: RemoteAppData;
  closed = false;

  constructor(
    readonly info: TransportInfo,
    peerId: string,
    private readonly relay: EdgeRelay,
    private readonly side: EdgeSide,
  ) {
    super();
    this.appData = { peerId, direction: 'recv', edge: side.node };
  }

  get id(): string {
    return this.info.transportId;
  }

  async connect({ dtlsParameters }: { dtlsParameters: types.DtlsParameters }): Promise<void> {
    await this.relay.call(this.side, 'transport.connect', { transportId: this.id, dtlsParameters: dtlsParameters as DtlsParameters });
  }

  async restartIce(): Promise<TransportInfo['iceParameters']> {
    return (await this.relay.call(this.side, 'transport.restart-ice', { transportId: this.id })) as TransportInfo['iceParameters'];
  }

  async consume({
    producerId,
    rtpCapabilities,
    appData,
  }: {
    producerId: string;
    rtpCapabilities: types.RtpCapabilities;
    paused?: boolean;
    appData?: types.AppData;
  }): Promise<RemoteConsumer> {
    return this.relay.consume(this.side, this, producerId, rtpCapabilities as RtpCapabilities, appData ?? {});
  }

  close(): void {
    this.shut(true);
  }

  /** `tell`: the edge still has the transport and must close it (false when it closed there first, or the edge is gone). */
  shut(tell: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.side.consumers.values()]) if (c.transport === this) c.shut(false);
    if (tell) this.relay.tell(this.side, 'transport.close', { transportId: this.id });
    this.observer.emit('close');
  }
}

/** A consumer on an edge node, as the owner's LiveRoom holds it. */
export class RemoteConsumer extends EventEmitter {
  readonly observer = new EventEmitter();
  closed = false;
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: EdgeConsumer['rtpParameters'];
  readonly type: EdgeConsumer['type'];
  readonly producerPaused: boolean;

  constructor(
    info: EdgeConsumer,
    readonly producerId: string,
    readonly transport: RemoteTransport,
    readonly appData: types.AppData,
    private readonly relay: EdgeRelay,
    private readonly side: EdgeSide,
    private readonly release: () => void,
  ) {
    super();
    this.id = info.consumerId;
    this.kind = info.kind;
    this.rtpParameters = info.rtpParameters;
    this.type = info.type;
    this.producerPaused = info.producerPaused;
  }

  async resume(): Promise<void> {
    await this.relay.call(this.side, 'consumer.resume', { consumerId: this.id });
  }

  async pause(): Promise<void> {
    await this.relay.call(this.side, 'consumer.pause', { consumerId: this.id });
  }

  async setPreferredLayers({ spatialLayer, temporalLayer }: { spatialLayer: number; temporalLayer?: number }): Promise<void> {
    await this.relay.call(this.side, 'consumer.layers', {
      consumerId: this.id,
      spatialLayer,
      ...(temporalLayer === undefined ? {} : { temporalLayer }),
    });
  }

  close(): void {
    this.shut(true);
  }

  /** The origin's producer closed: the edge closes its consumer with the piped producer; the room tells the viewer. */
  producerClosed(): void {
    if (this.closed) return;
    this.emit('producerclose');
    this.shut(false);
  }

  shut(tell: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.side.consumers.delete(this.id);
    if (tell) this.relay.tell(this.side, 'consumer.close', { consumerId: this.id });
    this.observer.emit('close');
    this.release();
  }
}

/**
 * The owner side of serving a room's viewers from other nodes. For each edge node with viewers there
 * is one PipeTransport pair (SRTP, RTX) between the origin router and the edge's router; a producer is
 * piped (origin `pipeTransport.consume`, edge `pipeTransport.produce` with the same id) when the first
 * viewer there consumes it and unpiped when the last consumer there closes; its pause, resume and close
 * follow through. The pipe and the edge's router close with the last viewer transport there.
 */
export class EdgeRelay {
  private readonly sides = new Map<string, EdgeSide>();
  private closed = false;

  constructor(
    private readonly roomId: string,
    private readonly origin: types.Router,
    private readonly link: EdgeLink,
  ) {}

  /** The edge node serving this socket, if it is not this one. */
  edgeOf(socketId: string): string | undefined {
    return this.link.nodeOf(socketId);
  }

  stats(): { node: string; transports: number; pipedProducers: number }[] {
    return [...this.sides.values()].map((s) => ({ node: s.node, transports: s.transports.size, pipedProducers: s.producers.size }));
  }

  async createTransport(node: string, peerId: string, socketId: string): Promise<RemoteTransport> {
    if (this.closed) throw new AppError('NOT_IN_ROOM', 'The room has closed.');
    const side = this.side(node);
    side.opening++;
    try {
      await side.ready;
      const info = (await this.call(side, 'transport.create', { peerId, socketId })) as TransportInfo;
      const transport = new RemoteTransport(info, peerId, this, side);
      if (this.sides.get(node) !== side) {
        transport.shut(true);
        throw new AppError('UNAVAILABLE', 'The server your connection goes through stopped serving this room. Join again.');
      }
      side.transports.add(transport);
      transport.observer.once('close', () => {
        side.transports.delete(transport);
        this.retireIfIdle(side);
      });
      return transport;
    } finally {
      side.opening--;
      this.retireIfIdle(side);
    }
  }

  /** A consumer on the edge, after piping the origin's producer there (once per edge and producer). */
  async consume(
    side: EdgeSide,
    transport: RemoteTransport,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
    appData: types.AppData,
  ): Promise<RemoteConsumer> {
    const release = await side.producers.hold(producerId);
    try {
      const info = (await this.call(side, 'consumer.create', {
        transportId: transport.id,
        producerId,
        rtpCapabilities,
        peerId: String(appData.peerId ?? ''),
      })) as EdgeConsumer;
      const consumer = new RemoteConsumer(info, producerId, transport, appData, this, side, release);
      side.consumers.set(consumer.id, consumer);
      if (transport.closed) consumer.shut(true);
      return consumer;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** The edge closed one of its transports by itself (DTLS failed). */
  transportClosed(node: string, transportId: string): void {
    const side = this.sides.get(node);
    for (const t of side?.transports ?? []) if (t.id === transportId) t.shut(false);
  }

  /**
   * Edge nodes no longer alive (killed, cut off): their transports are gone with them. Returns the
   * peers who were receiving there, whom the room tells to join again (through a live node).
   */
  nodesGone(live: ReadonlySet<string>): string[] {
    const peers = new Set<string>();
    for (const side of [...this.sides.values()]) {
      if (live.has(side.node)) continue;
      for (const t of [...side.transports]) {
        peers.add(t.appData.peerId);
        t.shut(false);
      }
      this.drop(side, false);
    }
    return [...peers];
  }

  /** The room closed: every edge drops it. */
  close(): void {
    this.closed = true;
    for (const side of [...this.sides.values()]) this.drop(side, true);
  }

  /** A request to the side's node about this room; throws the edge's error, UNAVAILABLE when it is gone. */
  async call<O extends Exclude<EdgeOp, 'room.open' | 'room.close' | 'room.present' | 'transport.closed'>>(
    side: EdgeSide,
    op: O,
    body: Omit<EdgeBody<O>, 'roomId'>,
  ): Promise<unknown> {
    return this.link.request(side.node, op, { roomId: this.roomId, ...body } as EdgeBody<O>);
  }

  /** The same without waiting: failures only mean the edge already let go of it. */
  tell<O extends Exclude<EdgeOp, 'room.open' | 'room.present' | 'transport.closed'>>(
    side: EdgeSide,
    op: O,
    body: Omit<EdgeBody<O>, 'roomId'>,
  ): void {
    void this.link.request(side.node, op, { roomId: this.roomId, ...body } as EdgeBody<O>).catch(() => undefined);
  }

  private side(node: string): EdgeSide {
    const known = this.sides.get(node);
    if (known) return known;
    const side: EdgeSide = {
      node,
      ready: this.openPipe(node),
      producers: new HeldPipes(
        (producerId) => this.pipeProducer(side, producerId),
        (pipeConsumer, producerId) => {
          if (pipeConsumer.closed) return;
          pipeConsumer.close();
          if (this.sides.get(side.node) === side) this.tell(side, 'producer.state', { producerId, state: 'closed' });
        },
      ),
      transports: new Set(),
      consumers: new Map(),
      opening: 0,
    };
    this.sides.set(node, side);
    side.ready.catch(() => {
      if (this.sides.get(node) === side) this.sides.delete(node);
    });
    return side;
  }

  private async openPipe(node: string): Promise<types.PipeTransport> {
    const pipe = await this.origin.createPipeTransport({
      listenInfo: this.link.listenInfo,
      enableSrtp: true,
      enableRtx: true,
      appData: { edge: node },
    });
    try {
      const lease = this.link.lease(this.roomId);
      if (!lease) throw new AppError('UNAVAILABLE', 'This room is moving to another server. Join again.');
      const local: PipeTuple = { ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters! };
      const remote = (await this.link.request(node, 'room.open', { roomId: this.roomId, lease, pipe: local })) as PipeTuple;
      await pipe.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters as types.SrtpParameters });
    } catch (err) {
      pipe.close();
      throw err;
    }
    this.link.counters.pipeTransports++;
    pipe.observer.once('close', () => this.link.counters.pipeTransports--);
    return pipe;
  }

  private async pipeProducer(side: EdgeSide, producerId: string): Promise<types.Consumer> {
    const pipe = await side.ready;
    const pipeConsumer = await pipe.consume({ producerId });
    this.link.counters.pipedProducers++;
    pipeConsumer.observer.once('close', () => this.link.counters.pipedProducers--);
    const state = (s: 'paused' | 'resumed') => () => this.tell(side, 'producer.state', { producerId, state: s });
    pipeConsumer.on('producerpause', state('paused'));
    pipeConsumer.on('producerresume', state('resumed'));
    pipeConsumer.on('producerclose', () => {
      if (this.sides.get(side.node) === side) this.tell(side, 'producer.state', { producerId, state: 'closed' });
      for (const c of [...side.consumers.values()]) if (c.producerId === producerId) c.producerClosed();
    });
    const paused = pipeConsumer.producerPaused;
    try {
      await this.call(side, 'producer.pipe', {
        producerId,
        kind: pipeConsumer.kind,
        rtpParameters: pipeConsumer.rtpParameters as EdgeBody<'producer.pipe'>['rtpParameters'],
        paused,
      });
    } catch (err) {
      pipeConsumer.close();
      throw err;
    }
    // Paused or resumed while the edge was creating its side of the pipe.
    if (pipeConsumer.producerPaused !== paused) state(pipeConsumer.producerPaused ? 'paused' : 'resumed')();
    return pipeConsumer;
  }

  private retireIfIdle(side: EdgeSide): void {
    if (side.transports.size || side.opening || this.sides.get(side.node) !== side) return;
    this.drop(side, true);
  }

  private drop(side: EdgeSide, tell: boolean): void {
    if (this.sides.get(side.node) === side) this.sides.delete(side.node);
    side.producers.clear();
    if (tell) void this.link.request(side.node, 'room.close', { roomId: this.roomId }).catch(() => undefined);
    void side.ready.then(
      (pipe) => pipe.close(),
      () => undefined,
    );
  }
}
