import type { VerifiedIdentity } from './provider-protocol';

/** What the database holds for an identity: the account its subject is linked to, the account with its e-mail. */
export interface LinkCandidates {
  bySubject: { userId: string } | null;
  byEmail: { userId: string; emailProved: boolean } | null;
}

export type LinkDecision =
  /** The subject was linked before: that account, whatever the e-mail says today. */
  | { kind: 'subject'; userId: string }
  /**
   * A provider-verified address matches an account: link it. `claim`: the account's address was never
   * proved, so whoever made it may not own the mailbox (a pre-registered trap); its password, sessions
   * and other links are dropped before it is handed over.
   */
  | { kind: 'verified-email'; userId: string; claim: boolean }
  /** Nobody has this address: a new account. */
  | { kind: 'new-account' }
  | { kind: 'refuse'; code: 'SIGN_IN_EMAIL_MISSING' | 'SIGN_IN_EMAIL_UNVERIFIED' };

/**
 * Which account an institutional sign-in opens. By subject (issuer + sub) first; else by an e-mail the
 * provider says it verified; else a new account. An unverified address never reaches an existing
 * account, since anyone can type any address into a provider they run.
 */
export function decideLink(identity: VerifiedIdentity, found: LinkCandidates): LinkDecision {
  if (found.bySubject) return { kind: 'subject', userId: found.bySubject.userId };
  if (!identity.email) return { kind: 'refuse', code: 'SIGN_IN_EMAIL_MISSING' };
  if (found.byEmail) {
    if (!identity.emailVerified) return { kind: 'refuse', code: 'SIGN_IN_EMAIL_UNVERIFIED' };
    return { kind: 'verified-email', userId: found.byEmail.userId, claim: !found.byEmail.emailProved };
  }
  return { kind: 'new-account' };
}
