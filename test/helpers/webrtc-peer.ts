import { RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver } from 'werift';
import type {
  CommandName,
  CommandPayload,
  CommandResults,
  ConsumerInfo,
  RoomJoined,
  RtpCapabilities,
  TransportInfo,
} from '../../server/src/contract';
import { command, connectSocket, type TestSocket } from './api';
import { buildRtp, LOOPBACK, opusPayload, waitFor, within } from './rtp';

/**
 * A WebRTC client in Node (werift) that speaks Quorum's socket signalling the way the web client's
 * mediasoup-client does: join, one send and one receive transport, DTLS, produce, consume + resume.
 * It sends synthetic opus and VP8 RTP and counts what it receives per consumer.
 */

export type Kind = 'audio' | 'video';

/** What this peer received on one consumer. */
export interface Received {
  consumerId: string;
  producerId: string;
  kind: Kind;
  packets: number;
  bytes: number;
  /** Date.now() of the first packet, null until one arrives. */
  firstAt: number | null;
}

interface Section {
  mid: string;
  kind: Kind;
  ssrc: number | undefined;
}

const AUDIO_INTERVAL_MS = 20;
const VIDEO_INTERVAL_MS = 33;
/** A keyframe every this many video frames: a resumed consumer forwards nothing before one. */
const KEYFRAME_EVERY = 10;
const CONNECT_TIMEOUT_MS = 10_000;

/** Throws with the refusal code when a command is refused. */
async function call<C extends CommandName>(socket: TestSocket, name: C, payload: CommandPayload<C>): Promise<CommandResults[C]> {
  const res = await command(socket, name, payload);
  if (!res.ok) throw Object.assign(new Error(`${name} refused: ${res.error.code} ${res.error.message}`), { code: res.error.code });
  return res.data;
}

/** The router's opus and VP8 (no RTX): the payload types werift offers and what this peer can receive. */
function codecsOf(joined: RoomJoined) {
  const find = (mimeType: string) => {
    const codec = joined.routerRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType);
    if (!codec?.preferredPayloadType) throw new Error(`the router offers no ${mimeType}`);
    return { ...codec, preferredPayloadType: codec.preferredPayloadType };
  };
  return { audio: find('audio/opus'), video: find('video/vp8') };
}

const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];

function readOffer(sdp: string): { fingerprint: string; sections: Section[] } {
  const fingerprint = sdp.match(/^a=fingerprint:sha-256 (\S+)/m)?.[1];
  if (!fingerprint) throw new Error('werift offered no sha-256 fingerprint');
  const sections = sdp
    .split(/^m=/m)
    .slice(1)
    .map((text) => {
      const mid = text.match(/^a=mid:(\S+)/m)?.[1];
      if (!mid) throw new Error('an offered m-section has no mid');
      const ssrc = text.match(/^a=ssrc:(\d+)/m)?.[1];
      return { mid, kind: (text.startsWith('video') ? 'video' : 'audio') as Kind, ssrc: ssrc ? Number(ssrc) : undefined };
    });
  return { fingerprint, sections };
}

/**
 * The answer the server side of a transport would give: ICE-lite, DTLS passive, one m-section per
 * offered one. `sending` lists the consumer SSRC of each m-section the server sends on.
 */
function answer(transport: TransportInfo, sections: Section[], payloadTypes: Record<Kind, number>, sending: Map<string, number>): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256')?.value;
  if (!fingerprint) throw new Error('the transport has no sha-256 fingerprint');
  const udp = transport.iceCandidates.filter((c) => c.protocol === 'udp');
  const port = udp[0]?.port ?? 9;
  const media = ({ mid, kind }: Section): string[] => {
    const pt = payloadTypes[kind];
    const ssrc = sending.get(mid);
    return [
      `m=${kind} ${port} UDP/TLS/RTP/SAVPF ${pt}`,
      `c=IN IP4 ${udp[0]?.address ?? LOOPBACK}`,
      `a=mid:${mid}`,
      `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
      `a=ice-pwd:${transport.iceParameters.password}`,
      `a=fingerprint:sha-256 ${fingerprint}`,
      'a=setup:passive',
      'a=rtcp-mux',
      'a=rtcp-rsize',
      kind === 'audio' ? `a=rtpmap:${pt} opus/48000/2` : `a=rtpmap:${pt} VP8/90000`,
      ...(kind === 'video' ? [`a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`, `a=rtcp-fb:${pt} ccm fir`] : []),
      ...udp.map((c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ host`),
      'a=end-of-candidates',
      ...(ssrc === undefined ? ['a=recvonly'] : ['a=sendonly', `a=msid:quorum quorum-${mid}`, `a=ssrc:${ssrc} cname:quorum`]),
    ];
  };
  return [
    'v=0',
    `o=quorum 1 1 IN IP4 ${LOOPBACK}`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${sections.map((s) => s.mid).join(' ')}`,
    ...sections.flatMap(media),
    '',
  ].join('\r\n');
}

/** A VP8 frame in one packet: payload descriptor (start of partition 0) and a frame header. */
function vp8Payload(frame: number): Buffer {
  const key = frame % KEYFRAME_EVERY === 0;
  const payload = Buffer.alloc(key ? 600 : 200, 0x5a);
  payload[0] = 0x10;
  // Frame tag: bit 0 clear marks a keyframe (mediasoup reads only that); a keyframe carries the start code and size.
  payload[1] = key ? 0x10 : 0x11;
  if (key) payload.set([0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 2);
  return payload;
}

export class WebRtcPeer {
  joined: RoomJoined | null = null;
  /** Every server event this socket received, in order. */
  readonly events: { event: string; data: unknown; at: number }[] = [];
  /** Producer id by kind, for what this peer publishes now. */
  readonly producers = new Map<Kind, string>();
  readonly received = new Map<string, Received>();
  /** Every receive transport the server gave this peer, in order (which node's address and port it is on). */
  readonly recvTransports: TransportInfo[] = [];
  /**
   * Milliseconds spent in each step of the last `publish` (for the join benchmark): awaitDtls is the
   * wait after media:produce; `ice` (answer -> ICE connected) overlaps produce and awaitDtls.
   */
  readonly publishSteps: Record<string, number> = {};
  private readonly pcs = new Set<RTCPeerConnection>();
  private readonly senders = new Map<Kind, RTCRtpTransceiver>();
  private readonly pacers = new Set<NodeJS.Timeout>();

  constructor(readonly socket: TestSocket) {
    socket.onAny((event: string, data: unknown) => this.events.push({ event, data, at: Date.now() }));
  }

  static async connect(base: string, token: string): Promise<WebRtcPeer> {
    return new WebRtcPeer(await connectSocket(base, { token }));
  }

  /** room:join; a second call is a rejoin (after `room:media-reset`): media set up before is dropped. */
  async join(roomId: string): Promise<RoomJoined> {
    await this.closeMedia();
    this.joined = await call(this.socket, 'room:join', { roomId });
    return this.joined;
  }

  /**
   * A send transport with one werift track per kind, connected (ICE + DTLS) and producing. Resolves
   * once DTLS is up, so the first packet `startSending` sends reaches the server.
   */
  async publish(kinds: readonly Kind[]): Promise<Map<Kind, string>> {
    const joined = this.requireJoined();
    const codecs = codecsOf(joined);
    let last = performance.now();
    const step = (name: string) => {
      const now = performance.now();
      this.publishSteps[name] = now - last;
      last = now;
    };
    const transport = await call(this.socket, 'media:create-transport', { direction: 'send' });
    step('createTransport');
    const pc = this.peerConnection(joined);
    const transceivers = kinds.map((kind) => pc.addTransceiver(kind, { direction: 'sendonly' }));
    await pc.setLocalDescription(await pc.createOffer());
    const offer = readOffer(pc.localDescription!.sdp);
    step('offer');
    await call(this.socket, 'media:connect-transport', {
      transportId: transport.transportId,
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: offer.fingerprint }] },
    });
    step('connectTransport');
    const payloadTypes = { audio: codecs.audio.preferredPayloadType, video: codecs.video.preferredPayloadType };
    // ICE and DTLS run while the producers are created, as in mediasoup-client.
    await pc.setRemoteDescription({ type: 'answer', sdp: answer(transport, offer.sections, payloadTypes, new Map()) });
    const answeredAt = performance.now();
    const iceConnected = new Promise<number>((resolve) => {
      const { unSubscribe } = pc.iceConnectionStateChange.subscribe((state) => {
        if (state !== 'connected') return;
        unSubscribe();
        resolve(performance.now());
      });
    });
    const connected = this.connected(pc);
    connected.catch(() => undefined); // awaited after media:produce, which may throw first
    step('answer');
    for (const [i, kind] of kinds.entries()) {
      const section = offer.sections[i]!;
      if (section.ssrc === undefined) throw new Error(`werift offered no SSRC for ${kind}`);
      const codec = codecs[kind];
      const { producerId } = await call(this.socket, 'media:produce', {
        transportId: transport.transportId,
        kind,
        source: kind === 'audio' ? 'mic' : 'camera',
        rtpParameters: {
          mid: section.mid,
          codecs: [
            {
              mimeType: codec.mimeType,
              payloadType: codec.preferredPayloadType,
              clockRate: codec.clockRate,
              ...(codec.channels ? { channels: codec.channels } : {}),
              rtcpFeedback: kind === 'video' ? VIDEO_FEEDBACK : [],
            },
          ],
          encodings: [{ ssrc: section.ssrc }],
          rtcp: { cname: `werift-${section.ssrc}`, reducedSize: true },
        },
      });
      this.producers.set(kind, producerId);
      this.senders.set(kind, transceivers[i]!);
    }
    step('produce');
    await connected;
    step('awaitDtls');
    // ICE ran alongside media:produce; this is answer -> ICE connected, the rest until DTLS is up is DTLS.
    this.publishSteps.ice = (await iceConnected) - answeredAt;
    return this.producers;
  }

  /** Paced RTP on every published track (opus every 20 ms, VP8 at 30 fps), the first packets at once. */
  startSending(): void {
    for (const [kind, transceiver] of this.senders) {
      let i = 0;
      const send = () => {
        const packet =
          kind === 'audio'
            ? buildRtp({ payloadType: 0, sequenceNumber: i, timestamp: 960 * i, ssrc: 0 }, opusPayload(i))
            : buildRtp({ payloadType: 0, sequenceNumber: i, timestamp: 3000 * i, ssrc: 0, marker: true }, vp8Payload(i));
        i++;
        // werift stamps its own SSRC, payload type and sequence offset.
        transceiver.sender.sendRtp(packet).catch(() => undefined);
      };
      send();
      this.pacers.add(setInterval(send, kind === 'audio' ? AUDIO_INTERVAL_MS : VIDEO_INTERVAL_MS));
    }
  }

  /**
   * Sends one RTP packet as it is on the published track of `kind` (werift stamps its own SSRC,
   * payload type and sequence offset): real media encoded elsewhere, e.g. by FFmpeg.
   */
  sendRtp(kind: Kind, packet: Buffer): void {
    const transceiver = this.senders.get(kind);
    if (!transceiver) throw new Error(`nothing published for ${kind}`);
    transceiver.sender.sendRtp(packet).catch(() => undefined);
  }

  stopSending(): void {
    for (const timer of this.pacers) clearInterval(timer);
    this.pacers.clear();
  }

  /** A receive transport with one consumer per producer, connected (ICE + DTLS) and resumed. */
  async subscribe(producers: readonly { producerId: string; kind: Kind }[]): Promise<Received[]> {
    const joined = this.requireJoined();
    const codecs = codecsOf(joined);
    const rtpCapabilities: RtpCapabilities = { codecs: [codecs.audio, { ...codecs.video, rtcpFeedback: VIDEO_FEEDBACK }], headerExtensions: [] };
    const transport = await call(this.socket, 'media:create-transport', { direction: 'recv' });
    this.recvTransports.push(transport);
    const pc = this.peerConnection(joined);
    const transceivers = producers.map(({ kind }) => pc.addTransceiver(kind, { direction: 'recvonly' }));
    await pc.setLocalDescription(await pc.createOffer());
    const offer = readOffer(pc.localDescription!.sdp);
    await call(this.socket, 'media:connect-transport', {
      transportId: transport.transportId,
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: offer.fingerprint }] },
    });
    const consumers: ConsumerInfo[] = [];
    for (const { producerId } of producers) {
      consumers.push(await call(this.socket, 'media:consume', { transportId: transport.transportId, producerId, rtpCapabilities }));
    }
    const sending = new Map<string, number>();
    const handles = consumers.map((consumer, i) => {
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      if (ssrc === undefined) throw new Error(`consumer ${consumer.consumerId} has no SSRC`);
      sending.set(offer.sections[i]!.mid, ssrc);
      const handle: Received = { consumerId: consumer.consumerId, producerId: consumer.producerId, kind: consumer.kind, packets: 0, bytes: 0, firstAt: null };
      this.received.set(consumer.consumerId, handle);
      transceivers[i]!.onTrack.subscribe((track) =>
        track.onReceiveRtp.subscribe((rtp) => {
          handle.firstAt ??= Date.now();
          handle.packets++;
          handle.bytes += rtp.payload.length;
        }),
      );
      return handle;
    });
    const payloadTypes = { audio: codecs.audio.preferredPayloadType, video: codecs.video.preferredPayloadType };
    await pc.setRemoteDescription({ type: 'answer', sdp: answer(transport, offer.sections, payloadTypes, sending) });
    await this.connected(pc);
    // Consumers start paused on the server; resume once this side can take the packets.
    for (const consumer of consumers) await call(this.socket, 'media:resume-consumer', { consumerId: consumer.consumerId });
    return handles;
  }

  /** Waits until every handle has at least `packets` more packets than when called. */
  async receiveMore(handles: readonly Received[], packets: number, timeoutMs: number): Promise<void> {
    const from = handles.map((h) => h.packets);
    await waitFor(() => handles.every((h, i) => h.packets - from[i]! >= packets), timeoutMs, `${packets} more packets on ${handles.map((h) => h.kind).join(' + ')}`);
  }

  /** Stops sending and closes every peer connection (the server's transports stay until leave or reset). */
  async closeMedia(): Promise<void> {
    this.stopSending();
    this.senders.clear();
    this.producers.clear();
    const pcs = [...this.pcs];
    this.pcs.clear();
    await Promise.all(pcs.map((pc) => pc.close().catch(() => undefined)));
  }

  async close(): Promise<void> {
    await this.closeMedia();
    this.socket.close();
  }

  private requireJoined(): RoomJoined {
    if (!this.joined) throw new Error('join a room first');
    return this.joined;
  }

  private peerConnection(joined: RoomJoined): RTCPeerConnection {
    const { audio, video } = codecsOf(joined);
    const pc = new RTCPeerConnection({
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: audio.preferredPayloadType })],
        video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: video.preferredPayloadType, rtcpFeedback: VIDEO_FEEDBACK })],
      },
      iceServers: [],
      iceAdditionalHostAddresses: [LOOPBACK],
      iceUseIpv6: false,
      // One ICE transport from the start: with max-compat werift leaves the unbundled one's socket open.
      bundlePolicy: 'max-bundle',
    });
    this.pcs.add(pc);
    return pc;
  }

  /** Resolves on the state change itself rather than by polling: join latency is measured through this. */
  private async connected(pc: RTCPeerConnection): Promise<void> {
    let unsubscribe = () => {};
    const settled = new Promise<void>((resolve, reject) => {
      const check = (state: RTCPeerConnection['connectionState']) => {
        if (state === 'connected') resolve();
        else if (state === 'failed' || state === 'closed') reject(new Error(`werift connection ${state}`));
      };
      ({ unSubscribe: unsubscribe } = pc.connectionStateChange.subscribe(check));
      check(pc.connectionState);
    });
    try {
      await within(settled, CONNECT_TIMEOUT_MS, 'ICE + DTLS');
    } finally {
      unsubscribe();
    }
  }
}
