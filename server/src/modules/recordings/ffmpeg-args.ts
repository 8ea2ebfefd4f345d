import { type Canvas, layout, type Rect } from './layout';
import { epochs, type Interval, pauseIntervals, type Piece, segmentPieces, subtract, type Timeline, type TrackMeta } from './timeline';

/**
 * FFmpeg command lines of the recorder, built from data alone so that their shape is tested without
 * running anything: the per-track writer, the composition (layout and mix) and the HLS packaging.
 */

/** Matroska wants ISO 639-2 (bibliographic) codes; the channel languages map to these. */
const ISO_639_2: Record<string, string> = {
  en: 'eng',
  zh: 'chi',
  ar: 'ara',
  ru: 'rus',
  es: 'spa',
  fr: 'fre',
  pt: 'por',
  de: 'ger',
  it: 'ita',
  ja: 'jpn',
  ko: 'kor',
  hi: 'hin',
  sw: 'swa',
  sign: 'sgn',
};

/** The tag a channel's language is given in files and playlists (BCP 47; sign language is `sgn`). */
export const channelLanguageTag = (channel: string): string => (channel === 'sign' ? 'sgn' : channel);

/**
 * Output side of a track's reader: the packets as they come (`-c copy`) into Matroska whose clusters
 * are closed every half second and flushed at once, so a reader killed mid-way leaves a file that
 * plays up to its last half second.
 */
export function trackWriterArgs(file: string, channel: string | null = null): string[] {
  const language = channel ? ISO_639_2[channel] : undefined;
  return [
    '-c',
    'copy',
    ...(language ? ['-metadata:s:0', `language=${language}`] : []),
    '-f',
    'matroska',
    '-cluster_time_limit',
    '500',
    '-flush_packets',
    '1',
    '-y',
    file,
  ];
}

export interface ComposeOptions {
  canvas: Canvas;
  fps: number;
  /** How loud the floor stays under an interpretation channel in that channel's rendition (as listeners hear it live). */
  floorUnderChannel: number;
  background: string;
}

export const DEFAULT_COMPOSE: ComposeOptions = { canvas: { w: 1280, h: 720 }, fps: 25, floorUnderChannel: 0.2, background: '0x1b1f24' };

/** One segment file used by the composition, with where its pieces go. */
export interface PlannedInput {
  file: string;
  track: TrackMeta;
  pieces: Piece[];
}

export interface CompositionPlan {
  /** Seconds, from the start to the stop of the recording. */
  duration: number;
  inputs: PlannedInput[];
  filter: string;
  /** Label of the composed picture, or null when nothing was filmed (a black picture is drawn then). */
  video: string;
  /** Label of the floor's mix. */
  floor: string;
  /** A label per interpretation channel with recorded sound: the channel over the floor. */
  channels: { channel: string; language: string; label: string }[];
  /** Where each picture is over time (for tests, logs and the measurement of sync). */
  epochs: { from: number; to: number; rects: Record<string, Rect> }[];
}

const num = (n: number) => (Math.round(n * 1000) / 1000).toString();

/** `between(t,a,b)` terms joined by `+`: true inside any of the intervals. */
const during = (intervals: readonly Interval[]) =>
  intervals.length ? intervals.map(([a, b]) => `between(t,${num(a)},${num(b)})`).join('+') : '0';

/** A per-frame value: `value(interval)` inside each interval, `fallback` elsewhere. */
function piecewise(parts: readonly { interval: Interval; value: number }[], fallback: number): string {
  return parts.reduceRight((rest, { interval: [a, b], value }) => `if(between(t,${num(a)},${num(b)}),${value},${rest})`, String(fallback));
}

/**
 * The composition of a recording: which segment files to read, and the filter graph that places the
 * cameras and screen shares on a canvas as the layout changes, and mixes the floor's sound and each
 * interpretation channel. `durations` is each segment file's probed length (seconds).
 */
export function compositionPlan(
  timeline: Timeline,
  durations: ReadonlyMap<string, number>,
  options: ComposeOptions = DEFAULT_COMPOSE,
): CompositionPlan {
  const start = timeline.startedAtMs;
  const inputs: PlannedInput[] = [];
  for (const track of timeline.tracks) {
    for (const segment of track.segments) {
      const length = durations.get(segment.file) ?? 0;
      const pieces = segmentPieces(segment, track.clockRate, start, length);
      if (pieces.length) inputs.push({ file: segment.file, track, pieces });
    }
  }
  const lastEnd = Math.max(0, ...inputs.flatMap((i) => i.pieces.map((p) => p.at + p.to - p.from)));
  const duration = timeline.stoppedAtMs !== null ? Math.max(0.04, (timeline.stoppedAtMs - start) / 1000) : lastEnd;
  const clip = (intervals: Interval[]): Interval[] =>
    intervals.map(([a, b]): Interval => [Math.max(0, a), Math.min(duration, b)]).filter(([a, b]) => b - a > 1e-3);
  const shownOf = (input: PlannedInput): Interval[] => clip(input.pieces.map((p): Interval => [p.at, p.at + p.to - p.from]));

  const graph: string[] = [];
  const { canvas, fps } = options;

  /* ---- pictures ---- */
  // Sign-language video is kept as a track; the composed picture shows the floor's cameras and shares.
  const pictureInputs = inputs
    .map((input, index) => ({ input, index }))
    .filter(({ input }) => input.track.kind === 'video' && !input.track.channel);
  const byTrack = new Map<string, { track: TrackMeta; intervals: Interval[] }>();
  for (const { input } of pictureInputs) {
    const entry = byTrack.get(input.track.key) ?? { track: input.track, intervals: [] };
    entry.intervals.push(...shownOf(input));
    byTrack.set(input.track.key, entry);
  }
  const shown = [...byTrack.values()].map(({ track, intervals }) => ({
    picture: { key: track.key, kind: track.source === 'screen' ? ('screen' as const) : ('camera' as const) },
    intervals: subtract(intervals, pauseIntervals(track, start, duration)),
  }));
  const cameraOf = (peerId: string, atMs: number) =>
    timeline.tracks.find(
      (t) => t.peerId === peerId && t.source === 'camera' && !t.channel && t.segments.some((s) => s.startedAtMs <= atMs + 1000),
    )?.key;
  const speakerChanges = timeline.speakers.flatMap((s) => {
    const key = cameraOf(s.peerId, s.atMs);
    return key ? [{ at: (s.atMs - start) / 1000, key }] : [];
  });
  const cuts = epochs(shown, duration, timeline.layout === 'speaker' ? speakerChanges : []);
  const placed = cuts.map((e) => ({
    from: e.from,
    to: e.to,
    rects: Object.fromEntries(layout(e.pictures, canvas, timeline.layout, e.speaker)),
  }));

  graph.push(`color=c=${options.background}:s=${canvas.w}x${canvas.h}:r=${fps}:d=${num(duration)},format=yuv420p[base0]`);
  let base = 'base0';
  let overlays = 0;
  for (const { input, index } of pictureInputs) {
    const visible = shown.find((s) => s.picture.key === input.track.key)!.intervals;
    const mine = placed.flatMap((e) => {
      const rect = e.rects[input.track.key];
      if (!rect) return [];
      const parts = visible.map(([a, b]): Interval => [Math.max(a, e.from), Math.min(b, e.to)]).filter(([a, b]) => b - a > 1e-3);
      return parts.map((interval) => ({ interval, rect }));
    });
    const mineOverlapping = mine.filter(({ interval: [a, b] }) => input.pieces.some((p) => a < p.at + p.to - p.from && b > p.at));
    if (!mineOverlapping.length) continue;
    const w = piecewise(
      mineOverlapping.map((m) => ({ interval: m.interval, value: m.rect.w })),
      mineOverlapping[0]!.rect.w,
    );
    const h = piecewise(
      mineOverlapping.map((m) => ({ interval: m.interval, value: m.rect.h })),
      mineOverlapping[0]!.rect.h,
    );
    // Centred in its tile, whatever the picture's shape: x = tile x + (tile w - picture w) / 2.
    const x = piecewise(
      mineOverlapping.map((m) => ({ interval: m.interval, value: m.rect.x * 2 + m.rect.w })),
      0,
    );
    const y = piecewise(
      mineOverlapping.map((m) => ({ interval: m.interval, value: m.rect.y * 2 + m.rect.h })),
      0,
    );
    const placedPieces = timed(graph, `${index}:v`, input.pieces, 'v', `p${index}`);
    for (const [k, label] of placedPieces.entries()) {
      const scaled = `s${index}_${k}`;
      graph.push(
        `[${label}]scale=w='${w}':h='${h}':eval=frame:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[${scaled}]`,
      );
      const next = `base${++overlays}`;
      graph.push(
        `[${base}][${scaled}]overlay=x='(${x}-w)/2':y='(${y}-h)/2':eval=frame:eof_action=pass:enable='${during(mineOverlapping.map((m) => m.interval))}'[${next}]`,
      );
      base = next;
    }
  }
  graph.push(`[${base}]null[vout]`);

  /* ---- sound ---- */
  const silence = (label: string) => graph.push(`anullsrc=r=48000:cl=stereo:d=${num(duration)}[${label}]`);
  const audioLabels = (filter: (t: TrackMeta) => boolean): string[] =>
    inputs.flatMap((input, index) =>
      input.track.kind === 'audio' && filter(input.track) ? timed(graph, `${index}:a`, input.pieces, 'a', `q${index}`) : [],
    );
  const mix = (labels: string[], out: string) => {
    const bed = `${out}_bed`;
    silence(bed);
    // The silent bed first: it sets the length (duration=first); normalize=0 keeps each voice at its level.
    graph.push(
      `[${[bed, ...labels].join('][')}]amix=inputs=${labels.length + 1}:duration=first:dropout_transition=0:normalize=0,alimiter=limit=0.95:level=false[${out}]`,
    );
  };
  const floorLabels = audioLabels((t) => !t.channel);
  const channels = [
    ...new Set(
      inputs.filter((i) => i.track.kind === 'audio' && i.track.channel && i.track.channel !== 'sign').map((i) => i.track.channel!),
    ),
  ].sort();
  mix(floorLabels, channels.length ? 'floormix' : 'afloor');
  const channelOuts: CompositionPlan['channels'] = [];
  if (channels.length) {
    graph.push(`[floormix]asplit=${channels.length + 1}[afloor]${channels.map((c) => `[under_${c}]`).join('')}`);
    for (const channel of channels) {
      const under = `underq_${channel}`;
      graph.push(`[under_${channel}]volume=${options.floorUnderChannel}[${under}]`);
      const label = `ach_${channel}`;
      mix([...audioLabels((t) => t.channel === channel), under], label);
      channelOuts.push({ channel, language: channelLanguageTag(channel), label });
    }
  }
  return { duration, inputs, filter: graph.join(';\n'), video: 'vout', floor: 'afloor', channels: channelOuts, epochs: placed };
}

/**
 * The pieces of one input stream, each moved to its place in the output: file time t plays at
 * `at + (t - from)`. Audio is then resampled against its timestamps, so a gap (a muted microphone,
 * a piece starting later) becomes silence and the stream starts at 0.
 */
function timed(graph: string[], source: string, pieces: readonly Piece[], kind: 'a' | 'v', prefix: string): string[] {
  const labels = pieces.map((_, k) => `${prefix}_${k}`);
  const inputs = pieces.length > 1 ? pieces.map((_, k) => `${prefix}_in${k}`) : [source];
  if (pieces.length > 1)
    graph.push(`[${source}]${kind === 'a' ? 'asplit' : 'split'}=${pieces.length}${inputs.map((l) => `[${l}]`).join('')}`);
  pieces.forEach((p, k) => {
    const shift = num(p.at - p.from);
    const trim = pieces.length > 1 ? `${kind === 'a' ? 'atrim' : 'trim'}=start=${num(p.from)}:end=${num(p.to)},` : '';
    if (kind === 'v') graph.push(`[${inputs[k]}]${trim}setpts=PTS+${shift}/TB[${labels[k]}]`);
    else
      graph.push(
        `[${inputs[k]}]${trim}asetpts=PTS+${shift}/TB,aresample=48000:async=1:first_pts=0,aformat=sample_rates=48000:channel_layouts=stereo[${labels[k]}]`,
      );
  });
  return labels;
}

/** The whole composition command (after the program name): inputs, graph, the MP4 and one audio file per channel. */
export function compositionArgs(
  plan: CompositionPlan,
  files: { composite: string; channel: (channel: string) => string },
  threads = 2,
): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    // A picture that changes size mid-stream (a browser adapting its resolution, a simulcast layer
    // switch) would make FFmpeg rebuild the whole graph, restarting its generated sources at 0 and
    // putting every picture after it frames late; the scale filters take a new size as it comes.
    ...plan.inputs.flatMap((i) => ['-reinit_filter', '0', '-i', i.file]),
    '-filter_complex',
    plan.filter,
    '-map',
    `[${plan.video}]`,
    '-map',
    `[${plan.floor}]`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    // A key frame every 2 s exactly: HLS segments of 6 s cut on them.
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-sc_threshold',
    '0',
    '-threads',
    String(threads),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-t',
    num(plan.duration),
    '-movflags',
    '+faststart',
    '-y',
    files.composite,
    ...plan.channels.flatMap((c) => [
      '-map',
      `[${c.label}]`,
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-t',
      num(plan.duration),
      '-y',
      files.channel(c.channel),
    ]),
  ];
}

export interface HlsRendition {
  /** Folder name under hls/ and the rendition's name in var_stream_map. */
  name: string;
  language: string;
}

/**
 * `var_stream_map` for one video rendition and one audio rendition per language: the floor (the
 * default) and each channel, all in one audio group the video refers to.
 */
export function varStreamMap(audio: readonly HlsRendition[]): string {
  return [
    'v:0,agroup:audio,name:video',
    ...audio.map((a, i) => `a:${i},agroup:audio,language:${a.language},name:${a.name}${i === 0 ? ',default:yes' : ''}`),
  ].join(' ');
}

/**
 * HLS from the composed MP4 (video and floor, copied) and each channel's audio file (copied): six
 * second segments, a VOD playlist per rendition and a master playlist.
 */
export function hlsArgs(composite: string, channelFiles: readonly string[], audio: readonly HlsRendition[], hlsDir: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    composite,
    ...channelFiles.flatMap((f) => ['-i', f]),
    '-map',
    '0:v',
    '-map',
    '0:a',
    ...channelFiles.flatMap((_, i) => ['-map', `${i + 1}:a`]),
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '6',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_filename',
    `${hlsDir}/%v/seg-%03d.ts`,
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    varStreamMap(audio),
    `${hlsDir}/%v/index.m3u8`,
  ];
}

export interface SubtitleRendition {
  language: string;
  name: string;
  uri: string;
}

/**
 * The master playlist FFmpeg wrote, with each audio rendition given a readable NAME and the subtitle
 * renditions (WebVTT) added in a group the video refers to.
 */
export function finishMaster(master: string, names: ReadonlyMap<string, string>, subtitles: readonly SubtitleRendition[]): string {
  const quoted = (s: string) => `"${s.replace(/"/g, "'")}"`;
  const lines = master
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      if (line.startsWith('#EXT-X-MEDIA:TYPE=AUDIO')) {
        const uri = /URI="([^"/]+)\//.exec(line)?.[1];
        const name = uri ? names.get(uri) : undefined;
        return name ? line.replace(/NAME="[^"]*"/, `NAME=${quoted(name)}`).replace('DEFAULT=', 'AUTOSELECT=YES,DEFAULT=') : line;
      }
      if (line.startsWith('#EXT-X-STREAM-INF') && subtitles.length) return `${line},SUBTITLES="subs"`;
      return line;
    });
  const at = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF'));
  const media = subtitles.map(
    (s) =>
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME=${quoted(s.name)},LANGUAGE=${quoted(s.language)},DEFAULT=NO,AUTOSELECT=YES,URI=${quoted(s.uri)}`,
  );
  lines.splice(at < 0 ? lines.length : at, 0, ...media);
  return `${lines.join('\n')}\n`;
}

/** A subtitle rendition's playlist: the whole WebVTT file as one segment. */
export function subtitlePlaylist(file: string, duration: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(duration))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${num(duration)},`,
    file,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/**
 * WebVTT for HLS: cue times count from the recording's start, which is `mpegts` (90 kHz) in the
 * MPEG-TS segments; the header says so (X-TIMESTAMP-MAP) unless the file says it already.
 */
export function vttForHls(vtt: string, mpegts: number): string {
  const text = vtt.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (!text.startsWith('WEBVTT')) throw new Error('not a WebVTT file');
  if (/^X-TIMESTAMP-MAP=/m.test(text.split('\n\n')[0]!)) return text;
  const [header, ...rest] = text.split('\n\n');
  return [`${header}\nX-TIMESTAMP-MAP=MPEGTS:${Math.round(mpegts)},LOCAL:00:00:00.000`, ...rest].join('\n\n');
}
