/**
 * Recording through the built server, with a WebRTC client (werift) sending real VP8 and Opus (FFmpeg
 * replaying a flash-and-beep file) and a second person watching:
 * - only hosts start and stop it; everyone is told when it starts and stops, and on joining while it
 *   records; start and stop go into the meeting's record (its audit chain);
 * - a recorder FFmpeg killed with SIGKILL mid-way: what it wrote is kept and plays, the host's socket
 *   is told it was interrupted and then that it resumed (by itself), and the composition covers both
 *   parts; every file is registered with its size and SHA-256, and the recording becomes ready;
 * - a server that dies while recording: the next one composes what was written;
 * - without FFmpeg the server runs all the same and says that recording is unavailable, and why.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { RecordingChange, RoomRecording } from '../../server/src/contract';
import { avOffsets, beepOnsets, decodes, encodeFlashBeep, FLASH_BEEP, flashesAlong, median, probe } from '../helpers/av-sync';
import { command, type TestSocket } from '../helpers/api';
import { code, createRoom, enter, orgWithMembers } from '../helpers/room';
import { LOOPBACK, waitFor } from '../helpers/rtp';
import { type StartedServer, startServer } from '../helpers/server-process';
import { WebRtcPeer } from '../helpers/webrtc-peer';

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await done()); await sleep(250))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** Every `recording:changed` a socket receives, in order. */
function changes(socket: TestSocket): { change: RecordingChange; recording: RoomRecording }[] {
  const seen: { change: RecordingChange; recording: RoomRecording }[] = [];
  socket.on('recording:changed', (e) => seen.push(e));
  return seen;
}

/**
 * Feeds a werift peer's published tracks with real media: FFmpeg replays `file` in real time as RTP
 * to local sockets, and each packet is sent on through the peer's WebRTC connection.
 */
async function feed(peer: WebRtcPeer, file: string): Promise<{ stop(): void; process: ChildProcess }> {
  const sockets = await Promise.all(
    (['video', 'audio'] as const).map(
      (kind) =>
        new Promise<{ kind: 'video' | 'audio'; socket: dgram.Socket; port: number }>((resolve) => {
          const socket = dgram.createSocket('udp4');
          socket.on('message', (msg) => {
            // RTCP from FFmpeg stays here: werift sends its own.
            if (msg.length >= 2 && msg[1]! >= 192 && msg[1]! <= 223) return;
            peer.sendRtp(kind, msg);
          });
          socket.bind(0, LOOPBACK, () => resolve({ kind, socket, port: socket.address().port }));
        }),
    ),
  );
  const outputs = sockets.flatMap(({ kind, port }) => [
    '-map',
    `0:${kind === 'video' ? 'v' : 'a'}:0`,
    '-c',
    'copy',
    '-f',
    'rtp',
    `rtp://${LOOPBACK}:${port}?pkt_size=1100`,
  ]);
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, ...outputs], { stdio: 'ignore' });
  let stopped = false;
  return {
    process: child,
    stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGKILL');
      for (const s of sockets) s.socket.close();
    },
  };
}

/**
 * Whether the reader `r` still runs: its pid alive with its command line. A killed process waits as a
 * zombie (no command line) until its new parent reaps it, and a pid can be taken by another process
 * later; neither is the reader running.
 */
function stillRunning(r: { pid: number; args: string[] }): boolean {
  try {
    return readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0').join(' ') === r.args.join(' ');
  } catch {
    return false;
  }
}

/** The FFmpeg processes a server started, with their command line. */
function childFfmpegs(serverPid: number): { pid: number; args: string[] }[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== serverPid || !readlinkSync(`/proc/${d}/exe`).includes('ffmpeg')) return [];
        return [{ pid: Number(d), args: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0') }];
      } catch {
        return [];
      }
    });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('recording a live room', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'quorum-rec-data-'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'quorum-rec-src-'));
  let server: StartedServer;
  let source: string;
  const cleanup: (() => unknown)[] = [];

  beforeAll(async () => {
    [server, source] = await Promise.all([
      startServer({ env: { DATA_DIR: dataDir } }),
      encodeFlashBeep(path.join(scratch, 'flash-beep.mkv'), 60),
    ]);
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function db<T = Record<string, unknown>>(sql: string, params: unknown[] = [], url = server.databaseUrl): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('is started by a host only, told to everyone, survives a killed recorder, and is composed over both parts', async () => {
    const { http, owner, org, people } = await orgWithMembers(server.url, 2);
    const room = await createRoom(server.url, owner.accessToken, org.id);
    const meeting = await http.post(
      `/api/organizations/${org.id}/meetings`,
      { title: 'Board', roomId: room.id, scheduledAt: new Date().toISOString() },
      owner.accessToken,
    );
    expect(meeting.status).toBe(201);

    const host = await WebRtcPeer.connect(server.url, owner.accessToken);
    cleanup.push(() => host.close());
    const hostJoined = await host.join(room.id);
    expect(hostJoined.recording).toEqual({ available: true, problem: null, current: null });
    const hostSeen = changes(host.socket);
    const member = await enter(server.url, people[0]!.accessToken, room.id);
    cleanup.push(() => member.socket.close());
    const memberSeen = changes(member.socket);

    await host.publish(['video', 'audio']);
    const media = await feed(host, source);
    cleanup.push(() => media.stop());

    // An attendee may not record.
    expect(code(await command(member.socket, 'recording:start', {}))).toBe('FORBIDDEN');
    expect(code(await command(member.socket, 'recording:stop', {}))).toBe('FORBIDDEN');
    expect(code(await command(host.socket, 'recording:stop', {}))).toBe('NOT_RECORDING');

    // Bad input is refused before anything starts.
    expect(code(await command(host.socket, 'recording:start', { layout: 'mosaic' } as never))).toBe('INVALID_PAYLOAD');
    // The member captions in English: typed lines said during the recording go into it.
    expect(code(await command(host.socket, 'captions:assign', { userId: people[0]!.user.id, language: 'en' }))).toBe('ok');

    const started = await command(host.socket, 'recording:start', { clientRequestId: 'start-recording-1', layout: 'speaker' });
    if (!started.ok) throw new Error(started.error.code);
    const recordingId = started.data.current!.recordingId;
    const startedAt = Date.parse(started.data.current!.startedAt);
    expect(started.data.current).toMatchObject({ status: 'recording', tracks: 2, interrupted: 0, startedBy: 'Host' });
    // A retried start answers with the same recording.
    const retried = await command(host.socket, 'recording:start', { clientRequestId: 'start-recording-1' });
    expect(retried.ok && retried.data.current?.recordingId).toBe(recordingId);
    await waitFor(() => memberSeen.some((e) => e.change === 'started'), 5_000, 'the member told of the start');
    expect(memberSeen[0]!.recording.current).toMatchObject({ recordingId, status: 'recording' });

    // Someone joining while it records is told so in the join.
    const late = await enter(server.url, people[1]!.accessToken, room.id);
    cleanup.push(() => late.socket.close());
    expect(late.joined.recording.current).toMatchObject({ recordingId, status: 'recording' });
    const state = await command(late.socket, 'recording:state', {});
    expect(state.ok && state.data.current?.recordingId).toBe(recordingId);

    await sleep(2_000);
    const LINE = 'The minutes of the last meeting are approved.';
    const lineAt = Date.now();
    expect(code(await command(member.socket, 'captions:line', { clientRequestId: 'caption-line-1', language: 'en', text: LINE }))).toBe('ok');

    // Kill the camera's recorder with SIGKILL after a few seconds.
    await sleep(3_000);
    const readers = childFfmpegs(server.process.pid!).filter((p) => p.args.some((a) => a.includes(recordingId)));
    expect(readers).toHaveLength(2);
    const camera = readers.find((p) => p.args.some((a) => /tracks\/camera-[^/]+\/segment-000\.mkv$/.test(a)))!;
    const firstPart = camera.args.find((a) => a.endsWith('segment-000.mkv'))!;
    const killedAt = Date.now();
    process.kill(camera.pid, 'SIGKILL');

    await waitFor(() => hostSeen.some((e) => e.change === 'interrupted'), 10_000, 'the host told of the interruption');
    expect(hostSeen.find((e) => e.change === 'interrupted')!.recording.current).toMatchObject({
      recordingId,
      status: 'recording',
      interrupted: 1,
    });
    await waitFor(() => hostSeen.some((e) => e.change === 'resumed'), 15_000, 'the host told the recorder resumed');
    expect(hostSeen.find((e) => e.change === 'resumed')!.recording.current).toMatchObject({ interrupted: 0 });
    // What was written before the kill is kept, and plays.
    expect((await probe(firstPart)).streams.map((s) => s.codec_name)).toEqual(['vp8']);
    expect(await decodes(firstPart)).toBe(true);

    await sleep(6_000);
    const stopped = await command(host.socket, 'recording:stop', {});
    if (!stopped.ok) throw new Error(stopped.error.code);
    expect(stopped.data.current).toMatchObject({ recordingId, status: 'processing' });
    const wallSeconds = (Date.parse(stopped.data.current!.stoppedAt!) - startedAt) / 1000;
    await waitFor(() => memberSeen.some((e) => e.change === 'stopped'), 5_000, 'the member told of the stop');
    await waitFor(() => memberSeen.some((e) => e.change === 'ready' || e.change === 'failed'), 120_000, 'the composition');
    expect(memberSeen.map((e) => e.change)).toEqual(['started', 'interrupted', 'resumed', 'stopped', 'ready']);

    const [row] = await db<{ status: string; meeting_id: string; ended_at: Date; failure: string | null }>(
      `SELECT * FROM recordings WHERE id = $1`,
      [recordingId],
    );
    expect(row).toMatchObject({ status: 'ready', meeting_id: meeting.body.id, failure: null });
    const files = await db<{ kind: string; path: string; sha256: string; bytes: string; language: string | null }>(
      `SELECT * FROM recording_files WHERE recording_id = $1 ORDER BY path`,
      [recordingId],
    );
    const dir = path.join(dataDir, 'recordings', recordingId);
    for (const f of files) expect([f.path, sha256(path.join(dir, f.path))]).toEqual([f.path, f.sha256]);
    expect(files.filter((f) => f.kind === 'track').map((f) => f.path.replace(/-[0-9a-f]{8}\//, '/'))).toEqual([
      'tracks/camera/segment-000.mkv',
      'tracks/camera/segment-001.mkv',
      'tracks/mic/segment-000.mkv',
    ]);
    expect(files.find((f) => f.kind === 'composite')?.path).toBe('composite.mp4');
    expect(files.some((f) => f.path === 'hls/master.m3u8')).toBe(true);
    // The layout the host chose is the one composed.
    expect((JSON.parse(readFileSync(path.join(dir, 'timeline.json'), 'utf8')) as { layout: string }).layout).toBe('speaker');

    // The typed caption: kept with the recording, timed from the recording's start, and in the HLS rendition.
    expect(files.find((f) => f.kind === 'captions')).toMatchObject({ path: 'captions/en.vtt', language: 'en' });
    const vtt = readFileSync(path.join(dir, 'captions', 'en.vtt'), 'utf8');
    const cue = /(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> [\d:.]+\n(.*)/.exec(vtt);
    expect(cue?.[5]).toContain(LINE);
    const cueAt = Number(cue![1]) * 3600 + Number(cue![2]) * 60 + Number(cue![3]) + Number(cue![4]) / 1000;
    expect(Math.abs(cueAt - (lineAt - startedAt) / 1000)).toBeLessThan(1);
    expect(readFileSync(path.join(dir, 'hls', 'master.m3u8'), 'utf8')).toMatch(/#EXT-X-MEDIA:TYPE=SUBTITLES,.*LANGUAGE="en"/);
    expect(readFileSync(path.join(dir, 'hls', 'subtitles-en', 'captions.vtt'), 'utf8')).toContain(LINE);

    // The composition: H.264 + AAC, as long as the recording, and covering both parts of the camera.
    const mp4 = path.join(dir, 'composite.mp4');
    const composite = await probe(mp4);
    expect(composite.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    expect(Math.abs(composite.duration - wallSeconds)).toBeLessThan(1);
    const { epochs } = JSON.parse(readFileSync(path.join(dir, 'composition.json'), 'utf8')) as {
      epochs: { from: number; to: number; rects: Record<string, { x: number; y: number; w: number; h: number }> }[];
    };
    const cameraKey = files.find((f) => f.path.startsWith('tracks/camera'))!.path.split('/')[1]!;
    const flashes = await flashesAlong(
      mp4,
      epochs.flatMap((e) => (e.rects[cameraKey] ? [{ from: e.from, to: e.to, crop: e.rects[cameraKey]! }] : [])),
    );
    const cut = (killedAt - startedAt) / 1000;
    expect(flashes.filter((t) => t < cut - 0.5).length).toBeGreaterThanOrEqual(3);
    expect(flashes.filter((t) => t > cut + 2).length).toBeGreaterThanOrEqual(3);
    const offsets = avOffsets(flashes, await beepOnsets(mp4), FLASH_BEEP.period).map((o) => Math.round(o.offset * 1000));
    console.log(
      `recording through the server: A/V offset median ${median(offsets)} ms over ${offsets.length} flashes (${offsets.join(' ')}); ${wallSeconds.toFixed(1)} s recorded, ${composite.duration.toFixed(2)} s composed`,
    );
    expect(Math.abs(median(offsets))).toBeLessThanOrEqual(80);

    // The meeting's record says who started and stopped it, then (once archived) every file's SHA-256.
    type Entry = { recordingId: string; by?: string; files?: { path: string; sha256: string }[] };
    const readAudit = () =>
      db<{ kind: string; payload: Entry }>(
        `SELECT kind, payload FROM audit_log WHERE meeting_id = $1 AND kind LIKE 'recording.%' ORDER BY seq`,
        [meeting.body.id],
      );
    // The archive appends its entry when it takes the recording in, just after the recording is ready.
    let audit = await readAudit();
    for (let tries = 0; tries < 100 && !audit.some((a) => a.kind === 'recording.archived'); tries++) {
      await new Promise((r) => setTimeout(r, 100));
      audit = await readAudit();
    }
    expect(audit.map((a) => [a.kind, a.payload.recordingId, a.payload.by])).toEqual([
      ['recording.started', recordingId, owner.user.id],
      ['recording.stopped', recordingId, owner.user.id],
      ['recording.archived', recordingId, undefined],
    ]);
    const stored = await db<{ path: string; sha256: string }>(
      `SELECT path, sha256 FROM recording_files WHERE recording_id = $1 ORDER BY path`,
      [recordingId],
    );
    const chained = [...(audit[2]!.payload.files ?? [])]
      .map((f) => ({ path: f.path, sha256: f.sha256 }))
      .sort((a, b) => a.path.localeCompare(b.path));
    expect(chained).toEqual(stored.map((f) => ({ path: f.path, sha256: f.sha256 })));
    expect(chained.length).toBeGreaterThan(2);
  });

  it('finishes a recording whose server died: the next process composes what was written', async () => {
    // A server of its own on the same database and folder, killed outright mid-recording.
    const crashing = await startServer({ env: { DATA_DIR: dataDir, DATABASE_URL: server.databaseUrl } });
    let next: StartedServer | null = null;
    cleanup.push(async () => {
      crashing.process.kill('SIGKILL');
      await next?.stop();
    });
    const { owner, org } = await orgWithMembers(crashing.url, 0);
    const room = await createRoom(crashing.url, owner.accessToken, org.id);
    const host = await WebRtcPeer.connect(crashing.url, owner.accessToken);
    cleanup.push(() => host.close());
    await host.join(room.id);
    await host.publish(['video', 'audio']);
    const media = await feed(host, source);
    cleanup.push(() => media.stop());
    const started = await command(host.socket, 'recording:start', {});
    if (!started.ok) throw new Error(started.error.code);
    const recordingId = started.data.current!.recordingId;
    await sleep(4_000);
    const readers = childFfmpegs(crashing.process.pid!).filter((p) => p.args.some((a) => a.includes(recordingId)));
    expect(readers).toHaveLength(2);
    expect(readers.filter(stillRunning)).toHaveLength(2);
    crashing.process.kill('SIGKILL');
    await new Promise((r) => crashing.process.once('exit', r));
    media.stop();
    const [left] = await db<{ status: string }>(`SELECT status FROM recordings WHERE id = $1`, [recordingId]);
    expect(left!.status).toBe('recording');

    next = await startServer({ env: { DATA_DIR: dataDir, DATABASE_URL: server.databaseUrl } });
    await until(
      async () =>
        ['ready', 'failed'].includes(
          (await db<{ status: string }>(`SELECT status FROM recordings WHERE id = $1`, [recordingId]))[0]!.status,
        ),
      120_000,
      'the left recording composed',
    );
    const [row] = await db<{ status: string; ended_at: Date; started_at: Date }>(`SELECT * FROM recordings WHERE id = $1`, [recordingId]);
    expect(row!.status).toBe('ready');
    // The readers the dead server left behind were ended.
    expect(readers.filter(stillRunning)).toEqual([]);
    const composite = await probe(path.join(dataDir, 'recordings', recordingId, 'composite.mp4'));
    expect(composite.streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
    expect(composite.duration).toBeGreaterThan(2);
    console.log(`recording left by a killed server: ${composite.duration.toFixed(2)} s composed by the next process`);
  });

  it('without FFmpeg, the server runs and rooms say recording is unavailable', async () => {
    const noTools = await startServer({ env: { PATH: mkdtempSync(path.join(tmpdir(), 'quorum-empty-path-')) } });
    cleanup.push(() => noTools.stop());
    const { owner, org } = await orgWithMembers(noTools.url, 0);
    const room = await createRoom(noTools.url, owner.accessToken, org.id);
    const host = await enter(noTools.url, owner.accessToken, room.id);
    cleanup.push(() => host.socket.close());
    expect(host.joined.recording).toEqual({ available: false, problem: 'FFMPEG_MISSING', current: null });
    const refused = await command(host.socket, 'recording:start', {});
    expect(refused.ok ? 'ok' : [refused.error.code, (refused.error.details as { problem: string }).problem]).toEqual([
      'RECORDING_UNAVAILABLE',
      'FFMPEG_MISSING',
    ]);
    expect(noTools.logs()).toContain('recording unavailable: install FFmpeg');
  });
});
