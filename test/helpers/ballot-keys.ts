import type { KeyPair, SealedVote } from '../../server/src/contract';
import { openVote } from '../../server/src/modules/governance/ballot-box';

/** Opens an envelope as the count does (OpenSSL), with a ballot's key pair as the tests hold it. */
export function openEnvelope(keys: KeyPair, ballotId: string, envelope: Buffer): SealedVote {
  return openVote(keys, ballotId, envelope);
}
