import { z } from 'zod';
import { plainText } from './text';

/**
 * Certificates of attendance for continuing professional development (CPD). An event's organisers set
 * a threshold (minutes over the programme, or a percent of each session's live time); a participant
 * who meets it, measured from the rooms' attendance, gets a certificate: a printable page, a PDF and a
 * signed credential (Open Badges 3.0 / W3C Verifiable Credential as a VC-JWT, EdDSA over Ed25519)
 * that anyone verifies without an account.
 */

export const CPD_MODES = ['minutes', 'percent'] as const;
export type CpdMode = (typeof CPD_MODES)[number];
/** The most minutes a threshold may ask for: a fortnight of sessions, all day. */
export const CPD_MAX_MINUTES = 14 * 24 * 60;

/**
 * Ranges are checked by the server (INVALID_CPD_THRESHOLD: minutes 1..CPD_MAX_MINUTES, whole; percent
 * above 0 up to 100), so that a wrong figure gets its own code rather than a generic payload error.
 */
export const CpdThreshold = z.strictObject({ mode: z.enum(CPD_MODES), value: z.number().finite() });
export type CpdThreshold = z.infer<typeof CpdThreshold>;

export const SetCpdBody = z.strictObject({ threshold: CpdThreshold.nullable() });
export type SetCpdBody = z.infer<typeof SetCpdBody>;

export const RevokeCertificateBody = z.strictObject({ reason: plainText(3, 500) });
export type RevokeCertificateBody = z.infer<typeof RevokeCertificateBody>;

/** A credential to check: the VC-JWT as text (compact JWS). Bounded so a paste cannot be a flood. */
export const VerifyCredentialBody = z.strictObject({ credential: z.string().max(32_000) });
export type VerifyCredentialBody = z.infer<typeof VerifyCredentialBody>;

/** Why a credential or certificate id does not verify; each is an error code with its text in every locale. */
export const VERIFICATION_FAILURES = ['CREDENTIAL_MALFORMED', 'CREDENTIAL_SIGNATURE_INVALID', 'CREDENTIAL_UNKNOWN_KEY', 'CERTIFICATE_NOT_FOUND'] as const;
export type VerificationFailure = (typeof VERIFICATION_FAILURES)[number];

export interface CpdSessionCreditDto {
  sessionId: string;
  title: string;
  liveMinutes: number;
  attendedMinutes: number;
  percent: number | null;
  met: boolean;
}

export interface CertificateSummaryDto {
  id: string;
  status: 'valid' | 'revoked';
  issuedAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

/** The participant's own standing in an event. */
export interface MyCpdDto {
  eventId: string;
  threshold: CpdThreshold | null;
  totalMinutes: number;
  progress: number;
  eligible: boolean;
  sessions: CpdSessionCreditDto[];
  certificate: CertificateSummaryDto | null;
}

export interface CpdPersonDto {
  userId: string;
  displayName: string;
  totalMinutes: number;
  progress: number;
  eligible: boolean;
  certificate: CertificateSummaryDto | null;
}

/** The organisers' view: the threshold and everyone who attended or holds a certificate. */
export interface CpdOverviewDto {
  eventId: string;
  threshold: CpdThreshold | null;
  people: CpdPersonDto[];
}

export interface CertificateSessionDto {
  title: string;
  startsAt: string;
  endsAt: string;
  attendedMinutes: number;
}

/** What a certificate says, as the holder, the issuer and a verifier see it. */
export interface CertificateDto extends CertificateSummaryDto {
  eventId: string;
  eventTitle: string;
  eventTimeZone: string;
  holderName: string;
  issuerName: string;
  issuerId: string;
  totalMinutes: number;
  threshold: CpdThreshold;
  sessions: CertificateSessionDto[];
  verifyUrl: string;
}

/** The holder's copy: the certificate with its signed credential. */
export interface IssuedCertificateDto extends CertificateDto {
  credential: string;
}

export type VerificationDto =
  | { result: 'valid'; certificate: CertificateDto; keyId: string }
  | { result: 'revoked'; certificate: CertificateDto; keyId: string | null }
  | { result: 'invalid'; code: VerificationFailure; message: string };

/** The status a credential names in `credentialStatus`, public. */
export interface CertificateStatusDto {
  id: string;
  status: 'valid' | 'revoked';
  revokedAt: string | null;
  revocationReason: string | null;
}
