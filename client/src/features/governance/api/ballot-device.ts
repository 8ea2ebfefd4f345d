import {
  type BallotKeyPlan,
  type BallotView,
  type Choice,
  type KeyPair,
  b64url,
  encodeChoice,
  newKeyPair,
  newReceipt,
  openShare,
  sealShare,
  sealVote,
  splitKey,
} from '@contract';
import { ApiError, api } from '../../../lib/api';
import { keepJson, readKeptJson } from '../../../lib/storage';

/**
 * What this device does for secret ballots, so the server never holds a choice in the clear or a
 * ballot's private key while voting is open:
 * - a voter's choice is sealed here to the ballot's public key, with a receipt made here;
 * - the chair's device makes a ballot's key when it opens and splits it among the tellers, each share
 *   sealed to that teller's own key;
 * - a teller's key lives on their device (this browser's storage); once voting ends, the device opens
 *   its share and releases it for the count.
 */

const storageKey = (userId: string) => `quorum.teller-key.${userId}`;

function localTellerKey(userId: string): KeyPair | null {
  const kept = readKeptJson(storageKey(userId)) as KeyPair | null | undefined;
  return kept ?? null;
}

/**
 * This device's teller key, made and registered when missing. A new key replaces the registered one
 * for ballots opened from now on (shares of ballots already open stay with the device that had the old one).
 */
export async function ensureTellerKey(userId: string): Promise<KeyPair> {
  let keys = localTellerKey(userId);
  const registered = await api<{ publicKey: string | null }>('/api/me/teller-key');
  if (keys && registered.publicKey === keys.publicKey) return keys;
  if (!keys) {
    keys = newKeyPair();
    // A key this device cannot keep would be gone on the next visit, and with it the shares sealed to it.
    if (!keepJson(storageKey(userId), keys)) throw new Error('This browser does not let Quorum keep the teller key (private mode or blocked site data).');
  }
  await api('/api/me/teller-key', { method: 'PUT', body: { publicKey: keys.publicKey } });
  return keys;
}

/** Opens a secret ballot: its key made here, split among the tellers, each share sealed to its teller. */
export async function openSecretBallot(userId: string, ballotId: string, overrideQuorumReason?: string): Promise<BallotView> {
  await ensureTellerKey(userId);
  const plan = await api<BallotKeyPlan>(`/api/ballots/${encodeURIComponent(ballotId)}/key-plan`);
  const missing = plan.tellers.filter((t) => !t.publicKey);
  if (missing.length) throw new ApiError('TELLER_KEY_MISSING', missing.map((t) => t.displayName).join(', '), 409, { tellers: missing.map((t) => t.displayName) });
  const key = newKeyPair();
  const shares = await splitKey(key.privateKey, plan.tellers.length, plan.threshold);
  return api<BallotView>(`/api/ballots/${encodeURIComponent(ballotId)}/open`, {
    method: 'POST',
    body: {
      ...(overrideQuorumReason ? { overrideQuorumReason } : {}),
      key: { publicKey: key.publicKey, shares: plan.tellers.map((t, i) => ({ tellerId: t.userId, sealedShare: sealShare(t.publicKey!, ballotId, t.userId, shares[i]!) })) },
    },
  });
}

/** Whether this device should release a share of `ballot` now: its teller, voting ended, not yet released. */
export const mayRelease = (ballot: BallotView, userId: string | undefined): boolean =>
  !!userId && ballot.status === 'counting' && !!ballot.tellers?.some((t) => t.userId === userId && !t.released) && !!localTellerKey(userId);

/** Opens this teller's share with the key held here and releases it for the count. */
export async function releaseShare(userId: string, ballotId: string): Promise<BallotView> {
  const keys = localTellerKey(userId);
  if (!keys) throw new ApiError('TELLER_KEY_MISSING', 'This device does not hold your teller key.', 409);
  const { sealedShare } = await api<{ sealedShare: string }>(`/api/ballots/${encodeURIComponent(ballotId)}/key-share`);
  let share: Uint8Array;
  try {
    share = openShare(keys, ballotId, userId, sealedShare);
  } catch {
    throw new ApiError('KEY_SHARE_INVALID', 'This device’s teller key does not open your share of this ballot.', 422);
  }
  try {
    return await api<BallotView>(`/api/ballots/${encodeURIComponent(ballotId)}/key-share`, { method: 'POST', body: { share: b64url(share) } });
  } catch (e) {
    // Counted meanwhile (this page's live feed and its close button both release): nothing left to do.
    if (e instanceof ApiError && e.code === 'BALLOT_CLOSED') return api<BallotView>(`/api/ballots/${encodeURIComponent(ballotId)}`);
    throw e;
  }
}

/** A choice sealed for a secret ballot, with the receipt only this device knows. */
export function sealChoice(ballot: Pick<BallotView, 'id' | 'kind' | 'options' | 'publicKey'>, choice: Choice): { envelope: string; receipt: string } {
  const receipt = newReceipt();
  return { envelope: sealVote(ballot.publicKey!, ballot.id, { choice: encodeChoice(ballot, choice), receipt }), receipt };
}
