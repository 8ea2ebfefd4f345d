import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorker, type types } from 'mediasoup';
import type { ErrorCode } from '../../contract/errors';
import type { MediaConfig } from './media-config';

/** What every router offers. An SFU never transcodes, so each profile a sender may insist on is listed. */
export const MEDIA_CODECS: readonly types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
  },
];

export interface PortPlan {
  /** Port of worker i's WebRtcServer (UDP and TCP). */
  webRtcServerPorts: number[];
  /** What is left for plain and pipe transports. */
  transportPorts: { min: number; max: number };
}

/** Splits the configured range: the first `workers` ports for the WebRtcServers, the rest for other transports. */
export function planPorts({ workers, rtcMinPort, rtcMaxPort }: Pick<MediaConfig, 'workers' | 'rtcMinPort' | 'rtcMaxPort'>): PortPlan {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`media workers must be a positive integer, got ${workers}`);
  for (const port of [rtcMinPort, rtcMaxPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`RTC port ${port} is not a valid port`);
  }
  const size = rtcMaxPort - rtcMinPort + 1;
  if (size <= workers) {
    throw new RangeError(
      `RTC port range ${rtcMinPort}-${rtcMaxPort} has ${Math.max(size, 0)} ports; ${workers} workers need ${workers} for ` +
        `their WebRtcServers plus at least one for plain/pipe transports`,
    );
  }
  return {
    webRtcServerPorts: Array.from({ length: workers }, (_, i) => rtcMinPort + i),
    transportPorts: { min: rtcMinPort + workers, max: rtcMaxPort },
  };
}

export interface WorkerLoad {
  alive: boolean;
  routers: number;
  consumers: number;
}

/**
 * Index of the worker to put new work on, or -1 when none is alive. Consumers are what costs CPU
 * (every packet is sent once per consumer); routers break ties so that rooms created back to back,
 * before anyone consumes, still spread over the workers. `avoid` leaves out workers by index (those
 * already carrying a router of the room that spills over).
 */
export function leastLoaded(loads: readonly WorkerLoad[], avoid: readonly number[] = []): number {
  let best = -1;
  loads.forEach((load, i) => {
    if (!load.alive || avoid.includes(i)) return;
    const b = loads[best];
    if (!b || load.consumers < b.consumers || (load.consumers === b.consumers && load.routers < b.routers)) best = i;
  });
  return best;
}

export interface PooledWorker {
  readonly index: number;
  readonly worker: types.Worker;
  /** Pass to `router.createWebRtcTransport({ webRtcServer })` for routers of this worker. */
  readonly webRtcServer: types.WebRtcServer;
}

export interface PooledRouter {
  router: types.Router;
  worker: PooledWorker;
}

export interface WorkerDiedEvent {
  index: number;
  pid: number;
  error: Error;
}

export interface WorkerReplacedEvent {
  index: number;
  oldPid: number;
  newPid: number;
}

export interface WorkerPoolEvents {
  /** A worker process is gone with all its routers; a replacement is being started. */
  workerDied: [WorkerDiedEvent];
  /** The replacement is up and takes new work; rooms that lived on the old worker must be rebuilt. */
  workerReplaced: [WorkerReplacedEvent];
}

export interface WorkerStats {
  index: number;
  pid: number;
  alive: boolean;
  port: number;
  routers: number;
  consumers: number;
  /** Pipe transports (router-to-router links) and the producers piped in through them. */
  pipeTransports: number;
  pipeProducers: number;
}

/** The slice of a pino logger the pool uses. */
export interface PoolLogger {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export class NoWorkerAvailableError extends Error {
  readonly code: ErrorCode = 'UNAVAILABLE';
  constructor() {
    super('no mediasoup worker is available');
  }
}

interface Slot extends PooledWorker, WorkerLoad {
  port: number;
  pipeTransports: number;
  pipeProducers: number;
  /** Routers being created, counted before they exist so concurrent picks spread. */
  pending: number;
}

const silent: PoolLogger = { info() {}, warn() {}, error() {} };
const RESPAWN_MAX_DELAY_MS = 30_000;
/** How long a browser transport may go without ICE before the server says why media may not flow. */
const ICE_WATCH_MS = 15_000;

/** mediasoup workers, one WebRtcServer each, with load-based placement and replacement of dead workers. */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly plan: PortPlan;
  private slots: Slot[] = [];
  private state: 'new' | 'started' | 'closed' = 'new';
  private readonly closing = new AbortController();
  private readonly respawns = new Set<Promise<void>>();

  constructor(
    private readonly config: MediaConfig,
    private readonly logger: PoolLogger = silent,
  ) {
    super();
    this.plan = planPorts(config);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`worker pool is ${this.state}`);
    this.state = 'started';
    const spawned = await Promise.allSettled(this.plan.webRtcServerPorts.map((_, i) => this.spawn(i)));
    const failed = spawned.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.slots = spawned.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      await this.close();
      throw failed.reason;
    }
    this.logger.info({ workerPids: this.slots.map((s) => s.worker.pid), ports: this.plan.webRtcServerPorts }, 'mediasoup workers started');
    const announced = this.config.rtcAnnouncedIp ?? this.config.rtcListenIp;
    this.logger.info(
      { announcedAddress: announced, source: this.config.rtcAnnouncedSource ?? 'configured', ports: this.plan.webRtcServerPorts },
      this.config.rtcAnnouncedSource === 'lan-address' || this.config.rtcAnnouncedSource === 'loopback'
        ? `media reachable at ${announced} (detected; set RTC_ANNOUNCED_IP to the address browsers outside this network use)`
        : `media reachable at ${announced}`,
    );
  }

  /** The least-loaded live worker. */
  pickWorker(): PooledWorker {
    return this.pick();
  }

  /** Every worker by index, including one that has died and is being replaced (see stats().alive). */
  workers(): readonly PooledWorker[] {
    return [...this.slots];
  }

  /**
   * A router with MEDIA_CODECS on the least-loaded worker, leaving out the workers in `avoid`
   * (NoWorkerAvailableError when no other live worker is left).
   */
  async createRouter(appData: types.AppData = {}, avoid: readonly number[] = []): Promise<PooledRouter> {
    const slot = this.pick(avoid);
    slot.pending++;
    try {
      const router = await slot.worker.createRouter({ mediaCodecs: [...MEDIA_CODECS], appData: { ...appData, workerIndex: slot.index } });
      return { router, worker: slot };
    } finally {
      slot.pending--;
    }
  }

  /** Listen info for plain and pipe transports, kept inside the published range. */
  transportListenInfo(): types.TransportListenInfo {
    return { protocol: 'udp', ip: this.config.rtcListenIp, ...this.announced(), portRange: { ...this.plan.transportPorts } };
  }

  /** Indexes of the workers that take new work now. */
  aliveWorkers(): number[] {
    return this.slots.filter((s) => s.alive).map((s) => s.index);
  }

  /**
   * Listen info for pipe transports between routers of this process (pipeToRouter): loopback, never
   * announced, so the two ends reach each other whatever address browsers are given.
   */
  pipeListenInfo(): types.TransportListenInfo {
    return { protocol: 'udp', ip: '127.0.0.1', portRange: { ...this.plan.transportPorts } };
  }

  stats(): { workers: WorkerStats[] } {
    return {
      workers: this.slots.map(({ index, worker, alive, port, routers, consumers, pipeTransports, pipeProducers }) => ({
        index,
        pid: worker.pid,
        alive,
        port,
        routers,
        consumers,
        pipeTransports,
        pipeProducers,
      })),
    };
  }

  /** Every worker is up (false while a dead one is being replaced, and before start or after close). */
  alive(): boolean {
    return this.state === 'started' && this.slots.length === this.config.workers && this.slots.every((s) => s.alive);
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.closing.abort();
    await Promise.all(this.respawns);
    const workers = this.slots.map((s) => s.worker);
    this.slots = [];
    await Promise.all(workers.map(closeWorker));
  }

  private pick(avoid: readonly number[] = []): Slot {
    const loads = this.slots.map((s) => ({ alive: s.alive, routers: s.routers + s.pending, consumers: s.consumers }));
    const slot = this.slots[leastLoaded(loads, avoid)];
    if (!slot) throw new NoWorkerAvailableError();
    return slot;
  }

  private announced(): Pick<types.TransportListenInfo, 'announcedAddress'> {
    return this.config.rtcAnnouncedIp ? { announcedAddress: this.config.rtcAnnouncedIp } : {};
  }

  private async spawn(index: number): Promise<Slot> {
    const port = this.plan.webRtcServerPorts[index]!;
    const { min, max } = this.plan.transportPorts;
    // The worker-wide range is a fallback for transports created without a port (pipeToRouter's defaults).
    const worker = await createWorker({ logLevel: this.config.logLevel ?? 'warn', rtcMinPort: min, rtcMaxPort: max, appData: { index } });
    try {
      const listen = { ip: this.config.rtcListenIp, ...this.announced(), port };
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ...listen },
          { protocol: 'tcp', ...listen },
        ],
      });
      const slot: Slot = { index, worker, webRtcServer, port, alive: true, routers: 0, consumers: 0, pending: 0, pipeTransports: 0, pipeProducers: 0 };
      this.track(slot);
      return slot;
    } catch (error) {
      await closeWorker(worker);
      throw error;
    }
  }

  private track(slot: Slot): void {
    slot.worker.observer.on('newrouter', (router) => {
      slot.routers++;
      router.observer.once('close', () => slot.routers--);
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newconsumer', (consumer) => {
          slot.consumers++;
          consumer.observer.once('close', () => slot.consumers--);
        });
        if (transport.type === 'webrtc') this.watchIce(transport as types.WebRtcTransport);
        if (transport.type !== 'pipe') return;
        slot.pipeTransports++;
        transport.observer.once('close', () => slot.pipeTransports--);
        transport.observer.on('newproducer', (producer) => {
          slot.pipeProducers++;
          producer.observer.once('close', () => slot.pipeProducers--);
        });
      });
    });
    slot.worker.once('died', (error) => {
      slot.alive = false;
      this.logger.error({ index: slot.index, workerPid: slot.worker.pid, err: error }, 'mediasoup worker died');
      this.emit('workerDied', { index: slot.index, pid: slot.worker.pid, error });
      const respawn = this.respawn(slot).finally(() => this.respawns.delete(respawn));
      this.respawns.add(respawn);
    });
  }

  /**
   * A browser transport that never gets ICE through is logged with the likely cause: browsers cannot
   * reach the announced address and ports (wrong RTC_ANNOUNCED_IP, a firewall, NAT without TURN).
   */
  private watchIce(transport: types.WebRtcTransport): void {
    const timer = setTimeout(() => {
      this.logger.warn(
        { transportId: transport.id, announcedAddress: this.config.rtcAnnouncedIp ?? this.config.rtcListenIp, ports: this.plan.webRtcServerPorts, iceState: transport.iceState },
        `a browser has not reached the media server after ${ICE_WATCH_MS / 1000} s: check that browsers can reach the announced address on UDP/TCP ports ${this.plan.webRtcServerPorts.join(', ')} (RTC_ANNOUNCED_IP, firewall, TURN_SERVERS)`,
      );
    }, ICE_WATCH_MS);
    timer.unref();
    const done = () => clearTimeout(timer);
    transport.observer.on('icestatechange', (state) => {
      if (state === 'connected' || state === 'completed') done();
    });
    transport.observer.once('close', done);
  }

  private async respawn(dead: Slot): Promise<void> {
    for (let attempt = 0; this.state === 'started'; attempt++) {
      try {
        const slot = await this.spawn(dead.index);
        if (this.state !== 'started') {
          await closeWorker(slot.worker);
          return;
        }
        this.slots[dead.index] = slot;
        this.logger.warn({ index: dead.index, oldPid: dead.worker.pid, newPid: slot.worker.pid }, 'mediasoup worker replaced');
        this.emit('workerReplaced', { index: dead.index, oldPid: dead.worker.pid, newPid: slot.worker.pid });
        return;
      } catch (error) {
        const delay = Math.min(RESPAWN_MAX_DELAY_MS, 250 * 2 ** attempt);
        this.logger.error({ index: dead.index, err: error, retryInMs: delay }, 'could not replace mediasoup worker');
        await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }
}

/** Closes a worker and waits for its process to exit, so its ports are free when this resolves. */
function closeWorker(worker: types.Worker): Promise<void> {
  if (worker.subprocessClosed) return Promise.resolve();
  const exited = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000).unref();
    worker.once('subprocessclose', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (!worker.closed) worker.close();
  return exited;
}
