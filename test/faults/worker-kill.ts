import type { Ack, OrganizationDto, RoomDto, SessionDto } from '../../server/src/contract';
import { api, connectSocket, nextEvent, register, type TestSocket } from '../helpers/api';
import { addMembers } from '../helpers/governance';
import { createRoom, enter, type Member } from '../helpers/room';
import type { FaultServer } from './fault-server';
import { mediasoupWorkers, running, sleep, waitFor } from './processes';

/**
 * Scenario c: kill -9 the mediasoup worker a room lives on. The pool replaces it; the room's peers are
 * told to join again (room:media-reset). Measured from the kill: until /health reports media up, and
 * until a join (the host's rejoin, and a newcomer's first join) is acknowledged on the new worker.
 * (Media actually flowing again is test/media/room-recovery.media-spec.ts.)
 */
export class RoomFixture {
  private constructor(
    readonly server: FaultServer,
    readonly owner: SessionDto,
    readonly org: OrganizationDto,
    readonly room: RoomDto,
    readonly people: SessionDto[],
    public host: Member,
  ) {}

  static async create(server: FaultServer, people: number, mode: 'meeting' | 'webinar' = 'meeting'): Promise<RoomFixture> {
    const owner = await register(server.url, 'Host');
    const org = (await api(server.url).post<OrganizationDto>('/api/organizations', { name: 'Media Fault Association' }, owner.accessToken)).body;
    const members = await addMembers(server.url, owner.accessToken, org.id, people, 'Attendee');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Reading room', mode });
    return new RoomFixture(server, owner, org, room, members, await enter(server.url, owner.accessToken, room.id));
  }

  close(): void {
    this.host.socket.close();
  }
}

export interface WorkerKillRun {
  /** Kill → the host told room:media-reset. */
  resetMs: number;
  /** Kill → /health 200 with media up. */
  healthMs: number;
  /** What /health answered while the worker was being replaced (status codes seen). */
  healthWhileDown: number[];
  /** Kill → the host's rejoin acknowledged. */
  rejoinMs: number;
  /** Kill → a newcomer's first join acknowledged. */
  joinMs: number;
  /** Joins acknowledged after the kill. */
  joins: number;
  problems: string[];
}

const ackCode = (r: Ack<unknown>) => (r.ok ? 'ok' : r.error.code);

/** Joins as a client does after a reset: again while the server says UNAVAILABLE. */
async function joinWhenReady(s: TestSocket, roomId: string, since: number, timeoutMs = 15_000): Promise<{ ms: number; code: string }> {
  for (;;) {
    const r = (await s.timeout(10_000).emitWithAck('room:join', { roomId })) as Ack<unknown>;
    if (r.ok || r.error.code !== 'UNAVAILABLE' || Date.now() - since > timeoutMs) return { ms: Date.now() - since, code: ackCode(r) };
    await sleep(50);
  }
}

export async function workerKill(f: RoomFixture, newcomer: SessionDto): Promise<WorkerKillRun> {
  const problems: string[] = [];
  const { server } = f;
  const workers = mediasoupWorkers(server.pid);
  if (workers.length !== 1) problems.push(`expected one mediasoup worker, found ${workers.length}`);
  const victim = workers[0]!;
  const guest = await connectSocket(server.url, { token: newcomer.accessToken });
  try {
    const reset = nextEvent(f.host.socket, 'room:media-reset', 10_000);
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    const told = await reset.then(
      (e) => (e.roomId === f.room.id ? Date.now() - killedAt : (problems.push(`media-reset for another room: ${e.roomId}`), NaN)),
      (err: Error) => (problems.push(err.message), NaN),
    );

    const healthWhileDown: number[] = [];
    const health = waitFor(
      '/health to report media up',
      async () => {
        const h = await server.health();
        if (h.status === 200 && h.body?.info?.media?.status === 'up') return Date.now() - killedAt;
        healthWhileDown.push(h.status);
        return undefined;
      },
      20_000,
      20,
    ).catch((err: Error) => (problems.push(err.message), NaN));
    const [rejoin, join] = await Promise.all([joinWhenReady(f.host.socket, f.room.id, killedAt), joinWhenReady(guest, f.room.id, killedAt)]);
    const healthMs = await health;
    for (const [who, r] of [['host rejoin', rejoin], ['newcomer join', join]] as const) if (r.code !== 'ok') problems.push(`${who} after the worker died: ${r.code}`);
    const wrong = [...new Set(healthWhileDown)].filter((s) => s !== 503);
    if (wrong.length) problems.push(`/health answered ${wrong.join(', ')} while the worker was being replaced (want 503 with media down)`);

    // The room is on the replacement: it takes a transport, and the dead worker is really gone.
    const t = (await guest.timeout(10_000).emitWithAck('media:create-transport', { direction: 'recv' })) as Ack<unknown>;
    if (!t.ok) problems.push(`transport on the new worker: ${t.error.code}`);
    const after = mediasoupWorkers(server.pid);
    if (running(victim)) problems.push(`the killed worker ${victim} is still running`);
    if (after.length !== 1 || after[0] === victim) problems.push(`workers after the kill: ${after.join(', ')} (killed ${victim})`);
    if (!server.alive()) problems.push('the server exited after the worker was killed');
    return { resetMs: told, healthMs, healthWhileDown: [...new Set(healthWhileDown)], rejoinMs: rejoin.ms, joinMs: join.ms, joins: [rejoin, join].filter((r) => r.code === 'ok').length, problems };
  } finally {
    await guest.timeout(5_000).emitWithAck('room:leave', {}).catch(() => undefined);
    guest.close();
  }
}
