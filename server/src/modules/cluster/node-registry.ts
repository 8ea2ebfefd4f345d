import type { Logger } from 'pino';
import { heartbeatEvery, type NodeRecord } from './lease';
import type { Redis } from './redis';

/**
 * This node in the registry of nodes: one key per node, rewritten by a heartbeat and expiring with it,
 * so a node killed outright leaves the list within one lease lifetime. A set indexes the keys.
 */
export class NodeRegistry {
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  readonly startedAt = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly self: Omit<NodeRecord, 'draining' | 'rooms' | 'startedAt'>,
    private readonly ttlMs: number,
    private readonly rooms: () => number,
    private readonly logger: Logger,
  ) {}

  private key = (nodeId: string) => `${this.prefix}node:${nodeId}`;
  private get index() {
    return `${this.prefix}nodes`;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch((err: unknown) => this.logger.warn({ err }, 'node heartbeat failed')), heartbeatEvery(this.ttlMs)).unref();
  }

  record(): NodeRecord {
    return { ...this.self, startedAt: this.startedAt, draining: this.draining, rooms: this.rooms() };
  }

  private async beat(): Promise<void> {
    await this.redis.multi().set(this.key(this.self.nodeId), JSON.stringify(this.record()), { expiration: { type: 'PX', value: this.ttlMs } }).sAdd(this.index, this.self.nodeId).exec();
  }

  async drain(): Promise<void> {
    this.draining = true;
    await this.beat().catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.multi().del(this.key(this.self.nodeId)).sRem(this.index, this.self.nodeId).exec();
  }

  /** The nodes alive now (their heartbeat has not run out); entries of dead nodes are pruned from the index. */
  async nodes(): Promise<NodeRecord[]> {
    const ids = await this.redis.sMembers(this.index);
    if (!ids.length) return [];
    const values = await this.redis.mGet(ids.map(this.key));
    const gone = ids.filter((_, i) => !values[i]);
    if (gone.length) await this.redis.sRem(this.index, gone);
    return values.flatMap((v) => (v ? [JSON.parse(v) as NodeRecord] : []));
  }
}
