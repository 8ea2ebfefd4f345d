import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) for what must not be readable from the database alone: the
 * choices of secret ballots, and receipts kept for idempotent retries. Layout: iv(12) | tag(16) | data.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('the seal key must be 32 bytes');
  }

  seal(value: unknown): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), data]);
  }

  open<T>(sealed: Buffer): T {
    const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return JSON.parse(Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8')) as T;
  }
}
