import { generateKeyPairSync } from 'node:crypto';
import { RecordSigner, verifyHead } from './record-signer';

const key = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });

describe('signed record heads', () => {
  const signer = new RecordSigner(key());
  const head = { meetingId: 'm-1', seq: 12, hash: 'a'.repeat(64) };

  it('verifies its own signature and nothing changed', () => {
    const s = signer.sign(head);
    expect(verifyHead(s)).toBe(true);
    expect(s.keyId).toHaveLength(32);
    for (const change of [{ seq: 13 }, { hash: 'b'.repeat(64) }, { meetingId: 'm-2' }, { publicKey: new RecordSigner(key()).publicKey }]) {
      expect(verifyHead({ ...s, ...change })).toBe(false);
    }
    expect(verifyHead({ ...s, signature: 'not base64 at all' })).toBe(false);
  });
});
