import type { CertificateSessionDto, CpdThreshold } from '../../contract';

/**
 * The certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential), and the claims of
 * the VC-JWT that carries it (the `vc` claim beside `iss`, `jti`, `nbf`, as Open Badges 3.0's JWT proof
 * format has it). Pure: the signer adds the EdDSA signature.
 */

export const CREDENTIAL_CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] as const;
/** The `typ` of the JWS header: a JWT carrying a verifiable credential. */
export const CREDENTIAL_JWT_TYPE = 'vc+jwt';

export interface CredentialInput {
  certificateId: string;
  publicUrl: string;
  organization: { id: string; name: string };
  event: { id: string; title: string };
  holderName: string;
  issuedAt: Date;
  totalMinutes: number;
  threshold: CpdThreshold;
  sessions: readonly CertificateSessionDto[];
}

export const certificateUrn = (id: string): string => `urn:uuid:${id}`;
/** The certificate id a credential names, or null when it names none of ours. */
export function certificateIdOf(urn: unknown): string | null {
  if (typeof urn !== 'string') return null;
  const m = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(urn);
  return m ? m[1]! : null;
}

export const issuerUrl = (publicUrl: string, organizationId: string): string => `${publicUrl}/issuers/${organizationId}`;
export const verifyPageUrl = (publicUrl: string, certificateId: string): string => `${publicUrl}/certificates/verify?id=${certificateId}`;
export const statusUrl = (publicUrl: string, certificateId: string): string => `${publicUrl}/api/certificates/${certificateId}/status`;
export const jwksUrl = (publicUrl: string): string => `${publicUrl}/.well-known/jwks.json`;

const criteria = (t: CpdThreshold): string =>
  t.mode === 'minutes'
    ? `Attended at least ${t.value} minutes of the programme's live sessions, measured from the room's attendance.`
    : `Attended at least ${t.value} % of the live time of each session of the programme, measured from the room's attendance.`;

/** The JWT claims: registered claims and the credential under `vc`. */
export function credentialClaims(c: CredentialInput): Record<string, unknown> {
  const issuer = issuerUrl(c.publicUrl, c.organization.id);
  const validFrom = c.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const vc = {
    '@context': [...CREDENTIAL_CONTEXTS],
    id: certificateUrn(c.certificateId),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `Certificate of attendance: ${c.event.title}`,
    issuer: { id: issuer, type: ['Profile'], name: c.organization.name },
    validFrom,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: c.holderName }],
      achievement: {
        id: `${c.publicUrl}/events/${c.event.id}#cpd`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: c.event.title,
        description: `Continuing professional development: attendance of ${c.event.title}, organised by ${c.organization.name}.`,
        criteria: { narrative: criteria(c.threshold) },
      },
      result: [{ type: ['Result'], value: String(c.totalMinutes), resultDescription: 'minutes attended' }],
      /** The sessions attended, with the minutes counted in each. */
      activity: c.sessions.map((s) => ({ name: s.title, startDate: s.startsAt, endDate: s.endsAt, minutes: s.attendedMinutes })),
    },
    credentialStatus: { id: statusUrl(c.publicUrl, c.certificateId), type: 'QuorumCertificateStatus' },
    evidence: [{ id: verifyPageUrl(c.publicUrl, c.certificateId), type: ['Evidence'], name: 'Verification page' }],
  };
  return { iss: issuer, jti: vc.id, nbf: Math.floor(c.issuedAt.getTime() / 1000), iat: Math.floor(c.issuedAt.getTime() / 1000), vc };
}

/**
 * Whether every part of a compact JWS is canonical base64url. Decoders ignore the spare low bits of a
 * last character, so `…A` and `…B` can carry the same signature: a changed character must still fail.
 */
export function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  return parts.every((p) => p.length > 0 && /^[A-Za-z0-9_-]+$/.test(p) && Buffer.from(p, 'base64url').toString('base64url') === p);
}
