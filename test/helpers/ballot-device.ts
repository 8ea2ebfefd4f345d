import {
  type BallotKeyPlan,
  type BallotView,
  type Choice,
  type KeyPair,
  encodeChoice,
  newKeyPair,
  newReceipt,
  openShare,
  sealShare,
  sealVote,
  splitKey,
  b64url,
} from '../../server/src/contract';

/**
 * What a voter's, chair's and teller's devices do around a secret ballot, for tests that speak REST
 * and socket.io directly (the web client does the same in the browser): the chair's device makes the
 * ballot's key and splits it among the tellers, tellers keep their own teller keys and release their
 * shares once voting ends, and voters seal their choices before sending them. The server never sees a
 * ballot's private key or a choice in the clear.
 */

type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;

interface Teller {
  token: string;
  keys: KeyPair;
}

/** Teller keys held by "devices" in this test process, by user id. */
const tellers = new Map<string, Teller>();
/** User ids of access tokens seen. */
const users = new Map<string, string>();
/** Secret ballots opened here: what a voter's device needs to seal (kind, options, public key). */
const ballots = new Map<string, Pick<BallotView, 'id' | 'meetingId' | 'kind' | 'options' | 'publicKey'>>();
/** The private keys of ballots opened here, as the tests' own view (never sent before the count). */
const ballotKeys = new Map<string, KeyPair>();
/** An envelope per request id, so a retried cast resends the same bytes, as a device would. */
const sent = new Map<string, { envelope: string; receipt: string }>();

async function userOf(call: Call, token: string): Promise<string> {
  let id = users.get(token);
  if (!id) {
    const me = await call('GET', '/api/me', undefined, token);
    if (me.status !== 200) throw new Error(`/api/me: ${me.status}`);
    id = me.body.id as string;
    users.set(token, id);
  }
  return id;
}

/** The teller key of the signed-in user's device: made and registered the first time it is needed. */
export async function tellerKey(call: Call, token: string): Promise<KeyPair> {
  const userId = await userOf(call, token);
  let t = tellers.get(userId);
  if (!t) {
    t = { token, keys: newKeyPair() };
    const res = await call('PUT', '/api/me/teller-key', { publicKey: t.keys.publicKey }, token);
    if (res.status !== 200) throw new Error(`teller key: ${JSON.stringify(res.body)}`);
    tellers.set(userId, t);
  } else t.token = token;
  return t.keys;
}

/**
 * A chair's device opening a ballot: for a secret one, the key is made here and split among the
 * tellers named by the key plan (the opener's own teller key is made on the way when missing).
 * Returns the body to send; unchanged when the ballot is not secret or the caller may not open it.
 */
export async function withBallotKey(call: Call, ballotId: string, body: Record<string, unknown>, token: string): Promise<Record<string, unknown>> {
  const ballot = await call('GET', `/api/ballots/${ballotId}`, undefined, token);
  if (ballot.status !== 200 || ballot.body.secrecy !== 'secret' || ballot.body.status !== 'draft') return body;
  let plan = await call('GET', `/api/ballots/${ballotId}/key-plan`, undefined, token);
  if (plan.status !== 200) return body;
  const me = await userOf(call, token);
  if ((plan.body as BallotKeyPlan).tellers.some((t) => t.userId === me && !t.publicKey)) {
    await tellerKey(call, token);
    plan = await call('GET', `/api/ballots/${ballotId}/key-plan`, undefined, token);
  }
  const { threshold, tellers: named } = plan.body as BallotKeyPlan;
  if (named.some((t) => !t.publicKey)) return body;
  const key = newKeyPair();
  const shares = await splitKey(key.privateKey, named.length, threshold);
  ballotKeys.set(ballotId, key);
  return { ...body, key: { publicKey: key.publicKey, shares: named.map((t, i) => ({ tellerId: t.userId, sealedShare: sealShare(t.publicKey!, ballotId, t.userId, shares[i]!) })) } };
}

/** Remembers an opened secret ballot so voters' devices here can seal for it. */
export function opened(view: BallotView): void {
  if (view.secrecy === 'secret' && view.publicKey) ballots.set(view.id, { id: view.id, meetingId: view.meetingId, kind: view.kind, options: view.options, publicKey: view.publicKey });
}

export const meetingOf = (ballotId: string): string => ballots.get(ballotId)!.meetingId;

/** The private key of a ballot opened in this process (what the tellers together hold). */
export const ballotKeyOf = (ballotId: string): KeyPair | undefined => ballotKeys.get(ballotId);

/**
 * After a secret ballot's voting ended: every teller whose device is in this process releases their
 * share, until the ballot is counted. Returns the last view.
 */
export async function releaseShares(call: Call, view: BallotView): Promise<{ status: number; body: BallotView }> {
  let last = { status: 200, body: view };
  for (const t of view.tellers ?? []) {
    if (last.body.status !== 'counting') break;
    const teller = tellers.get(t.userId);
    if (!teller || t.released) continue;
    const mine = await call('GET', `/api/ballots/${view.id}/key-share`, undefined, teller.token);
    if (mine.status !== 200) continue;
    const share = openShare(teller.keys, view.id, t.userId, mine.body.sealedShare);
    last = await call('POST', `/api/ballots/${view.id}/key-share`, { share: b64url(share) }, teller.token);
    if (last.status !== 200) break;
  }
  return last;
}

/** A secret ballot known here: the choice sealed as the voter's device seals it. Null for any other ballot. */
export function seal(ballotId: string, choice: Choice, requestKey: string, seatId: string): { envelope: string; receipt: string } | null {
  const b = ballots.get(ballotId);
  if (!b) return null;
  const k = `${ballotId}/${seatId}/${requestKey}`;
  let s = sent.get(k);
  if (!s) {
    const receipt = newReceipt();
    s = { envelope: sealVote(b.publicKey!, ballotId, { choice: encodeChoice(b, choice as 'yes'), receipt }), receipt };
    sent.set(k, s);
  }
  return s;
}

export const isSecret = (ballotId: string): boolean => ballots.has(ballotId);
