import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Ack } from '../../contract';
import { AppError } from '../../common/errors';
import type { Redis } from './redis';

/** What an edge node knows of its socket and sends along with a forwarded command. */
const remoteSocket = z.object({
  id: z.string(),
  data: z.object({ principal: z.looseObject({ userId: z.string(), sessionId: z.string() }), guest: z.looseObject({ passId: z.string() }).optional(), socketId: z.string() }),
  rooms: z.array(z.string()),
});
export type RemoteSocketInfo = z.infer<typeof remoteSocket>;

/** Node-to-node messages, each on the addressee's own channel. Checked on arrival like any input. */
const message = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('command'), id: z.string(), from: z.string(), roomId: z.string(), socket: remoteSocket, event: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('reply'), id: z.string(), ack: z.custom<Ack<unknown>>((v) => typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean') }),
  z.object({ kind: z.literal('socket-gone'), from: z.string(), socketId: z.string(), reason: z.string() }),
  z.object({ kind: z.literal('socket-back'), from: z.string(), socket: remoteSocket }),
  // Media between a room's owner and the nodes serving its viewers (edge-link.ts): `body` is checked by the op's own schema.
  z.object({ kind: z.literal('media'), id: z.string(), from: z.string(), op: z.string(), body: z.unknown() }),
]);
export type BusMessage = z.infer<typeof message>;
const sharedEvent = z.object({ from: z.string(), name: z.string(), payload: z.unknown() });
export type ForwardedCommand = Extract<BusMessage, { kind: 'command' }>;

/** Longer than any command takes (a vote waits for its commit), shorter than a client's own timeout. */
const FORWARD_TIMEOUT_MS = 4_000;
/** How often a request in flight checks that its addressee still listens. */
const GONE_POLL_MS = 500;

/**
 * Request/response between nodes over Redis pub/sub: each node listens on its channel; a forwarded
 * command carries a request id that the owner's reply names. A node that is not listening (dead,
 * not started) is known at once from PUBLISH's receiver count.
 */
export class NodeBus {
  private sub: Redis | undefined;
  /** Requests in flight: settling one answers it, stops its timers and forgets it. */
  private readonly pending = new Map<string, (a: Ack<unknown> | null) => void>();
  onCommand: (cmd: ForwardedCommand) => Promise<Ack<unknown>> = async () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'Not ready.' } });
  onMedia: (from: string, op: string, body: unknown) => Promise<Ack<unknown>> = async () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'Not ready.' } });
  onNotice: (msg: Extract<BusMessage, { kind: 'socket-gone' | 'socket-back' }>) => void = () => undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {}

  private channel = (nodeId: string) => `${this.prefix}bus:${nodeId}`;
  /** Domain events every node must apply to its own sockets and rooms (see ClusterService.shareEvents). */
  private get everyone() {
    return `${this.prefix}events`;
  }
  onEvent: (from: string, name: string, payload: unknown) => void = () => undefined;

  async start(): Promise<void> {
    this.sub = this.redis.duplicate();
    this.sub.on('error', () => undefined); // the main client logs connection trouble
    await this.sub.connect();
    await this.sub.subscribe(this.channel(this.nodeId), (raw) => this.receive(raw));
    await this.sub.subscribe(this.everyone, (raw) => {
      try {
        const e = sharedEvent.safeParse(JSON.parse(raw));
        if (e.success && e.data.from !== this.nodeId) this.onEvent(e.data.from, e.data.name, e.data.payload);
      } catch {
        this.logger.warn('malformed event on the node bus');
      }
    });
  }

  async stop(): Promise<void> {
    for (const settle of [...this.pending.values()]) settle(unavailable());
    await this.sub?.quit().catch(() => undefined);
  }

  private receive(raw: string): void {
    let parsed;
    try {
      parsed = message.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.logger.warn('malformed message on the node bus');
      return;
    }
    const msg = parsed.data;
    if (msg.kind === 'reply') {
      this.pending.get(msg.id)?.(msg.ack);
    } else if (msg.kind === 'command') {
      void this.onCommand(msg).then(
        (ack) => this.send(msg.from, { kind: 'reply', id: msg.id, ack }),
        (err: unknown) => this.logger.error({ err }, 'forwarded command failed'),
      );
    } else if (msg.kind === 'media') {
      void this.onMedia(msg.from, msg.op, msg.body).then(
        (ack) => this.send(msg.from, { kind: 'reply', id: msg.id, ack }),
        (err: unknown) => this.logger.error({ err, op: msg.op }, 'media request failed'),
      );
    } else {
      this.onNotice(msg);
    }
  }

  private async send(nodeId: string, msg: BusMessage): Promise<number> {
    return this.redis.publish(this.channel(nodeId), JSON.stringify(msg));
  }

  /**
   * Runs a command on `owner` and returns its ack; UNAVAILABLE when the owner does not answer in time,
   * null when no such node listens (it is gone: nothing was sent).
   */
  async forward(owner: string, cmd: Omit<ForwardedCommand, 'kind' | 'id' | 'from'>): Promise<Ack<unknown> | null> {
    return this.ask(owner, (id) => ({ kind: 'command', id, from: this.nodeId, ...cmd }));
  }

  /** A media request to another node (see `forward` for the answers). */
  async request(nodeId: string, op: string, body: unknown): Promise<Ack<unknown> | null> {
    return this.ask(nodeId, (id) => ({ kind: 'media', id, from: this.nodeId, op, body }));
  }

  private async ask(nodeId: string, build: (id: string) => BusMessage): Promise<Ack<unknown> | null> {
    const id = randomUUID();
    let watch: NodeJS.Timeout | undefined;
    const answered = new Promise<Ack<unknown> | null>((resolve) => {
      const timer = setTimeout(() => settle(unavailable()), FORWARD_TIMEOUT_MS);
      const settle = (ack: Ack<unknown> | null) => {
        clearTimeout(timer);
        clearInterval(watch);
        this.pending.delete(id);
        resolve(ack);
      };
      this.pending.set(id, settle);
    });
    const receivers = await this.send(nodeId, build(id));
    if (receivers === 0) {
      this.pending.get(id)?.(null);
      return null;
    }
    // A node killed just before the request may still have counted as listening: while waiting, one that
    // stops listening is gone, and the wait ends there rather than at the timeout.
    watch = setInterval(() => {
      void this.listening(nodeId).then(
        (yes) => {
          if (!yes) this.pending.get(id)?.(null);
        },
        () => undefined,
      );
    }, GONE_POLL_MS).unref();
    return answered;
  }

  /** Whether `nodeId` listens on its channel now. A killed node's subscription ends with its connection. */
  async listening(nodeId: string): Promise<boolean> {
    const channel = this.channel(nodeId);
    const counts = await this.redis.pubSubNumSub(channel);
    return Number(counts[channel] ?? 0) > 0;
  }

  /** To every other node listening now (fire and forget). */
  broadcast(name: string, payload: unknown): void {
    void this.redis.publish(this.everyone, JSON.stringify({ from: this.nodeId, name, payload })).catch((err: unknown) => this.logger.warn({ err, name }, 'could not share an event with the other nodes'));
  }

  notify(nodeId: string, msg: Extract<BusMessage, { kind: 'socket-gone' | 'socket-back' }>): void {
    void this.send(nodeId, msg).catch((err: unknown) => this.logger.warn({ err, nodeId }, 'could not tell a node about a socket'));
  }
}

const unavailable = (): Ack<unknown> => {
  const err = new AppError('UNAVAILABLE', 'The server hosting this room does not answer. Try again in a moment.');
  return { ok: false, error: { code: err.code, message: err.message } };
};
