import { createHmac } from 'node:crypto';
import { mediaTokenKey, readMediaToken, signMediaToken } from './media-token';

const key = mediaTokenKey('a server secret of enough length, for tests only');
const grant = {
  recordingId: '6f1c2d3e-4a5b-4c6d-8e7f-901234567890',
  userId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f01234567',
  sessionId: '1b2c3d4e-5f6a-4b7c-8d9e-0f1234567890',
  expiresAt: 2_000_000_000,
};

describe('media tokens', () => {
  it('carry the grant they were signed with until they expire', () => {
    const token = signMediaToken(key, grant);
    expect(readMediaToken(key, token, 1_999_999_999)).toEqual(grant);
    expect(readMediaToken(key, token, 2_000_000_000)).toBeNull();
    const anonymous = { ...grant, userId: null, sessionId: null };
    expect(readMediaToken(key, signMediaToken(key, anonymous), 0)).toEqual(anonymous);
  });

  it('refuse another key, a changed character, and malformed tokens', () => {
    const token = signMediaToken(key, grant);
    expect(readMediaToken(mediaTokenKey('another secret'), token, 0)).toBeNull();
    for (let i = 0; i < token.length; i += 7) {
      const c = token[i] === 'A' ? 'B' : 'A';
      const changed = token.slice(0, i) + c + token.slice(i + 1);
      if (changed !== token) expect(readMediaToken(key, changed, 0)).toBeNull();
    }
    for (const bad of ['', 'x', 'a.b', `${'a'.repeat(500)}.${'b'.repeat(43)}`, token + '.x', token.replace('.', '..')])
      expect(readMediaToken(key, bad, 0)).toBeNull();
  });

  it('refuse a well-signed body that does not hold a grant', () => {
    const sign = (fields: unknown) => {
      const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
      // Signed by hand: the MAC is over the body alone.
      return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
    };
    expect(readMediaToken(key, sign([grant.recordingId, grant.userId, null, grant.expiresAt]), 0)).toBeNull();
    expect(readMediaToken(key, sign(['not-a-uuid', null, null, grant.expiresAt]), 0)).toBeNull();
    expect(readMediaToken(key, sign([grant.recordingId, null, null, '2000000000']), 0)).toBeNull();
    expect(readMediaToken(key, sign({ r: grant.recordingId }), 0)).toBeNull();
  });
});
