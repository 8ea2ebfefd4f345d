import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireFromRoot } from './typescript.mjs';

/**
 * 1 producer -> N consumers over plain RTP transports, once through Quorum's room layer (LiveRoom on
 * a WorkerPool, both from server/dist) and once through bare mediasoup, with the same worker
 * settings, the same packets and the same receivers. Worker CPU comes from getResourceUsage().
 */

const { WorkerPool } = requireFromRoot('server/dist/modules/media/worker-pool.js');
const { LiveRoom } = requireFromRoot('server/dist/modules/rooms/live/live-room.js');
// The mediasoup the server resolves, so both sides run the same library and worker binary.
const { createWorker } = createRequire(new URL('../../server/dist/main.js', import.meta.url))('mediasoup');
const { buildRtp, closeSocket, LOOPBACK, opusPayload, udpSocket } = requireFromRoot('test/helpers/rtp.ts');
const { freePort } = requireFromRoot('test/helpers/server-process.ts');

const PAYLOAD_TYPE = 100;
const PRODUCER_SSRC = 0x51ab0001;
const RTP_PARAMETERS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: PAYLOAD_TYPE, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: PRODUCER_SSRC }],
};
/** What every consumer (Quorum's and bare) asks for: opus, no header extensions. */
const CONSUMER_CAPABILITIES = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: PAYLOAD_TYPE, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
};
const WORKER_SETTINGS = { logLevel: 'warn' };
/** Plain transports of the bare worker; the pool gets a range starting at a free port (its WebRtcServer's). */
const BARE_PORTS = { min: 41000, max: 41999 };
/** After the last packet: what is in flight reaches the receivers before the CPU reading. */
const DRAIN_MS = 150;

const noOutbox = { toPeer() {}, toOthers() {}, toRoles() {} };

/**
 * One UDP socket per consumer (4 MB buffer each, so a briefly starved bench process loses little),
 * counting RTP of the given payload types per SSRC; RTCP from the consumers is left out. With fewer
 * sockets than consumers, consumers share them round the list (`port(i)`).
 */
export class Receivers {
  /** @type {Map<number, number>} */
  counts = new Map();

  constructor(sockets, payloadTypes = [PAYLOAD_TYPE]) {
    this.sockets = sockets;
    for (const socket of sockets) {
      socket.on('message', (message) => {
        const pt = message[1] & 0x7f;
        if (message.length < 12 || (message[1] >= 192 && message[1] <= 223) || !payloadTypes.includes(pt)) return;
        const ssrc = message.readUInt32BE(8);
        this.counts.set(ssrc, (this.counts.get(ssrc) ?? 0) + 1);
      });
    }
  }

  static async open(count, payloadTypes) {
    return new Receivers(await Promise.all(Array.from({ length: count }, () => udpSocket())), payloadTypes);
  }

  get total() {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /**
   * Waits until `expected` packets are counted or the count stops moving: on a loaded machine this
   * process may still have packets queued in its socket buffers, which are late, not lost.
   */
  async settle(expected, timeoutMs = 5_000) {
    const deadline = performance.now() + timeoutMs;
    let previous = -1;
    while (this.total < expected && this.total !== previous && performance.now() < deadline) {
      previous = this.total;
      await sleep(200);
    }
  }

  port(i) {
    return this.sockets[i % this.sockets.length].address().port;
  }

  close() {
    return Promise.all(this.sockets.map(closeSocket));
  }
}

/**
 * Receivers that never read: UDP sockets bound by a child process that is then stopped (SIGSTOP). The
 * kernel queues what comes for them until their buffers are full and drops the rest, so no process on
 * this machine spends CPU receiving. For measuring what the workers themselves can forward, as when the
 * viewers are elsewhere: on a 2-core machine a receiver that reads every packet takes the core a second
 * worker would need. Nothing is counted (`total` is null); loss comes from the workers' own stats.
 */
export class DropSinks {
  /** @type {Map<number, number>} */
  counts = new Map();

  constructor(child, ports) {
    this.child = child;
    this.ports = ports;
  }

  static async open(count) {
    const { spawn } = await import('node:child_process');
    const code = `
      const dgram = require('node:dgram');
      const ports = [];
      let left = ${count};
      for (let i = 0; i < ${count}; i++) {
        const s = dgram.createSocket('udp4');
        s.bind(0, '127.0.0.1', () => { ports.push(s.address().port); if (--left === 0) process.stdout.write(JSON.stringify(ports) + '\\n'); });
      }`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ports = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      child.once('exit', (c) => reject(new Error(`the sink process exited (${c})`)));
    });
    process.kill(child.pid, 'SIGSTOP');
    return new DropSinks(child, ports);
  }

  get total() {
    return null;
  }

  async settle() {}

  port(i) {
    return this.ports[i % this.ports.length];
  }

  async close() {
    process.kill(this.child.pid, 'SIGCONT');
    this.child.kill();
  }
}

/** One producer and `n` resumed consumers through LiveRoom, as the socket commands would create them. */
async function quorumFanout(pool, n, receivers) {
  const pooled = await pool.createRouter({ roomId: 'bench' });
  const room = await LiveRoom.open(randomUUID(), randomUUID(), pooled, noOutbox, {
    iceServers: [],
    plainListenInfo: pool.transportListenInfo(),
    limits: { transportsPerDirection: 1000, consumersPerProducer: 1000 },
  });
  try {
    const speaker = room.addPeer(randomUUID(), 'Speaker', 'bench-speaker', 'host');
    const input = await room.createPlainTransport(speaker, 'send', { comedia: true });
    const producerId = await room.produce(speaker, { transportId: input.id, kind: 'audio', rtpParameters: RTP_PARAMETERS, source: 'mic' });
    const consumers = [];
    for (let i = 0; i < n; i++) {
      const listener = room.addPeer(randomUUID(), `Listener ${i}`, `bench-${i}`, 'attendee');
      const output = await room.createPlainTransport(listener, 'recv', { comedia: false });
      await output.connect({ ip: LOOPBACK, port: receivers.port(i) });
      const { consumerId } = await room.consume(listener, output.id, producerId, CONSUMER_CAPABILITIES);
      await room.resumeConsumer(listener, consumerId);
      consumers.push(listener.consumers.get(consumerId));
    }
    return { worker: pooled.worker.worker, inputPort: input.tuple.localPort, consumers, close: () => room.close() };
  } catch (error) {
    room.close();
    throw error;
  }
}

/** The same fan-out on bare mediasoup: router, plain transports, produce, consume (paused) and resume. */
async function bareFanout(worker, n, receivers) {
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  try {
    const listenInfo = { protocol: 'udp', ip: LOOPBACK, portRange: BARE_PORTS };
    const input = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producer = await input.produce({ kind: 'audio', rtpParameters: RTP_PARAMETERS });
    const consumers = [];
    for (let i = 0; i < n; i++) {
      const output = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
      await output.connect({ ip: LOOPBACK, port: receivers.port(i) });
      const consumer = await output.consume({ producerId: producer.id, rtpCapabilities: CONSUMER_CAPABILITIES, paused: true });
      await consumer.resume();
      consumers.push(consumer);
    }
    return { worker, inputPort: input.tuple.localPort, consumers, close: () => router.close() };
  } catch (error) {
    router.close();
    throw error;
  }
}

/**
 * The WebRtcServers need their fixed ports free for UDP and TCP; on a busy machine a few tries may be
 * needed. `ports`: the size of the range (one plain transport per consumer takes one).
 */
export async function startPool(workers = 1, ports = 1000, firstPort = null) {
  for (let attempt = 1; ; attempt++) {
    const port = firstPort ?? (await freePort());
    const pool = new WorkerPool({ workers, rtcListenIp: LOOPBACK, rtcMinPort: port, rtcMaxPort: Math.min(port + ports - 1, 65535), ...WORKER_SETTINGS });
    try {
      await pool.start();
      return pool;
    } catch (error) {
      if (attempt === 5 || firstPort !== null || !/address already in use/.test(String(error))) throw error;
    }
  }
}

export const cpuMs = async (worker) => {
  const usage = await worker.getResourceUsage();
  return usage.ru_utime + usage.ru_stime;
};

/** Packets for one producer: sequence numbers and timestamps continue across the slices it is fed. */
function stream() {
  const firstSeq = Math.floor(Math.random() * 30_000);
  let i = 0;
  return () => {
    const packet = buildRtp({ payloadType: PAYLOAD_TYPE, sequenceNumber: firstSeq + i, timestamp: 960 * i, ssrc: PRODUCER_SSRC }, opusPayload(i));
    i++;
    return packet;
  };
}

/**
 * Both fan-outs live side by side on their own workers; the sender feeds one at a time in slices
 * ordered Q B B Q Q B B Q ..., so whatever else the machine does lands on both alike. Each worker's
 * CPU is read over the whole run, its idle slices included (timers and RTCP count for both).
 */
async function runInterleaved(n, fanouts, { receivers, sender, packets, intervalMs, sliceMs }) {
  const setupMs = {};
  const live = {};
  try {
    for (const [name, fanout] of Object.entries(fanouts)) {
      const started = performance.now();
      live[name] = await fanout(n, receivers);
      setupMs[name] = performance.now() - started;
    }
    const names = Object.keys(live);
    const next = Object.fromEntries(names.map((name) => [name, stream()]));
    const sent = Object.fromEntries(names.map((name) => [name, 0]));
    receivers.counts.clear();
    await sleep(100);
    const cpuBefore = await Promise.all(names.map((name) => cpuMs(live[name].worker)));
    const perSlice = Math.max(1, Math.round(sliceMs / intervalMs));
    const start = performance.now();
    for (let i = 0, slot = 0; i < packets * names.length; i++) {
      const slice = Math.floor(i / perSlice);
      // Q B B Q: the order flips every other pair of slices.
      const name = names[(slice % 2) ^ (Math.floor(slice / 2) % 2)];
      if (sent[name] < packets) {
        sender.send(next[name](), live[name].inputPort, LOOPBACK);
        sent[name]++;
      }
      const wait = start + ++slot * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const sendMs = performance.now() - start;
    await sleep(DRAIN_MS);
    const cpuAfter = await Promise.all(names.map((name) => cpuMs(live[name].worker)));
    await receivers.settle(n * packets * names.length);
    const results = {};
    for (const [k, name] of names.entries()) {
      const { consumers } = live[name];
      const stats = await Promise.all(consumers.map((c) => c.getStats()));
      results[name] = {
        setupMs: setupMs[name],
        sendMs,
        sent: sent[name],
        forwarded: stats.reduce((sum, s) => sum + (s.find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0), 0),
        received: consumers.map((c) => receivers.counts.get(c.rtpParameters.encodings[0].ssrc) ?? 0),
        cpuMs: cpuAfter[k] - cpuBefore[k],
      };
    }
    return results;
  } finally {
    for (const f of Object.values(live)) f.close();
  }
}

/**
 * Both workers on the same CPU (the last this process may use), when taskset is there: whatever else
 * runs on the machine lands on both alike. This process stays free to receive on any CPU. Returns the
 * CPU, or null when not pinned.
 */
function pin(workerPids) {
  const cpu = readCpus().pop();
  if (cpu === undefined) return null;
  try {
    for (const pid of workerPids) execFileSync('taskset', ['-pc', String(cpu), String(pid)], { stdio: 'ignore' });
    return cpu;
  } catch {
    return null;
  }
}

function readCpus() {
  try {
    const list = execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' }).split(':').pop().trim();
    return list.split(',').flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
  } catch {
    return [];
  }
}

/** Per N, `rounds` interleaved runs (which fan-out is set up first alternates). Returns one summary per N. */
export async function benchForwarding({ sizes, ratePps, durationMs, sliceMs, rounds, log }) {
  const packets = Math.round((ratePps * durationMs) / 1000);
  const intervalMs = 1000 / ratePps;
  const pool = await startPool();
  const bareWorker = await createWorker({ ...WORKER_SETTINGS, rtcMinPort: BARE_PORTS.min, rtcMaxPort: BARE_PORTS.max });
  const pinned = pin([pool.stats().workers[0].pid, bareWorker.pid]);
  const receivers = await Receivers.open(Math.max(10, ...sizes));
  const sender = await udpSocket();
  const ctx = { receivers, sender, packets, intervalMs, sliceMs };
  const quorum = (n) => quorumFanout(pool, n, receivers);
  const bare = (n) => bareFanout(bareWorker, n, receivers);
  const summaries = [];
  try {
    // One unmeasured pass so both workers and this process are warm.
    await runInterleaved(10, { quorum, bare }, { ...ctx, packets: 100 });
    for (const n of sizes) {
      const runs = { quorum: [], bare: [] };
      for (let r = 0; r < rounds; r++) {
        const results = await runInterleaved(n, r % 2 === 0 ? { quorum, bare } : { bare, quorum }, ctx);
        for (const name of ['quorum', 'bare']) {
          const result = results[name];
          runs[name].push(result);
          log?.(
            `  N=${String(n).padStart(3)} ${name.padEnd(6)} run ${r + 1}: setup ${result.setupMs.toFixed(0)} ms, sent ${result.sent}, ` +
              `forwarded ${result.forwarded}, worker CPU ${result.cpuMs} ms`,
          );
        }
      }
      summaries.push({ n, quorum: summarise(runs.quorum, n), bare: summarise(runs.bare, n) });
    }
  } finally {
    await Promise.all([receivers.close(), closeSocket(sender)]);
    await pool.close();
    bareWorker.close();
  }
  return { packets, pinned, summaries };
}

function summarise(runs, n) {
  const sent = runs.reduce((s, r) => s + r.sent, 0);
  const received = runs.flatMap((r) => r.received);
  const receivedTotal = received.reduce((s, x) => s + x, 0);
  const forwarded = runs.reduce((s, r) => s + r.forwarded, 0);
  const cpuMs = runs.reduce((s, r) => s + r.cpuMs, 0);
  return {
    runs: runs.length,
    sentPerRun: runs[0].sent,
    receivedPerConsumer: { min: Math.min(...received), mean: receivedTotal / received.length },
    lossPct: (100 * (sent * n - receivedTotal)) / (sent * n),
    /** Packets the worker did not send (the rest of lossPct was dropped on the way to the receivers). */
    sfuLossPct: (100 * (sent * n - forwarded)) / (sent * n),
    forwarded,
    cpuMs,
    usPerPacket: (cpuMs * 1000) / forwarded,
  };
}
