import type { RtpCapabilities } from '../../server/src/contract';

/**
 * RTP parameters as a browser would send them for `media:produce`, and receive capabilities for
 * `media:consume` (what mediasoup-client derives from the router's capabilities).
 */
export const opusRtpParameters = (ssrc = 11111111) => ({
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test-cname', reducedSize: true },
});

export const vp8RtpParameters = (ssrc = 22222222) => ({
  mid: '1',
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test-cname', reducedSize: true },
});

export const receiveCapabilities: RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] },
    { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
  ],
  headerExtensions: [],
};

/** Fingerprint-shaped DTLS parameters (the transport accepts them; no handshake follows). */
export const clientDtls = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':') }],
};
