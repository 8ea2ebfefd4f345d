import { hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type BallotKeyPair, openVote, type SealedVote } from '../../server/src/modules/governance/ballot-box';
import { Sealer } from '../../server/src/modules/governance/seal';

/**
 * The operator's view, for checks that must look inside envelopes while a ballot is open (fault
 * tests): the ballot's key from the key folder, opened with the seal key. Null once destroyed.
 */
export function ballotKeys(keyDir: string, sealKey: string, ballotId: string): BallotKeyPair | null {
  const file = path.join(keyDir, `${ballotId}.key`);
  if (!existsSync(file)) return null;
  const vault = new Sealer(Buffer.from(hkdfSync('sha256', Buffer.from(sealKey, 'base64url'), Buffer.alloc(0), 'quorum/ballot-key-vault', 32)));
  return vault.open<BallotKeyPair>(readFileSync(file));
}

export function openEnvelope(keys: BallotKeyPair, ballotId: string, envelope: Buffer): SealedVote {
  return openVote(keys, ballotId, envelope);
}
