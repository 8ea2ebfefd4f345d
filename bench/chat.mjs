// Chat fan-out: 1,000 people in one webinar room, 10 chat messages a second for 30 s, measured against
// a bare socket.io server relaying the same messages to the same 1,000 clients, in the same run.
//
//   npm run build -w server && npm run bench:chat
//
// For both servers it prints delivery (every message reaches everyone but its sender), delivery
// latency (receive − send, one clock: every client lives in this process) and deliveries per
// CPU-second of the server process while it carries the load. The last line is one JSON object.
// Both servers run at once, each with its own 1,000 identical clients, and the load alternates
// between them in 3 s blocks, so that load from elsewhere on the machine skews neither.
// Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth; TEST_DATABASE_URL overrides); a
// fresh database is created and dropped. CHAT_BENCH_CLIENTS / CHAT_BENCH_SECONDS shrink it for a
// try; CHAT_BENCH_SERVER_NODE_ARGS passes node options (--cpu-prof) to both servers;
// CHAT_BENCH_SERVER_ENTRY measures another build of the server (e.g. a patched copy of server/dist).
//
//   npm run bench:chat -- --nodes 2
//
// Several nodes: 2,000 clients (by default) spread over two Quorum nodes sharing one PostgreSQL
// database and Redis (REDIS_URL, TEST_REDIS_URL overrides; the @socket.io/redis-streams-adapter), the
// room owned by one of them and the other forwarding its people's messages to it; the baseline is two
// bare socket.io processes on the same adapter and Redis. Server CPU is the sum over the processes of
// each side (Redis's own CPU is counted for neither).
import { fork, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ChatFleet, pool } from './lib/chat-clients.mjs';
import { cpuBetween, cpuOfPids, cpuSeconds } from './lib/chat-proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** CHAT_BENCH_SERVER_ENTRY: another build to measure instead (a patched copy, say). */
const SERVER_ENTRY = path.resolve(process.env.CHAT_BENCH_SERVER_ENTRY ?? path.join(ROOT, 'server', 'dist', 'main.js'));
const BARE_ENTRY = path.join(ROOT, 'bench', 'lib', 'chat-bare-server.mjs');
const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const positive = (v, d) => (Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : d);
const NODES = (() => {
  const i = process.argv.indexOf('--nodes');
  return i >= 0 ? positive(process.argv[i + 1], 1) : positive(process.env.CHAT_BENCH_NODES, 1);
})();
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = positive(process.env.CHAT_BENCH_CLIENTS, NODES > 1 ? 2000 : 1000);
const SECONDS = positive(process.env.CHAT_BENCH_SECONDS, 30);
const PER_SECOND = 10;
/** Node options for both server processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/chat-prof`. */
const SERVER_NODE_ARGS = (process.env.CHAT_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const MESSAGES = PER_SECOND * SECONDS;
/** Registrations in flight: argon2 runs on the server's 4 libuv threads, so more only queues. */
const REGISTER_CONCURRENCY = 8;
const QUIET_MS = 3_000;
/** Sent (same rate, other senders) and not measured before the run: see ChatFleet.warmUp. */
const WARM_UP_MESSAGES = 20;
/** 3 s of load per block: short enough that both servers see the same conditions on this machine. */
const BLOCK_MESSAGES = 3 * PER_SECOND;
const TARGETS = { deliveredPct: 100, p99Ms: NODES > 1 ? 150 : 100, ratio: 0.7 };
/** This run's Redis keys (several nodes): removed at the end. */
const REDIS_PREFIX = `quorum-bench-chat:${process.pid}:${Date.now().toString(36)}:`;

const log = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------- cleanup, also on Ctrl-C ---------- */

const cleanups = [];
async function cleanUp() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (err) {
      process.stderr.write(`cleanup: ${err.message}\n`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/* ---------- processes and databases ---------- */

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const bindable = (port) =>
  new Promise((resolve) => {
    const tcp = net.createServer();
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '127.0.0.1', () => {
      const udp = dgram.createSocket('udp4');
      udp.once('error', () => tcp.close(() => resolve(false)));
      udp.bind(port, '127.0.0.1', () => udp.close(() => tcp.close(() => resolve(true))));
    });
  });

/** `size` consecutive ports free for TCP and UDP, for mediasoup's WebRtcServer (tests elsewhere may hold some). */
async function freePortRange(size) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const min = 20_000 + Math.floor(Math.random() * 1_000) * size;
    let free = true;
    for (let p = min; free && p < min + size; p++) free = await bindable(p);
    if (free) return { min, max: min + size - 1 };
  }
  throw new Error('no free port range for the media server');
}

async function admin(sql, params) {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Output lines of a pino process at warn (40) or above. */
const problems = (out) => out.split('\n').filter((l) => /"level":(4|5|6)0/.test(l) || (l.trim() && !l.startsWith('{')));

async function startQuorum() {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run \`npm run build -w server\` first`);
  const name = `quorum_bench_chat_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const databaseUrl = Object.assign(new URL(ADMIN_DATABASE_URL), { pathname: `/${name}` }).toString();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-bench-chat-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // One deployment: every node has the same secrets and shared folder.
  const shared = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    JWT_SECRET: randomBytes(32).toString('hex'),
    BALLOT_SEAL_KEY: randomBytes(32).toString('base64'),
    MEDIASOUP_WORKERS: '1',
    RTC_LISTEN_IP: '127.0.0.1',
    SHUTDOWN_GRACE_MS: '3000',
    ...(NODES > 1
      ? {
          REDIS_URL,
          REDIS_KEY_PREFIX: REDIS_PREFIX,
          AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        }
      : {}),
  };
  const nodes = [];
  // The first node migrates the database; the others find it ready.
  for (let i = 0; i < NODES; i++) nodes.push(await startQuorumNode(shared, i));
  // The PostgreSQL server is shared (tests may run beside this): count only the backends of this database.
  const backends = async () => (await admin('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).map((r) => r.pid);
  return { urls: nodes.map((n) => n.url), pids: nodes.map((n) => n.child.pid), backends, output: () => nodes.map((n) => n.output()).join('\n') };
}

async function startQuorumNode(shared, i) {
  const port = await freePort();
  const rtc = await freePortRange(10);
  const env = { ...shared, PORT: String(port), RTC_MIN_PORT: String(rtc.min), RTC_MAX_PORT: String(rtc.max), ...(NODES > 1 ? { NODE_ID: `bench-node-${i + 1}` } : {}) };
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER_ENTRY], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stopChild(child));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  // At LOG_LEVEL=warn the "ready" line is not printed: wait for /health instead.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Quorum exited with ${child.exitCode}:\n${problems(out).join('\n').slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`Quorum did not become healthy:\n${problems(out).join('\n').slice(-4000)}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(200);
  }
  return { url, child, output: () => out };
}

/** Removes this run's Redis keys (several nodes). */
async function dropRedisKeys() {
  const { createClient } = createRequire(path.join(ROOT, 'server', 'package.json'))('redis');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${REDIS_PREFIX}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
    for await (const keys of redis.scanIterator({ MATCH: `bare:${REDIS_PREFIX}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
  } finally {
    await redis.quit();
  }
}

async function startBare(socketPath) {
  const children = [];
  for (let i = 0; i < NODES; i++) {
    const env = { ...process.env, SOCKET_PATH: socketPath, ...(NODES > 1 ? { REDIS_URL, REDIS_KEY_PREFIX: `bare:${REDIS_PREFIX}` } : {}) };
    if (NODES === 1) delete env.REDIS_URL;
    const child = fork(BARE_ENTRY, [], { execArgv: SERVER_NODE_ARGS, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanups.push(() => stopChild(child));
    const port = await new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`bare socket.io server exited with ${code}`)));
    });
    children.push({ url: `http://127.0.0.1:${port}`, child });
  }
  return { urls: children.map((c) => c.url), pids: children.map((c) => c.child.pid) };
}

/* ---------- Quorum: people, organisation, room ---------- */

async function rest(base, method, route, body, token) {
  const res = await fetch(base + route, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Sign-up answers 202 without a session (it says the same for a taken address); signing in gives the tokens. */
async function register(base, displayName, i) {
  const credentials = { email: `bench.${process.pid}.${i}@example.org`, password: 'a long enough password' };
  await rest(base, 'POST', '/api/auth/register', { ...credentials, displayName });
  return rest(base, 'POST', '/api/auth/sign-in', credentials);
}

/** An owner, their organisation, a webinar room for everyone, and `n` people who joined by one invitation link. */
async function populate(bases, n) {
  const base = bases[0];
  const owner = await register(base, 'Bench Host', 'host');
  const org = await rest(base, 'POST', '/api/organizations', { name: 'Chat Bench' }, owner.accessToken);
  const invite = await rest(base, 'POST', `/api/organizations/${org.id}/invitations`, {}, owner.accessToken);
  const room = await rest(base, 'POST', `/api/organizations/${org.id}/rooms`, { name: 'Town hall', mode: 'webinar', access: 'members', capacity: Math.max(1100, n + 100) }, owner.accessToken);
  const tokens = new Array(n);
  const t0 = performance.now();
  await pool(
    n,
    REGISTER_CONCURRENCY,
    async (i) => {
      const via = bases[i % bases.length];
      const s = await register(via, `Attendee ${i + 1}`, i);
      await rest(via, 'POST', `/api/invitations/${invite.token}/accept`, undefined, s.accessToken);
      tokens[i] = s.accessToken;
    },
    (done) => {
      if (done % 250 === 0 || done === n) log(`  registered ${done}/${n} (${(done / ((performance.now() - t0) / 1000)).toFixed(0)}/s)`);
    },
  );
  return { room, tokens };
}

/* ---------- the measured runs ---------- */

/** One server under test: its process, its own fleet of clients, and what its blocks cost. */
async function seat(label, { url, pids, authOf, joinPayload, socketPath, backends }) {
  const fleet = new ChatFleet({ url, path: socketPath, clients: CLIENTS, messages: MESSAGES });
  cleanups.push(() => fleet.close());
  let t = performance.now();
  await fleet.connect(authOf);
  const connectS = (performance.now() - t) / 1000;
  t = performance.now();
  await fleet.join(joinPayload);
  log(`  ${label}: ${CLIENTS} sockets connected in ${connectS.toFixed(1)} s, joined in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { label, fleet, pids, backends, serverCpu: 0, pgCpu: backends ? 0 : null, clientCpu: 0, windowS: 0, idleCpuPct: 0 };
}

/**
 * Warms both servers up, measures their idle CPU side by side, then sends the load in blocks that
 * alternate between them (Quorum, bare, bare, Quorum, ...), so a burst of load from elsewhere on the
 * machine falls on both alike. A block's server CPU counts from its first send until every delivery
 * of it arrived (or its drain ended); only the server whose block it is is busy.
 */
async function run(targets) {
  for (const t of targets) await t.fleet.warmUp({ perSecond: PER_SECOND, messages: WARM_UP_MESSAGES });
  const idle0 = targets.map((t) => cpuOf(t.pids));
  await sleep(QUIET_MS);
  targets.forEach((t, i) => (t.idleCpuPct = ((cpuOf(t.pids) - idle0[i]) / (QUIET_MS / 1000)) * 100));

  for (let block = 0, from = 0; from < MESSAGES; block++, from += BLOCK_MESSAGES) {
    const to = Math.min(MESSAGES, from + BLOCK_MESSAGES);
    for (const t of block % 2 === 0 ? targets : [...targets].reverse()) {
      const pids = t.backends ? await t.backends() : [];
      const pg0 = cpuOfPids(pids);
      const cpu0 = cpuOf(t.pids);
      const self0 = process.cpuUsage();
      const w0 = performance.now();
      await t.fleet.sendRange(from, to, { perSecond: PER_SECOND });
      t.windowS += (performance.now() - w0) / 1000;
      t.serverCpu += cpuOf(t.pids) - cpu0;
      const self = process.cpuUsage(self0);
      t.clientCpu += (self.user + self.system) / 1e6;
      if (t.backends) t.pgCpu += cpuBetween(pg0, cpuOfPids(new Set([...pids, ...(await t.backends())])));
    }
  }
  return targets.map(({ fleet, serverCpu, pgCpu, clientCpu, windowS, idleCpuPct }) => {
    const s = fleet.summary();
    fleet.close();
    return { ...s, deliveredPct: (s.deliveries / s.expected) * 100, perCpuSecond: s.deliveries / serverCpu, serverCpu, pgCpu, clientCpu, windowS, idleCpuPct };
  });
}

/** CPU seconds of a side's server processes together (one, or one per node). */
const cpuOf = (pids) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/* ---------- report ---------- */

const f = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? '–' : typeof v === 'number' ? v.toFixed(digits) : String(v));

function table(q, b) {
  const rows = [
    ['messages sent', f(q.sent, 0), f(b.sent, 0)],
    ['send duration s', f(q.sendSeconds, 2), f(b.sendSeconds, 2)],
    ['acks ok / failed', `${q.acksOk} / ${q.acksFailed}`, `${b.acksOk} / ${b.acksFailed}`],
    ['ack latency p50 / p99 ms', `${f(q.ackP50)} / ${f(q.ackP99)}`, `${f(b.ackP50)} / ${f(b.ackP99)}`],
    ['deliveries expected', f(q.expected, 0), f(b.expected, 0)],
    ['deliveries received', f(q.deliveries, 0), f(b.deliveries, 0)],
    ['delivered %', f(q.deliveredPct, 2), f(b.deliveredPct, 2)],
    ['per client min / max', `${q.minPerClient} / ${q.maxPerClient}`, `${b.minPerClient} / ${b.maxPerClient}`],
    ['duplicates / to sender / unknown', `${q.duplicates} / ${q.selfDeliveries} / ${q.foreign}`, `${b.duplicates} / ${b.selfDeliveries} / ${b.foreign}`],
    ['delivery latency p50 ms', f(q.p50), f(b.p50)],
    ['delivery latency p99 ms', f(q.p99), f(b.p99)],
    ['delivery latency max ms', f(q.max), f(b.max)],
    ['slowest recipient p50 ms', f(q.slowestP50), f(b.slowestP50)],
    ['measured s (send + drain)', f(q.windowS, 2), f(b.windowS, 2)],
    ['server CPU s measured', f(q.serverCpu, 2), f(b.serverCpu, 2)],
    ['server CPU % idle before', f(q.idleCpuPct), f(b.idleCpuPct)],
    ['deliveries / server CPU-s', f(q.perCpuSecond, 0), f(b.perCpuSecond, 0)],
    ['its postgres backends CPU s', f(q.pgCpu, 2), '–'],
    ['bench (clients) CPU s', f(q.clientCpu, 2), f(b.clientCpu, 2)],
  ];
  const w = [Math.max(...rows.map((r) => r[0].length)), 12, 16];
  log(`  ${''.padEnd(w[0])}  ${'Quorum'.padStart(w[1])}  ${'bare socket.io'.padStart(w[2])}`);
  for (const r of rows) log(`  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padStart(w[2])}`);
}

/* ---------- main ---------- */

async function main() {
  const contract = createRequire(import.meta.url)('../server/dist/contract/protocol.js');
  const socketPath = contract.SOCKET_PATH;
  const blocks = Math.ceil(MESSAGES / BLOCK_MESSAGES);
  log(`chat fan-out: ${CLIENTS} clients in one room, ${PER_SECOND} msg/s for ${SECONDS} s (${MESSAGES} messages, senders rotate) per server`);
  if (NODES > 1) log(`  ${NODES} nodes per side sharing Redis (${REDIS_URL}, @socket.io/redis-streams-adapter); client i connects to node i mod ${NODES}`);
  log(`  ${WARM_UP_MESSAGES} warm-up messages first (not counted); then ${blocks} blocks of ${BLOCK_MESSAGES} per server, alternating between the servers`);
  log(`  node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}; clients in this process, each server in its own child process`);
  log();

  log(`Quorum: webinar room, members access, fresh database${NODES > 1 ? `, ${NODES} nodes` : ''}`);
  if (NODES > 1) cleanups.push(dropRedisKeys);
  const quorum = await startQuorum();
  const t0 = performance.now();
  const { room, tokens } = await populate(quorum.urls, CLIENTS);
  log(`  ${CLIENTS} people registered and invited in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const q = await seat('Quorum', {
    url: quorum.urls,
    pids: quorum.pids,
    authOf: (i) => ({ token: tokens[i], protocol: contract.PROTOCOL_VERSION }),
    joinPayload: { roomId: room.id },
    socketPath,
    backends: quorum.backends,
  });
  log(`bare socket.io: same package and version as Quorum, one room, relays chat:send${NODES > 1 ? `; ${NODES} processes on the same Redis adapter` : ''}`);
  const bare = await startBare(socketPath);
  const b = await seat('bare', {
    url: bare.urls,
    pids: bare.pids,
    authOf: () => ({ token: 'none', protocol: contract.PROTOCOL_VERSION }),
    joinPayload: { roomId: room.id },
    socketPath,
  });
  const [qr, br] = await run([q, b]);
  const serverProblems = problems(quorum.output());
  await cleanUp();

  log();
  table(qr, br);
  const ratio = qr.perCpuSecond / br.perCpuSecond;
  log();
  log(`  ratio Quorum/bare, deliveries per server CPU-s: ${ratio.toFixed(2)}`);
  const plus = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
  log(`  Quorum latency over bare: p50 ${plus(qr.p50 - br.p50)}, p99 ${plus(qr.p99 - br.p99)}, ack p50 ${plus(qr.ackP50 - br.ackP50)}`);
  log(`  load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) on ${os.cpus().length} CPUs: latency figures include waiting for a CPU`);
  const verdict = (ok) => (ok ? 'ok' : 'MISSED');
  log(
    `  targets: delivered ${f(qr.deliveredPct, 2)}% (100) ${verdict(qr.deliveredPct >= TARGETS.deliveredPct)}, ` +
      `p99 ${f(qr.p99)} ms (≤ ${TARGETS.p99Ms}) ${verdict(qr.p99 <= TARGETS.p99Ms)}, ratio ${ratio.toFixed(2)} (≥ ${TARGETS.ratio}) ${verdict(ratio >= TARGETS.ratio)}`,
  );
  for (const [label, r] of [['Quorum', qr], ['bare', br]]) if (Object.keys(r.refusals).length) log(`  ${label} refusals: ${JSON.stringify(r.refusals)}`);
  if (serverProblems.length) {
    log(`  Quorum logged ${serverProblems.length} warning/error line(s), first ones:`);
    for (const l of serverProblems.slice(0, 3)) log(`    ${l.slice(0, 300)}`);
  }
  log(
    JSON.stringify({
      nodes: NODES,
      clients: CLIENTS,
      deliveredPct: Number(qr.deliveredPct.toFixed(2)),
      p99Ms: Number(qr.p99.toFixed(1)),
      ratio: Number(ratio.toFixed(2)),
      bare: { deliveredPct: Number(br.deliveredPct.toFixed(2)), p99Ms: Number(br.p99.toFixed(1)) },
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    }),
  );
}

main().then(
  () => process.exit(0),
  async (err) => {
    process.stderr.write(`bench:chat failed: ${err.stack ?? err}\n`);
    await cleanUp();
    process.exit(1);
  },
);
