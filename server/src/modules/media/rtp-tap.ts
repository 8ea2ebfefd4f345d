import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import type { types } from 'mediasoup';

/**
 * A tap hands one producer's RTP to a local process (a recorder, a speech-to-text decoder) without
 * transcoding: a consumer on an unencrypted plain transport on the loopback sends to a UDP port the
 * process listens on, described to it by an SDP. What the process does with the packets is its own
 * business; `rtpReaderArgs` gives the FFmpeg input side both recording and captions use.
 */
export interface RtpTap {
  readonly consumer: types.Consumer;
  readonly transport: types.PlainTransport;
  /** The session description a reader opens to receive this tap's packets. */
  readonly sdp: string;
  readonly port: number;
  /** Starts the packets flowing (the consumer is created paused) and asks the sender for a key frame. */
  start(): Promise<void>;
  /** Video only: asks the sender for a key frame, after a start or a gap. */
  requestKeyFrame(): Promise<void>;
  close(): void;
}

export interface RtpTapOptions {
  /** Where the reader listens; the loopback unless the reader runs on another host. */
  host?: string;
  /** A port pair (RTP on `port`, RTCP on `port + 1`) already reserved for the reader; found when absent. */
  port?: number;
  appData?: types.AppData;
}

/** Opens a tap of `producerId` on `router`, a router the producer lives on or is piped to. */
export async function openRtpTap(router: types.Router, producerId: string, options: RtpTapOptions = {}): Promise<RtpTap> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freeUdpPortPair(host));
  const transport = await createTapTransport(router, host, options.appData);
  try {
    await transport.connect({ ip: host, port, rtcpPort: port + 1 });
    const consumer = await transport.consume({ producerId, rtpCapabilities: tapCapabilities(router.rtpCapabilities), paused: true, appData: { ...options.appData, tap: true } });
    const sdp = tapSdp(consumer, host, port);
    return {
      consumer,
      transport,
      sdp,
      port,
      async start() {
        await consumer.resume();
        if (consumer.kind === 'video') await consumer.requestKeyFrame();
      },
      async requestKeyFrame() {
        if (consumer.kind === 'video' && !consumer.closed) await consumer.requestKeyFrame();
      },
      close() {
        transport.close();
      },
    };
  } catch (error) {
    transport.close();
    throw error;
  }
}

/**
 * The tap's own sockets (it only sends, to the reader) take free loopback ports of their own, not the
 * worker's media port range: that range is for browsers, small, and a recorded room needs two ports
 * per stream. A port taken meanwhile by another process is simply tried again.
 */
async function createTapTransport(router: types.Router, host: string, appData: types.AppData | undefined): Promise<types.PlainTransport> {
  for (let attempt = 0; ; attempt++) {
    const local = await freeUdpPortPair(host);
    try {
      return await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: host, port: local },
        // Separate RTCP: FFmpeg's RTP input reads RTCP (sender reports, for lip sync) on port + 1.
        rtcpMux: false,
        rtcpListenInfo: { protocol: 'udp', ip: host, port: local + 1 },
        comedia: false,
        appData: { ...appData, tap: true },
      });
    } catch (error) {
      if (attempt >= 4 || !/address already in use|EADDRINUSE|no more available ports/i.test(String((error as Error)?.message))) throw error;
    }
  }
}

/**
 * What a tap accepts: the router's codecs without retransmission streams (a reader does not ask for
 * them) and with the absolute send time and audio level extensions only, so the stream a reader sees is
 * the plain codec stream.
 */
export function tapCapabilities(router: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (router.codecs ?? []).filter((c) => !/\/rtx$/i.test(c.mimeType)).map((c) => ({ ...c, rtcpFeedback: [] })),
    headerExtensions: [],
  };
}

/** The SDP of a consumer's stream as seen by a reader listening on `host:port`. */
export function tapSdp(consumer: Pick<types.Consumer, 'kind' | 'rtpParameters'>, host: string, port: number): string {
  const codec = consumer.rtpParameters.codecs[0];
  if (!codec) throw new Error('consumer has no codec');
  const [, name] = codec.mimeType.split('/');
  const channels = consumer.kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  const family = host.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=- 0 0 IN ${family} ${host}`,
    's=Quorum tap',
    `c=IN ${family} ${host}`,
    't=0 0',
    `m=${consumer.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\r\n');
}

export interface RtpReaderOptions {
  /**
   * FFmpeg's RTP input gives up after 10 s without a packet (the default). Off, a muted sender is
   * only a pause and the reader waits for as long as it takes; it is then ended by `endRtpReader`
   * (a signal alone only takes effect at its next packet).
   */
  endOnSilence?: boolean;
}

/**
 * FFmpeg's input side for a tap: the SDP arrives on standard input, packets on UDP. A reorder queue
 * absorbs loopback reordering; timestamps come from the RTP clock so a pause leaves a gap, not a jump.
 */
export function rtpReaderArgs(options: RtpReaderOptions = {}): string[] {
  const patience = options.endOnSilence === false ? ['-listen_timeout', '-1'] : [];
  return ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'pipe,udp,rtp', '-reorder_queue_size', '64', '-fflags', '+genpts', ...patience, '-f', 'sdp', '-i', 'pipe:0'];
}

/**
 * Asks a reader to finish: an RTCP BYE on its RTCP port ends FFmpeg's RTP input like the end of a
 * file, so it writes the rest and closes its output properly, even when no packet comes any more (a
 * signal only takes effect at FFmpeg's next packet, and a second one aborts the closing).
 */
export function endRtpReader(tap: Pick<RtpTap, 'port'>, host = '127.0.0.1'): Promise<void> {
  // V=2, 2 SSRCs (FFmpeg ignores packets shorter than an RTP header), PT=203 (BYE), length 2.
  const bye = Buffer.from([0x82, 0xcb, 0x00, 0x02, 0x51, 0x55, 0x4f, 0x52, 0x00, 0x00, 0x00, 0x00]);
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) =>
    socket.send(bye, tap.port + 1, host, () => {
      socket.close();
      resolve();
    }),
  );
}

/** Starts `ffmpeg` (or `command`) reading `tap` and writing as `outputArgs` say; the SDP is written to its stdin. */
export function spawnRtpReader(tap: Pick<RtpTap, 'sdp'>, outputArgs: readonly string[], command = 'ffmpeg', options: RtpReaderOptions = {}): ChildProcess {
  const child = spawn(command, [...rtpReaderArgs(options), ...outputArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(tap.sdp);
  return child;
}

/**
 * Resolves true once something listens on UDP `port` (a reader that opened its socket), false when
 * `timeoutMs` passes or `alive()` turns false first. Packets sent before a reader listens are lost, so
 * a tap is started only after this. Reads the kernel's socket table; elsewhere than Linux it waits
 * a fixed half second instead.
 */
export async function waitForUdpListener(port: number, options: { timeoutMs?: number; alive?: () => boolean } = {}): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  while (Date.now() < deadline) {
    if (options.alive && !options.alive()) return false;
    const tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((f) => readFile(f, 'utf8').catch(() => null)));
    if (tables.every((t) => t === null)) {
      await new Promise((r) => setTimeout(r, 500));
      return options.alive ? options.alive() : true;
    }
    // Each line: "sl local_address rem_address ...", the local address as HEXIP:HEXPORT.
    if (tables.some((t) => t?.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex)))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** An even port whose pair (RTP, RTCP) is free on `host` now. Another process may still take it first; readers fail loudly then. */
export async function freeUdpPortPair(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bind(host, 0);
    const port = first.address().port;
    const even = port % 2 === 0 ? port : port - 1;
    first.close();
    if (even < 1024) continue;
    const pair = await Promise.all([bind(host, even), bind(host, even + 1)].map((p) => p.catch(() => null)));
    pair.forEach((s) => s?.close());
    if (pair.every(Boolean)) return even;
  }
  throw new Error(`no free UDP port pair on ${host}`);
}

function bind(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
