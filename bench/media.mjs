#!/usr/bin/env node
/**
 * Media benchmark (`npm run bench:media`, not part of `npm test`). Needs the built server
 * (`npm run build -w server`) and, for part (b), the PostgreSQL the integration tests use
 * (TEST_DATABASE_URL).
 *
 * (a) Forwarding cost: 1 producer -> N consumers over plain RTP transports, through Quorum's room
 *     layer (LiveRoom on a WorkerPool) and through bare mediasoup, interleaved. Worker CPU per
 *     forwarded packet and the Quorum/bare ratio (target <= 1.05), loss at the receivers.
 * (b) Join latency: room:join -> first RTP at the server, over the real socket path of the built
 *     server with a werift WebRTC client (target p95 <= 250 ms).
 * (c) Browser join -> first decoded remote frame: Debian chromium with a fake camera through the
 *     built web client (target p95 <= 1 s). Needs `npm run build` (client included); skipped
 *     without chromium.
 *
 * The last line is one JSON object with the headline figures.
 *
 * Settings (env): BENCH_SIZES=10,50,200  BENCH_RATE_PPS=200  BENCH_DURATION_MS=6000 (per
 * implementation and run)  BENCH_SLICE_MS=100  BENCH_ROUNDS=2  BENCH_JOINS=50
 * BENCH_BROWSER_JOINS=20  BENCH_PARTS=a,b,c (which parts to run)
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const num = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const settings = {
  sizes: (process.env.BENCH_SIZES ?? '10,50,200').split(',').map(Number),
  ratePps: num('BENCH_RATE_PPS', 200),
  durationMs: num('BENCH_DURATION_MS', 6000),
  sliceMs: num('BENCH_SLICE_MS', 100),
  rounds: num('BENCH_ROUNDS', 2),
  joins: num('BENCH_JOINS', 50),
  browserJoins: num('BENCH_BROWSER_JOINS', 20),
  parts: new Set((process.env.BENCH_PARTS ?? 'a,b,c').split(',').map((p) => p.trim())),
};

if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('server/dist is missing: run `npm run build -w server` first');
  process.exit(1);
}
// Loaded after the check: both modules require server/dist.
const { benchForwarding } = await import('./lib/forwarding.mjs');
const { benchJoins, percentile } = await import('./lib/joins.mjs');
const { benchBrowserJoins, browserAvailable } = await import('./lib/browser-joins.mjs');

const started = performance.now();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fixed = (value, digits) => value.toFixed(digits);
const log = (line = '') => console.log(line);

log(`bench:media  node ${process.version}, ${cpus().length} CPUs, load average ${load()}`);
log();

let pooled = null;
const ratios = {};
let lossPct = null;
let sfuLossPct = null;
let joinP50 = null;
let joinP95 = null;

if (settings.parts.has('a')) {
  /* ---- (a) forwarding ---- */

  log(
    `(a) 1 producer -> N consumers over plain RTP: opus ${settings.ratePps} packets/s for ${settings.durationMs / 1000} s per ` +
      `implementation and run, ${settings.rounds} runs per N; Quorum and bare fed in alternating ${settings.sliceMs} ms slices`,
  );
  const forwarding = await benchForwarding({ ...settings, log });
  log();
  log(
    `    workers ${forwarding.pinned === null ? 'not pinned' : `both pinned to CPU ${forwarding.pinned}`}; same createWorker settings; CPU = getResourceUsage() ru_utime + ru_stime`,
  );
  log('     N  impl     sent/run  received/consumer   loss %   not fwd %    forwarded  worker CPU   µs/fwd pkt   Quorum/bare');
  log('                           min      mean                                               ms');
  const totals = { quorum: { cpuMs: 0, forwarded: 0 }, bare: { cpuMs: 0, forwarded: 0 } };
  lossPct = 0;
  sfuLossPct = 0;
  for (const { n, quorum, bare } of forwarding.summaries) {
    ratios[n] = quorum.usPerPacket / bare.usPerPacket;
    for (const [name, s] of [
      ['quorum', quorum],
      ['bare', bare],
    ]) {
      totals[name].cpuMs += s.cpuMs;
      totals[name].forwarded += s.forwarded;
      lossPct = Math.max(lossPct, s.lossPct);
      sfuLossPct = Math.max(sfuLossPct, s.sfuLossPct);
      log(
        `  ${String(n).padStart(4)}  ${name.padEnd(6)} ${String(s.sentPerRun).padStart(9)}  ${String(s.receivedPerConsumer.min).padStart(7)} ` +
          `${fixed(s.receivedPerConsumer.mean, 1).padStart(9)}  ${fixed(s.lossPct, 3).padStart(7)}  ${fixed(s.sfuLossPct, 3).padStart(10)}  ${String(s.forwarded).padStart(11)}  ` +
          `${String(s.cpuMs).padStart(10)}  ${fixed(s.usPerPacket, 3).padStart(11)}` +
          (name === 'quorum' ? `   ${fixed(ratios[n], 3).padStart(11)}${ratios[n] > 1.05 ? '  (> 1.05)' : ''}` : ''),
      );
    }
  }
  pooled = totals.quorum.cpuMs / totals.quorum.forwarded / (totals.bare.cpuMs / totals.bare.forwarded);
  log('    loss % = not received by the bench receivers; not fwd % = not sent by the worker (consumer stats)');
  log(
    `    all N together: Quorum ${fixed((1000 * totals.quorum.cpuMs) / totals.quorum.forwarded, 3)} µs/pkt, bare ${fixed((1000 * totals.bare.cpuMs) / totals.bare.forwarded, 3)} µs/pkt, ratio ${fixed(pooled, 3)} (target <= 1.05)`,
  );
  log();
}

if (settings.parts.has('b')) {
  /* ---- (b) joins ---- */

  log(
    `(b) room:join -> first RTP at the server (first producer:score), ${settings.joins} sequential joins through the built server's socket path, werift client`,
  );
  const joins = await benchJoins({ joins: settings.joins, log });
  const column = (key) => joins.samples.map((s) => s[key]);
  const row = (label, key) => {
    const values = column(key);
    log(
      `    ${label.padEnd(34)} ${fixed(percentile(values, 50), 1).padStart(7)} ${fixed(percentile(values, 95), 1).padStart(7)} ${fixed(Math.max(...values), 1).padStart(7)}`,
    );
  };
  log();
  log(`    warm-up joins (not counted): ${joins.warmup.map((s) => `${fixed(s.totalMs, 0)} ms`).join(', ')}`);
  log(`    ${'ms'.padEnd(34)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`);
  row('join -> first RTP at the server', 'totalMs');
  row('  room:join ack', 'joinMs');
  row('  publish (transport..DTLS up)', 'publishMs');
  row('    media:create-transport', 'createTransport');
  row('    werift offer', 'offer');
  row('    media:connect-transport', 'connectTransport');
  row('    media:produce', 'produce');
  row('    ICE (answer -> connected)', 'ice');
  row('    wait for DTLS after produce', 'awaitDtls');
  row('  first packet -> producer:score', 'firstRtpMs');
  log('    (werift waits a fixed 100 ms before its DTLS ClientHello, lib/webrtc/src/transport/dtls.js; a browser does not)');
  joinP50 = percentile(column('totalMs'), 50);
  joinP95 = percentile(column('totalMs'), 95);
  log(`    p95 ${fixed(joinP95, 1)} ms (target <= 250 ms)`);
  log();
}

/* ---- (c) browser joins ---- */

let browserP50 = null;
let browserP95 = null;
if (!settings.parts.has('c')) {
  // not asked for
} else if (!browserAvailable() || !existsSync(new URL('../client/dist/index.html', import.meta.url))) {
  log('(c) browser join -> first decoded frame: skipped (needs Debian chromium and `npm run build`)');
} else {
  log(
    `(c) browser join -> first decoded frame of the host's camera, ${settings.browserJoins} sequential joins, Debian chromium with a fake camera`,
  );
  const browserJoins = await benchBrowserJoins({ joins: settings.browserJoins, log });
  const total = browserJoins.samples.map((s) => s.totalMs);
  const room = browserJoins.samples.map((s) => s.roomMs);
  browserP50 = percentile(total, 50);
  browserP95 = percentile(total, 95);
  log(`    warm-up joins (not counted): ${browserJoins.warmup.map((s) => `${fixed(s.totalMs, 0)} ms`).join(', ')}`);
  log(`    ${'ms'.padEnd(34)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`);
  log(
    `    ${'press Join -> frame decoded'.padEnd(34)} ${fixed(browserP50, 1).padStart(7)} ${fixed(browserP95, 1).padStart(7)} ${fixed(Math.max(...total), 1).padStart(7)}`,
  );
  log(
    `    ${'  press Join -> in the room'.padEnd(34)} ${fixed(percentile(room, 50), 1).padStart(7)} ${fixed(percentile(room, 95), 1).padStart(7)} ${fixed(Math.max(...room), 1).padStart(7)}`,
  );
  for (const step of ['joined', 'device-loaded', 'recv-transport', 'consume-ack', 'consumed', 'recv-connecting', 'recv-connected', 'resumed', 'first-packet']) {
    const values = browserJoins.samples.map((s) => s.steps[step]).filter(Number.isFinite);
    if (values.length === 0) continue;
    log(
      `    ${`  press Join -> ${step}`.padEnd(34)} ${fixed(percentile(values, 50), 1).padStart(7)} ${fixed(percentile(values, 95), 1).padStart(7)} ${fixed(Math.max(...values), 1).padStart(7)}`,
    );
  }
  log(`    p95 ${fixed(browserP95, 1)} ms (target <= 1000 ms)`);
}
log();
log(`total ${fixed((performance.now() - started) / 1000, 1)} s, load average ${load()}`);

const round = (value, digits) => Number(value.toFixed(digits));
console.log(
  JSON.stringify({
    forwardRatio: pooled === null ? null : round(pooled, 3),
    forwardRatioByN: Object.fromEntries(Object.entries(ratios).map(([n, r]) => [n, round(r, 3)])),
    lossPct: lossPct === null ? null : round(lossPct, 3),
    sfuLossPct: sfuLossPct === null ? null : round(sfuLossPct, 3),
    joinP50Ms: joinP50 === null ? null : round(joinP50, 1),
    joinP95Ms: joinP95 === null ? null : round(joinP95, 1),
    browserJoinP50Ms: browserP50 === null ? null : round(browserP50, 1),
    browserJoinP95Ms: browserP95 === null ? null : round(browserP95, 1),
  }),
);
