import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Logger } from 'pino';
import { commandSchemas, guestMayRun, type Ack, type CommandName } from '../../contract';
import { AppError, invalidPayload, toErrorBody } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { Command, type AppSocket, type CommandContext } from '../../common/ws/command';
import { ClusterService } from '../cluster/cluster.service';
import { GuestPassService } from '../guests/guest-pass.service';
import { IdentityService } from '../identity/identity.service';
import { MetricsService } from '../ops/metrics.service';
import { TokenBucket } from './token-bucket';

type Handler = (ctx: CommandContext, payload: unknown) => unknown;

/** Per-socket command budget: a burst of 40, then 20 per second. Beyond that: RATE_LIMITED. */
const BURST = 40;
const PER_SECOND = 20;

const isCommand = (name: string): name is CommandName => Object.prototype.hasOwnProperty.call(commandSchemas, name);

/**
 * The one path every socket command takes: rate limit → schema → handler → ack envelope + metric.
 * Handlers are provider methods marked with @Command; a command in the contract without a handler
 * stops the boot, so the contract and the server cannot drift apart.
 */
@Injectable()
export class CommandRouter implements OnModuleInit {
  private readonly handlers = new Map<CommandName, Handler>();
  /** While shutting down: no new joins (everything else, votes included, still runs to completion). */
  draining = false;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly buckets = new WeakMap<AppSocket, TokenBucket>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metrics: MetricsService,
    private readonly identity: IdentityService,
    private readonly guests: GuestPassService,
    private readonly cluster: ClusterService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !Object.getPrototypeOf(instance)) continue;
      for (const key of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const name = this.discovery.getMetadataByDecorator(Command, wrapper, key);
        if (!name) continue;
        if (this.handlers.has(name)) throw new Error(`socket command ${name} has two handlers`);
        this.handlers.set(name, (instance[key] as Handler).bind(instance));
      }
    }
    const missing = (Object.keys(commandSchemas) as CommandName[]).filter((c) => !this.handlers.has(c));
    if (missing.length) throw new Error(`socket commands without a handler: ${missing.join(', ')}`);
    // A command forwarded by another node passed its checks there; here it is validated and run.
    this.cluster.serveWith((socket, event, payload) => {
      const parsed = commandSchemas[event].safeParse(payload);
      if (!parsed.success) return Promise.resolve({ ok: false, error: toErrorBody(invalidPayload(parsed.error)) });
      return this.run(socket, event, parsed.data);
    });
  }

  /** Called for every incoming event. Never throws; answers through the ack when there is one. */
  async dispatch(socket: AppSocket, event: string, args: unknown[]): Promise<void> {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (r: Ack<unknown>) => void) : undefined;
    const payload = ack ? args.slice(0, -1) : args;
    const started = process.hrtime.bigint();
    const reply = (res: Ack<unknown>, outcome: string) => {
      this.metrics.commandDuration.observe(
        { command: isCommand(event) ? event : 'unknown', outcome },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      ack?.(res);
    };

    let bucket = this.buckets.get(socket);
    if (!bucket) this.buckets.set(socket, (bucket = new TokenBucket(BURST, PER_SECOND)));
    if (!bucket.take())
      return reply({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many commands. Slow down.' } }, 'RATE_LIMITED');
    if (!isCommand(event)) return reply({ ok: false, error: { code: 'UNKNOWN_EVENT', message: 'Unknown command.' } }, 'UNKNOWN_EVENT');
    if (!ack) return; // Every command answers; one sent without an ack has nobody to answer, so it is not run.
    const guest = socket.data.guest;
    // A guest pass opens one webinar as an attendee: every other command is refused before it is read.
    if (guest && !guestMayRun(event))
      return reply(
        { ok: false, error: { code: 'FORBIDDEN', message: 'A guest can only take part in the webinar they came to.' } },
        'FORBIDDEN',
      );
    if (payload.length !== 1)
      return reply(
        { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'A command takes exactly one payload object.' } },
        'INVALID_PAYLOAD',
      );

    const parsed = commandSchemas[event].safeParse(payload[0]);
    if (!parsed.success) {
      const body = toErrorBody(invalidPayload(parsed.error));
      return reply({ ok: false, error: body }, body.code);
    }
    if (this.draining && event === 'room:join') {
      return reply(
        { ok: false, error: { code: 'UNAVAILABLE', message: 'The server is restarting. Try again in a moment.' } },
        'UNAVAILABLE',
      );
    }
    const principal = socket.data.principal;
    // The handshake is not enough: a session ended since (sign-out, stolen refresh token, new password,
    // deleted account) must not run one more command on a socket that was opened before.
    const open = guest ? this.guests.passOpen(guest) : this.identity.sessionOpen(principal);
    if (open !== true && (open === false || !(await open.catch(() => false)))) {
      reply({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'The session has ended. Sign in again.' } }, 'UNAUTHENTICATED');
      socket.disconnect(true);
      return;
    }
    // With several nodes, a room command runs on the node owning the room; counted here while it travels.
    this.inFlight++;
    let res: Ack<unknown>;
    try {
      res = await this.cluster.route(socket, event, payload[0], () => this.run(socket, event, parsed.data));
    } catch (err) {
      this.logger.error({ err, socketId: socket.id, command: event }, 'could not route a socket command');
      res = { ok: false, error: { code: 'UNAVAILABLE', message: 'The server cannot reach the room right now. Try again in a moment.' } };
    } finally {
      if (--this.inFlight === 0) for (const w of this.idleWaiters) w();
    }
    reply(res, res.ok ? 'ok' : res.error.code);
  }

  /** The handler of `event` on a validated payload, its outcome as an ack; counted while in flight. */
  private async run(socket: AppSocket, event: CommandName, data: unknown): Promise<Ack<unknown>> {
    const principal = socket.data.principal;
    // Built only when something is logged: a child logger per command costs more than most commands.
    // A command that changes state carries the client's request id: its log lines name it, so a
    // retried or failed vote or message can be followed from the client's report to the server's log.
    let child: Logger | undefined;
    const logger = this.logger;
    const requestId = (data as { clientRequestId?: string }).clientRequestId;
    const ctx: CommandContext = {
      socket,
      principal,
      get log() {
        return (child ??= logger.child({
          socketId: socket.id,
          userId: principal.userId,
          command: event,
          ...(requestId ? { requestId } : {}),
        }));
      },
    };
    this.inFlight++;
    try {
      const result = await this.handlers.get(event)!(ctx, data);
      return { ok: true, data: result ?? null };
    } catch (err) {
      if (!(err instanceof AppError)) ctx.log.error({ err }, 'socket command failed');
      return { ok: false, error: toErrorBody(err) };
    } finally {
      if (--this.inFlight === 0) for (const w of this.idleWaiters) w();
    }
  }

  /** Resolves when no command is running, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }
}
