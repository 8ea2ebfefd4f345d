import dgram from 'node:dgram';
import { once } from 'node:events';
import type { types } from 'mediasoup';
import { type PoolLogger, WorkerPool, type WorkerDiedEvent, type WorkerReplacedEvent } from '../../server/src/modules/media/worker-pool';
import { closeSocket, LOOPBACK, RtpReceiver, sendOpus, udpSocket, waitFor, within } from '../helpers/rtp';
import { childWorkers, processExists } from './worker-processes';

const PACKETS = 200;
const SSRC = 0x0badcafe;

jest.setTimeout(30_000);

/** Plain RTP in, one consumer out; returns what the receiver counted and what the producer saw. */
async function forward(pool: WorkerPool, router: types.Router) {
  const input = await router.createPlainTransport({ listenInfo: pool.transportListenInfo(), comedia: true, rtcpMux: true });
  const producer = await input.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: SSRC }] },
  });
  const receiver = await RtpReceiver.open();
  const output = await router.createPlainTransport({ listenInfo: pool.transportListenInfo(), comedia: false, rtcpMux: true });
  await output.connect({ ip: LOOPBACK, port: receiver.port });
  const consumer = await output.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  const sender = await udpSocket();
  try {
    await sendOpus((packet) => void sender.send(packet, input.tuple.localPort, LOOPBACK), {
      ssrc: SSRC,
      payloadType: 100,
      count: PACKETS,
      firstSeq: 1_000,
      intervalMs: 2,
    });
    const stream = () => receiver.stream(consumer.rtpParameters.encodings![0]!.ssrc!);
    await waitFor(() => stream().packets >= PACKETS, 3_000, 'forwarded packets').catch(() => undefined);
    const [producerStats] = await producer.getStats();
    return { stream: stream(), producerPackets: producerStats?.packetCount };
  } finally {
    await Promise.all([receiver.close(), closeSocket(sender)]);
    input.close();
    output.close();
  }
}

describe('worker recovery', () => {
  afterEach(() => waitFor(() => childWorkers().length === 0, 3_000, 'every worker process to exit'));

  it('replaces a worker killed with SIGKILL at the same index and port, and the replacement forwards RTP', async () => {
    const pool = new WorkerPool({ workers: 2, rtcListenIp: LOOPBACK, rtcMinPort: 19200, rtcMaxPort: 19289, logLevel: 'warn' });
    await pool.start();
    try {
      const before = pool.stats().workers;
      const first = await pool.createRouter();
      const second = await pool.createRouter();
      expect([first.worker.index, second.worker.index].sort()).toEqual([0, 1]);
      const victim = first.worker;
      const survivor = second.worker;
      // Leaves the survivor busier so the next room must land on the replacement.
      await survivor.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });

      const died = once(pool, 'workerDied') as Promise<[WorkerDiedEvent]>;
      const replaced = once(pool, 'workerReplaced') as Promise<[WorkerReplacedEvent]>;
      const killedAt = Date.now();
      process.kill(victim.worker.pid, 'SIGKILL');

      const [diedEvent] = await within(died, 2_000, 'workerDied');
      expect(diedEvent).toMatchObject({ index: victim.index, pid: victim.worker.pid });
      const [replacedEvent] = await within(replaced, 5_000, 'workerReplaced');
      const recoveryMs = Date.now() - killedAt;
      expect(replacedEvent).toEqual({ index: victim.index, oldPid: victim.worker.pid, newPid: expect.any(Number) });
      expect(replacedEvent.newPid).not.toBe(victim.worker.pid);
      expect(processExists(replacedEvent.newPid)).toBe(true);
      expect(processExists(victim.worker.pid)).toBe(false);
      expect(first.router.closed).toBe(true);
      expect(second.router.closed).toBe(false);

      const after = pool.stats().workers;
      expect(after[victim.index]).toMatchObject({ pid: replacedEvent.newPid, alive: true, port: before[victim.index]!.port, routers: 0 });
      expect(after[survivor.index]).toMatchObject({ pid: survivor.worker.pid, alive: true, routers: 2 });
      expect(pool.alive()).toBe(true);

      const next = await pool.createRouter();
      expect(next.worker.index).toBe(victim.index);
      expect(next.worker.worker.pid).toBe(replacedEvent.newPid);
      // The replacement's WebRtcServer took over the dead worker's published port.
      const dump = await next.worker.webRtcServer.dump();
      expect(dump.udpSockets.map((s) => s.port)).toEqual([before[victim.index]!.port]);
      expect(dump.tcpServers.map((s) => s.port)).toEqual([before[victim.index]!.port]);

      const { stream, producerPackets } = await forward(pool, next.router);
      console.log(`recovery: worker replaced ${recoveryMs} ms after SIGKILL; replacement forwarded ${stream.packets}/${PACKETS}`);
      expect(producerPackets).toBe(PACKETS);
      expect(stream).toMatchObject({ packets: PACKETS, seqGaps: 0, duplicates: 0, outOfOrder: 0, seqMismatches: 0 });
    } finally {
      await pool.close();
    }
  });

  describe('while the port of the dead worker is still taken', () => {
    const port = 19290;
    let pool: WorkerPool;
    let squatter: dgram.Socket | undefined;
    const failures: object[] = [];

    beforeEach(async () => {
      failures.length = 0;
      const logger: PoolLogger = {
        info() {},
        warn() {},
        error(data, message) {
          if (message.startsWith('could not replace')) failures.push(data);
        },
      };
      pool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: port, rtcMaxPort: port + 9, logLevel: 'warn' }, logger);
      await pool.start();
      // Taken between the death and the replacement's bind: the replacement takes tens of ms to start.
      pool.once('workerDied', () => {
        squatter = dgram.createSocket('udp4').bind(port, LOOPBACK);
      });
      process.kill(pool.stats().workers[0]!.pid, 'SIGKILL');
      await waitFor(() => failures.length > 0, 3_000, 'a failed replacement');
    });

    afterEach(async () => {
      if (squatter) await closeSocket(squatter);
      squatter = undefined;
      await pool.close();
    });

    it('keeps retrying and recovers once the port is free', async () => {
      expect(failures[0]).toMatchObject({ index: 0, retryInMs: 250 });
      expect(pool.alive()).toBe(false);
      expect(childWorkers()).toEqual([]); // the failed attempt's process is gone

      const replaced = once(pool, 'workerReplaced') as Promise<[WorkerReplacedEvent]>;
      await closeSocket(squatter!);
      squatter = undefined;
      const [event] = await within(replaced, 5_000, 'workerReplaced');
      expect(pool.stats().workers).toEqual([expect.objectContaining({ index: 0, pid: event.newPid, alive: true, port })]);
      expect(pool.alive()).toBe(true);
    });

    it('stops retrying on close without waiting out the back-off', async () => {
      const replaced = jest.fn();
      pool.on('workerReplaced', replaced);
      const started = Date.now();
      await pool.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(childWorkers()).toEqual([]);
      expect(replaced).not.toHaveBeenCalled();
    });
  });
});
