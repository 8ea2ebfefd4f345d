import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Plaintexts are padded to a multiple of this, so a sealed value's size does not tell its content. */
const BLOCK = 128;

/**
 * Authenticated encryption (AES-256-GCM) for what must not be readable from the database alone:
 * proxy instructions and receipts kept for idempotent retries. Layout: iv(12) | tag(16) | data, where
 * data is a 4-byte length, the JSON, and zero padding up to a multiple of 128 bytes.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('the seal key must be 32 bytes');
  }

  seal(value: unknown): Buffer {
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    const plain = Buffer.alloc(Math.ceil((json.length + 4) / BLOCK) * BLOCK);
    plain.writeUInt32BE(json.length, 0);
    json.copy(plain, 4);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), data]);
  }

  open<T>(sealed: Buffer): T {
    const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    const plain = Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    // Values sealed before padding was introduced start with their JSON, never with a zero byte.
    const json = plain[0] === 0 ? plain.subarray(4, 4 + plain.readUInt32BE(0)) : plain;
    return JSON.parse(json.toString('utf8')) as T;
  }
}
