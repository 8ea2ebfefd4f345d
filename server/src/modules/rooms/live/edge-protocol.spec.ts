import { edgeOps, isEdgeOp } from './edge-protocol';

const srtp = { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'a'.repeat(60) };
const rtp = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] };

describe('requests between a room owner and an edge node', () => {
  it.each([
    ['room.open', { roomId: 'r', lease: '3@node-a', pipe: { ip: '10.0.0.2', port: 40010, srtpParameters: srtp } }],
    ['transport.create', { roomId: 'r', peerId: 'p', socketId: 's' }],
    ['producer.pipe', { roomId: 'r', producerId: 'x', kind: 'audio', rtpParameters: rtp, paused: false }],
    ['producer.state', { roomId: 'r', producerId: 'x', state: 'paused' }],
    ['consumer.layers', { roomId: 'r', consumerId: 'c', spatialLayer: 1 }],
    ['room.present', { roomId: 'r' }],
  ] as const)('accepts a well-formed %s', (op, body) => {
    expect(edgeOps[op].safeParse(body).success).toBe(true);
  });

  it.each([
    ['room.open', { roomId: 'r', lease: '3@node-a', pipe: { ip: '10.0.0.2', port: 0, srtpParameters: srtp } }],
    ['room.open', { roomId: 'r', lease: '3@node-a', pipe: { ip: '10.0.0.2', port: 40010 } }],
    ['transport.create', { roomId: 'r', peerId: 'p', socketId: 's', extra: 1 }],
    ['transport.create', { roomId: '', peerId: 'p', socketId: 's' }],
    ['producer.pipe', { roomId: 'r', producerId: 'x', kind: 'data', rtpParameters: rtp, paused: false }],
    ['producer.pipe', { roomId: 'r', producerId: 'x', kind: 'audio', rtpParameters: { codecs: [] }, paused: false }],
    ['producer.state', { roomId: 'r', producerId: 'x', state: 'stopped' }],
    ['consumer.layers', { roomId: 'r', consumerId: 'c', spatialLayer: 9 }],
    ['consumer.create', { roomId: 'r', transportId: 't', producerId: 'x', peerId: 'p' }],
  ] as const)('refuses a malformed %s', (op, body) => {
    expect(edgeOps[op].safeParse(body).success).toBe(false);
  });

  it('knows its operations and no others', () => {
    expect(isEdgeOp('consumer.create')).toBe(true);
    expect(isEdgeOp('toString')).toBe(false);
    expect(isEdgeOp('room:join')).toBe(false);
  });
});
