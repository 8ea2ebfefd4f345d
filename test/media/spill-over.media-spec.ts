/**
 * A room over two workers, at the room layer (LiveRoom on a real WorkerPool, plain RTP in and out):
 * with a budget of two consumers per router, the third and fourth viewers are received on the second
 * worker through a pipe from the origin; the pipe goes when its last viewer does; killing the second
 * worker takes only its viewers, while the origin's keep receiving.
 */
import { randomUUID } from 'node:crypto';
import type dgram from 'node:dgram';
import { type Peer, type RoomOutbox, LiveRoom } from '../../server/src/modules/rooms/live/live-room';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { buildRtp, closeSocket, LOOPBACK, opusPayload, RtpReceiver, udpSocket, waitFor } from '../helpers/rtp';
import { childWorkers, processExists } from './worker-processes';

jest.setTimeout(30_000);

const SSRC = 0x5e11_0001;
const RTP_PARAMETERS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: SSRC }],
};
const CAPABILITIES = {
  codecs: [
    {
      kind: 'audio' as const,
      mimeType: 'audio/opus',
      preferredPayloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: {},
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
};
const noOutbox: RoomOutbox = { toPeer() {}, toOthers() {}, toRoles() {} };

interface Viewer {
  peer: Peer;
  receiver: RtpReceiver;
  ssrc: number;
  packets(): number;
}

describe('a room spilling over to a second worker', () => {
  let pool: WorkerPool;
  let room: LiveRoom;
  let sender: dgram.Socket;
  let pacer: NodeJS.Timeout | undefined;
  let producerId: string;
  const receivers: RtpReceiver[] = [];

  beforeEach(async () => {
    pool = new WorkerPool({ workers: 2, rtcListenIp: LOOPBACK, rtcMinPort: 19400, rtcMaxPort: 19439, logLevel: 'warn' });
    await pool.start();
    room = await LiveRoom.open(randomUUID(), randomUUID(), await pool.createRouter(), noOutbox, {
      iceServers: [],
      plainListenInfo: pool.transportListenInfo(),
      limits: { transportsPerDirection: 4, consumersPerProducer: 2 },
      spill: {
        routerConsumers: 2,
        createRouter: (avoid) => pool.createRouter({}, avoid),
        aliveWorkers: () => pool.aliveWorkers(),
        pipeListenInfo: pool.pipeListenInfo(),
      },
    });
    const speaker = room.addPeer(randomUUID(), 'Speaker', 'speaker-socket', 'host');
    const input = await room.createPlainTransport(speaker, 'send', { comedia: true });
    producerId = await room.produce(speaker, { transportId: input.id, kind: 'audio', rtpParameters: RTP_PARAMETERS, source: 'mic' });
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
    room.close();
    await closeSocket(sender);
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await pool.close();
    await waitFor(() => childWorkers().length === 0, 3_000, 'every worker process to exit');
  });

  async function addViewer(n: number): Promise<Viewer> {
    const peer = room.addPeer(randomUUID(), `Viewer ${n}`, `viewer-${n}`, 'attendee');
    const receiver = await RtpReceiver.open();
    receivers.push(receiver);
    const output = await room.createPlainTransport(peer, 'recv', { comedia: false });
    await output.connect({ ip: LOOPBACK, port: receiver.port });
    const consumer = await room.consume(peer, output.id, producerId, CAPABILITIES);
    await room.resumeConsumer(peer, consumer.consumerId);
    const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!;
    return { peer, receiver, ssrc, packets: () => receiver.stream(ssrc).packets };
  }

  /** Waits until every viewer has `more` packets beyond what it had when called. */
  async function receiveMore(viewers: readonly Viewer[], more: number): Promise<void> {
    const from = viewers.map((v) => v.packets());
    await waitFor(
      () => viewers.every((v, i) => v.packets() - from[i]! >= more),
      5_000,
      `${more} more packets on ${viewers.length} viewers`,
    );
  }

  it('receives the third and fourth viewers on the other worker through one pipe, and drops the pipe after them', async () => {
    const viewers = [];
    for (let n = 1; n <= 4; n++) viewers.push(await addViewer(n));
    const routers = room.routerStats();
    expect(new Set(routers.map((r) => r.workerIndex)).size).toBe(2);
    // Origin: two viewers and the pipe consumer; the other router: two viewers fed by one piped producer.
    expect(routers.map(({ viewers: v, consumers, pipedProducers }) => ({ v, consumers, pipedProducers }))).toEqual([
      { v: 2, consumers: 3, pipedProducers: 0 },
      { v: 2, consumers: 2, pipedProducers: 1 },
    ]);
    expect(
      pool
        .stats()
        .workers.map((w) => w.pipeProducers)
        .sort(),
    ).toEqual([0, 1]);
    await receiveMore(viewers, 30);

    // One spilled viewer leaves: the pipe stays for the other; the last one leaves: pipe and router go.
    room.removePeer(viewers[2]!.peer);
    expect(room.routerStats()[1]).toMatchObject({ viewers: 1, pipedProducers: 1 });
    await receiveMore([viewers[0]!, viewers[1]!, viewers[3]!], 20);
    room.removePeer(viewers[3]!.peer);
    await waitFor(() => pool.stats().workers.every((w) => w.pipeProducers === 0 && w.pipeTransports === 0), 3_000, 'the pipe to close');
    expect(room.routerStats()).toHaveLength(1);
    expect(
      pool
        .stats()
        .workers.map((w) => w.routers)
        .sort(),
    ).toEqual([0, 1]);
    await receiveMore([viewers[0]!, viewers[1]!], 20);
  });

  it('loses only the viewers of a killed second worker; the origin viewers keep receiving, and the lost ones come back on a live router', async () => {
    const viewers = [];
    for (let n = 1; n <= 4; n++) viewers.push(await addViewer(n));
    const [origin, second] = room.routerStats();
    await receiveMore(viewers, 20);

    const died = new Promise((resolve) => pool.once('workerDied', resolve));
    process.kill(second!.workerPid, 'SIGKILL');
    await died;
    expect(processExists(second!.workerPid)).toBe(false);
    const lost = room.takeLostViewers(second!.workerIndex);
    expect(lost.map((p) => p.displayName).sort()).toEqual(['Viewer 3', 'Viewer 4']);
    expect(room.routerStats().map((r) => r.workerIndex)).toEqual([origin!.workerIndex]);
    expect(room.isClosed).toBe(false);
    await receiveMore([viewers[0]!, viewers[1]!], 30);
    expect(viewers[2]!.peer.consumers.size + viewers[3]!.peer.consumers.size).toBe(0);

    // Joining again, as a client told `room:media-reset` does: placed on a live router, and fed again.
    for (const v of lost) room.removePeer(v);
    const back = [await addViewer(5), await addViewer(6)];
    await receiveMore([...back, viewers[0]!, viewers[1]!], 30);
    expect(room.routerStats().every((r) => pool.stats().workers.find((w) => w.index === r.workerIndex)?.alive)).toBe(true);
  });
});
