import type { InvitationStatus } from '../../contract';

/** Where an organisation link stands, as its admins see it in the list (the contract's vocabulary). */

export interface InvitationState {
  revokedAt: Date | null;
  expiresAt: Date;
  maxUses: number | null;
  acceptedCount: number;
}

/** Revoked wins over everything; a link whose uses are spent is 'used' even after it would have expired. */
export function invitationStatus(i: InvitationState, now: number): InvitationStatus {
  if (i.revokedAt) return 'revoked';
  if (i.maxUses !== null && i.acceptedCount >= i.maxUses) return 'used';
  if (i.expiresAt.getTime() <= now) return 'expired';
  return 'pending';
}

/**
 * How many people a new link lets in when the creator does not say: a delegate's link (it gives a vote
 * for an institution) or a link for a named person lets in one; a plain member link is unlimited.
 */
export function defaultMaxUses(b: { institutionId?: string | undefined; inviteeEmail?: string | undefined; maxUses?: number | undefined }): number | null {
  if (b.maxUses !== undefined) return b.maxUses;
  return b.institutionId || b.inviteeEmail ? 1 : null;
}
