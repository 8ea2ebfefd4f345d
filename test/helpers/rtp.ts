import dgram from 'node:dgram';

/** RTP over loopback for media tests: build packets, send them paced, count what comes back. */

export const LOOPBACK = '127.0.0.1';

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
}

export interface RtpPacket extends Required<RtpHeader> {
  payload: Buffer;
}

/** A 12-byte RTP header (version 2, no CSRC, no extension) followed by the payload. */
export function buildRtp({ payloadType, sequenceNumber, timestamp, ssrc, marker = false }: RtpHeader, payload: Buffer): Buffer {
  const packet = Buffer.alloc(12 + payload.length);
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  packet.writeUInt16BE(sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(timestamp >>> 0, 4);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(packet, 12);
  return packet;
}

/** RTCP packet types land in 192-223 in the second byte; RFC 5761 keeps RTP payload types out of that range when muxed. */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 8 && packet[1]! >= 192 && packet[1]! <= 223;
}

/** Parses an RTP packet, skipping CSRCs, header extensions and padding; null when it is not RTP. */
export function parseRtp(packet: Buffer): RtpPacket | null {
  if (packet.length < 12 || packet[0]! >> 6 !== 2 || isRtcp(packet)) return null;
  const first = packet[0]!;
  let offset = 12 + 4 * (first & 0x0f);
  if (first & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  const padding = first & 0x20 ? packet[packet.length - 1]! : 0;
  if (packet.length < offset + padding) return null;
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, packet.length - padding),
  };
}

const OPUS_TOC = 0xfc; // config 31 (20 ms CELT FB), stereo, one frame

/** An opus-shaped payload that carries its own index, so a receiver can check order and content. */
export function opusPayload(index: number, size = 80): Buffer {
  const payload = Buffer.alloc(size, 0xa5);
  payload[0] = OPUS_TOC;
  payload.writeUInt32BE(index >>> 0, 1);
  return payload;
}

/** The index written by opusPayload, or null for any other payload. */
export function payloadIndex(payload: Buffer): number | null {
  return payload.length >= 5 && payload[0] === OPUS_TOC ? payload.readUInt32BE(1) : null;
}

/** What one receiver saw of one SSRC. */
export class RtpStreamCounter {
  packets = 0;
  bytes = 0;
  /** Steps between consecutive sequence numbers other than +1 (loss or reordering). */
  seqGaps = 0;
  duplicates = 0;
  /** Packets whose sequence number is not `baseSeq + payload index` (mod 2^16): the SFU renumbered inconsistently. */
  seqMismatches = 0;
  /** Packets whose payload index is not the next one expected. */
  outOfOrder = 0;
  /** The sequence number the SFU gave (or would have given) payload index 0. */
  baseSeq: number | null = null;
  lastSeq: number | null = null;
  readonly payloadTypes = new Set<number>();
  private nextIndex = 0;

  add(packet: RtpPacket, size: number): void {
    this.packets++;
    this.bytes += size;
    this.payloadTypes.add(packet.payloadType);
    const seq = packet.sequenceNumber;
    if (this.lastSeq !== null) {
      const step = (seq - this.lastSeq) & 0xffff;
      if (step === 0) this.duplicates++;
      else if (step !== 1) this.seqGaps++;
    }
    this.lastSeq = seq;
    const index = payloadIndex(packet.payload);
    if (index === null) return;
    if (index !== this.nextIndex) this.outOfOrder++;
    this.nextIndex = index + 1;
    this.baseSeq ??= (seq - index) & 0xffff;
    if (((this.baseSeq + index) & 0xffff) !== seq) this.seqMismatches++;
  }
}

/** Counts RTP per SSRC; RTCP and non-RTP are tallied apart. */
export class RtpTally {
  readonly streams = new Map<number, RtpStreamCounter>();
  rtcp = 0;
  other = 0;

  stream(ssrc: number): RtpStreamCounter {
    return this.streams.get(ssrc) ?? new RtpStreamCounter();
  }

  take(message: Buffer): void {
    if (isRtcp(message)) {
      this.rtcp++;
      return;
    }
    const packet = parseRtp(message);
    if (!packet) {
      this.other++;
      return;
    }
    let counter = this.streams.get(packet.ssrc);
    if (!counter) this.streams.set(packet.ssrc, (counter = new RtpStreamCounter()));
    counter.add(packet, message.length);
  }
}

/** A tally of what arrives on a UDP socket of its own. */
export class RtpReceiver extends RtpTally {
  private constructor(readonly socket: dgram.Socket) {
    super();
    socket.on('message', (message) => this.take(message));
  }

  static async open(): Promise<RtpReceiver> {
    return new RtpReceiver(await udpSocket());
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }
}

export function udpSocket(ip = LOOPBACK): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    // A large receive buffer keeps bursts from being dropped by the kernel rather than by the SFU.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    socket.once('error', reject);
    socket.bind(0, ip, () => resolve(socket));
  });
}

export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

export interface OpusStream {
  ssrc: number;
  payloadType: number;
  count: number;
  /** Sequence number of the first packet; start near 65535 to cross the wrap. */
  firstSeq?: number;
  intervalMs?: number;
}

/**
 * Sends `count` opus-shaped packets, packet i at `i * intervalMs` after the start (catching up
 * after a late timer rather than drifting). Resolves with the bytes sent.
 */
export async function sendOpus(send: (packet: Buffer) => void | Promise<void>, stream: OpusStream): Promise<number> {
  const { ssrc, payloadType, count, firstSeq = 0, intervalMs = 20 } = stream;
  const start = Date.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const packet = buildRtp({ payloadType, sequenceNumber: firstSeq + i, timestamp: 960 * i, ssrc }, opusPayload(i));
    bytes += packet.length;
    await send(packet);
    const wait = start + (i + 1) * intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
  }
  return bytes;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `done()` holds; rejects after `timeoutMs` naming what it waited for. */
export async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Rejects naming `what` when `promise` has not settled within `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
