#!/usr/bin/env node
/**
 * Durable votes per second: 1,000 voters cast `ballot:cast` at once over socket.io against the built
 * server, each ack meaning "committed, with its audit entry". Baseline: the same number of single-row
 * INSERTs with synchronous commit from a plain pg pool as large as the server's (20). Prints a table,
 * the ratio Quorum / baseline (target ≥ 0.5 with p99 ≤ 250 ms), and as its last line one JSON object.
 *
 *   npm run bench:votes    env: VOTERS=1000, ROUNDS=3 (ballots, and baseline runs, each after one warm-up that is
 *                          not counted; the median is reported),
 *                          SECRECY=secret (each vote sealed to the ballot's key) or roll-call,
 *                          BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test, BENCH_SERVER_ENTRY (another
 *                          build of the server), BENCH_SERVER_LOG=file (keep the server's warn/error log),
 *                          BENCH_SERVER_NODE_ARGS (Node options for the server, e.g. --cpu-prof)
 *
 * Runs only on this machine: the server on 127.0.0.1, PostgreSQL on 127.0.0.1:5432. Fresh databases,
 * dropped at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Another build of the server (e.g. an experiment) can be measured with BENCH_SERVER_ENTRY.
const SERVER_ENTRY = process.env.BENCH_SERVER_ENTRY ?? path.join(ROOT, 'server', 'dist', 'main.js');
// Extra Node options for the server, e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to see where its time goes.
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const { Client, Pool } = require('pg');
const { io } = require('socket.io-client');
const { PROTOCOL_VERSION, SOCKET_PATH, b64url, newKeyPair, newReceipt, openShare, sealShare, sealVote, splitKey } = require(path.join(ROOT, 'server', 'dist', 'contract'));

const VOTERS = Number(process.env.VOTERS ?? 1000);
/** Ballots (and baseline runs) measured; the median is reported. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SERVER_POOL = 20; // server/src/database/data-source.ts: extra.max
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET = { ratio: 0.5, p99Ms: 250 };
const CHOICES = ['yes', 'no', 'abstain'];
const SECRECY = process.env.SECRECY === 'roll-call' ? 'roll-call' : 'secret';

const log = (...a) => console.error('[bench:votes]', ...a);
const created = [];
let server;

/* ---------------- infrastructure ---------------- */

async function admin(sql) {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function createDatabase(prefix) {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * The built server, as `npm start` runs it (see test/helpers/server-process.ts). Its media ports are a
 * random block; tests running beside the bench use blocks of their own, so a clash is retried.
 */
async function startServer(databaseUrl, attempts = 3) {
  for (let i = 1; ; i++) {
    try {
      return await startServerOnce(databaseUrl);
    } catch (err) {
      if (i >= attempts) throw err;
      log(`server start failed (${String(err.message).split('\n')[0]}); retrying`);
    }
  }
}

async function startServerOnce(databaseUrl) {
  const port = await freePort();
  const rtc = 20000 + Math.floor(Math.random() * 1000) * 10; // below the ephemeral range and the tests' blocks
  const child = spawn(process.execPath, [...NODE_ARGS, SERVER_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MEDIASOUP_WORKERS: '1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_MIN_PORT: String(rtc),
      RTC_MAX_PORT: String(rtc + 9),
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      ACCESS_TOKEN_TTL_SECONDS: '7200',
      JWT_SECRET: randomBytes(32).toString('hex'),
      SHUTDOWN_GRACE_MS: '3000',
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let ready = false;
  const onData = (d) => {
    out += d.toString();
    if (!ready && out.includes('Quorum is ready')) ready = true;
    if (out.length > 1_000_000) out = out.slice(-200_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const deadline = Date.now() + 60_000;
  // LOG_LEVEL=warn hides the "ready" line: poll the health endpoint too.
  const url = `http://127.0.0.1:${port}`;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`server did not become ready:\n${out.slice(-3000)}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) ready = true;
    } catch {
      /* not listening yet */
    }
    if (!ready) await sleep(200);
  }
  return {
    url,
    logs: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function http(method, p, body, token) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(server.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
  return data;
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

function connect(token) {
  const socket = io(server.url, { path: SOCKET_PATH, transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/* ---------------- Quorum ---------------- */

/** Sign-up answers 202 without a session (the same for a taken address); signing in gives the tokens. */
async function account(email, displayName) {
  const credentials = { email, password: 'a long enough password' };
  await http('POST', '/api/auth/register', { ...credentials, displayName });
  return http('POST', '/api/auth/sign-in', credentials);
}

/** 1,000 members (registered a few at a time), a meeting, and a socket per member. */
async function quorumSetUp() {
  const runId = `${process.pid}${Date.now().toString(36)}`;
  log(`registering ${VOTERS} members…`);
  const chair = await account(`chair.${runId}@example.org`, 'Chair');
  const org = await http('POST', '/api/organizations', { name: 'Bench Association' }, chair.accessToken);
  const invite = (await http('POST', `/api/organizations/${org.id}/invitations`, {}, chair.accessToken)).token;
  const t0 = performance.now();
  const voters = await inBatches([...Array(VOTERS).keys()], 16, async (i) => {
    const s = await account(`voter.${i}.${runId}@example.org`, `Voter ${String(i + 1).padStart(4, '0')}`);
    await http('POST', `/api/invitations/${invite}/accept`, undefined, s.accessToken);
    return s;
  });
  log(`registered in ${round((performance.now() - t0) / 1000)} s`);
  const meeting = await http('POST', `/api/organizations/${org.id}/meetings`, { title: 'Bench assembly', scheduledAt: new Date().toISOString(), voterBasis: 'members', quorumRule: { kind: 'at-least', seats: 1 } }, chair.accessToken);
  await http('POST', `/api/meetings/${meeting.id}/check-in`, undefined, chair.accessToken);
  // The chair's device holds a teller key: secret ballots' keys are split to it and released at the count.
  chair.tellerKeys = newKeyPair();
  await http('PUT', '/api/me/teller-key', { publicKey: chair.tellerKeys.publicKey }, chair.accessToken);
  log(`connecting ${VOTERS} sockets…`);
  const sockets = await inBatches(voters, 50, (v) => connect(v.accessToken));
  return { runId, chair, voters, meeting, sockets };
}

/** One ballot: a motion through debate, opened, every member casting at once, closed and published. */
async function quorumRound({ runId, chair, voters, meeting, sockets }, n) {
  const motion = await http('POST', `/api/meetings/${meeting.id}/motions`, { title: `Motion ${n}`, text: 'The assembly adopts the budget.' }, chair.accessToken);
  await http('POST', `/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'submit' }, chair.accessToken);
  await http('POST', `/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'second' }, voters[0].accessToken);
  await http('POST', `/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'debate' }, chair.accessToken);
  const ballot = await http('POST', `/api/meetings/${meeting.id}/ballots`, { motionId: motion.id, secrecy: SECRECY, rule: 'simple' }, chair.accessToken);
  // A secret ballot's key is made on the chair's device and split among the tellers (here: the chair).
  let key;
  if (SECRECY === 'secret') {
    const keyPlan = await http('GET', `/api/ballots/${ballot.id}/key-plan`, undefined, chair.accessToken);
    const made = newKeyPair();
    const shares = await splitKey(made.privateKey, keyPlan.tellers.length, keyPlan.threshold);
    key = { publicKey: made.publicKey, shares: keyPlan.tellers.map((t, i) => ({ tellerId: t.userId, sealedShare: sealShare(t.publicKey, ballot.id, t.userId, shares[i]) })) };
  }
  const opened = await http('POST', `/api/ballots/${ballot.id}/open`, key ? { key } : {}, chair.accessToken);
  if (opened.status !== 'open') throw new Error(`ballot not open: ${JSON.stringify(opened)}`);
  await sleep(500);

  // Each voter's device seals its choice before sending (not timed: it happens before the vote leaves the device).
  const expected = { yes: 0, no: 0, abstain: 0 };
  const plan = voters.map((v, i) => {
    const choice = CHOICES[(i * 7 + (i >> 3) + n) % 3];
    expected[choice]++;
    const vote = key ? { envelope: sealVote(key.publicKey, ballot.id, { choice, receipt: newReceipt() }) } : { choice };
    return { socket: sockets[i], payload: { clientRequestId: `bench-${runId}-${n}-${i}`, ballotId: ballot.id, seatId: v.user.id, ...vote } };
  });

  const latencies = [];
  const failures = new Map();
  let lastAck = 0;
  const first = performance.now();
  await Promise.all(
    plan.map(async ({ socket, payload }) => {
      const sent = performance.now();
      let res;
      try {
        res = await socket.timeout(60_000).emitWithAck('ballot:cast', payload);
      } catch {
        res = { ok: false, error: { code: 'CLIENT_TIMEOUT' } };
      }
      const now = performance.now();
      if (res.ok) {
        latencies.push(now - sent);
        lastAck = Math.max(lastAck, now);
      } else failures.set(res.error.code, (failures.get(res.error.code) ?? 0) + 1);
    }),
  );
  const wall = (lastAck - first) / 1000;
  latencies.sort((a, b) => a - b);

  const closed = await http('POST', `/api/ballots/${ballot.id}/close`, {}, chair.accessToken);
  if (closed.status === 'counting') {
    // The teller's device opens its share and releases it: the count follows.
    const { sealedShare } = await http('GET', `/api/ballots/${ballot.id}/key-share`, undefined, chair.accessToken);
    const share = openShare(chair.tellerKeys, ballot.id, chair.user.id, sealedShare);
    await http('POST', `/api/ballots/${ballot.id}/key-share`, { share: b64url(share) }, chair.accessToken);
  }
  const published = await http('POST', `/api/ballots/${ballot.id}/publish`, {}, chair.accessToken);
  const r = published.result;
  const tallyExact = !!r && r.yes === expected.yes && r.no === expected.no && r.abstain === expected.abstain && r.cast === latencies.length && latencies.length === VOTERS;
  const out = {
    ok: latencies.length,
    failures: Object.fromEntries(failures),
    perSec: latencies.length / wall,
    wallMs: wall * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    tallyExact,
    expected,
    result: r,
  };
  log(`round ${n}: ${round(out.perSec, 0)} votes/s, p99 ${round(out.p99)} ms, tally ${tallyExact ? 'exact' : 'WRONG'}`);
  return out;
}

/** The round with the median throughput (the machine is shared; one round can be unlucky either way). */
const median = (runs) => [...runs].sort((a, b) => a.perSec - b.perSec)[Math.floor(runs.length / 2)];

/* ---------------- baseline ---------------- */

async function baselineRun() {
  const url = await createDatabase('quorum_bench_base');
  // Each INSERT its own transaction, committed (and flushed) before it returns, as a vote must be.
  const pool = new Pool({ connectionString: url, max: SERVER_POOL, options: '-c synchronous_commit=on' });
  try {
    await pool.query(`CREATE TABLE votes (ballot_id uuid NOT NULL, seat_id uuid NOT NULL, choice text NOT NULL, PRIMARY KEY (ballot_id, seat_id))`);
    // Open every connection first, as the server's pool is after registration.
    await Promise.all(Array.from({ length: SERVER_POOL }, () => pool.query('SELECT 1')));
    const run = async (n) => {
      const ballot = randomUUID();
      const latencies = [];
      const first = performance.now();
      let last = 0;
      await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const sent = performance.now();
          await pool.query(`INSERT INTO votes (ballot_id, seat_id, choice) VALUES ($1, $2, $3)`, [ballot, randomUUID(), CHOICES[i % 3]]);
          const now = performance.now();
          latencies.push(now - sent);
          last = Math.max(last, now);
        }),
      );
      latencies.sort((a, b) => a - b);
      const [{ count }] = (await pool.query(`SELECT count(*)::int AS count FROM votes WHERE ballot_id = $1`, [ballot])).rows;
      if (count !== n) throw new Error(`baseline wrote ${count} of ${n}`);
      return { ok: n, perSec: n / ((last - first) / 1000), wallMs: last - first, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) };
    };
    await run(200); // warm-up
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await run(VOTERS));
    return runs;
  } finally {
    await pool.end();
  }
}

/* ---------------- main ---------------- */

async function main() {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run \`npm run build -w server\` first`);
  const [{ synchronous_commit: sync }] = (await admin('SHOW synchronous_commit')).rows;
  const loadBefore = os.loadavg()[0];
  server = await startServer(await createDatabase('quorum_bench'));
  log(`server on ${server.url} (synchronous_commit=${sync})`);
  const setUp = await quorumSetUp();
  // One ballot first, not counted, as the baseline has its warm-up run: the first ballot after a start
  // also pays for compiling the vote path and starting the envelope-key worker.
  await quorumRound(setUp, 0);
  const rounds = [];
  for (let n = 1; n <= ROUNDS; n++) rounds.push(await quorumRound(setUp, n));
  setUp.sockets.forEach((s) => s.close());
  await server.stop();
  if (process.env.BENCH_SERVER_LOG) writeFileSync(process.env.BENCH_SERVER_LOG, server.logs());
  log('baseline…');
  const bases = await baselineRun();

  const q = median(rounds);
  const b = median(bases);
  const tallyExact = rounds.every((r) => r.tallyExact);
  const ratio = q.perSec / b.perSec;
  const met = ratio >= TARGET.ratio && q.p99 <= TARGET.p99Ms && tallyExact;
  const row = (label, a, c) => `${label.padEnd(26)}${String(a).padStart(20)}${String(c).padStart(24)}`;
  const each = (runs, f) => runs.map(f).join(' / ');
  console.log('');
  console.log(`Durable votes: ${VOTERS} voters casting at once on a ${SECRECY} ballot, median of ${ROUNDS} ballots after one warm-up ballot (server pool ${SERVER_POOL}; baseline pool ${SERVER_POOL}, synchronous_commit=${sync})`);
  // The machine is shared (2 cores): a high load average means both columns ran slower than they can.
  console.log(`load average (1 min) at start / end: ${round(loadBefore)} / ${round(os.loadavg()[0])} on ${os.cpus().length} cores`);
  console.log(row('', 'Quorum ballot:cast', 'pg INSERT (baseline)'));
  console.log(row('votes/s', round(q.perSec, 0), round(b.perSec, 0)));
  console.log(row('wall ms (first→last ack)', round(q.wallMs, 0), round(b.wallMs, 0)));
  console.log(row('p50 ack ms', round(q.p50), round(b.p50)));
  console.log(row('p99 ack ms', round(q.p99), round(b.p99)));
  console.log(row('max ack ms', round(q.max), round(b.max)));
  console.log(row('acked ok', `${q.ok}/${VOTERS}`, `${b.ok}/${VOTERS}`));
  console.log(row('votes/s, every round', each(rounds, (r) => round(r.perSec, 0)), each(bases, (r) => round(r.perSec, 0))));
  console.log(row('p99 ms, every round', each(rounds, (r) => round(r.p99, 0)), each(bases, (r) => round(r.p99, 0))));
  const failures = rounds.flatMap((r) => Object.entries(r.failures));
  if (failures.length) console.log(row('failures', JSON.stringify(failures), ''));
  console.log(row('tally exact (every round)', tallyExact ? 'yes' : `NO ${JSON.stringify(rounds.map((r) => [r.result, r.expected]))}`, ''));
  console.log(`${'ratio Quorum/baseline'.padEnd(26)}${String(round(ratio, 2)).padStart(20)}    (target ≥ ${TARGET.ratio} with p99 ≤ ${TARGET.p99Ms} ms: ${met ? 'met' : 'MISSED'})`);
  console.log(
    JSON.stringify({
      secrecy: SECRECY,
      votesPerSec: round(q.perSec, 0),
      p50Ms: round(q.p50),
      p99Ms: round(q.p99),
      baselinePerSec: round(b.perSec, 0),
      ratio: round(ratio, 2),
      tallyExact,
      targetMet: met,
    }),
  );
  return tallyExact && rounds.every((r) => r.ok === VOTERS);
}

async function cleanup() {
  await server?.stop().catch(() => {});
  for (const name of created.splice(0)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => log(`could not drop ${name}: ${e.message}`));
}

process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
main()
  .then(async (ok) => {
    await cleanup();
    process.exit(ok ? 0 : 1);
  })
  .catch(async (err) => {
    log(err.stack ?? err);
    if (server) log(server.logs().slice(-3000));
    await cleanup();
    process.exit(1);
  });
