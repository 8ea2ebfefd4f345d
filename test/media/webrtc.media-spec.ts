import type { types } from 'mediasoup';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { WorkerPool } from '../../server/src/modules/media/worker-pool';
import { LOOPBACK, RtpTally, sendOpus, waitFor } from '../helpers/rtp';

const PACKETS = 250;
const MID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:mid';

jest.setTimeout(30_000);

/** The parts of werift's offer that mediasoup needs, read the way a signalling client would. */
function readOffer(sdp: string) {
  const sections = sdp.split(/^m=/m).slice(1);
  const attr = (text: string, pattern: RegExp): string => {
    const match = text.match(pattern);
    if (!match?.[1]) throw new Error(`offer has no ${pattern}`);
    return match[1];
  };
  const midExtension = sdp.match(new RegExp(`^a=extmap:(\\d+) ${MID_EXTENSION}`, 'm'));
  return {
    fingerprint: attr(sdp, /^a=fingerprint:sha-256 (\S+)/m),
    mids: sections.map((s) => attr(s, /^a=mid:(\S+)/m)),
    sendSsrc: Number(attr(sections[0]!, /^a=ssrc:(\d+)/m)),
    midExtensionId: midExtension ? Number(midExtension[1]) : undefined,
  };
}

/** An answer for [peer sends, peer receives], as mediasoup-client would build it from the transport. */
function answer(
  transport: types.WebRtcTransport,
  offer: ReturnType<typeof readOffer>,
  payloadType: number,
  consumer: types.Consumer,
): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256')!.value;
  const candidates = transport.iceCandidates
    .filter((c) => c.protocol === 'udp')
    .map((c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address} ${c.port} typ host`);
  const port = transport.iceCandidates[0]!.port;
  const media = (mid: string, direction: string, extra: string[]) => [
    `m=audio ${port} UDP/TLS/RTP/SAVPF ${payloadType}`,
    `c=IN IP4 ${LOOPBACK}`,
    `a=mid:${mid}`,
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=fingerprint:sha-256 ${fingerprint}`,
    'a=setup:passive',
    'a=rtcp-mux',
    `a=rtpmap:${payloadType} opus/48000/2`,
    ...candidates,
    'a=end-of-candidates',
    `a=${direction}`,
    ...extra,
  ];
  const [sendMid, recvMid] = offer.mids as [string, string];
  return [
    'v=0',
    `o=quorum 1 1 IN IP4 ${LOOPBACK}`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${sendMid} ${recvMid}`,
    ...media(sendMid, 'recvonly', offer.midExtensionId ? [`a=extmap:${offer.midExtensionId} ${MID_EXTENSION}`] : []),
    ...media(recvMid, 'sendonly', ['a=msid:echo echo-audio', `a=ssrc:${consumer.rtpParameters.encodings![0]!.ssrc} cname:quorum`]),
    '',
  ].join('\r\n');
}

describe('WebRTC through the pool WebRtcServer', () => {
  const pool = new WorkerPool({ workers: 1, rtcListenIp: LOOPBACK, rtcMinPort: 19100, rtcMaxPort: 19199, logLevel: 'warn' });
  let pc: RTCPeerConnection | undefined;

  beforeAll(() => pool.start());
  afterAll(async () => {
    await pc?.close();
    await pool.close();
  });

  it('completes ICE and DTLS with a real peer and carries SRTP both ways', async () => {
    const { router, worker } = await pool.createRouter();
    const died: Error[] = [];
    worker.worker.on('died', (e) => died.push(e));
    const opus = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'audio/opus')!;
    const payloadType = opus.preferredPayloadType!;

    const transport = await router.createWebRtcTransport({ webRtcServer: worker.webRtcServer, enableUdp: true, enableTcp: true });
    // The peer sends on the first m-section and gets its own audio back on the second (an echo).
    pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType })] },
      iceAdditionalHostAddresses: [LOOPBACK],
      iceUseIpv6: false,
      // One ICE transport from the start: with max-compat werift leaves the unbundled one's socket open.
      bundlePolicy: 'max-bundle',
    });
    const sending = pc.addTransceiver('audio', { direction: 'sendonly' });
    const receiving = pc.addTransceiver('audio', { direction: 'recvonly' });
    const echoed = new RtpTally();
    receiving.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => echoed.take(rtp.serialize())));

    await pc.setLocalDescription(await pc.createOffer());
    const offer = readOffer(pc.localDescription!.sdp);
    await transport.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: offer.fingerprint }] } });
    const producer = await transport.produce({
      kind: 'audio',
      rtpParameters: {
        mid: offer.mids[0]!,
        codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: offer.sendSsrc }],
        headerExtensions: offer.midExtensionId ? [{ uri: MID_EXTENSION, id: offer.midExtensionId }] : [],
      },
    });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: { codecs: [opus], headerExtensions: [] },
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer(transport, offer, payloadType, consumer) });

    const started = Date.now();
    await waitFor(
      () => {
        // A worker built without the DTLS BIO fix segfaults on the peer's ClientHello.
        if (died.length > 0) throw new Error(`the worker died during the handshake: ${died[0]!.message}`);
        return transport.dtlsState === 'connected' && pc!.connectionState === 'connected';
      },
      10_000,
      'ICE + DTLS',
    );
    const handshakeMs = Date.now() - started;
    expect(transport.iceSelectedTuple).toMatchObject({ protocol: 'udp', localPort: pool.stats().workers[0]!.port });

    // A browser starts at a random sequence number; starting at 0 makes the worker count a spurious 65536 lost.
    await sendOpus((packet) => sending.sender.sendRtp(packet), { ssrc: 1, payloadType, count: PACKETS, firstSeq: 31_000, intervalMs: 10 });
    const echoStream = () => echoed.stream(consumer.rtpParameters.encodings![0]!.ssrc!);
    await waitFor(() => echoStream().packets >= PACKETS, 3_000, 'the echo').catch(() => undefined);

    const producerStats = (await producer.getStats())[0];
    const consumerStats = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
    const [transportStats] = await transport.getStats();
    console.log(
      `webrtc: ICE+DTLS in ${handshakeMs} ms; peer sent ${PACKETS}, producer got ${producerStats?.packetCount}, ` +
        `consumer sent ${consumerStats?.packetCount}, peer got back ${echoStream().packets}`,
    );
    expect(producerStats).toMatchObject({ packetCount: PACKETS, packetsLost: 0 });
    expect(consumerStats?.packetCount).toBe(PACKETS);
    expect(echoStream()).toMatchObject({ packets: PACKETS, seqGaps: 0, duplicates: 0, outOfOrder: 0, seqMismatches: 0 });
    expect(transportStats).toMatchObject({ dtlsState: 'connected', iceState: expect.stringMatching(/^(connected|completed)$/) });

    // Still alive and answering after DTLS and SRTP both ways.
    expect(died).toEqual([]);
    expect(worker.worker.died).toBe(false);
    await expect(worker.worker.getResourceUsage()).resolves.toMatchObject({ ru_maxrss: expect.any(Number) });
    expect(pool.alive()).toBe(true);
  });
});
