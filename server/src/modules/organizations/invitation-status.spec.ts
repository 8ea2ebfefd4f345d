import { defaultMaxUses, invitationStatus, type InvitationState } from './invitation-status';

describe('invitationStatus', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  const later = new Date(now + 3_600_000);
  const earlier = new Date(now - 3_600_000);
  const base: InvitationState = { revokedAt: null, expiresAt: later, maxUses: 1, acceptedCount: 0 };

  it.each<[string, Partial<InvitationState>, string]>([
    ['a fresh link', {}, 'pending'],
    ['an unlimited link already used', { maxUses: null, acceptedCount: 5 }, 'pending'],
    ['a single-use link used once', { acceptedCount: 1 }, 'used'],
    ['a link used up then expired', { acceptedCount: 1, expiresAt: earlier }, 'used'],
    ['an expired link', { expiresAt: earlier }, 'expired'],
    ['a revoked link', { revokedAt: earlier }, 'revoked'],
    ['a used link revoked afterwards', { revokedAt: earlier, acceptedCount: 1 }, 'revoked'],
  ])('%s is %s', (_, change, expected) => {
    expect(invitationStatus({ ...base, ...change }, now)).toBe(expected);
  });
});

describe('defaultMaxUses', () => {
  it.each<[string, Parameters<typeof defaultMaxUses>[0], number | null]>([
    ['a member link', {}, null],
    ['a delegate link', { institutionId: 'i' }, 1],
    ['a link for a named person', { inviteeEmail: 'ada@example.org' }, 1],
    ['a delegate link with an explicit limit', { institutionId: 'i', maxUses: 3 }, 3],
    ['a member link with an explicit limit', { maxUses: 2 }, 2],
  ])('%s lets in %p', (_, body, expected) => {
    expect(defaultMaxUses(body)).toBe(expected);
  });
});
