import { decideLink, type LinkCandidates } from './account-link';
import type { VerifiedIdentity } from './provider-protocol';

const who = (over: Partial<VerifiedIdentity> = {}): VerifiedIdentity => ({
  issuer: 'https://idp.example.org',
  subject: 'abc',
  email: 'ada@example.org',
  emailVerified: true,
  displayName: 'Ada',
  ...over,
});
const none: LinkCandidates = { bySubject: null, byEmail: null };

describe('which account an institutional sign-in opens', () => {
  it.each<[string, VerifiedIdentity, LinkCandidates, ReturnType<typeof decideLink>]>([
    [
      'a linked subject, whatever the address',
      who({ email: 'other@example.org' }),
      { bySubject: { userId: 'u1' }, byEmail: { userId: 'u2', emailProved: true } },
      { kind: 'subject', userId: 'u1' },
    ],
    [
      'a linked subject without any address',
      who({ email: null, emailVerified: false }),
      { bySubject: { userId: 'u1' }, byEmail: null },
      { kind: 'subject', userId: 'u1' },
    ],
    [
      'a verified address of a proved account',
      who(),
      { bySubject: null, byEmail: { userId: 'u2', emailProved: true } },
      { kind: 'verified-email', userId: 'u2', claim: false },
    ],
    [
      'a verified address of an account whose address was never proved',
      who(),
      { bySubject: null, byEmail: { userId: 'u2', emailProved: false } },
      { kind: 'verified-email', userId: 'u2', claim: true },
    ],
    [
      'an unverified address of an existing account',
      who({ emailVerified: false }),
      { bySubject: null, byEmail: { userId: 'u2', emailProved: true } },
      { kind: 'refuse', code: 'SIGN_IN_EMAIL_UNVERIFIED' },
    ],
    [
      'an unverified address of an unproved account',
      who({ emailVerified: false }),
      { bySubject: null, byEmail: { userId: 'u2', emailProved: false } },
      { kind: 'refuse', code: 'SIGN_IN_EMAIL_UNVERIFIED' },
    ],
    ['a verified new address', who(), none, { kind: 'new-account' }],
    ['an unverified new address', who({ emailVerified: false }), none, { kind: 'new-account' }],
    ['no address and no link', who({ email: null }), none, { kind: 'refuse', code: 'SIGN_IN_EMAIL_MISSING' }],
  ])('%s', (_name, identity, found, decision) => {
    expect(decideLink(identity, found)).toEqual(decision);
  });
});
