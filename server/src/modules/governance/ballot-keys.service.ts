import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import path from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AppError } from '../../common/errors';
import { type BallotKeyPair, type EnvelopeKey, generateBallotKeys } from './ballot-box';
import { EnvelopeKeys } from './envelope-keys';
import { Sealer } from './seal';

/**
 * Custody of secret-ballot keys, apart from the database: one file per open ballot in
 * BALLOT_KEY_DIR, sealed with a key derived from the seal key. While a ballot is open the process
 * keeps only its public key and receipt key in memory; the private key is read from the file for the
 * count and the file is then destroyed, so no later copy of anything can open the envelopes.
 */
@Injectable()
export class BallotKeys implements OnModuleDestroy {
  private readonly dir: string;
  private readonly envelopes = new EnvelopeKeys();
  private readonly vault: Sealer;
  private readonly cache = new Map<string, Pick<BallotKeyPair, 'publicKey' | 'receiptKey'>>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = config.ballotKeyDir;
    this.vault = new Sealer(Buffer.from(hkdfSync('sha256', config.ballotSealKey, Buffer.alloc(0), 'quorum/ballot-key-vault', 32)));
  }

  /**
   * A new key pair for a ballot about to open, written durably before the ballot opens. `voters`: how
   * many envelopes to prepare ahead (the roll's size).
   */
  create(ballotId: string, voters?: number): Pick<BallotKeyPair, 'publicKey' | 'receiptKey'> {
    const keys = generateBallotKeys();
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = this.file(ballotId) + '.tmp';
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, this.vault.seal(keys));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file(ballotId));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    const pub = { publicKey: keys.publicKey, receiptKey: keys.receiptKey };
    this.cache.set(ballotId, pub);
    this.envelopes.prepare(ballotId, pub.publicKey, voters);
    return pub;
  }

  /** What casting needs: the public key and the receipt key. */
  forCasting(ballotId: string): Pick<BallotKeyPair, 'publicKey' | 'receiptKey'> {
    let keys = this.cache.get(ballotId);
    if (!keys) {
      const all = this.read(ballotId);
      keys = { publicKey: all.publicKey, receiptKey: all.receiptKey };
      this.cache.set(ballotId, keys);
    }
    return keys;
  }

  /** An unused key to seal one envelope of this ballot with (prepared ahead when one is ready). */
  envelopeKey(ballotId: string): EnvelopeKey {
    return this.envelopes.take(ballotId, this.forCasting(ballotId).publicKey);
  }

  /** The whole key pair, for the count. */
  forCounting(ballotId: string): BallotKeyPair {
    return this.read(ballotId);
  }

  /** After the count: the key is gone for good. */
  destroy(ballotId: string): void {
    this.cache.delete(ballotId);
    this.envelopes.drop(ballotId);
    rmSync(this.file(ballotId), { force: true });
  }

  async onModuleDestroy(): Promise<void> {
    await this.envelopes.close();
  }

  /** A ballot opened and not yet counted whose key file is gone cannot be counted: say so clearly. */
  private read(ballotId: string): BallotKeyPair {
    let sealed: Buffer;
    try {
      sealed = readFileSync(this.file(ballotId));
    } catch {
      throw new AppError('UNAVAILABLE', `The key of secret ballot ${ballotId} is not in ${this.dir}.`);
    }
    return this.vault.open<BallotKeyPair>(sealed);
  }

  private file(ballotId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(ballotId)) throw new RangeError('not a ballot id');
    return path.join(this.dir, `${ballotId}.key`);
  }
}
