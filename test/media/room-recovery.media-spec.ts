import { readdirSync, readFileSync } from 'node:fs';
import type { RoomDto, SessionDto } from '../../server/src/contract';
import { nextEvent } from '../helpers/api';
import { createRoom, orgWithMembers } from '../helpers/room';
import { sleep, waitFor, within } from '../helpers/rtp';
import { createDatabase, dropDatabase, startServer, type StartedServer } from '../helpers/server-process';
import { type Received, WebRtcPeer } from '../helpers/webrtc-peer';
import { processExists } from './worker-processes';

jest.setTimeout(90_000);

/** mediasoup-worker processes of `parent` (Linux /proc), zombies left out. */
function workerPidsOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return comm.startsWith('mediasoup-work') && Number(ppid) === parent && state !== 'Z' ? [Number(pid)] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

/**
 * The server with its WebRtcServer port below Linux's ephemeral range (32768+): on a busy machine a
 * client socket of another process can hold any port up there. Retries on the rare clash.
 */
async function startServerOnQuietPorts(databaseUrl: string): Promise<StartedServer> {
  for (let attempt = 1; ; attempt++) {
    const min = 20_000 + 10 * Math.floor(Math.random() * 1_200);
    const env = { DATABASE_URL: databaseUrl, MEDIASOUP_WORKERS: '1', RTC_MIN_PORT: String(min), RTC_MAX_PORT: String(min + 9) };
    try {
      return await startServer({ env });
    } catch (error) {
      if (attempt === 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function mediaHealth(base: string): Promise<{ status: number; media: string | undefined }> {
  const res = await fetch(`${base}/health`);
  const body = (await res.json().catch(() => ({}))) as { details?: { media?: { status?: string } } };
  return { status: res.status, media: body.details?.media?.status };
}

describe('a live room after its mediasoup worker is killed', () => {
  let server: StartedServer;
  let databaseUrl: string | undefined;
  let room: RoomDto;
  let host: SessionDto;
  let member: SessionDto;
  const peers: WebRtcPeer[] = [];

  beforeAll(async () => {
    databaseUrl = await createDatabase();
    server = await startServerOnQuietPorts(databaseUrl);
    const org = await orgWithMembers(server.url, 1, 'Recovery Association');
    host = org.owner;
    member = org.people[0]!;
    room = await createRoom(server.url, host.accessToken, org.org.id, { name: 'Recovering room' });
  });

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await server?.stop();
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it('tells both peers to rejoin, and media flows again on new transports on the replacement worker', async () => {
    const a = await WebRtcPeer.connect(server.url, host.accessToken);
    const b = await WebRtcPeer.connect(server.url, member.accessToken);
    peers.push(a, b);

    /** A sends audio and video; B consumes both. Resolves with B's consumers once both carry packets. */
    let joinedAt = 0;
    const setUp = async (): Promise<Received[]> => {
      await a.join(room.id);
      await b.join(room.id);
      joinedAt = Date.now();
      const produced = await a.publish(['audio', 'video']);
      a.startSending();
      const handles = await b.subscribe([...produced].map(([kind, producerId]) => ({ kind, producerId })));
      expect(handles.map((h) => h.kind)).toEqual(['audio', 'video']);
      return handles;
    };

    const before = await setUp();
    await b.receiveMore(before, 10, 10_000);
    const sessionId = a.joined!.sessionId;

    const [victim, ...others] = workerPidsOf(server.process.pid!);
    expect(victim).toBeDefined();
    expect(others).toEqual([]); // MEDIASOUP_WORKERS=1: the room's worker is the only one

    const resets = [a, b].map((p) => nextEvent(p.socket, 'room:media-reset', 5_000));
    const killedAt = Date.now();
    process.kill(victim!, 'SIGKILL');

    for (const reset of await Promise.all(resets)) expect(reset).toEqual({ roomId: room.id, reason: 'worker-died' });
    const resetMs = Date.now() - killedAt;
    expect(processExists(victim!)).toBe(false);

    // /health is watched from the moment the server has seen the death; it must come back to media up by itself.
    const healthyAt = (async (): Promise<number | null> => {
      while (Date.now() < killedAt + 15_000) {
        const health = await mediaHealth(server.url).catch(() => null);
        if (health?.status === 200 && health.media === 'up') return Date.now();
        await sleep(50);
      }
      return null;
    })();


    // The clients rejoin straight away, as the web client does; the server waits for the replacement worker.
    const after = await within(setUp(), 20_000, 'rejoin, publish and subscribe after the reset');
    expect(after.every((h) => !before.some((old) => old.consumerId === h.consumerId))).toBe(true);
    await waitFor(() => after.some((h) => h.firstAt !== null), 10_000, 'the first packet on a new consumer');
    const flowingMs = Math.min(...after.flatMap((h) => (h.firstAt === null ? [] : [h.firstAt]))) - killedAt;
    await b.receiveMore(after, 25, 10_000);

    const healthy = await healthyAt;
    expect(healthy).not.toBeNull();
    const healthyMs = healthy! - killedAt;
    expect(await mediaHealth(server.url)).toEqual({ status: 200, media: 'up' });
    // The replacement is counted for operators.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^quorum_mediasoup_worker_replacements_total 1$/m);

    const [replacement, ...extra] = workerPidsOf(server.process.pid!);
    expect(extra).toEqual([]);
    expect(replacement).not.toBe(victim);
    // The session outlives the reset: same attendance session, new media.
    expect(a.joined!.sessionId).toBe(sessionId);
    expect(b.joined!.sessionId).toBe(sessionId);

    console.log(
      `room recovery: room:media-reset ${resetMs} ms after SIGKILL, media flowing again after ${flowingMs} ms, ` +
        `both rejoined by ${joinedAt - killedAt} ms, /health up by ${healthyMs} ms; ` +
        `B received ${after.map((h) => `${h.kind} ${h.packets}`).join(', ')} on the new consumers`,
    );
    expect(flowingMs).toBeLessThan(15_000);
  });
});
