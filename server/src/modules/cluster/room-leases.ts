import type { Logger } from 'pino';
import type { RoomDirectory } from '../rooms/live/room-directory';
import { type Lease, leaseValue, leaseVerdict, parseLease, renewEvery } from './lease';
import type { Redis } from './redis';

/** Deletes or extends the key only while it still holds our value: never someone else's lease. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Replaces a lease that names this node from before a restart (same NODE_ID) with one of a new epoch. */
const ADOPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end`;

/**
 * Room ownership among nodes: one lease key per live room (SET NX PX), renewed while the room is open
 * here, fenced by an epoch from INCR. An owner that stops renewing (killed, cut off) loses its rooms
 * after `leaseMs`; the next join through any node takes them.
 */
export class RedisRoomDirectory implements RoomDirectory {
  readonly shared = true;
  private readonly held = new Map<string, Lease>();
  private renewer: NodeJS.Timeout | undefined;
  private lastRenewed = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    /** Called when a lease this node held is gone: it must stop acting on that room at once. */
    private readonly lost: (roomId: string) => void,
  ) {}

  leaseKey = (roomId: string): string => `${this.prefix}room:${roomId}:lease`;
  private epochKey = (roomId: string): string => `${this.prefix}room:${roomId}:epoch`;

  start(): void {
    this.renewer = setInterval(() => void this.renew(), renewEvery(this.leaseMs)).unref();
  }

  stop(): void {
    clearInterval(this.renewer);
  }

  leasesHeld(): number {
    return this.held.size;
  }

  async claim(roomId: string, nodeId: string): Promise<string> {
    const mine = this.held.get(roomId);
    if (mine) return mine.nodeId;
    const current = parseLease(await this.redis.get(this.leaseKey(roomId)));
    // Ours but not held: this process restarted under the same NODE_ID before the old lease ran out.
    if (current && current.nodeId !== nodeId) return current.nodeId;
    const epoch = await this.redis.incr(this.epochKey(roomId));
    const lease = { nodeId, epoch };
    const ok = current
      ? (await this.redis.eval(ADOPT, { keys: [this.leaseKey(roomId)], arguments: [leaseValue(current), leaseValue(lease), String(this.leaseMs)] })) === 1
      : (await this.redis.set(this.leaseKey(roomId), leaseValue(lease), { condition: 'NX', expiration: { type: 'PX', value: this.leaseMs } })) === 'OK';
    if (ok) {
      this.held.set(roomId, lease);
      this.logger.info({ roomId, epoch }, 'room lease taken');
      return nodeId;
    }
    // Another node won the race between our GET and SET.
    return parseLease(await this.redis.get(this.leaseKey(roomId)))?.nodeId ?? nodeId;
  }

  async release(roomId: string, nodeId: string): Promise<void> {
    const lease = this.held.get(roomId);
    if (!lease || lease.nodeId !== nodeId) return;
    this.held.delete(roomId);
    await this.redis.eval(RELEASE, { keys: [this.leaseKey(roomId)], arguments: [leaseValue(lease)] });
  }

  /** Removes another node's lease, only while it is still exactly `lease` (that node is gone). */
  async evict(roomId: string, lease: Lease): Promise<boolean> {
    return (await this.redis.eval(RELEASE, { keys: [this.leaseKey(roomId)], arguments: [leaseValue(lease)] })) === 1;
  }

  async owner(roomId: string): Promise<string | null> {
    return (await this.lease(roomId))?.nodeId ?? null;
  }

  async lease(roomId: string): Promise<Lease | null> {
    return parseLease(await this.redis.get(this.leaseKey(roomId)));
  }

  /** The leases of several rooms at once, as stored (null: nobody holds it). */
  async leases(roomIds: string[]): Promise<Map<string, string | null>> {
    if (!roomIds.length) return new Map();
    const values = await this.redis.mGet(roomIds.map(this.leaseKey));
    return new Map(roomIds.map((id, i) => [id, values[i] ?? null]));
  }

  heldLease(roomId: string): Lease | undefined {
    return this.held.get(roomId);
  }

  /**
   * The fencing check before acting on a room: true while Redis still names this node with the epoch
   * it took. A node that lost the lease (it expired during a pause, another node has it now) drops the room.
   */
  async holds(roomId: string): Promise<boolean> {
    const lease = this.held.get(roomId);
    if (!lease) return false;
    const verdict = leaseVerdict(lease, await this.redis.get(this.leaseKey(roomId)));
    if (verdict === 'held') return true;
    this.drop(roomId, verdict);
    return false;
  }

  private drop(roomId: string, verdict: string): void {
    if (!this.held.delete(roomId)) return;
    this.logger.warn({ roomId, verdict }, 'room lease lost: this node stops serving the room');
    this.lost(roomId);
  }

  private async renew(): Promise<void> {
    const rooms = [...this.held];
    try {
      for (const [roomId, lease] of rooms) {
        const ok = await this.redis.eval(RENEW, { keys: [this.leaseKey(roomId)], arguments: [leaseValue(lease), String(this.leaseMs)] });
        if (ok !== 1 && this.held.get(roomId) === lease) this.drop(roomId, 'lost');
      }
      this.lastRenewed = Date.now();
    } catch (err) {
      this.logger.warn({ err }, 'could not renew room leases');
      // Without Redis the leases run out on their own: past their lifetime another node may own the rooms.
      if (Date.now() - this.lastRenewed > this.leaseMs) for (const [roomId] of rooms) this.drop(roomId, 'unrenewed');
    }
  }

  /** Drain: every room goes back at once, so the next node does not wait for the leases to run out. */
  async releaseAll(): Promise<void> {
    for (const roomId of [...this.held.keys()]) await this.release(roomId, this.nodeId).catch(() => undefined);
  }
}
