// The client side of bench/chat.mjs: N socket.io clients in this one process (so every send and
// receive time comes from the same clock), joined to one room, sending chat at a fixed rate and
// recording, per recipient, when each message arrived. Identical for every server under test.
import { io } from 'socket.io-client';

/** Epoch milliseconds with sub-millisecond precision. */
export const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const BODY = /^bench #(\d+) sent@(\d+(?:\.\d+)?)$/;
const WARM_UP = 'warm-up ';

/** Runs `task(i)` for i in 0..n-1 with at most `limit` at once; rejects on the first failure. */
export async function pool(n, limit, task, onProgress) {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await task(i);
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export class ChatFleet {
  /**
   * @param {{ url: string | string[], path: string, clients: number, messages: number }} o
   * `messages` sizes the delivery matrix: one cell per (message, recipient). Several urls: client i
   * connects to `url[i % url.length]` (the nodes of one deployment).
   */
  constructor({ url, path, clients, messages }) {
    this.url = url;
    this.path = path;
    this.n = clients;
    this.messages = messages;
    this.sockets = new Array(clients);
    this.received = new Uint8Array(messages * clients);
    this.latency = new Float64Array(messages * clients);
    this.deliveries = 0;
    this.duplicates = 0;
    this.selfDeliveries = 0;
    this.foreign = 0;
    this.sent = 0;
    this.sendSeconds = 0;
    this.acks = { ok: 0, failed: 0, codes: {}, latency: [] };
    this.senderOf = new Int32Array(messages).fill(-1);
  }

  /** Connects every client over the websocket transport; `authOf(i)` is client i's handshake `auth`. */
  async connect(authOf, concurrency = 50) {
    await pool(this.n, concurrency, (i) => this.connectOne(i, authOf(i)));
  }

  connectOne(i, auth) {
    const socket = io(Array.isArray(this.url) ? this.url[i % this.url.length] : this.url, {
      path: this.path,
      transports: ['websocket'],
      auth,
      reconnection: false,
      forceNew: true,
      timeout: 30_000,
    });
    this.sockets[i] = socket;
    socket.on('chat:message', (m) => this.onMessage(i, m));
    return new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (err) => reject(new Error(`client ${i} could not connect: ${err.message} ${JSON.stringify(err.data ?? {})}`)));
    });
  }

  onMessage(i, m) {
    const t = now();
    const match = typeof m?.body === 'string' ? BODY.exec(m.body) : null;
    if (!match) {
      if (!(typeof m?.body === 'string' && m.body.startsWith(WARM_UP))) this.foreign++;
      return;
    }
    const seq = Number(match[1]);
    if (seq >= this.messages) return void this.foreign++;
    if (this.senderOf[seq] === i) return void this.selfDeliveries++;
    const cell = seq * this.n + i;
    if (this.received[cell]) return void this.duplicates++;
    this.received[cell] = 1;
    this.latency[cell] = t - Number(match[2]);
    this.deliveries++;
  }

  /** Every client sends `room:join` with `payload` and waits for a successful ack. */
  async join(payload, concurrency = 20, onProgress) {
    await pool(
      this.n,
      concurrency,
      async (i) => {
        const res = await this.sockets[i].timeout(60_000).emitWithAck('room:join', payload);
        if (!res?.ok) throw new Error(`client ${i} could not join: ${JSON.stringify(res?.error ?? res)}`);
      },
      onProgress,
    );
  }

  /**
   * The same traffic, not recorded, from the last clients (not the first ones, which the measured
   * run uses): a server just started has cold code paths (JIT, database pool, caches) that a server
   * in service has not.
   */
  async warmUp({ perSecond, messages }) {
    const sends = [];
    for (let k = 0; k < messages; k++) {
      const socket = this.sockets[this.n - 1 - (k % this.n)];
      sends.push(socket.timeout(10_000).emitWithAck('chat:send', { clientRequestId: `warm-up-${process.pid}-${k}`, body: `${WARM_UP}#${k}` }).catch(() => undefined));
      await sleep(1000 / perSecond);
    }
    await Promise.all(sends);
    await sleep(1000);
  }

  /**
   * Sends messages `from`..`to`-1 at `perSecond`, sender seq % n (so nobody comes near the per-person
   * limit), then waits until every other client has each of them (or `drainMs` passes) and for their
   * acks. The body carries the sequence number and the send time; the sender's own socket is not a
   * recipient. Ranges go in order; the fleet keeps the totals.
   */
  async sendRange(from, to, { perSecond, drainMs = 5_000 }) {
    const pending = [];
    const interval = 1000 / perSecond;
    const t0 = performance.now();
    for (let seq = from; seq < to; seq++) {
      const wait = t0 + (seq - from) * interval - performance.now();
      if (wait > 0) await sleep(wait);
      const sender = seq % this.n;
      const at = now();
      this.senderOf[seq] = sender;
      this.sent++;
      const payload = { clientRequestId: `bench-${process.pid}-${seq}`, body: `bench #${seq} sent@${at.toFixed(3)}` };
      pending.push(
        this.sockets[sender]
          .timeout(drainMs)
          .emitWithAck('chat:send', payload)
          .then(
            (res) => {
              this.acks.latency.push(now() - at);
              if (res?.ok) this.acks.ok++;
              else this.refused(res?.error?.code ?? 'NO_ENVELOPE');
            },
            () => this.refused('ACK_TIMEOUT'),
          ),
      );
    }
    this.sendSeconds += (performance.now() - t0) / 1000;
    const expected = to * (this.n - 1);
    const deadline = performance.now() + drainMs;
    while (this.deliveries < expected && performance.now() < deadline) await sleep(5);
    await Promise.all(pending);
  }

  refused(code) {
    this.acks.failed++;
    this.acks.codes[code] = (this.acks.codes[code] ?? 0) + 1;
  }

  /** What was sent and acknowledged, what arrived and how late (ms), and the least and most any one client received. */
  summary() {
    const lat = new Float64Array(this.deliveries);
    let k = 0;
    const perClient = new Int32Array(this.n);
    for (let cell = 0; cell < this.received.length; cell++) {
      if (!this.received[cell]) continue;
      lat[k++] = this.latency[cell];
      perClient[cell % this.n]++;
    }
    lat.sort();
    // How long the fan-out of one message takes: its slowest recipient.
    const slowest = new Float64Array(this.messages);
    for (let cell = 0; cell < this.received.length; cell++) {
      const seq = Math.floor(cell / this.n);
      if (this.received[cell] && this.latency[cell] > slowest[seq]) slowest[seq] = this.latency[cell];
    }
    slowest.sort();
    const acks = Float64Array.from(this.acks.latency).sort();
    let minClient = Infinity;
    let maxClient = 0;
    for (const c of perClient) {
      minClient = Math.min(minClient, c);
      maxClient = Math.max(maxClient, c);
    }
    return {
      sent: this.sent,
      sendSeconds: this.sendSeconds,
      acksOk: this.acks.ok,
      acksFailed: this.acks.failed,
      refusals: this.acks.codes,
      ackP50: percentile(acks, 50),
      ackP99: percentile(acks, 99),
      expected: this.sent * (this.n - 1),
      deliveries: this.deliveries,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat.length ? lat[lat.length - 1] : NaN,
      slowestP50: percentile(slowest, 50),
      minPerClient: minClient,
      maxPerClient: maxClient,
      duplicates: this.duplicates,
      selfDeliveries: this.selfDeliveries,
      foreign: this.foreign,
    };
  }

  close() {
    for (const s of this.sockets) s?.close();
  }
}
