import { compositionArgs, compositionPlan, finishMaster, hlsArgs, subtitlePlaylist, trackWriterArgs, varStreamMap, vttForHls } from './ffmpeg-args';
import type { SegmentMeta, Timeline, TrackMeta } from './timeline';

const START = 1_800_000_000_000;

function track(key: string, over: Partial<TrackMeta> & { segments: SegmentMeta[] }): TrackMeta {
  return {
    key,
    producerId: key,
    peerId: `peer-${key}`,
    userId: `user-${key}`,
    displayName: key,
    kind: 'video',
    source: 'camera',
    channel: null,
    codec: 'video/VP8',
    clockRate: 90_000,
    pauses: [],
    ...over,
  };
}

/** A segment whose first packet came `at` seconds into the recording. */
const seg = (file: string, at: number): SegmentMeta => ({ file, startedAtMs: START + at * 1000 - 300, firstRtpTs: 1234, anchors: [{ wallMs: START + at * 1000, rtpTs: 1234 }], endedAtMs: null, end: 'stopped' });

function timeline(tracks: TrackMeta[], seconds = 30): Timeline {
  return { version: 1, recordingId: 'r', roomId: 'room', startedAtMs: START, stoppedAtMs: START + seconds * 1000, layout: 'grid', tracks, speakers: [] };
}

describe('FFmpeg arguments of the recorder', () => {
  it('writes a track as it comes, in Matroska flushed every half second, tagged with its language', () => {
    expect(trackWriterArgs('/r/t.mkv')).toEqual(['-c', 'copy', '-f', 'matroska', '-cluster_time_limit', '500', '-flush_packets', '1', '-y', '/r/t.mkv']);
    expect(trackWriterArgs('/r/t.mkv', 'fr')).toEqual(expect.arrayContaining(['-metadata:s:0', 'language=fre']));
    expect(trackWriterArgs('/r/t.mkv', 'sign')).toEqual(expect.arrayContaining(['language=sgn']));
  });

  it('maps one video rendition and an audio rendition per language, the floor by default', () => {
    expect(
      varStreamMap([
        { name: 'floor', language: 'en' },
        { name: 'channel-fr', language: 'fr' },
        { name: 'channel-zh', language: 'zh' },
      ]),
    ).toBe('v:0,agroup:audio,name:video a:0,agroup:audio,language:en,name:floor,default:yes a:1,agroup:audio,language:fr,name:channel-fr a:2,agroup:audio,language:zh,name:channel-zh');
    const args = hlsArgs('/r/composite.mp4', ['/r/work/channel-fr.m4a'], [{ name: 'floor', language: 'en' }, { name: 'channel-fr', language: 'fr' }], '/r/hls');
    expect(args.join(' ')).toContain('-i /r/composite.mp4 -i /r/work/channel-fr.m4a -map 0:v -map 0:a -map 1:a -c copy -f hls');
    expect(args.slice(-1)).toEqual(['/r/hls/%v/index.m3u8']);
  });

  it('lays out cameras, then the screen share large when it comes, each picture only while it is there', () => {
    const plan = compositionPlan(
      timeline([
        track('cam-a', { segments: [seg('a.mkv', 1)] }),
        track('cam-b', { segments: [seg('b.mkv', 2)] }),
        track('share', { source: 'screen', segments: [seg('s.mkv', 10)] }),
        track('mic-a', { kind: 'audio', source: 'mic', codec: 'audio/opus', clockRate: 48_000, segments: [seg('ma.mkv', 1)] }),
      ]),
      new Map([
        ['a.mkv', 29],
        ['b.mkv', 28],
        ['s.mkv', 10],
        ['ma.mkv', 29],
      ]),
    );
    expect(plan.duration).toBe(30);
    expect(plan.inputs.map((i) => i.file)).toEqual(['a.mkv', 'b.mkv', 's.mkv', 'ma.mkv']);
    expect(plan.epochs.map((e) => [e.from, e.to, Object.keys(e.rects).join(' ')])).toEqual([
      [0, 1, ''],
      [1, 2, 'cam-a'],
      [2, 10, 'cam-a cam-b'],
      [10, 20, 'share cam-a cam-b'],
      [20, 30, 'cam-a cam-b'],
    ]);
    // The share large, the cameras in the column to its right.
    const withShare = plan.epochs[3]!.rects;
    expect(withShare.share!.w).toBeGreaterThan(900);
    expect(withShare['cam-a']!.x).toBeGreaterThan(withShare.share!.w);
    // Each input moved to its place in time; the canvas as long as the recording.
    expect(plan.filter).toContain('[0:v]setpts=PTS+1/TB[p0_0]');
    expect(plan.filter).toContain('[2:v]setpts=PTS+10/TB[p2_0]');
    expect(plan.filter).toMatch(/^color=c=0x1b1f24:s=1280x720:r=25:d=30,format=yuv420p\[base0\]/);
    // The share's overlay is on only while it is shared; camera A's size changes when the share comes.
    expect(plan.filter).toContain("enable='between(t,10,20)'");
    expect(plan.filter).toMatch(/\[0:v\]setpts=PTS\+1\/TB\[p0_0\];\n\[p0_0\]scale=w='if\(between\(t,1,2\),1280,if\(between\(t,2,10\),638,if\(between\(t,10,20\),/);
    // The floor: a silent bed as long as the recording, each voice moved to its place, no normalisation.
    expect(plan.filter).toContain('[3:a]asetpts=PTS+1/TB,aresample=48000:async=1:first_pts=0');
    expect(plan.filter).toContain('anullsrc=r=48000:cl=stereo:d=30[afloor_bed]');
    expect(plan.filter).toContain('[afloor_bed][q3_0]amix=inputs=2:duration=first:dropout_transition=0:normalize=0');
    expect(plan.channels).toEqual([]);
  });

  it('in speaker layout shows whoever speaks large, cut where the speaker changes', () => {
    const speakerTimeline: Timeline = {
      ...timeline([track('cam-a', { segments: [seg('a.mkv', 0)] }), track('cam-b', { segments: [seg('b.mkv', 0)] })], 20),
      layout: 'speaker',
      speakers: [
        { atMs: START + 5_000, peerId: 'peer-cam-b' },
        { atMs: START + 12_000, peerId: 'peer-cam-a' },
        // Someone without a camera speaking leaves the picture as it was.
        { atMs: START + 15_000, peerId: 'peer-listener' },
      ],
    };
    const files = new Map([
      ['a.mkv', 20],
      ['b.mkv', 20],
    ]);
    const plan = compositionPlan(speakerTimeline, files);
    const large = (rects: Record<string, { w: number }>) => Object.entries(rects).find(([, r]) => r.w > 900)?.[0];
    expect(plan.epochs.map((e) => [e.from, e.to, large(e.rects)])).toEqual([
      [0, 5, 'cam-a'],
      [5, 12, 'cam-b'],
      [12, 20, 'cam-a'],
    ]);
    // The same recording in grid layout: one epoch, two equal tiles.
    const grid = compositionPlan({ ...speakerTimeline, layout: 'grid' }, files);
    expect(grid.epochs.map((e) => [e.from, e.to, large(e.rects)])).toEqual([[0, 20, undefined]]);
    expect(grid.epochs[0]!.rects['cam-a']!.w).toBe(grid.epochs[0]!.rects['cam-b']!.w);
  });

  it('mixes each interpretation channel over the floor at a fifth of its level, and encodes H.264 + AAC', () => {
    const audio = (key: string, file: string, channel: TrackMeta['channel']) =>
      track(key, { kind: 'audio', source: 'mic', channel, codec: 'audio/opus', clockRate: 48_000, segments: [seg(file, 0.5)] });
    const plan = compositionPlan(
      timeline([audio('floor', 'f.mkv', null), audio('fr1', 'fr1.mkv', 'fr'), audio('fr2', 'fr2.mkv', 'fr'), audio('zh', 'zh.mkv', 'zh')], 10),
      new Map([
        ['f.mkv', 9],
        ['fr1.mkv', 4],
        ['fr2.mkv', 4],
        ['zh.mkv', 9],
      ]),
    );
    expect(plan.channels).toEqual([
      { channel: 'fr', language: 'fr', label: 'ach_fr' },
      { channel: 'zh', language: 'zh', label: 'ach_zh' },
    ]);
    expect(plan.filter).toContain('[floormix]asplit=3[afloor][under_fr][under_zh]');
    expect(plan.filter).toContain('[under_fr]volume=0.2[underq_fr]');
    expect(plan.filter).toContain('[ach_fr_bed][q1_0][q2_0][underq_fr]amix=inputs=4');
    // Nothing filmed: the canvas alone.
    expect(plan.filter).toContain('[base0]null[vout]');
    const args = compositionArgs(plan, { composite: '/r/composite.mp4', channel: (c) => `/r/work/channel-${c}.m4a` });
    expect(args.join(' ')).toContain('-map [vout] -map [afloor] -c:v libx264');
    expect(args.join(' ')).toContain('-g 50 -keyint_min 50 -sc_threshold 0');
    // Each input may change size mid-stream without the graph being rebuilt.
    expect(args.join(' ')).toContain('-reinit_filter 0 -i f.mkv -reinit_filter 0 -i fr1.mkv');
    expect(args.join(' ')).toContain('-map [ach_fr] -c:a aac -b:a 96k -t 10 -y /r/work/channel-fr.m4a');
  });

  it('cuts a stream whose sender clock stood still while muted into pieces placed at their own time', () => {
    const mic = track('mic', {
      kind: 'audio',
      source: 'mic',
      codec: 'audio/opus',
      clockRate: 48_000,
      segments: [{ ...seg('m.mkv', 1), firstRtpTs: 0, anchors: [{ wallMs: START + 1000, rtpTs: 0 }, { wallMs: START + 9000, rtpTs: 4 * 48_000, resume: true }] }],
    });
    const plan = compositionPlan(timeline([mic], 12), new Map([['m.mkv', 8]]));
    expect(plan.inputs[0]!.pieces).toEqual([
      { from: 0, to: 4, at: 1 },
      { from: 4, to: 8, at: 9 },
    ]);
    expect(plan.filter).toContain('[0:a]asplit=2[q0_in0][q0_in1]');
    expect(plan.filter).toContain('[q0_in1]atrim=start=4:end=8,asetpts=PTS+5/TB');
  });

  it('leaves out files without packets, and sign-language video from the picture', () => {
    const plan = compositionPlan(
      timeline([track('cam', { segments: [seg('c.mkv', 0), { ...seg('empty.mkv', 5), firstRtpTs: null, anchors: [] }] }), track('sign', { channel: 'sign', segments: [seg('sg.mkv', 0)] })], 10),
      new Map([
        ['c.mkv', 4],
        ['empty.mkv', 0],
        ['sg.mkv', 10],
      ]),
    );
    expect(plan.inputs.map((i) => i.file)).toEqual(['c.mkv', 'sg.mkv']);
    expect(plan.filter).not.toContain('[1:v]');
  });

  it('names the audio renditions and adds WebVTT subtitles to the master playlist', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="audio_1",DEFAULT=YES,LANGUAGE="en",URI="floor/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="audio_2",DEFAULT=NO,LANGUAGE="fr",URI="channel-fr/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=820458,RESOLUTION=1280x720,AUDIO="group_audio"',
      'video/index.m3u8',
      '',
    ].join('\n');
    const out = finishMaster(
      master,
      new Map([
        ['floor', 'Floor (English)'],
        ['channel-fr', 'Français'],
      ]),
      [{ language: 'fr', name: 'Français', uri: 'subtitles-fr/index.m3u8' }],
    );
    expect(out.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="Floor (English)",AUTOSELECT=YES,DEFAULT=YES,LANGUAGE="en",URI="floor/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="Français",AUTOSELECT=YES,DEFAULT=NO,LANGUAGE="fr",URI="channel-fr/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,URI="subtitles-fr/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=820458,RESOLUTION=1280x720,AUDIO="group_audio",SUBTITLES="subs"',
      'video/index.m3u8',
      '',
    ]);
    expect(finishMaster(master, new Map(), [])).not.toContain('SUBTITLES');
  });

  it('maps WebVTT cue times to the MPEG-TS clock of the segments, once', () => {
    const vtt = '\uFEFFWEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nHello\r\n';
    const out = vttForHls(vtt, 126_000);
    expect(out).toBe('WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.000\nHello\n');
    expect(vttForHls(out, 1)).toBe(out);
    expect(() => vttForHls('1\n00:00:01,000 --> 00:00:02,000\nnot vtt', 0)).toThrow('not a WebVTT file');
    expect(subtitlePlaylist('captions.vtt', 20.5)).toContain('#EXT-X-TARGETDURATION:21\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:20.5,\ncaptions.vtt\n#EXT-X-ENDLIST');
  });
});
