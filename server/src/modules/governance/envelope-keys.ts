import { Worker } from 'node:worker_threads';
import { deriveEnvelopeKey, type EnvelopeKey } from './ballot-box';

/** Keys asked of the worker at a time: small enough that a pool starts filling at once. */
const CHUNK = 128;
/** Keys kept ready for an open ballot whose size is not known (a quick poll, a ballot after a restart). */
const DEFAULT_TARGET = 256;
/** Never more than this many ready keys for one ballot (~64 bytes each). */
const MAX_TARGET = 5000;
/** Once the first fill is done, one more chunk is asked for only when fewer than this are left. */
const LOW_WATER = 32;

interface Pool {
  publicKey: string;
  ready: EnvelopeKey[];
  target: number;
  asking: boolean;
  /** Still filling up to `target` (at opening); afterwards only topped up a chunk at a time. */
  filling: boolean;
}

/**
 * Envelope keys made ahead, off the event loop. Sealing a vote costs an X25519 key pair and an ECDH
 * (~0.15 ms of CPU); done on the event loop, a thousand votes arriving at once queue behind each other.
 * A worker thread prepares keys for each open ballot — as many as its roll has seats — so a cast only
 * runs AES-GCM. The pool is not refilled while votes pour in (the worker would take the CPU the
 * database and the sockets need then): it holds one key per seat, and only when it is nearly empty
 * (re-votes, retries) is one more chunk made. Each key is handed out once and dropped; when the pool
 * is empty a cast derives its own key as before, so the pool is only ever a speed-up. A ballot's pool
 * is dropped when it closes.
 */
export class EnvelopeKeys {
  private worker: Worker | null = null;
  private readonly pools = new Map<string, Pool>();

  /** Starts filling the pool of an open ballot (idempotent; a larger target raises it). */
  prepare(ballotId: string, publicKey: string, expected = DEFAULT_TARGET): void {
    const target = Math.min(MAX_TARGET, Math.max(CHUNK, expected));
    let pool = this.pools.get(ballotId);
    if (!pool || pool.publicKey !== publicKey) {
      pool = { publicKey, ready: [], target, asking: false, filling: true };
      this.pools.set(ballotId, pool);
    } else if (target > pool.target) Object.assign(pool, { target, filling: true });
    this.refill(ballotId, pool);
  }

  /** An unused key for one envelope: from the pool when one is ready, else derived here and now. */
  take(ballotId: string, publicKey: string): EnvelopeKey {
    const pool = this.pools.get(ballotId);
    if (!pool || pool.publicKey !== publicKey) {
      this.prepare(ballotId, publicKey);
      return deriveEnvelopeKey(publicKey, ballotId);
    }
    const key = pool.ready.pop();
    this.refill(ballotId, pool);
    return key ?? deriveEnvelopeKey(publicKey, ballotId);
  }

  /** The ballot closed: its unused keys are forgotten. */
  drop(ballotId: string): void {
    this.pools.delete(ballotId);
  }

  /** Keys ready for a ballot (for tests and metrics). */
  readyFor(ballotId: string): number {
    return this.pools.get(ballotId)?.ready.length ?? 0;
  }

  async close(): Promise<void> {
    this.pools.clear();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private refill(ballotId: string, pool: Pool): void {
    if (pool.asking || pool.ready.length >= (pool.filling ? pool.target : LOW_WATER)) return;
    const worker = this.ensureWorker();
    if (!worker) return;
    pool.asking = true;
    worker.postMessage({ ballotId, publicKey: pool.publicKey, count: CHUNK });
  }

  private onKeys(msg: { ballotId: string; publicKey: string; keys?: { ephemeral: Uint8Array; key: Uint8Array }[] }): void {
    const pool = this.pools.get(msg.ballotId);
    if (!pool || pool.publicKey !== msg.publicKey) return;
    pool.asking = false;
    for (const k of msg.keys ?? []) pool.ready.push({ ephemeral: Buffer.from(k.ephemeral), key: Buffer.from(k.key) });
    if (pool.ready.length >= pool.target || !msg.keys?.length) pool.filling = false;
    else if (pool.filling) {
      pool.asking = true;
      this.worker?.postMessage({ ballotId: msg.ballotId, publicKey: pool.publicKey, count: Math.min(CHUNK, pool.target - pool.ready.length) });
    }
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'envelope-keys' });
      worker.unref();
      worker.on('message', (m) => this.onKeys(m));
      // A failed worker only costs speed: casts derive their own keys until a new one starts.
      worker.on('error', () => this.lose(worker));
      worker.on('exit', () => this.lose(worker));
      this.worker = worker;
      return worker;
    } catch {
      return null;
    }
  }

  private lose(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const pool of this.pools.values()) pool.asking = false;
  }
}

/** The worker runs deriveEnvelopeKey from its own source: one definition of how a key is made. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const derive = ${deriveEnvelopeKey.toString()};
parentPort.on('message', ({ ballotId, publicKey, count }) => {
  const keys = [];
  try {
    for (let i = 0; i < count; i++) keys.push(derive(publicKey, ballotId));
  } catch (err) {
    keys.length = 0;
  }
  parentPort.postMessage({ ballotId, publicKey, keys });
});
`;
