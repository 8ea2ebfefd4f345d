import type dgram from 'node:dgram';
import type { types } from 'mediasoup';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { closeSocket, LOOPBACK, RtpReceiver, sendOpus, udpSocket, waitFor } from '../helpers/rtp';

const PACKETS = 600;
const LISTENERS = 10;
const SSRC = 0x1234abcd;
const INPUT_PT = 111; // deliberately not the router's opus PT, so the consumer must rewrite it

jest.setTimeout(30_000);

describe('RTP forwarding through the worker pool', () => {
  const pool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: 19000, rtcMaxPort: 19099, logLevel: 'warn' });
  const receivers: RtpReceiver[] = [];
  let sender: dgram.Socket | undefined;
  let router: types.Router;

  beforeAll(async () => {
    await pool.start();
    ({ router } = await pool.createRouter());
  });

  afterAll(async () => {
    await Promise.all([...receivers.map((r) => r.close()), sender && closeSocket(sender)]);
    await pool.close();
  });

  it('delivers every packet of one opus producer to ten consumers, in order', async () => {
    const input = await router.createPlainTransport({ listenInfo: pool.transportListenInfo(), comedia: true, rtcpMux: true });
    const producer = await input.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: INPUT_PT, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: SSRC }],
      },
    });

    const outputs: { transport: types.PlainTransport; consumer: types.Consumer; receiver: RtpReceiver }[] = [];
    for (let i = 0; i < LISTENERS; i++) {
      const receiver = await RtpReceiver.open();
      receivers.push(receiver);
      const transport = await router.createPlainTransport({ listenInfo: pool.transportListenInfo(), comedia: false, rtcpMux: true });
      await transport.connect({ ip: LOOPBACK, port: receiver.port });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      outputs.push({ transport, consumer, receiver });
    }
    expect(pool.stats().workers[0]).toMatchObject({ routers: 1, consumers: LISTENERS });

    const socket = (sender = await udpSocket());
    const started = Date.now();
    const sentBytes = await sendOpus(
      (packet) => new Promise<void>((resolve, reject) => socket.send(packet, input.tuple.localPort, LOOPBACK, (e) => (e ? reject(e) : resolve()))),
      // 2 ms apart (500 pps in, 5000 pps out) keeps the test short; the sequence crosses 65535.
      { ssrc: SSRC, payloadType: INPUT_PT, count: PACKETS, firstSeq: 65_300, intervalMs: 2 },
    );
    const sendMs = Date.now() - started;
    const senderPort = socket.address().port;
    await waitFor(
      () => outputs.every(({ consumer, receiver }) => receiver.stream(consumer.rtpParameters.encodings![0]!.ssrc!).packets >= PACKETS),
      5_000,
      `${PACKETS} packets at each of ${LISTENERS} receivers`,
    ).catch(() => undefined); // the assertions below say which receiver fell short

    const [inputStats] = await input.getStats();
    const [producerStats] = await producer.getStats();
    expect(input.tuple.remotePort).toBe(senderPort); // comedia learnt the sender's address
    expect(inputStats!.bytesReceived).toBe(sentBytes);
    expect(producerStats).toMatchObject({ packetCount: PACKETS, byteCount: sentBytes, packetsLost: 0 });

    const summary = [];
    for (const { transport, consumer, receiver } of outputs) {
      const encoding = consumer.rtpParameters.encodings![0]!;
      const stream = receiver.stream(encoding.ssrc!);
      const consumerStats = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
      const [transportStats] = await transport.getStats();
      summary.push({ ssrc: encoding.ssrc, received: stream.packets, consumerSent: consumerStats?.packetCount });

      expect(stream).toMatchObject({ packets: PACKETS, seqGaps: 0, duplicates: 0, seqMismatches: 0, outOfOrder: 0 });
      expect([...stream.payloadTypes]).toEqual([consumer.rtpParameters.codecs[0]!.payloadType]);
      expect(receiver.streams.size).toBe(1);
      expect(consumerStats).toMatchObject({ packetCount: PACKETS, byteCount: stream.bytes });
      expect(transportStats!.rtpBytesSent).toBe(stream.bytes);
    }
    // Each consumer got its own SSRC: receivers cannot be counting each other's packets.
    expect(new Set(summary.map((s) => s.ssrc)).size).toBe(LISTENERS);
    console.log(
      `forwarding: ${PACKETS} packets in ${sendMs} ms -> ${LISTENERS} consumers, ` +
        `received ${summary.reduce((n, s) => n + s.received, 0)}/${PACKETS * LISTENERS}`,
    );

    for (const { transport } of outputs) transport.close();
    input.close();
    expect(pool.stats().workers[0]).toMatchObject({ routers: 1, consumers: 0 });
  });
});
