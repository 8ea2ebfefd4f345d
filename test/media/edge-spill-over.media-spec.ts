/**
 * An edge node spilling a room over its own workers: the owner's origin router (its own worker pool,
 * standing for the owner node) pipes a speaker over an SRTP pipe transport into the edge's first
 * router; with a budget of two consumers per router, the edge's third viewer is placed on a router of
 * its second worker, fed from the first by a pipe that closes with its last consumer. Killing that
 * worker takes only its viewer, reported for a rejoin; the first router keeps receiving.
 */
import type dgram from 'node:dgram';
import type { types } from 'mediasoup';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { EdgeRooms } from '../../server/src/modules/rooms/live/edge-rooms';
import { buildRtp, closeSocket, LOOPBACK, opusPayload, udpSocket, waitFor } from '../helpers/rtp';

jest.setTimeout(30_000);

const OWNER = 'owner-node';
const ROOM = 'a1b2c3d4-0000-4000-8000-000000000001';
const SSRC = 0x5e11_0002;

describe('an edge node spilling a room over its workers', () => {
  let ownerPool: WorkerPool;
  let edgePool: WorkerPool;
  let edge: EdgeRooms;
  let sender: dgram.Socket;
  let pacer: NodeJS.Timeout | undefined;
  let producerId: string;
  let capabilities: types.RtpCapabilities;
  /** Every consumer created on the edge's routers, to read what reaches them. */
  const consumers = new Map<string, types.Consumer>();
  const lost: string[][] = [];

  beforeEach(async () => {
    consumers.clear();
    lost.length = 0;
    ownerPool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: 19500, rtcMaxPort: 19539, logLevel: 'warn' });
    edgePool = new WorkerPool({ workers: 2, rtcListenIp: LOOPBACK, rtcMinPort: 19540, rtcMaxPort: 19599, logLevel: 'warn' });
    await Promise.all([ownerPool.start(), edgePool.start()]);
    edge = new EdgeRooms({
      createRouter: async (roomId, avoid) => {
        const pooled = await edgePool.createRouter({ roomId, edge: true }, avoid);
        pooled.router.observer.on('newtransport', (t) => t.observer.on('newconsumer', (c) => consumers.set(c.id, c)));
        return pooled;
      },
      routerConsumers: 2,
      aliveWorkers: () => edgePool.aliveWorkers(),
      localPipeListenInfo: edgePool.pipeListenInfo(),
      pipeListenInfo: edgePool.transportListenInfo(),
      transportClosed: () => undefined,
      toSocket: () => undefined,
      mediaLost: (socketIds) => lost.push(socketIds),
    });

    const { router } = await ownerPool.createRouter();
    const input = await router.createPlainTransport({ listenInfo: ownerPool.transportListenInfo(), comedia: true, rtcpMux: true });
    const producer = await input.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: SSRC }] },
    });
    producerId = producer.id;
    capabilities = router.rtpCapabilities;
    // The owner's end of the pipe, as the owner's relay makes it.
    const pipe = await router.createPipeTransport({ listenInfo: ownerPool.transportListenInfo(), enableSrtp: true, enableRtx: true });
    const tuple = await edge.open(OWNER, {
      roomId: ROOM,
      lease: '1@owner',
      pipe: { ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters! },
    });
    await pipe.connect({ ip: tuple.ip, port: tuple.port, srtpParameters: tuple.srtpParameters as types.SrtpParameters });
    const pipeConsumer = await pipe.consume({ producerId });
    await edge.pipeProducer(OWNER, {
      roomId: ROOM,
      producerId,
      kind: 'audio',
      rtpParameters: pipeConsumer.rtpParameters as never,
      paused: false,
    });

    sender = await udpSocket();
    let i = 0;
    pacer = setInterval(() => {
      sender.send(
        buildRtp({ payloadType: 100, sequenceNumber: i, timestamp: 960 * i, ssrc: SSRC }, opusPayload(i)),
        input.tuple.localPort,
        LOOPBACK,
      );
      i++;
    }, 10);
  });

  afterEach(async () => {
    clearInterval(pacer);
    edge.closeAll();
    await closeSocket(sender);
    await Promise.all([ownerPool.close(), edgePool.close()]);
  });

  async function addViewer(n: number): Promise<{ transportId: string; consumerId: string }> {
    const { transportId } = await edge.createTransport(OWNER, { roomId: ROOM, peerId: `viewer-${n}`, socketId: `socket-${n}` });
    const { consumerId } = await edge.consume(OWNER, {
      roomId: ROOM,
      transportId,
      producerId,
      peerId: `viewer-${n}`,
      rtpCapabilities: capabilities as never,
    });
    return { transportId, consumerId };
  }

  /** Packets that reached the router of a consumer (its producer's side: the piped producer there). */
  async function arrived(consumerId: string): Promise<number> {
    const stats = await consumers.get(consumerId)!.getStats();
    return stats.find((s) => s.type === 'inbound-rtp')?.packetCount ?? 0;
  }

  it('places the viewer past the budget on its second worker, fed through a pipe that goes with its last consumer', async () => {
    const first = await addViewer(1);
    await addViewer(2);
    expect(edge.routersOf(ROOM)).toEqual([
      expect.objectContaining({ workerIndex: expect.any(Number), transports: 2, consumers: 2, pipedProducers: 0 }),
    ]);

    const third = await addViewer(3);
    const routers = edge.routersOf(ROOM);
    expect(routers).toHaveLength(2);
    expect(routers[1]).toMatchObject({ transports: 1, consumers: 1, pipedProducers: 1 });
    expect(routers[1]!.workerIndex).not.toBe(routers[0]!.workerIndex);
    expect(edge.stats()).toMatchObject({ rooms: 1, routers: 2, pipeTransports: 1, pipedProducers: 1, consumers: 3 });

    // The speaker's packets reach both of the edge's routers: the second one through its pipe.
    const before = await Promise.all([first.consumerId, third.consumerId].map(arrived));
    await new Promise((r) => setTimeout(r, 500));
    const after = await Promise.all([first.consumerId, third.consumerId].map(arrived));
    expect(after[0]! - before[0]!).toBeGreaterThan(20);
    expect(after[1]! - before[1]!).toBeGreaterThan(20);

    edge.closeTransport(OWNER, { roomId: ROOM, transportId: third.transportId });
    await waitFor(() => edge.routersOf(ROOM).length === 1, 3_000, 'the second router to close with its last viewer');
    expect(edge.stats()).toMatchObject({ routers: 1, consumers: 2, pipedProducers: 1 });
  });

  it('loses only the second worker’s viewers when that worker dies', async () => {
    const first = await addViewer(1);
    await addViewer(2);
    await addViewer(3);
    const second = edge.routersOf(ROOM)[1]!;
    const pid = edgePool.stats().workers.find((w) => w.index === second.workerIndex)!.pid;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => lost.length > 0, 5_000, 'the dead worker’s viewers to be reported');
    expect(lost).toEqual([['socket-3']]);
    expect(edge.routersOf(ROOM)).toHaveLength(1);
    const before = await arrived(first.consumerId);
    await new Promise((r) => setTimeout(r, 500));
    expect((await arrived(first.consumerId)) - before).toBeGreaterThan(20);
  });
});
