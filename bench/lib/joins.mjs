import { requireFromRoot } from './typescript.mjs';

/**
 * Join -> first RTP at the server, through the real socket path of the built server: room:join,
 * send transport, DTLS (werift), media:produce, RTP, and the first `producer:score` (the worker
 * scores a producer as soon as its first packet arrives). The socket is connected before the clock
 * starts. One host stays in the room throughout so each join lands in an open room.
 */

const { createDatabase, dropDatabase, startServer } = requireFromRoot('test/helpers/server-process.ts');
const { nextEvent } = requireFromRoot('test/helpers/api.ts');
const { createRoom, orgWithMembers } = requireFromRoot('test/helpers/room.ts');
const { WebRtcPeer } = requireFromRoot('test/helpers/webrtc-peer.ts');

/** Unmeasured joins first: the first DTLS handshakes of a process pay for JIT and key setup. */
const WARMUP_JOINS = 3;

/**
 * The server with its WebRtcServer port below Linux's ephemeral range (32768+), where client sockets
 * of other processes never land; retried on the rare clash.
 */
async function startServerOnQuietPorts(databaseUrl) {
  for (let attempt = 1; ; attempt++) {
    const min = 20_000 + 10 * Math.floor(Math.random() * 1_200);
    try {
      return await startServer({ env: { DATABASE_URL: databaseUrl, RTC_MIN_PORT: String(min), RTC_MAX_PORT: String(min + 9) } });
    } catch (error) {
      if (attempt === 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

export async function benchJoins({ joins, log }) {
  const databaseUrl = await createDatabase();
  const peers = [];
  let server;
  try {
    server = await startServerOnQuietPorts(databaseUrl);
    const { org, owner, people } = await orgWithMembers(server.url, 1, 'Bench Association');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Join bench' });
    const host = await WebRtcPeer.connect(server.url, owner.accessToken);
    peers.push(host);
    await host.join(room.id);

    const samples = [];
    const warmup = [];
    for (let i = 0; i < WARMUP_JOINS + joins; i++) {
      const peer = await WebRtcPeer.connect(server.url, people[0].accessToken);
      peers.push(peer);
      const scored = nextEvent(peer.socket, 'producer:score', 10_000);
      scored.catch(() => undefined); // awaited below; a refusal earlier must not leave it unhandled
      const started = performance.now();
      await peer.join(room.id);
      const joinedAt = performance.now();
      await peer.publish(['audio']);
      const connectedAt = performance.now();
      peer.startSending();
      await scored;
      const firstRtpAt = performance.now();
      const sample = {
        totalMs: firstRtpAt - started,
        joinMs: joinedAt - started,
        publishMs: connectedAt - joinedAt,
        ...peer.publishSteps,
        firstRtpMs: firstRtpAt - connectedAt,
      };
      (i < WARMUP_JOINS ? warmup : samples).push(sample);
      await peer.close();
      peers.pop();
      if (log && (i < WARMUP_JOINS || (i - WARMUP_JOINS + 1) % 10 === 0)) {
        log(`  ${i < WARMUP_JOINS ? `warm-up ${i + 1}` : `join ${i - WARMUP_JOINS + 1}`}: ${sample.totalMs.toFixed(0)} ms`);
      }
    }
    return { warmup, samples };
  } finally {
    await Promise.all(peers.map((p) => p.close().catch(() => undefined)));
    await server?.stop();
    await dropDatabase(databaseUrl);
  }
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
