import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ChannelLanguage, MediaSource } from '../../contract';
import type { RecordingLayout } from '../../contract/recordings';
import type { Timeline, TrackMeta } from './timeline';
import { TrackRecorder } from './track-recorder';

/** What the recorder needs of a live room: its origin router and who publishes what. */
export interface RecordableRoom {
  readonly roomId: string;
  readonly router: types.Router;
  readonly peers: ReadonlyMap<string, { id: string; userId: string; displayName: string; transports: ReadonlyMap<string, types.Transport>; producers: ReadonlyMap<string, types.Producer> }>;
}

export interface RoomRecorderEvents {
  interrupted(track: TrackRecorder, retrying: boolean): void;
  resumed(track: TrackRecorder): void;
  /** Streams were added or ended. */
  tracksChanged(): void;
}

interface ProducerData {
  peerId?: string;
  source?: MediaSource;
  channel?: ChannelLanguage;
}

/** The timeline file, beside the tracks: rewritten (atomically) as the recording goes. */
export const TIMELINE_FILE = 'timeline.json';

/**
 * Records one live room: a TrackRecorder per producer of the origin router, the ones there when it
 * starts and every one that appears later (until it stops); the dominant speaker over time; and the
 * timeline composition needs, saved as it changes so that a crash leaves it behind with the files.
 */
export class RoomRecorder {
  readonly timeline: Timeline;
  private readonly tracks = new Map<string, TrackRecorder>();
  private readonly starting = new Map<TrackRecorder, Promise<void>>();
  private readonly watched = new WeakSet<types.Transport>();
  private speakerObserver: types.ActiveSpeakerObserver | null = null;
  private stopped = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly onTransport = (transport: types.Transport) => this.watch(transport);

  constructor(
    private readonly room: RecordableRoom,
    readonly recordingId: string,
    /** The recording's folder (absolute). */
    readonly dir: string,
    startedAtMs: number,
    layoutMode: RecordingLayout,
    private readonly events: RoomRecorderEvents,
    private readonly log: Logger,
    private readonly ffmpeg = 'ffmpeg',
  ) {
    this.timeline = { version: 1, recordingId, roomId: room.roomId, startedAtMs, stoppedAtMs: null, layout: layoutMode, tracks: [], speakers: [] };
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.save();
    const router = this.room.router;
    router.observer.on('newtransport', this.onTransport);
    this.speakerObserver = await router.createActiveSpeakerObserver({ interval: 300, appData: { recording: this.recordingId } }).catch(() => null);
    this.speakerObserver?.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as ProducerData).peerId;
      if (!peerId || this.stopped) return;
      this.timeline.speakers.push({ atMs: Date.now(), peerId });
      this.changed();
    });
    for (const peer of this.room.peers.values()) {
      for (const transport of peer.transports.values()) this.watch(transport);
      for (const producer of peer.producers.values()) this.add(producer);
    }
    await Promise.all([...this.tracks.values()].map((t) => this.starting.get(t)));
  }

  /** Tracks being recorded now (not ended). */
  get live(): TrackRecorder[] {
    return [...this.tracks.values()].filter((t) => !t.done);
  }

  get trackCount(): number {
    return this.tracks.size;
  }

  interrupted(): TrackRecorder[] {
    return this.live.filter((t) => t.interrupted);
  }

  /** A host's resume: every interrupted stream's reader is started again. */
  async resume(): Promise<number> {
    const down = this.interrupted();
    await Promise.all(down.map((t) => t.resume()));
    return down.filter((t) => !t.interrupted).length;
  }

  /** Stops every reader (each closes its file), and saves the timeline with the stop time. */
  async stop(): Promise<Timeline> {
    if (!this.stopped) {
      this.stopped = true;
      // The stop is now: closing the files takes a moment, which is not part of the recording.
      this.timeline.stoppedAtMs = Date.now();
      this.room.router.observer.off('newtransport', this.onTransport);
      if (this.speakerObserver && !this.speakerObserver.closed) this.speakerObserver.close();
      await Promise.all([...this.starting.values()]);
      await Promise.all([...this.tracks.values()].map((t) => t.stop('stopped').catch((err: unknown) => this.log.error({ err, track: t.key }, 'could not stop a track'))));
    }
    clearTimeout(this.saveTimer);
    await this.save();
    return this.timeline;
  }

  private watch(transport: types.Transport): void {
    if (this.watched.has(transport)) return;
    this.watched.add(transport);
    transport.observer.on('newproducer', (producer) => this.add(producer));
  }

  private add(producer: types.Producer): void {
    const data = producer.appData as ProducerData;
    if (this.stopped || producer.closed || !data.peerId || !data.source || this.tracks.has(producer.id)) return;
    const peer = this.room.peers.get(data.peerId);
    const codec = producer.rtpParameters.codecs[0];
    if (!codec) return;
    const meta: TrackMeta = {
      key: `${data.channel ? `channel-${data.channel}` : data.source}-${producer.id.slice(0, 8)}`,
      producerId: producer.id,
      peerId: data.peerId,
      userId: peer?.userId ?? '',
      displayName: peer?.displayName ?? '',
      kind: producer.kind,
      source: data.source,
      channel: data.channel ?? null,
      codec: codec.mimeType,
      clockRate: codec.clockRate,
      segments: [],
      pauses: [],
    };
    this.timeline.tracks.push(meta);
    const track = new TrackRecorder(
      this.room.router,
      producer,
      this.dir,
      meta,
      {
        interrupted: (t, retrying) => this.events.interrupted(t, retrying),
        resumed: (t) => this.events.resumed(t),
        ended: () => this.events.tracksChanged(),
        changed: () => this.changed(),
      },
      this.log.child({ track: meta.key }),
      this.ffmpeg,
    );
    this.tracks.set(producer.id, track);
    if (data.source === 'mic' && !data.channel) void this.speakerObserver?.addProducer({ producerId: producer.id }).catch(() => undefined);
    const started = track
      .start()
      .catch((err: unknown) => {
        this.log.error({ err, track: meta.key }, 'could not start recording a stream');
        track.interrupted = !producer.closed;
        if (track.interrupted) this.events.interrupted(track, false);
      })
      .finally(() => this.starting.delete(track));
    this.starting.set(track, started);
    this.events.tracksChanged();
  }

  private changed(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, 200).unref();
  }

  /** Writes the timeline to a temporary file and renames it over the old one: never half-written. */
  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const file = path.join(this.dir, TIMELINE_FILE);
      const tmp = `${file}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify(this.timeline, null, 1));
        await rename(tmp, file);
      } catch (err) {
        this.log.error({ err, recordingId: this.recordingId }, 'could not save the recording timeline');
      }
    });
    return this.saving;
  }
}
