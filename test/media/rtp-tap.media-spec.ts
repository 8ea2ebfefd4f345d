import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { types } from 'mediasoup';
import { endRtpReader, openRtpTap, spawnRtpReader, tapSdp } from '../../server/src/modules/media/rtp-tap';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { LOOPBACK } from '../helpers/rtp';

jest.setTimeout(60_000);

const SSRC = { audio: 0x11112222, video: 0x33334444 };

/** FFmpeg encoding a test pattern or a tone to RTP, the way a browser would send it: real Opus, real VP8. */
function sendWithFfmpeg(kind: 'audio' | 'video', port: number, seconds: number): ChildProcess {
  const input =
    kind === 'audio'
      ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:a', 'libopus', '-ac', '2', '-b:a', '48k', '-payload_type', '100']
      : ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=15:duration=${seconds}`, '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '30', '-payload_type', '101'];
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', ...input, '-ssrc', String(SSRC[kind]), '-f', 'rtp', `rtp://${LOOPBACK}:${port}?pkt_size=1200`], {
    stdio: 'ignore',
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

function probe(file: string): { codec_type: string; codec_name: string; duration?: string }[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(out) as { streams: { codec_type: string; codec_name: string; duration?: string }[] }).streams;
}

describe('RTP tap: a producer handed to a local reader', () => {
  const pool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: 19300, rtcMaxPort: 19399, logLevel: 'warn' });
  let router: types.Router;
  const dir = mkdtempSync(path.join(tmpdir(), 'quorum-tap-'));

  beforeAll(async () => {
    await pool.start();
    ({ router } = await pool.createRouter());
  });

  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function produce(kind: 'audio' | 'video'): Promise<{ producer: types.Producer; port: number }> {
    const input = await router.createPlainTransport({ listenInfo: pool.transportListenInfo(), comedia: true, rtcpMux: false });
    const codec =
      kind === 'audio'
        ? { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }
        : { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
    const producer = await input.produce({ kind, rtpParameters: { codecs: [codec], encodings: [{ ssrc: SSRC[kind] }] } });
    return { producer, port: input.tuple.localPort };
  }

  it.each(['audio', 'video'] as const)('records %s as sent, without transcoding, for as long as it flows', async (kind) => {
    const { producer, port } = await produce(kind);
    const tap = await openRtpTap(router, producer.id);
    const file = path.join(dir, `${kind}.mkv`);
    const reader = spawnRtpReader(tap, ['-c', 'copy', '-y', file]);
    let errors = '';
    reader.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
    // Give the reader time to open its socket before packets flow.
    await new Promise((r) => setTimeout(r, 500));
    await tap.start();
    const sender = sendWithFfmpeg(kind, port, 6);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(tap.consumer.closed).toBe(false);
    // A reader is ended by an RTCP BYE (a signal takes effect only at its next packet, which the
    // SFU's own sender reports may keep from ever timing out).
    await endRtpReader(tap);
    expect(await exited(reader)).toBe(0);
    tap.close();
    expect(await exited(sender)).toBe(0);
    expect(tap.transport.closed).toBe(true);

    const [stream, ...rest] = probe(file);
    expect(rest).toHaveLength(0);
    expect(stream).toMatchObject({ codec_type: kind, codec_name: kind === 'audio' ? 'opus' : 'vp8' });
    expect(errors).not.toMatch(/Invalid data|error while decoding/i);
    // Four seconds were read; a reader started late or a tap that dropped packets records less.
    const seconds = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }));
    expect(seconds).toBeGreaterThan(3.3);
    expect(seconds).toBeLessThan(4.8);
  });

  it('describes the stream with the codec the consumer was given, without retransmission', async () => {
    const { producer } = await produce('video');
    const tap = await openRtpTap(router, producer.id, { port: 40_000 });
    try {
      expect(tap.consumer.rtpParameters.codecs.map((c) => c.mimeType)).toEqual(['video/VP8']);
      expect(tap.sdp).toContain('m=video 40000 RTP/AVP');
      expect(tap.sdp).toMatch(/a=rtpmap:\d+ VP8\/90000/);
      expect(tap.consumer.paused).toBe(true);
    } finally {
      tap.close();
    }
    const sdp = tapSdp({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }] } }, '::1', 5000);
    expect(sdp).toContain('c=IN IP6 ::1');
    expect(sdp).toContain('a=rtpmap:111 opus/48000/2');
    expect(sdp).toContain('a=fmtp:111 useinbandfec=1');
  });
});
