/**
 * Interpretation channels at the room layer (LiveRoom on a real worker, plain RTP in and out, audio
 * levels carried in the ssrc-audio-level header extension as browsers send them):
 * - the floor speaker is detected by the active-speaker and audio-level observers, a louder
 *   interpreter never is;
 * - a floor listener cannot consume a channel and receives none of its RTP; a channel listener
 *   receives the channel and the floor; switching back holds the channel's consumer paused on the server,
 *   choosing it again resumes it, and a channel left before that is closed;
 * - a booth hand-over forwards the incoming interpreter before the outgoing one is paused: the
 *   listener's packets from both overlap, there is no gap.
 */
import { randomUUID } from 'node:crypto';
import type dgram from 'node:dgram';
import { LiveRoom, type Peer, type RoomOutbox } from '../../server/src/modules/rooms/live/live-room';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { AppError } from '../../server/src/common/errors';
import { closeSocket, LOOPBACK, opusPayload, RtpReceiver, sleep, udpSocket, waitFor } from '../helpers/rtp';

jest.setTimeout(30_000);

const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const EXT_ID = 1;
const params = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  headerExtensions: [{ uri: AUDIO_LEVEL, id: EXT_ID }],
  encodings: [{ ssrc }],
});
const CAPABILITIES = {
  codecs: [
    {
      kind: 'audio' as const,
      mimeType: 'audio/opus',
      preferredPayloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: {},
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
};

/** RTP with a one-byte header extension carrying the audio level (-dBov, voice bit set). */
function rtpWithLevel(seq: number, ssrc: number, dBov: number): Buffer {
  const payload = opusPayload(seq);
  const packet = Buffer.alloc(12 + 8 + payload.length);
  packet[0] = 0x90; // version 2, extension bit
  packet[1] = 100;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE((960 * seq) >>> 0, 4);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  packet.writeUInt16BE(0xbede, 12);
  packet.writeUInt16BE(1, 14); // one 32-bit word of extensions
  packet[16] = (EXT_ID << 4) | 0; // id, length 1 byte
  packet[17] = 0x80 | Math.min(127, Math.max(0, -dBov));
  payload.copy(packet, 20);
  return packet;
}

interface Sent {
  event: string;
  data: unknown;
}

describe('interpretation channels in a live room', () => {
  let pool: WorkerPool;
  let room: LiveRoom;
  let sender: dgram.Socket;
  const pacers: NodeJS.Timeout[] = [];
  const receivers: RtpReceiver[] = [];
  const broadcast: Sent[] = [];
  const toPeer = new Map<string, Sent[]>();
  const outbox: RoomOutbox = {
    toPeer: (peer, event, data) => toPeer.set(peer.id, [...(toPeer.get(peer.id) ?? []), { event, data }]),
    toOthers: (_room, _except, event, data) => broadcast.push({ event, data }),
    toRoles: () => undefined,
  };

  beforeEach(async () => {
    broadcast.length = 0;
    toPeer.clear();
    pool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: 19460, rtcMaxPort: 19499, logLevel: 'warn' });
    await pool.start();
    room = await LiveRoom.open(randomUUID(), randomUUID(), await pool.createRouter(), outbox, {
      iceServers: [],
      plainListenInfo: pool.transportListenInfo(),
      limits: { transportsPerDirection: 4, consumersPerProducer: 2 },
    });
    room.mode = 'webinar';
    sender = await udpSocket();
  });

  afterEach(async () => {
    pacers.splice(0).forEach(clearInterval);
    room.close();
    await closeSocket(sender);
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await pool.close();
  });

  /** A publisher sending opus every 20 ms at `dBov`, into the floor or a channel. */
  async function publisher(name: string, role: 'host' | 'attendee', ssrc: number, dBov: number, channel?: 'zh') {
    const peer = room.addPeer(randomUUID(), name, `${name}-socket`, role);
    const input = await room.createPlainTransport(peer, 'send', { comedia: true });
    const producerId = await room.produce(peer, {
      transportId: input.id,
      kind: 'audio',
      rtpParameters: params(ssrc),
      source: 'mic',
      channel,
    });
    let seq = 0;
    const state = { sending: true };
    pacers.push(
      setInterval(() => {
        if (state.sending) sender.send(rtpWithLevel(seq++, ssrc, dBov), input.tuple.localPort, LOOPBACK);
      }, 20),
    );
    return { peer, producerId, state };
  }

  async function listener(name: string) {
    const peer = room.addPeer(randomUUID(), name, `${name}-socket`, 'attendee');
    const receiver = await RtpReceiver.open();
    receivers.push(receiver);
    const output = await room.createPlainTransport(peer, 'recv', { comedia: false });
    await output.connect({ ip: LOOPBACK, port: receiver.port });
    /** Per consumer: packets received and when the first and last arrived. */
    const consume = async (producerId: string) => {
      const c = await room.consume(peer, output.id, producerId, CAPABILITIES);
      await room.resumeConsumer(peer, c.consumerId);
      const ssrc = c.rtpParameters.encodings![0]!.ssrc!;
      return { consumerId: c.consumerId, packets: () => receiver.stream(ssrc).packets };
    };
    return { peer, consume };
  }

  const assignZh = (...peers: Peer[]) =>
    room.setInterpreters(peers.map((p) => ({ userId: p.userId, displayName: p.displayName, from: 'en', to: 'zh', twoWay: false })));

  it('leaves interpreters out of active-speaker detection and audio levels, the floor speaker in', async () => {
    const floor = await publisher('floor', 'host', 0x1001, -40);
    const booth = room.addPeer(randomUUID(), 'Interpreter', 'interp-socket', 'attendee');
    assignZh(booth);
    const input = await room.createPlainTransport(booth, 'send', { comedia: true });
    await room.produce(booth, { transportId: input.id, kind: 'audio', rtpParameters: params(0x2002), source: 'mic', channel: 'zh' });
    let seq = 0;
    // Louder than the floor: if the observers had it, it would win.
    pacers.push(setInterval(() => sender.send(rtpWithLevel(seq++, 0x2002, -10), input.tuple.localPort, LOOPBACK), 20));

    await waitFor(() => broadcast.some((e) => e.event === 'speaker:active'), 8_000, 'an active speaker');
    await sleep(1_500);
    const speakers = broadcast.filter((e) => e.event === 'speaker:active').map((e) => (e.data as { peerId: string }).peerId);
    const levelled = broadcast
      .filter((e) => e.event === 'audio:levels')
      .flatMap((e) => (e.data as { levels: { peerId: string }[] }).levels.map((l) => l.peerId));
    expect(speakers).toContain(floor.peer.id);
    expect(levelled).toContain(floor.peer.id);
    expect(speakers).not.toContain(booth.id);
    expect(levelled).not.toContain(booth.id);
  });

  it('forwards a channel only to its listeners, holds it paused when they go back to the floor, closes an older one', async () => {
    const floor = await publisher('floor', 'host', 0x1001, -30);
    const interpreter = room.addPeer(randomUUID(), 'Li', 'li-socket', 'attendee');
    // Not assigned yet: refused, even in a meeting-like role; then assigned (an attendee, off stage).
    const input = await room.createPlainTransport(interpreter, 'send', { comedia: true });
    await expect(
      room.produce(interpreter, { transportId: input.id, kind: 'audio', rtpParameters: params(0x3003), source: 'mic', channel: 'zh' }),
    ).rejects.toMatchObject({ code: 'NOT_INTERPRETER' });
    assignZh(interpreter);
    await expect(
      room.produce(interpreter, {
        transportId: input.id,
        kind: 'audio',
        rtpParameters: params(0x3003),
        source: 'mic',
        channel: 'ar' as 'zh',
      }),
    ).rejects.toMatchObject({ code: 'NOT_INTERPRETER' });
    const zhProducer = await room.produce(interpreter, {
      transportId: input.id,
      kind: 'audio',
      rtpParameters: params(0x3003),
      source: 'mic',
      channel: 'zh',
    });
    let seq = 0;
    pacers.push(setInterval(() => sender.send(rtpWithLevel(seq++, 0x3003, -20), input.tuple.localPort, LOOPBACK), 20));
    // The channel stream is not the interpreter's own media: webinar attendees are not told of it as such.
    const added = broadcast.filter((e) => e.event === 'producer:added').map((e) => (e.data as { producerId: string }).producerId);
    expect(added).toEqual([floor.producerId]);
    expect(room.interpretationState(interpreter).channels).toEqual([
      { channel: 'zh', streams: [expect.objectContaining({ producerId: zhProducer, live: true })] },
    ]);

    const onFloor = await listener('floor-listener');
    const onZh = await listener('zh-listener');
    const floorOfFloor = await onFloor.consume(floor.producerId);
    await expect(onFloor.consume(zhProducer)).rejects.toMatchObject({ code: 'CHANNEL_NOT_CHOSEN' });
    expect(room.listen(onZh.peer, 'zh', 0).streams.map((s) => s.producerId)).toEqual([zhProducer]);
    const floorOfZh = await onZh.consume(floor.producerId);
    const zhOfZh = await onZh.consume(zhProducer);
    await waitFor(
      () => floorOfFloor.packets() > 25 && floorOfZh.packets() > 25 && zhOfZh.packets() > 25,
      5_000,
      'floor and channel packets',
    );
    // The floor listener holds one consumer (the floor) and receives nothing of the channel.
    expect([...onFloor.peer.consumers.values()].map((c) => c.producerId)).toEqual([floor.producerId]);
    expect([...onZh.peer.consumers.values()].map((c) => c.producerId).sort()).toEqual([floor.producerId, zhProducer].sort());

    // Back on the floor: the channel just left is held, paused on the server, and nothing of it flows.
    room.listen(onZh.peer, 'floor');
    const zhConsumer = [...onZh.peer.consumers.values()].find((c) => c.producerId === zhProducer)!;
    expect(zhConsumer.closed).toBe(false);
    await waitFor(() => zhConsumer.paused, 2_000, 'the held consumer paused');
    expect(toPeer.get(onZh.peer.id)?.filter((e) => e.event === 'consumer:closed') ?? []).toEqual([]);
    await sleep(100);
    const held = zhOfZh.packets();
    await sleep(300);
    expect(zhOfZh.packets()).toBe(held);

    // Chosen again: the same consumer flows again, without a new one.
    room.listen(onZh.peer, 'zh', 0);
    await waitFor(() => zhOfZh.packets() > held + 10, 5_000, 'channel packets after going back');

    // An older channel is not kept: zh → ar holds zh, ar → floor closes it and says so.
    room.listen(onZh.peer, 'ar');
    room.listen(onZh.peer, 'floor');
    expect([...onZh.peer.consumers.values()].map((c) => c.producerId)).toEqual([floor.producerId]);
    expect(toPeer.get(onZh.peer.id)).toContainEqual({
      event: 'consumer:closed',
      data: { consumerId: zhOfZh.consumerId, producerId: zhProducer },
    });
    const after = zhOfZh.packets();
    await sleep(300);
    expect(zhOfZh.packets()).toBe(after);
  });

  it('hands a booth over without a gap: the partner is forwarded before the outgoing interpreter is paused', async () => {
    await publisher('floor', 'host', 0x1001, -30);
    // Two interpreters of the zh booth, both in the audience of the webinar.
    const pa = room.addPeer(randomUUID(), 'Partner A', 'pa-socket', 'attendee');
    const pb = room.addPeer(randomUUID(), 'Partner B', 'pb-socket', 'attendee');
    assignZh(pa, pb);
    const produceInto = async (peer: Peer, ssrc: number) => {
      const input = await room.createPlainTransport(peer, 'send', { comedia: true });
      const producerId = await room.produce(peer, {
        transportId: input.id,
        kind: 'audio',
        rtpParameters: params(ssrc),
        source: 'mic',
        channel: 'zh',
      });
      let seq = 0;
      pacers.push(setInterval(() => sender.send(rtpWithLevel(seq++, ssrc, -20), input.tuple.localPort, LOOPBACK), 20));
      return producerId;
    };
    const fromA = await produceInto(pa, 0x6006);
    const fromB = await produceInto(pb, 0x7007);
    // The partner who came second is held back until a hand-over.
    expect(room.interpretationState(pa).channels[0]!.streams.map((s) => [s.producerId, s.live])).toEqual([
      [fromA, true],
      [fromB, false],
    ]);
    // Resuming by oneself is not how a partner goes live.
    await expect(room.resumeProducer(pb, fromB)).rejects.toBeInstanceOf(AppError);

    const zh = await listener('zh-listener');
    room.listen(zh.peer, 'zh', 0.2);
    const hearA = await zh.consume(fromA);
    const hearB = await zh.consume(fromB);
    await waitFor(() => hearA.packets() > 20, 5_000, 'the live interpreter');
    expect(hearB.packets()).toBe(0);

    // Sample both counters every 5 ms during the hand-over: B must start before A stops.
    const samples: { at: number; a: number; b: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), a: hearA.packets(), b: hearB.packets() }), 5);
    const live = await room.handOver(pa, 'zh', pb.id);
    await sleep(400);
    clearInterval(sampler);
    expect(live).toBe(fromB);
    const firstB = samples.find((s) => s.b > 0)!;
    const lastA = samples.find((s) => s.a === samples.at(-1)!.a)!;
    expect(firstB).toBeDefined();
    // A's last packet arrived after B's first: both were heard for a moment, never neither.
    expect(lastA.at).toBeGreaterThanOrEqual(firstB.at);
    expect(room.interpretationState(pa).channels[0]!.streams.map((s) => [s.producerId, s.live])).toEqual([
      [fromA, false],
      [fromB, true],
    ]);
    // A stopped being forwarded for good.
    const aAfter = hearA.packets();
    await sleep(300);
    expect(hearA.packets()).toBe(aAfter);

    // B leaves: A, still connected, carries the booth on by itself.
    room.removePeer(pb);
    await waitFor(
      () => room.interpretationState(pa).channels[0]?.streams.every((s) => s.producerId === fromA && s.live) ?? false,
      3_000,
      'A live again',
    );
    const aBack = hearA.packets();
    await waitFor(() => hearA.packets() > aBack + 10, 3_000, 'A forwarded again');
  });
});
