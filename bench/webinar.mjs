#!/usr/bin/env node
/**
 * Webinar benchmark (`npm run bench:webinar`, not part of `npm test`). Needs the built server
 * (`npm run build -w server`).
 *
 * One speaker (opus 50 packets/s + VP8 at about 360p: 30 frames/s, ~2 packets a frame, a 12-packet
 * keyframe every 2 s) fanned out to N viewers, each an SRTP transport (a plain transport with SRTP in
 * the suite browsers get, AEAD_AES_256_GCM) with one audio and one video consumer:
 *   - through Quorum's room layer (LiveRoom on a WorkerPool from server/dist, viewers placed by the
 *     room's spill-over), and
 *   - through bare mediasoup doing the same (same worker settings, same codecs, same placement, the
 *     same pipeToRouter between routers),
 * each on one worker (everything on one router) and on two workers (half the viewers on a second
 * router fed by pipes), one after the other, the order alternating with N.
 *
 * Per run: loss (packets the workers did not forward, from consumer stats, and packets the bench's
 * receivers did not get), packets forwarded per second, worker CPU (getResourceUsage), Quorum/bare
 * CPU per forwarded packet. Then the largest N at <= 0.5 % loss for each (interpolated between the
 * sizes measured), and whether two workers carry >= 1.7x the viewers of one. The last line is one
 * JSON object with the headline figures.
 *
 * Two workers are also tried at BENCH_TWO_WORKER_SIZES (beyond the largest size, while they keep within
 * the loss limit), so that their capacity can be found rather than only bounded.
 *
 * Interpretation: the same speaker plus one interpreter (opus 50 packets/s) publishing into the `zh`
 * channel, N listeners on one worker, first all on the floor, then all on `zh` (floor audio and video +
 * the channel). Per listener: packets forwarded per second and worker CPU per second, and the
 * difference, which is what one interpretation channel costs per listener who picks it. Floor
 * listeners get no channel consumer at all, so their cost does not change.
 *
 * Pipes: the cost of one cross-node pipe, against one viewer, in the same run. Two bare workers stand
 * for two nodes (the owner's and an edge's); a pipe is a PipeTransport pair as the edge relay makes
 * it (SRTP and RTX on; also measured without SRTP) carrying the speaker's audio and video once, into a
 * router of its own on the edge side, as each edge node has. CPU per second per pipe on the owner's
 * worker (the pipe consumers, encryption) and on the edge's (the pipe producers, decryption), and
 * per viewer (an SRTP transport with two consumers) on the owner's worker.
 *
 * Viewers: by default (BENCH_RECEIVERS=drop) the viewers' packets go to sockets of a stopped process:
 * the kernel drops what their buffers cannot hold and nothing on the machine reads, so the workers are
 * measured as if the viewers were elsewhere, and loss is what the workers did not forward. With
 * BENCH_RECEIVERS=read the bench process receives every packet (32 sockets) and counts what reached it
 * too; on a 2-core machine that receiving takes a core, so one worker and two share what is left and
 * the two-worker figure says more about the receiver than about the workers.
 *
 * Settings (env): BENCH_SIZES (drop: 100,250,500,1000,1200,1400,1600; read: 100,250,500,1000)
 *   BENCH_TWO_WORKER_SIZES (drop: 2000,2400,2800,3200; read: 1500,2000)  BENCH_DURATION_MS=4000 (per run)
 *   BENCH_RECEIVERS=read|drop (see above)  BENCH_SRTP=AEAD_AES_256_GCM|AEAD_AES_128_GCM|AES_CM_128_HMAC_SHA1_80
 *   BENCH_INTERPRETATION_N=300 (listeners)  BENCH_PIPES=50 (pipes, and viewers, per pipe run)
 *   BENCH_ONLY=interpretation|pipes (only that part)
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('server/dist is missing: run `npm run build -w server` first');
  process.exit(1);
}
const { cpuMs, DropSinks, Receivers, startPool } = await import('./lib/forwarding.mjs');
const { requireFromRoot } = await import('./lib/typescript.mjs');
const { LiveRoom } = requireFromRoot('server/dist/modules/rooms/live/live-room.js');
const { MEDIA_CODECS } = requireFromRoot('server/dist/modules/media/worker-pool.js');
const { createWorker } = createRequire(new URL('../server/dist/main.js', import.meta.url))('mediasoup');
const { buildRtp, closeSocket, LOOPBACK, opusPayload, udpSocket } = requireFromRoot('test/helpers/rtp.ts');

const receiving = process.env.BENCH_RECEIVERS ?? 'drop';
if (!['read', 'drop'].includes(receiving)) throw new Error('BENCH_RECEIVERS must be read or drop');
const dropping = receiving === 'drop';
// With nothing reading, one worker carries over a thousand viewers here: the sizes go past that.
const sizes = (process.env.BENCH_SIZES ?? (dropping ? '100,250,500,1000,1200,1400,1600' : '100,250,500,1000')).split(',').map(Number);
const twoWorkerSizes = (process.env.BENCH_TWO_WORKER_SIZES ?? (dropping ? '2000,2400,2800,3200' : '1500,2000')).split(',').filter(Boolean).map(Number);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 4000);

if (!sizes.every((n) => Number.isInteger(n) && n > 1) || !(durationMs > 0))
  throw new Error('BENCH_SIZES must list integers > 1, BENCH_DURATION_MS be > 0');

const LOSS_LIMIT_PCT = 0.5;
const AUDIO = { pt: 100, ssrc: 0x7e0a0001 };
const VIDEO = { pt: 101, ssrc: 0x7e0a0002 };
const FPS = 30;
const KEYFRAME_EVERY = 2 * FPS;
const RTP_PARAMETERS = {
  audio: { codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.pt, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: AUDIO.ssrc }] },
  video: { codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.pt, clockRate: 90000 }], encodings: [{ ssrc: VIDEO.ssrc }] },
};
const CAPABILITIES = {
  codecs: [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      preferredPayloadType: AUDIO.pt,
      clockRate: 48000,
      channels: 2,
      parameters: {},
      rtcpFeedback: [],
    },
    { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: VIDEO.pt, clockRate: 90000, parameters: {}, rtcpFeedback: [] },
  ],
  headerExtensions: [],
};
const MOST_VIEWERS = Math.max(...sizes, ...twoWorkerSizes);
/**
 * Port ranges below the kernel's ephemeral ones (32768 and up), so that no socket of this process or
 * another takes a port the workers were given: the pool's, then the bare workers' (shared by both).
 */
const POOL_PORTS = { min: 10000, count: MOST_VIEWERS + 600 };
const BARE_PORTS = { min: POOL_PORTS.min + POOL_PORTS.count, max: POOL_PORTS.min + POOL_PORTS.count + MOST_VIEWERS + 600 };
if (BARE_PORTS.max >= 32768) throw new Error('too many viewers for the port ranges below 32768');
const RECEIVER_SOCKETS = 32;
/**
 * Viewers receive SRTP in the suite a browser's DTLS handshake with mediasoup ends on (its first
 * choice, AEAD_AES_256_GCM; BENCH_SRTP picks another); one key for all, since the receivers only read
 * RTP headers, which SRTP leaves in the clear.
 */
const SRTP_KEY_BYTES = { AES_CM_128_HMAC_SHA1_80: 30, AEAD_AES_128_GCM: 28, AEAD_AES_256_GCM: 44 };
const VIEWER_SUITE = process.env.BENCH_SRTP ?? 'AEAD_AES_256_GCM';
if (!(VIEWER_SUITE in SRTP_KEY_BYTES)) throw new Error(`BENCH_SRTP must be one of ${Object.keys(SRTP_KEY_BYTES).join(', ')}`);
const VIEWER_SRTP = { cryptoSuite: VIEWER_SUITE, keyBase64: Buffer.alloc(SRTP_KEY_BYTES[VIEWER_SUITE], 7).toString('base64') };
const noOutbox = { toPeer() {}, toOthers() {}, toRoles() {} };

/** The speaker's packets for one 10 ms tick: opus every 20 ms, VP8 frames every 33 ms (continuing seq/timestamps). */
function speaker() {
  let audio = 0;
  let frame = 0;
  let videoSeq = 0;
  const started = performance.now();
  return () => {
    const elapsed = performance.now() - started;
    const out = [];
    while (audio * 20 <= elapsed) {
      out.push(
        buildRtp(
          { payloadType: AUDIO.pt, sequenceNumber: audio & 0xffff, timestamp: 960 * audio, ssrc: AUDIO.ssrc },
          opusPayload(audio, 100),
        ),
      );
      audio++;
    }
    while ((frame * 1000) / FPS <= elapsed) {
      const key = frame % KEYFRAME_EVERY === 0;
      const count = key ? 12 : 2;
      for (let i = 0; i < count; i++) {
        const payload = Buffer.alloc(1000, 0x5a);
        // VP8 payload descriptor: S bit on the frame's first packet (partition 0); a keyframe's header there.
        payload[0] = i === 0 ? 0x10 : 0x00;
        if (i === 0) {
          payload[1] = key ? 0x10 : 0x11;
          if (key) payload.set([0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01], 2);
        }
        const header = {
          payloadType: VIDEO.pt,
          sequenceNumber: videoSeq++ & 0xffff,
          timestamp: 3000 * frame,
          ssrc: VIDEO.ssrc,
          marker: i === count - 1,
        };
        out.push(buildRtp(header, payload));
      }
      frame++;
    }
    return out;
  };
}

/** Viewers `budgetViewers` and beyond go to the second router (bare) / spill over (Quorum): the same split. */
async function quorumFanout(pool, n, workers, receivers) {
  const budget = workers === 1 ? 1_000_000 : Math.ceil(n / 2) * 2;
  const room = await LiveRoom.open('bench-webinar', 'bench-session', await pool.createRouter({ roomId: 'bench' }), noOutbox, {
    iceServers: [],
    plainListenInfo: pool.transportListenInfo(),
    limits: { transportsPerDirection: 4, consumersPerProducer: 2 },
    spill: {
      routerConsumers: budget,
      createRouter: (avoid) => pool.createRouter({ roomId: 'bench' }, avoid),
      aliveWorkers: () => pool.aliveWorkers(),
      pipeListenInfo: pool.pipeListenInfo(),
    },
  });
  room.mode = 'webinar';
  try {
    const host = room.addPeer('host', 'Speaker', 'bench-speaker', 'host');
    const input = await room.createPlainTransport(host, 'send', { comedia: true });
    const producers = [];
    for (const kind of ['audio', 'video']) {
      producers.push(
        await room.produce(host, {
          transportId: input.id,
          kind,
          rtpParameters: RTP_PARAMETERS[kind],
          source: kind === 'audio' ? 'mic' : 'camera',
        }),
      );
    }
    const consumers = [];
    for (let i = 0; i < n; i++) {
      const viewer = room.addPeer(`viewer-${i}`, `Viewer ${i}`, `bench-${i}`, 'attendee');
      const output = await room.createPlainTransport(viewer, 'recv', { comedia: false, srtp: VIEWER_SUITE });
      await output.connect({ ip: LOOPBACK, port: receivers.port(i), srtpParameters: VIEWER_SRTP });
      for (const producerId of producers) {
        const { consumerId } = await room.consume(viewer, output.id, producerId, CAPABILITIES);
        await room.resumeConsumer(viewer, consumerId);
        consumers.push(viewer.consumers.get(consumerId));
      }
    }
    const routers = room.routerStats();
    const used = pool.workers().filter((w) => routers.some((r) => r.workerIndex === w.index));
    return {
      workers: used.map((w) => w.worker),
      inputPort: input.tuple.localPort,
      consumers,
      split: routers.map((r) => r.viewers),
      close: () => room.close(),
    };
  } catch (error) {
    room.close();
    throw error;
  }
}

async function bareFanout(bareWorkers, n, workers, receivers) {
  const routers = await Promise.all(bareWorkers.slice(0, workers).map((w) => w.createRouter({ mediaCodecs: [...MEDIA_CODECS] })));
  const close = () => routers.forEach((r) => r.close());
  try {
    const listenInfo = { protocol: 'udp', ip: LOOPBACK, portRange: BARE_PORTS };
    const input = await routers[0].createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producers = [];
    for (const kind of ['audio', 'video']) producers.push(await input.produce({ kind, rtpParameters: RTP_PARAMETERS[kind] }));
    const perRouter = workers === 1 ? n : Math.ceil(n / 2);
    const piped = new Set();
    const consumers = [];
    const split = routers.map(() => 0);
    for (let i = 0; i < n; i++) {
      const r = Math.min(Math.floor(i / perRouter), routers.length - 1);
      const router = routers[r];
      if (r > 0 && !piped.has(r)) {
        for (const p of producers) await routers[0].pipeToRouter({ producerId: p.id, router, listenInfo, enableSctp: false });
        piped.add(r);
      }
      split[r]++;
      const output = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: VIEWER_SRTP.cryptoSuite });
      await output.connect({ ip: LOOPBACK, port: receivers.port(i), srtpParameters: VIEWER_SRTP });
      for (const p of producers) {
        const consumer = await output.consume({ producerId: p.id, rtpCapabilities: CAPABILITIES, paused: true });
        await consumer.resume();
        consumers.push(consumer);
      }
    }
    return { workers: bareWorkers.slice(0, workers), inputPort: input.tuple.localPort, consumers, split, close };
  } catch (error) {
    close();
    throw error;
  }
}

const CHANNEL = { pt: AUDIO.pt, ssrc: 0x7e0a0003 };

/**
 * The speaker and one zh interpreter, N listeners on one worker, all on `choice` ('floor' or 'zh'):
 * forwarded packets and worker CPU per listener per second.
 */
async function interpretationRun(pool, n, choice, receivers, sender) {
  const room = await LiveRoom.open('bench-interp', 'bench-session', await pool.createRouter({ roomId: 'bench-interp' }), noOutbox, {
    iceServers: [],
    plainListenInfo: pool.transportListenInfo(),
    limits: { transportsPerDirection: 4, consumersPerProducer: 2 },
  });
  room.mode = 'webinar';
  try {
    const host = room.addPeer('host', 'Speaker', 'bench-speaker', 'host');
    const input = await room.createPlainTransport(host, 'send', { comedia: true });
    const floor = [];
    for (const kind of ['audio', 'video']) {
      floor.push(
        await room.produce(host, {
          transportId: input.id,
          kind,
          rtpParameters: RTP_PARAMETERS[kind],
          source: kind === 'audio' ? 'mic' : 'camera',
        }),
      );
    }
    const booth = room.addPeer('interpreter', 'Interpreter', 'bench-interpreter', 'attendee');
    room.setInterpreters([{ userId: 'interpreter', displayName: 'Interpreter', from: 'en', to: 'zh', twoWay: false }]);
    const boothInput = await room.createPlainTransport(booth, 'send', { comedia: true });
    const channelParams = { ...RTP_PARAMETERS.audio, encodings: [{ ssrc: CHANNEL.ssrc }] };
    const zh = await room.produce(booth, {
      transportId: boothInput.id,
      kind: 'audio',
      rtpParameters: channelParams,
      source: 'mic',
      channel: 'zh',
    });
    const consumers = [];
    for (let i = 0; i < n; i++) {
      const listener = room.addPeer(`listener-${i}`, `Listener ${i}`, `bench-${i}`, 'attendee');
      if (choice !== 'floor') room.listen(listener, choice, 0.2);
      const output = await room.createPlainTransport(listener, 'recv', { comedia: false, srtp: VIEWER_SUITE });
      await output.connect({ ip: LOOPBACK, port: receivers.port(i), srtpParameters: VIEWER_SRTP });
      for (const producerId of choice === 'floor' ? floor : [...floor, zh]) {
        const { consumerId } = await room.consume(listener, output.id, producerId, CAPABILITIES);
        await room.resumeConsumer(listener, consumerId);
        consumers.push(listener.consumers.get(consumerId));
      }
    }
    const workers = pool
      .workers()
      .filter((w) => w.index === room.pooled.worker.index)
      .map((w) => w.worker);
    await sleep(200);
    const cpuBefore = await totalCpu(workers);
    const next = speaker();
    const start = performance.now();
    let channelSeq = 0;
    for (let tick = 1; performance.now() - start < durationMs; tick++) {
      for (const packet of next()) sender.send(packet, input.tuple.localPort, LOOPBACK);
      while (channelSeq * 20 <= performance.now() - start) {
        const header = { payloadType: CHANNEL.pt, sequenceNumber: channelSeq & 0xffff, timestamp: 960 * channelSeq, ssrc: CHANNEL.ssrc };
        sender.send(buildRtp(header, opusPayload(channelSeq, 100)), boothInput.tuple.localPort, LOOPBACK);
        channelSeq++;
      }
      const wait = start + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const sendMs = performance.now() - start;
    await sleep(200);
    const cpu = (await totalCpu(workers)) - cpuBefore;
    const stats = await Promise.all(consumers.map((c) => c.getStats()));
    const forwarded = stats.reduce((sum, s) => sum + (s.find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0), 0);
    return {
      choice,
      consumersPerListener: consumers.length / n,
      pktPerListenerPerS: (1000 * forwarded) / sendMs / n,
      cpuMsPerListenerPerS: cpu / (sendMs / 1000) / n,
      usPerPacket: (1000 * cpu) / forwarded,
    };
  } finally {
    room.close();
    await sleep(300);
  }
}

/** What one interpretation channel adds per listener who picks it. */
async function interpretationCost(pool, n, receivers, sender) {
  log();
  log(`interpretation: 1 speaker + 1 zh interpreter (opus 50 pkt/s), ${n} listeners on one worker, ${durationMs / 1000} s per run`);
  log('listeners on  consumers/listener  fwd pkt/s per listener  worker CPU ms/s per listener  µs/fwd pkt');
  const rows = [];
  for (const choice of ['floor', 'zh']) {
    const r = await interpretationRun(pool, n, choice, receivers, sender);
    rows.push(r);
    log(
      `${choice.padEnd(12)}  ${fixed(r.consumersPerListener, 0).padStart(18)}  ${fixed(r.pktPerListenerPerS, 1).padStart(22)}  ${fixed(r.cpuMsPerListenerPerS, 4).padStart(28)}  ${fixed(r.usPerPacket, 3).padStart(10)}`,
    );
  }
  const [floor, zh] = rows;
  const extra = {
    pktPerS: zh.pktPerListenerPerS - floor.pktPerListenerPerS,
    cpuMsPerS: zh.cpuMsPerListenerPerS - floor.cpuMsPerListenerPerS,
    cpuPct: (100 * (zh.cpuMsPerListenerPerS - floor.cpuMsPerListenerPerS)) / floor.cpuMsPerListenerPerS,
  };
  log(
    `one channel costs a listener who picks it +${fixed(extra.pktPerS, 1)} pkt/s and +${fixed(extra.cpuMsPerS, 4)} ms worker CPU per second (+${fixed(extra.cpuPct, 1)} %); floor listeners: no channel consumer, no change`,
  );
  return {
    listeners: n,
    extraPktPerListenerPerS: Number(extra.pktPerS.toFixed(1)),
    extraCpuMsPerListenerPerS: Number(extra.cpuMsPerS.toFixed(4)),
    extraCpuPct: Number(extra.cpuPct.toFixed(1)),
  };
}

/**
 * `count` viewers on the owner's worker, or `count` pipes from it to as many routers (edges) on the
 * other worker; the speaker fed for `durationMs`. CPU per second per viewer or pipe on each worker.
 */
async function pipeRun(bareWorkers, what, count, receivers, sender) {
  const listenInfo = { protocol: 'udp', ip: LOOPBACK, portRange: BARE_PORTS };
  const origin = await bareWorkers[0].createRouter({ mediaCodecs: [...MEDIA_CODECS] });
  const edges = [];
  try {
    const input = await origin.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producers = [];
    for (const kind of ['audio', 'video']) producers.push(await input.produce({ kind, rtpParameters: RTP_PARAMETERS[kind] }));
    const consumers = [];
    for (let i = 0; i < count; i++) {
      if (what === 'viewers') {
        const output = await origin.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: VIEWER_SRTP.cryptoSuite });
        await output.connect({ ip: LOOPBACK, port: receivers.port(i), srtpParameters: VIEWER_SRTP });
        for (const p of producers) {
          const consumer = await output.consume({ producerId: p.id, rtpCapabilities: CAPABILITIES });
          consumers.push(consumer);
        }
        continue;
      }
      const srtp = what === 'pipes-srtp';
      const edge = await bareWorkers[1].createRouter({ mediaCodecs: [...MEDIA_CODECS] });
      edges.push(edge);
      const out = await origin.createPipeTransport({ listenInfo, enableSrtp: srtp, enableRtx: true });
      const into = await edge.createPipeTransport({ listenInfo, enableSrtp: srtp, enableRtx: true });
      await out.connect({ ip: LOOPBACK, port: into.tuple.localPort, ...(srtp ? { srtpParameters: into.srtpParameters } : {}) });
      await into.connect({ ip: LOOPBACK, port: out.tuple.localPort, ...(srtp ? { srtpParameters: out.srtpParameters } : {}) });
      for (const p of producers) {
        const pipeConsumer = await out.consume({ producerId: p.id });
        // Ids are unique per worker, and every edge router here shares one: a fresh id stands in for the original.
        await into.produce({ kind: pipeConsumer.kind, rtpParameters: pipeConsumer.rtpParameters, paused: pipeConsumer.producerPaused });
        consumers.push(pipeConsumer);
      }
    }
    await sleep(200);
    const before = await Promise.all(bareWorkers.map(cpuMs));
    const next = speaker();
    const start = performance.now();
    for (let tick = 1; performance.now() - start < durationMs; tick++) {
      for (const packet of next()) sender.send(packet, input.tuple.localPort, LOOPBACK);
      const wait = start + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const seconds = (performance.now() - start) / 1000;
    await sleep(200);
    const after = await Promise.all(bareWorkers.map(cpuMs));
    const stats = await Promise.all(consumers.map((c) => c.getStats()));
    const forwarded = stats.reduce((sum, s) => sum + (s.find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0), 0);
    return {
      what,
      ownerMsPerS: (after[0] - before[0]) / seconds / count,
      edgeMsPerS: (after[1] - before[1]) / seconds / count,
      pktPerS: forwarded / seconds / count,
    };
  } finally {
    origin.close();
    edges.forEach((e) => e.close());
    await sleep(300);
  }
}

/** One cross-node pipe against one viewer, in the same run, each measured twice in alternating order. */
async function pipeCost(bareWorkers, count, receivers, sender) {
  log();
  log(
    `pipes: ${count} viewers, or ${count} pipes to ${count} edge routers on the other worker (one per edge node), ${durationMs / 1000} s per run, two rounds`,
  );
  log('what         owner CPU ms/s each  edge CPU ms/s each  pkt/s each (out of the owner)');
  const kinds = ['viewers', 'pipes-srtp', 'pipes-plain'];
  const sums = Object.fromEntries(kinds.map((k) => [k, { ownerMsPerS: 0, edgeMsPerS: 0, pktPerS: 0 }]));
  for (const round of [0, 1]) {
    for (const what of round === 0 ? kinds : [...kinds].reverse()) {
      const r = await pipeRun(bareWorkers, what, count, receivers, sender);
      for (const key of ['ownerMsPerS', 'edgeMsPerS', 'pktPerS']) sums[what][key] += r[key] / 2;
      log(
        `${what.padEnd(12)} ${fixed(r.ownerMsPerS, 4).padStart(19)}  ${fixed(r.edgeMsPerS, 4).padStart(18)}  ${fixed(r.pktPerS, 1).padStart(10)}`,
      );
    }
  }
  const viewer = sums.viewers.ownerMsPerS;
  const pipe = sums['pipes-srtp'];
  const plain = sums['pipes-plain'];
  const out = {
    pipes: count,
    viewerMsPerS: Number(viewer.toFixed(4)),
    pipeOwnerMsPerS: Number(pipe.ownerMsPerS.toFixed(4)),
    pipeEdgeMsPerS: Number(pipe.edgeMsPerS.toFixed(4)),
    pipeOverViewer: Number(((pipe.ownerMsPerS + pipe.edgeMsPerS) / viewer).toFixed(2)),
    srtpShare: Number((1 - (plain.ownerMsPerS + plain.edgeMsPerS) / (pipe.ownerMsPerS + pipe.edgeMsPerS)).toFixed(2)),
  };
  log(
    `one pipe (SRTP, RTX) costs ${fixed(pipe.ownerMsPerS, 4)} ms/s on the owner and ${fixed(pipe.edgeMsPerS, 4)} ms/s on the edge: ` +
      `${fixed(out.pipeOverViewer, 2)}x one viewer's ${fixed(viewer, 4)} ms/s; SRTP is ${fixed(100 * out.srtpShare, 0)} % of it`,
  );
  return out;
}

const totalCpu = async (workers) => (await Promise.all(workers.map(cpuMs))).reduce((a, b) => a + b, 0);

/** Sets the fan-out up, feeds it the speaker for `durationMs`, and counts. */
async function run(fanout, n, receivers, sender) {
  const setupStarted = performance.now();
  const live = await fanout(n, receivers);
  const setupMs = performance.now() - setupStarted;
  try {
    receivers.counts.clear();
    await sleep(200);
    const cpuBefore = await totalCpu(live.workers);
    const next = speaker();
    const sent = { [AUDIO.ssrc]: 0, [VIDEO.ssrc]: 0 };
    const start = performance.now();
    for (let tick = 1; performance.now() - start < durationMs; tick++) {
      for (const packet of next()) {
        sender.send(packet, live.inputPort, LOOPBACK);
        sent[packet.readUInt32BE(8)]++;
      }
      const wait = start + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const sendMs = performance.now() - start;
    await sleep(200);
    const cpu = (await totalCpu(live.workers)) - cpuBefore;
    const due = n * (sent[AUDIO.ssrc] + sent[VIDEO.ssrc]);
    await receivers.settle(due, 3_000);
    const stats = await Promise.all(live.consumers.map((c) => c.getStats()));
    const forwarded = stats.reduce((sum, s) => sum + (s.find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0), 0);
    return {
      setupMs,
      split: live.split,
      inPps: (1000 * (sent[AUDIO.ssrc] + sent[VIDEO.ssrc])) / sendMs,
      lossPct: (100 * Math.max(0, due - forwarded)) / due,
      rxLossPct: receivers.total === null ? null : (100 * Math.max(0, due - receivers.total)) / due,
      fwdPps: (1000 * forwarded) / sendMs,
      cpuPct: (100 * cpu) / sendMs,
      usPerPacket: (1000 * cpu) / forwarded,
    };
  } finally {
    live.close();
    await sleep(300);
  }
}

/** The largest N at <= the loss limit, interpolated between the sizes measured; `atLeast` when even the largest passed. */
function capacity(points) {
  let best = { n: 0, atLeast: false };
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p.lossPct <= LOSS_LIMIT_PCT) {
      best = { n: p.n, atLeast: i === points.length - 1 };
      continue;
    }
    const prev = points[i - 1];
    if (prev && prev.lossPct <= LOSS_LIMIT_PCT) {
      best = { n: Math.round(prev.n + ((p.n - prev.n) * (LOSS_LIMIT_PCT - prev.lossPct)) / (p.lossPct - prev.lossPct)), atLeast: false };
    }
    break;
  }
  return best;
}

const log = (line = '') => console.log(line);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fixed = (v, d) => v.toFixed(d);
const started = performance.now();

log(`bench:webinar  node ${process.version}, ${cpus().length} CPUs, load average ${load()}`);
log(
  `1 speaker (opus 50 pkt/s + VP8 ~360p 30 fps, ~113 pkt/s, ~0.56 Mbit/s) -> N viewers (audio + video consumer each) over SRTP (${VIEWER_SUITE}); ${durationMs / 1000} s per run`,
);
log(
  dropping
    ? 'workers not pinned; viewers are sockets nobody reads (BENCH_RECEIVERS=drop): loss % = packets the workers did not forward (consumer stats)'
    : 'workers not pinned; loss % = packets the workers did not forward (consumer stats), rx loss % = not received by the bench process',
);
log();

const pool = await startPool(2, POOL_PORTS.count, POOL_PORTS.min);
const bareWorkers = await Promise.all(
  [0, 1].map(() => createWorker({ logLevel: 'warn', rtcMinPort: BARE_PORTS.min, rtcMaxPort: BARE_PORTS.max })),
);
const receivers = dropping ? await DropSinks.open(RECEIVER_SOCKETS) : await Receivers.open(RECEIVER_SOCKETS, [AUDIO.pt, VIDEO.pt]);
const sender = await udpSocket();
const results = { 1: { quorum: [], bare: [] }, 2: { quorum: [], bare: [] } };
const only = process.env.BENCH_ONLY;
/** @type {object | undefined} */
let interpretation;
/** @type {object | undefined} */
let pipes;
try {
  // One unmeasured run so workers and this process are warm.
  await run((n, r) => quorumFanout(pool, n, 2, r), 20, receivers, sender);
  const plan = only ? [] : [...sizes.map((n) => ({ n, counts: [1, 2] })), ...twoWorkerSizes.map((n) => ({ n, counts: [2] }))];
  log('workers  N     impl    split      setup s  loss %  rx loss %  fwd pkt/s  worker CPU %  µs/fwd pkt  Quorum/bare');
  for (const [k, { n, counts }] of plan.entries()) {
    const twoWorkers = results[2].quorum;
    if (!sizes.includes(n) && twoWorkers.length && twoWorkers[twoWorkers.length - 1].lossPct > LOSS_LIMIT_PCT) break;
    for (const workers of counts) {
      const impls = { quorum: (m, r) => quorumFanout(pool, m, workers, r), bare: (m, r) => bareFanout(bareWorkers, m, workers, r) };
      const order = (k + workers) % 2 === 0 ? ['quorum', 'bare'] : ['bare', 'quorum'];
      const row = {};
      for (const impl of order) row[impl] = await run(impls[impl], n, receivers, sender);
      for (const impl of ['quorum', 'bare']) {
        const r = row[impl];
        results[workers][impl].push({ n, ...r });
        const ratio = impl === 'quorum' ? fixed(r.usPerPacket / row.bare.usPerPacket, 3).padStart(11) : '';
        log(
          `${String(workers).padStart(7)}  ${String(n).padEnd(5)} ${impl.padEnd(7)} ${r.split.join('+').padEnd(10)} ${fixed(r.setupMs / 1000, 1).padStart(7)}  ` +
            `${fixed(r.lossPct, 3).padStart(6)}  ${(r.rxLossPct === null ? 'n/a' : fixed(r.rxLossPct, 3)).padStart(9)}  ${fixed(r.fwdPps, 0).padStart(9)}  ${fixed(r.cpuPct, 1).padStart(12)}  ` +
            `${fixed(r.usPerPacket, 3).padStart(10)}  ${ratio}`,
        );
      }
    }
  }
  if (!only || only === 'interpretation')
    interpretation = await interpretationCost(pool, Number(process.env.BENCH_INTERPRETATION_N ?? 300), receivers, sender);
  if (!only || only === 'pipes') pipes = await pipeCost(bareWorkers, Number(process.env.BENCH_PIPES ?? 50), receivers, sender);
} finally {
  await Promise.all([receivers.close(), closeSocket(sender)]);
  await pool.close();
  bareWorkers.forEach((w) => w.close());
}

if (only) {
  console.log(JSON.stringify({ interpretation, pipes }));
  process.exit(0);
}
const cap = {};
for (const workers of [1, 2]) for (const impl of ['quorum', 'bare']) cap[`${impl}${workers}`] = capacity(results[workers][impl]);
const show = (c) => `${c.atLeast ? '>= ' : ''}${c.n}`;
const cost = (rows) => rows.reduce((s, r) => s + r.usPerPacket * r.fwdPps, 0) / rows.reduce((s, r) => s + r.fwdPps, 0);
const ratio = cost(results[1].quorum) / cost(results[1].bare);
const ratio2 = cost(results[2].quorum) / cost(results[2].bare);
const scaling = cap.quorum1.n ? cap.quorum2.n / cap.quorum1.n : null;
// A capacity that passed at the largest size measured is only a lower bound, and so is a ratio over it.
const bound =
  cap.quorum1.atLeast && cap.quorum2.atLeast
    ? ' (both lower bounds: the largest sizes passed)'
    : cap.quorum2.atLeast
      ? ' (at least: two workers passed at the largest size)'
      : cap.quorum1.atLeast
        ? ' (at most: one worker passed at its largest size)'
        : '';
const verdict =
  scaling === null || (cap.quorum1.atLeast && cap.quorum2.atLeast)
    ? 'cannot tell at these sizes for'
    : scaling >= 1.7
      ? cap.quorum1.atLeast
        ? 'cannot tell at these sizes for'
        : 'meets'
      : cap.quorum2.atLeast
        ? 'cannot tell at these sizes for'
        : 'misses';
log();
log(
  `largest N at <= ${LOSS_LIMIT_PCT} % loss (interpolated between sizes): one worker Quorum ${show(cap.quorum1)}, bare ${show(cap.bare1)}; two workers Quorum ${show(cap.quorum2)}, bare ${show(cap.bare2)}`,
);
log(`Quorum/bare CPU per forwarded packet (all N, weighted by packets): one worker ${fixed(ratio, 3)}, two workers ${fixed(ratio2, 3)}`);
log(
  scaling === null
    ? 'two-worker scaling: not measured (one worker lost more than the limit at every size)'
    : `two workers carry ${fixed(scaling, 2)}x one worker's viewers${bound}: ${verdict} the 1.7x target`,
);
log(`total ${fixed((performance.now() - started) / 1000, 1)} s, load average ${load()}`);
const round = (v, d) => (v === null ? null : Number(v.toFixed(d)));
console.log(
  JSON.stringify({
    maxViewersAtHalfPctLoss: cap.quorum1.n,
    bareMaxViewers: cap.bare1.n,
    ratio: round(ratio, 3),
    twoWorkerMaxViewers: cap.quorum2.n,
    twoWorkerScaling: round(scaling, 2),
    receivers: receiving,
    lowerBounds: Object.keys(cap).filter((k) => cap[k].atLeast),
    interpretation,
    pipes,
  }),
);
