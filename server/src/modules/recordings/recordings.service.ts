import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { RecordingChange, RecordingLayout, RecordingStatus, RecordingView, RoomRecording } from '../../contract/recordings';
import { DomainEvents } from '../../common/domain-events';
import { AppError, isUniqueViolation } from '../../common/errors';
import { LOGGER } from '../../common/logging';
import { AuditLog } from '../governance/audit-log';
import { KeyedMutex } from '../rooms/live/keyed-mutex';
import type { LiveRoom, Peer } from '../rooms/live/live-room';
import { ROOM_DIRECTORY, type RoomDirectory } from '../rooms/live/room-directory';
import { RoomRegistry } from '../rooms/live/room-registry';
import { compose, type CaptionsProvider } from './composer';
import { recorderStatus, RECORDER_INSTALL_HINT } from './recorder-tools';
import { recordingDir, registerFile } from './recording-files';
import { mustMove, nextRecordingState, type RecordingEvent, type RecordingState, startedRecording, storedRecording } from './recording-state';
import { RoomRecorder, TIMELINE_FILE } from './room-recorder';
import type { Timeline } from './timeline';

/**
 * Readers a dead process left running (a child outlives its parent) would hold their files open: each
 * one still writing a segment of this recording (checked by its command line) is killed, and its file,
 * readable up to its last half second, is composed as it is.
 */
async function endReadersLeftBehind(timeline: Timeline, dir: string, log: Logger): Promise<void> {
  for (const segment of timeline.tracks.flatMap((t) => t.segments)) {
    if (!segment.pid || segment.end !== null) continue;
    const cmdline = await readFile(`/proc/${segment.pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.split('\0').includes(path.join(dir, segment.file))) continue;
    try {
      process.kill(segment.pid, 'SIGKILL');
      log.warn({ pid: segment.pid, file: segment.file }, 'ended a reader left by a stopped process');
    } catch {
      // Gone meanwhile.
    }
  }
  // The files are complete once their writer is gone.
  await new Promise((r) => setTimeout(r, 200));
}

/** Where captions for a recording come from: bound by the captions module when it runs; optional. */
export const RECORDING_CAPTIONS = Symbol('RECORDING_CAPTIONS');

/** How often the node writing or composing a recording vouches for it. */
const HEARTBEAT_MS = 5_000;
/** A recording nobody vouched for this long is an orphan: its node died. */
const ORPHAN_AFTER_MS = 20_000;

interface LiveRecording {
  id: string;
  room: LiveRoom;
  recorder: RoomRecorder;
  state: RecordingState;
  startedAt: Date;
  startedBy: string | null;
  meetingId: string | null;
}

interface Row {
  id: string;
  room_id: string;
  meeting_id: string | null;
  status: RecordingStatus;
  started_at: Date;
  ended_at: Date | null;
  alive_at: Date | null;
  failure: string | null;
}

/**
 * Recording of live rooms on this node (the node owning the room: its commands are routed here):
 * start and stop by hosts, the room told at each change, the meeting's record told of start and stop,
 * composition in the background one recording at a time, and recordings left behind by a process that
 * died composed from what they wrote. Statuses move only through recording-state.ts.
 */
@Injectable()
export class RecordingsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly live = new Map<string, LiveRecording>();
  private readonly mutex = new KeyedMutex();
  /** Compositions run one after the other: each is CPU-heavy already. */
  private queue: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  /** The room of each recording stopped here, to tell it when its composition ends. */
  private readonly roomOfComposed = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: RoomRegistry,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    @Inject(ROOM_DIRECTORY) private readonly directory: RoomDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(RECORDING_CAPTIONS) private readonly captions: CaptionsProvider | null,
  ) {}

  async onModuleInit(): Promise<void> {
    const status = recorderStatus();
    if (status.available) this.logger.info({ ffmpeg: status.version }, 'recording available');
    else this.logger.warn({ problem: status.problem, install: RECORDER_INSTALL_HINT }, `recording unavailable: install FFmpeg (${RECORDER_INSTALL_HINT})`);
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS).unref();
    // Alone on this database, every recording still "recording" or "processing" is this server's, left
    // by the process before it: finish them now. With other nodes, only those nobody vouches for.
    void this.adoptOrphans(!this.directory.shared).catch((err: unknown) => this.logger.error({ err }, 'could not finish the recordings of a previous process'));
  }

  /** Shutdown: every reader closes its file and the recordings wait, "processing", for the next process to compose. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    for (const rec of [...this.live.values()]) {
      await this.stop(rec.room, null, 'shutdown').catch((err: unknown) => this.logger.error({ err, recordingId: rec.id }, 'could not stop a recording on shutdown'));
    }
  }

  /** The room's recording as its people see it. */
  stateOf(room: LiveRoom): RoomRecording {
    return room.recording;
  }

  async start(room: LiveRoom, peer: Peer, requestId?: string, layoutMode: RecordingLayout = 'grid'): Promise<RoomRecording> {
    room.assertCan(peer, 'recording.manage');
    const tools = recorderStatus();
    if (!tools.available) throw new AppError('RECORDING_UNAVAILABLE', `Recording is not available on this server (${RECORDER_INSTALL_HINT}).`, { problem: tools.problem });
    return this.mutex.run(room.roomId, async () => {
      if (this.live.has(room.roomId)) return room.recording;
      if (requestId) {
        const [done]: Row[] = await this.db.query(`SELECT * FROM recordings WHERE room_id = $1 AND start_request = $2`, [room.roomId, requestId]);
        if (done) return room.recording.current?.recordingId === done.id ? room.recording : { ...room.recording, current: this.storedView(done, room.recording.current) };
      }
      const state = startedRecording();
      const [meeting]: { id: string }[] = await this.db.query(
        `SELECT id FROM meetings WHERE room_id = $1 ORDER BY abs(extract(epoch FROM scheduled_at - now())) LIMIT 1`,
        [room.roomId],
      );
      const [eventSession]: { id: string }[] = await this.db.query(
        `SELECT id FROM event_sessions WHERE room_id = $1 AND status = 'scheduled' AND now() BETWEEN starts_at - interval '1 hour' AND ends_at + interval '1 hour'
          ORDER BY abs(extract(epoch FROM starts_at - now())) LIMIT 1`,
        [room.roomId],
      );
      let row: { id: string; started_at: Date };
      try {
        row = await this.db.transaction(async (m) => {
          const [inserted]: { id: string; started_at: Date }[] = await m.query(
            `INSERT INTO recordings (organization_id, room_id, session_id, meeting_id, event_session_id, status, started_by, recorder_node, alive_at, start_request)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9) RETURNING id, started_at`,
            [room.organizationId, room.roomId, room.sessionId, meeting?.id ?? null, eventSession?.id ?? null, state.status, peer.userId, this.directory.nodeId, requestId ?? null],
          );
          if (meeting) await this.audit.append(m, meeting.id, [{ kind: 'recording.started', payload: { recordingId: inserted!.id, by: peer.userId } }]);
          return inserted!;
        });
      } catch (err) {
        // Another process records this room (or died recording it, and is not finished yet).
        if (isUniqueViolation(err, 'uq_recordings_live')) throw new AppError('CONFLICT', 'This room is being recorded already.');
        throw err;
      }
      const dir = recordingDir(this.config.dataDir, row.id);
      const log = this.logger.child({ recordingId: row.id, roomId: room.roomId });
      const rec: LiveRecording = { id: row.id, room, recorder: null as unknown as RoomRecorder, state, startedAt: row.started_at, startedBy: peer.displayName, meetingId: meeting?.id ?? null };
      rec.recorder = new RoomRecorder(
        room,
        row.id,
        dir,
        row.started_at.getTime(),
        layoutMode,
        {
          interrupted: (track, retrying) => this.trackEvent(rec, { type: 'interrupt', track: track.key }, 'interrupted', { track: track.key, retrying }),
          resumed: (track) => this.trackEvent(rec, { type: 'resume', track: track.key }, 'resumed', { track: track.key }),
          tracksChanged: () => this.refresh(rec),
        },
        log,
      );
      this.live.set(room.roomId, rec);
      try {
        await rec.recorder.start();
      } catch (err) {
        this.live.delete(room.roomId);
        await rec.recorder.stop().catch(() => undefined);
        await this.moveStored(row.id, storedRecording('recording'), { type: 'fail', reason: 'the recorder could not start' });
        throw err;
      }
      // The room going away (last person out, ended, its media server lost) ends the recording.
      room.router.observer.once('close', () => void this.stop(room, null, 'room-closed').catch((err: unknown) => log.error({ err }, 'could not stop the recording of a closed room')));
      log.info({ by: peer.userId, tracks: rec.recorder.trackCount, meetingId: rec.meetingId }, 'recording started');
      this.publish(rec, 'started');
      return room.recording;
    });
  }

  /** Stops the room's recording (a host, or `reason` when the room closed or the server stops); composition follows. */
  async stop(room: LiveRoom, peer: Peer | null, reason: 'host' | 'room-closed' | 'shutdown' = 'host'): Promise<RoomRecording> {
    if (peer) room.assertCan(peer, 'recording.manage');
    return this.mutex.run(room.roomId, async () => {
      const rec = this.live.get(room.roomId);
      if (!rec || rec.room !== room) {
        if (peer) throw new AppError('NOT_RECORDING', 'This room is not being recorded.');
        return room.recording;
      }
      this.live.delete(room.roomId);
      const timeline = await rec.recorder.stop();
      const from = rec.state;
      rec.state = mustMove(from, { type: 'stop' });
      const endedAt = new Date(timeline.stoppedAtMs ?? Date.now());
      await this.db.transaction(async (m) => {
        // On shutdown nobody vouches for it any more: the next process composes it at once.
        await m.query(`UPDATE recordings SET status = $2, ended_at = greatest($3, started_at), alive_at = $4 WHERE id = $1 AND status = $5`, [
          rec.id,
          rec.state.status,
          endedAt,
          reason === 'shutdown' ? null : new Date(),
          from.status,
        ]);
        if (rec.meetingId) {
          await this.audit.append(m, rec.meetingId, [
            { kind: 'recording.stopped', payload: { recordingId: rec.id, by: peer?.userId ?? null, reason, seconds: Math.round((endedAt.getTime() - rec.startedAt.getTime()) / 1000) } },
          ]);
        }
      });
      this.logger.info({ recordingId: rec.id, roomId: room.roomId, reason, tracks: timeline.tracks.length }, 'recording stopped');
      this.publish(rec, 'stopped', endedAt);
      if (reason !== 'shutdown') this.enqueue(rec.id);
      return room.recording;
    });
  }

  /** A host's resume of the streams whose recorder died and did not come back by itself. */
  async resume(room: LiveRoom, peer: Peer): Promise<RoomRecording> {
    room.assertCan(peer, 'recording.manage');
    const rec = this.live.get(room.roomId);
    if (!rec || rec.room !== room) throw new AppError('NOT_RECORDING', 'This room is not being recorded.');
    await rec.recorder.resume();
    return room.recording;
  }

  /** Process ids of the readers writing now (for operators' diagnostics and the tests). */
  readerPids(roomId: string): number[] {
    return (this.live.get(roomId)?.recorder.live ?? []).flatMap((t) => (t.readerPid ? [t.readerPid] : []));
  }

  /* ---- composition ---- */

  private enqueue(recordingId: string): void {
    if (this.queued.has(recordingId)) return;
    this.queued.add(recordingId);
    this.queue = this.queue
      .then(() => this.composeOne(recordingId))
      .catch((err: unknown) => this.logger.error({ err, recordingId }, 'recording composition failed'))
      .finally(() => this.queued.delete(recordingId));
  }

  private async composeOne(recordingId: string): Promise<void> {
    if (this.stopping) return;
    const [row]: (Row & { language: string | null })[] = await this.db.query(
      `SELECT r.*, m.language FROM recordings r LEFT JOIN meetings m ON m.id = r.meeting_id WHERE r.id = $1`,
      [recordingId],
    );
    if (!row || row.status !== 'processing') return;
    const dir = recordingDir(this.config.dataDir, recordingId);
    const log = this.logger.child({ recordingId });
    try {
      const timeline = JSON.parse(await readFile(`${dir}/${TIMELINE_FILE}`, 'utf8')) as Timeline;
      await endReadersLeftBehind(timeline, dir, log);
      // A timeline left by a process that died has no stop time: the recording lasts as long as what was written.
      const leftBehind = timeline.stoppedAtMs === null;
      const captions = this.captions ? await this.captions(recordingId).catch((err: unknown) => (log.warn({ err }, 'no captions for the recording'), [])) : [];
      const { files, report } = await compose(dir, timeline, {
        tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', nice: true, threads: 2 },
        floorLanguage: row.language ?? 'und',
        captions,
        log,
      });
      for (const file of files) await registerFile(this.db, this.config.dataDir, { recordingId, ...file });
      if (leftBehind) await this.db.query(`UPDATE recordings SET ended_at = started_at + make_interval(secs => $2) WHERE id = $1`, [recordingId, report.duration]);
      await this.moveStored(recordingId, storedRecording(row.status), { type: 'composed' });
      log.info({ files: files.length, duration: report.duration, speed: report.speed }, 'recording ready');
      this.events.emit('recording.ready', { recordingId });
      this.composed(recordingId, 'ready', null);
    } catch (err) {
      log.error({ err }, 'could not compose the recording');
      const reason = (err as Error)?.message?.slice(0, 300) || 'composition failed';
      await this.moveStored(recordingId, storedRecording(row.status), { type: 'fail', reason }).catch((e: unknown) => log.error({ err: e }, 'could not mark the recording failed'));
      this.composed(recordingId, 'failed', reason);
    }
  }

  /** Writes the state the machine gives for `event` (only if the stored status is still the one moved from). */
  private async moveStored(recordingId: string, from: RecordingState, event: RecordingEvent): Promise<RecordingState> {
    const next = mustMove(from, event);
    await this.db.query(`UPDATE recordings SET status = $2, failure = $3, ended_at = coalesce(ended_at, greatest(now(), started_at)) WHERE id = $1 AND status = $4`, [
      recordingId,
      next.status,
      next.failure,
      from.status,
    ]);
    return next;
  }

  /** Tells the room the recording is ready (or failed), if the room is still live and it was its last one. */
  private composed(recordingId: string, status: 'ready' | 'failed', failure: string | null): void {
    const room = this.registry.liveRoom(this.roomOfComposed.get(recordingId) ?? '');
    this.roomOfComposed.delete(recordingId);
    const current = room?.recording.current;
    if (!room || current?.recordingId !== recordingId) return;
    room.recording = { ...room.recording, current: { ...current, status, failure } };
    this.registry.toOthers(room, null, 'recording:changed', { recording: room.recording, change: status });
  }

  /* ---- orphans and liveness ---- */

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const mine = [...this.live.values()].map((r) => r.id);
    try {
      if (mine.length) await this.db.query(`UPDATE recordings SET alive_at = now(), recorder_node = $2 WHERE id = ANY($1::uuid[])`, [mine, this.directory.nodeId]);
      // Compositions under way are vouched for too, so no other node takes them.
      const composing = [...this.queued];
      if (composing.length) await this.db.query(`UPDATE recordings SET alive_at = now(), recorder_node = $2 WHERE id = ANY($1::uuid[])`, [composing, this.directory.nodeId]);
      await this.adoptOrphans(false);
    } catch (err) {
      this.logger.warn({ err }, 'could not vouch for the recordings of this node');
    }
  }

  /**
   * Recordings whose node stopped vouching for them: still "recording" (its process died) they are
   * finalised from what was written; "processing" (composition cut short) they are composed again.
   * `all`: this process is alone on the database, so every one found is an orphan.
   */
  private async adoptOrphans(all: boolean): Promise<void> {
    const stale = new Date(Date.now() - ORPHAN_AFTER_MS);
    const rows: Row[] = await this.db.query(
      `SELECT * FROM recordings WHERE status = ANY($1::text[]) AND NOT (id = ANY($2::uuid[]))
          AND ($3 OR alive_at IS NULL OR alive_at < $4) ORDER BY started_at`,
      [['recording', 'processing'] satisfies RecordingStatus[], [...this.live.values()].map((r) => r.id).concat([...this.queued]), all, stale],
    );
    for (const row of rows) {
      // Claimed by one node only: the first to move its heartbeat.
      const claimed: unknown[] = await this.db.query(
        `UPDATE recordings SET alive_at = now(), recorder_node = $2 WHERE id = $1 AND alive_at IS NOT DISTINCT FROM $3 RETURNING id`,
        [row.id, this.directory.nodeId, row.alive_at],
      );
      if (!claimed.length) continue;
      if (row.status === 'recording') {
        const t = nextRecordingState(storedRecording(row.status), { type: 'finalise' });
        if (!t.ok) continue;
        await this.db.query(`UPDATE recordings SET status = $2 WHERE id = $1 AND status = $3`, [row.id, t.state.status, row.status]);
        this.logger.warn({ recordingId: row.id, roomId: row.room_id }, 'recording left by a stopped process: composing what was written');
      }
      this.enqueue(row.id);
    }
  }

  /* ---- telling the room ---- */

  private trackEvent(rec: LiveRecording, event: RecordingEvent, change: RecordingChange, log: Record<string, unknown>): void {
    const t = nextRecordingState(rec.state, event);
    if (!t.ok || this.live.get(rec.room.roomId) !== rec) return;
    rec.state = t.state;
    this.logger[change === 'interrupted' ? 'warn' : 'info']({ recordingId: rec.id, ...log, interrupted: rec.state.interrupted.length }, `recording ${change}`);
    this.publish(rec, change);
  }

  private refresh(rec: LiveRecording): void {
    if (this.live.get(rec.room.roomId) !== rec) return;
    rec.room.recording = { ...rec.room.recording, current: this.view(rec, null) };
  }

  private view(rec: LiveRecording, stoppedAt: Date | null): RecordingView {
    const status = rec.state.status === 'deleted' ? 'failed' : rec.state.status;
    return {
      recordingId: rec.id,
      status,
      startedAt: rec.startedAt.toISOString(),
      stoppedAt: stoppedAt?.toISOString() ?? null,
      startedBy: rec.startedBy,
      tracks: rec.recorder.trackCount,
      interrupted: rec.state.interrupted.length,
      failure: rec.state.failure,
    };
  }

  private storedView(row: Row, current: RecordingView | null): RecordingView {
    return {
      recordingId: row.id,
      status: row.status === 'deleted' ? 'failed' : row.status,
      startedAt: row.started_at.toISOString(),
      stoppedAt: row.ended_at?.toISOString() ?? null,
      startedBy: current?.recordingId === row.id ? current.startedBy : null,
      tracks: current?.recordingId === row.id ? current.tracks : 0,
      interrupted: 0,
      failure: row.failure,
    };
  }

  private publish(rec: LiveRecording, change: RecordingChange, stoppedAt: Date | null = null): void {
    const room = rec.room;
    room.recording = { ...room.recording, current: this.view(rec, stoppedAt) };
    if (change === 'stopped') this.roomOfComposed.set(rec.id, room.roomId);
    if (room.isClosed) return;
    this.registry.toOthers(room, null, 'recording:changed', { recording: room.recording, change });
  }
}
