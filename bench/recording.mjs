#!/usr/bin/env node
/**
 * What recording costs per recorded stream, against a bare FFmpeg baseline in the same run.
 *
 * A camera-like VP8 stream (1280x720, 30 fps, ~1.2 Mbit/s) and an Opus microphone are sent into one
 * mediasoup router over plain RTP (FFmpeg replays a file made here, `-c copy`: no encoding while it
 * is measured). Each is then recorded STREAMS times at once, in turns:
 *   quorum — Quorum's TrackRecorder (server/dist): a tap consumer on a loopback plain transport, one
 *            FFmpeg writing `-c copy` into Matroska segments, anchors from trace events;
 *   bare   — the least a recorder can do with the same packets: a plain consumer per stream and one
 *            `ffmpeg -i <sdp> -c copy out.mkv` reading it, nothing else.
 * Measured over each turn: the readers' CPU (/proc/<pid>/stat), what the worker spends beyond carrying
 * the source alone (getResourceUsage, against an idle turn), and this process's own CPU beyond the idle
 * turn. Per stream = that sum / streams / wall time, in cores. Target: ≤ 0.1 core per stream.
 *
 * Environment: STREAMS (per kind, default 4: 4 video + 4 audio), TURN_SECONDS per turn (default 12),
 * ROUNDS (default 2). The last line is JSON.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireFromRoot } from './lib/typescript.mjs';

const STREAMS = Number(process.env.STREAMS ?? 4);
const SECONDS = Number(process.env.TURN_SECONDS ?? 12);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const WARMUP_MS = 2_500;
const TARGET_CORES = 0.1;

const { TrackRecorder } = requireFromRoot('server/dist/modules/recordings/track-recorder.js');
const { openRtpTap, tapSdp } = requireFromRoot('server/dist/modules/media/rtp-tap.js');
const { createWorker } = createRequire(new URL('../server/dist/main.js', import.meta.url))('mediasoup');

const log = (...a) => console.error(...a);
const fixed = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds a process has used so far (user + system), 0 once it is gone. */
function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
}

const workerCpu = async (worker) => {
  const u = await worker.getResourceUsage();
  return (u.ru_utime + u.ru_stime) / 1000;
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The source file: 10 s of moving 720p VP8 and a tone in Opus, made once and kept. */
async function sourceFile() {
  const dir = path.join(tmpdir(), 'quorum-bench-recording');
  const file = path.join(dir, 'source-720p.webm');
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  log('making the source file (once) …');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=10'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10'],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1200k', '-g', '60', '-threads', '2'],
    ...['-c:a', 'libopus', '-b:a', '48k', '-ac', '2'],
    `${file}.part.webm`,
  ]);
  await rename(`${file}.part.webm`, file);
  return file;
}

const VIDEO = { pt: 101, ssrc: 0x2ec0_0001 };
const AUDIO = { pt: 100, ssrc: 0x2ec0_0002 };

async function main() {
  const source = await sourceFile();
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const producers = {};
  const inputs = {};
  for (const [kind, spec, codec] of [
    ['video', VIDEO, { mimeType: 'video/VP8', payloadType: VIDEO.pt, clockRate: 90000 }],
    ['audio', AUDIO, { mimeType: 'audio/opus', payloadType: AUDIO.pt, clockRate: 48000, channels: 2 }],
  ]) {
    const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    inputs[kind] = t.tuple.localPort;
    producers[kind] = await t.produce({ kind, rtpParameters: { codecs: [codec], encodings: [{ ssrc: spec.ssrc }] } });
  }
  // The sender: the file in a loop, in real time, copied into RTP.
  const sender = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', source],
      ...['-map', '0:v', '-c', 'copy', '-payload_type', String(VIDEO.pt), '-ssrc', String(VIDEO.ssrc), '-f', 'rtp', `rtp://127.0.0.1:${inputs.video}?pkt_size=1200`],
      ...['-map', '0:a', '-c', 'copy', '-payload_type', String(AUDIO.pt), '-ssrc', String(AUDIO.ssrc), '-f', 'rtp', `rtp://127.0.0.1:${inputs.audio}?pkt_size=1200`],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const out = await mkdtemp(path.join(tmpdir(), 'quorum-bench-rec-'));
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };

  /** Quorum's recorders: STREAMS of each kind. */
  async function quorum(dir) {
    const tracks = [];
    for (const kind of ['video', 'audio'])
      for (let i = 0; i < STREAMS; i++) {
        const producer = producers[kind];
        const codec = producer.rtpParameters.codecs[0];
        const meta = {
          key: `${kind === 'video' ? 'camera' : 'mic'}-${i}`,
          producerId: producer.id,
          peerId: `peer-${i}`,
          userId: '',
          displayName: '',
          kind,
          source: kind === 'video' ? 'camera' : 'mic',
          channel: null,
          codec: codec.mimeType,
          clockRate: codec.clockRate,
          segments: [],
          pauses: [],
        };
        const events = { interrupted() {}, resumed() {}, ended() {}, changed() {} };
        const track = new TrackRecorder(router, producer, dir, meta, events, quiet);
        await track.start();
        tracks.push(track);
      }
    return {
      pids: () => tracks.map((t) => t.readerPid).filter(Boolean),
      stop: () => Promise.all(tracks.map((t) => t.stop())),
    };
  }

  /** The baseline: a consumer and a bare `ffmpeg -c copy` per stream. */
  async function bare(dir) {
    const readers = [];
    const taps = [];
    for (const kind of ['video', 'audio'])
      for (let i = 0; i < STREAMS; i++) {
        const tap = await openRtpTap(router, producers[kind].id);
        taps.push(tap);
        const file = path.join(dir, `${kind}-${i}.mkv`);
        const reader = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'pipe,udp,rtp', '-f', 'sdp', '-i', 'pipe:0', '-c', 'copy', '-y', file], {
          stdio: ['pipe', 'ignore', 'inherit'],
        });
        reader.stdin.end(tapSdp(tap.consumer, '127.0.0.1', tap.port));
        readers.push(reader);
      }
    await sleep(500);
    for (const tap of taps) await tap.start();
    return {
      pids: () => readers.map((r) => r.pid),
      stop: async () => {
        for (const r of readers) r.kill('SIGINT');
        await Promise.all(readers.map((r) => (r.exitCode === null ? new Promise((ok) => r.once('exit', ok)) : null)));
        for (const tap of taps) tap.close();
      },
    };
  }

  /** One turn: start, warm up, measure SECONDS, stop. `impl` null: the source alone. */
  async function turn(name, impl) {
    const dir = path.join(out, `${name}-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    const running = impl ? await impl(dir) : { pids: () => [], stop: async () => undefined };
    await sleep(WARMUP_MS);
    const pids = running.pids();
    const t0 = performance.now();
    const r0 = pids.map(processCpu);
    const w0 = await workerCpu(worker);
    const s0 = selfCpu();
    await sleep(SECONDS * 1000);
    const wall = (performance.now() - t0) / 1000;
    const readers = pids.map(processCpu).reduce((s, v, i) => s + (v - r0[i]), 0) / wall;
    const workerCores = ((await workerCpu(worker)) - w0) / wall;
    const self = (selfCpu() - s0) / wall;
    const alive = running.pids().length;
    await running.stop();
    // What was written: a recorder that read nothing would look cheap.
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.mkv'));
    let bytes = 0;
    for (const f of files) bytes += (await stat(path.join(dir, f))).size;
    await rm(dir, { recursive: true, force: true });
    return { readers, worker: workerCores, self, alive: impl ? alive : null, files: files.length, megabytes: bytes / 1e6 };
  }

  const results = { idle: [], quorum: [], bare: [] };
  try {
    await sleep(1_000);
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, impl] of [
        ['idle', null],
        ['quorum', quorum],
        ['bare', bare],
      ]) {
        const r = await turn(name, impl);
        results[name].push(r);
        log(
          `round ${round + 1} ${name.padEnd(6)}: readers ${fixed(r.readers)} cores, worker ${fixed(r.worker)}, this process ${fixed(r.self)}` +
            (r.alive === null ? '' : `, ${r.alive}/${2 * STREAMS} readers alive, ${r.files} files, ${fixed(r.megabytes, 1)} MB`) +
            `, load average ${loadavg()[0].toFixed(2)}`,
        );
      }
  } finally {
    sender.kill('SIGKILL');
    worker.close();
    await rm(out, { recursive: true, force: true });
  }

  const mean = (rows, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  const idle = { worker: mean(results.idle, 'worker'), self: mean(results.idle, 'self') };
  const perStream = (rows) => {
    const readers = mean(rows, 'readers') / (2 * STREAMS);
    const workerPart = Math.max(0, mean(rows, 'worker') - idle.worker) / (2 * STREAMS);
    const self = Math.max(0, mean(rows, 'self') - idle.self) / (2 * STREAMS);
    return { readers, worker: workerPart, self, total: readers + workerPart + self };
  };
  const q = perStream(results.quorum);
  const b = perStream(results.bare);
  const ratio = q.total / b.total;
  // Every reader ran, and each wrote at least what half the turn's stream comes to (~1.2 Mbit/s video).
  const wrote = (r) => r.alive === 2 * STREAMS && r.files >= 2 * STREAMS && r.megabytes >= (STREAMS * 1.2 * (SECONDS + WARMUP_MS / 1000)) / 8 / 2;
  const allAlive = results.quorum.every(wrote) && results.bare.every(wrote);
  log();
  log(`per recorded stream (${STREAMS} video + ${STREAMS} audio, ${ROUNDS} rounds of ${SECONDS} s):`);
  log(`  Quorum: ${fixed(q.total, 4)} cores (readers ${fixed(q.readers, 4)}, worker ${fixed(q.worker, 4)}, server process ${fixed(q.self, 4)})`);
  log(`  bare:   ${fixed(b.total, 4)} cores (readers ${fixed(b.readers, 4)}, worker ${fixed(b.worker, 4)}, bench process ${fixed(b.self, 4)})`);
  log(`  Quorum/bare ${fixed(ratio, 2)}; target ≤ ${TARGET_CORES} core per stream: ${q.total <= TARGET_CORES ? 'met' : 'missed'}${allAlive ? '' : ' (some readers were not running or wrote too little: see above)'}`);
  console.log(
    JSON.stringify({
      streams: 2 * STREAMS,
      coresPerStream: Number(q.total.toFixed(4)),
      bareCoresPerStream: Number(b.total.toFixed(4)),
      ratio: Number(ratio.toFixed(2)),
      targetMet: q.total <= TARGET_CORES,
      allReadersAlive: allAlive,
      loadAverage: Number(loadavg()[0].toFixed(2)),
    }),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
