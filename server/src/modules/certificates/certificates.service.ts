import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type CertificateDto,
  type CertificateSessionDto,
  type CertificateStatusDto,
  type CertificateSummaryDto,
  CPD_MAX_MINUTES,
  type CpdOverviewDto,
  type CpdThreshold,
  type IssuedCertificateDto,
  type MyCpdDto,
  type VerificationDto,
} from '../../contract';
import { AppError, isUniqueViolation } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { type EventRow } from '../events/event-rows';
import { EventsService } from '../events/events.service';
import { can } from '../organizations/org-permissions';
import { OrganizationsService } from '../organizations/organizations.service';
import type { AttendanceInterval } from '../rooms/attendance';
import { type CpdMeasure, measureCpd, type SessionTrace } from './cpd';
import { certificateIdOf, credentialClaims, verifyPageUrl } from './credential';
import { CredentialError, CredentialSigner } from './credential-signer';

interface CertificateRow {
  id: string;
  event_id: string;
  user_id: string;
  holder_name: string;
  total_minutes: number;
  threshold: CpdThreshold;
  sessions: CertificateSessionDto[];
  credential: string;
  key_id: string;
  issued_at: Date;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

type CpdEventRow = EventRow & { cpd_mode: CpdThreshold['mode'] | null; cpd_value: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The threshold an organiser may set, or INVALID_CPD_THRESHOLD saying what is wrong. */
export function checkThreshold(t: CpdThreshold): CpdThreshold {
  if (t.mode === 'percent' && !(t.value > 0 && t.value <= 100))
    throw new AppError('INVALID_CPD_THRESHOLD', 'A percent threshold is more than 0 and at most 100.', { mode: t.mode, min: 0, max: 100 });
  if (t.mode === 'minutes' && !(Number.isInteger(t.value) && t.value >= 1 && t.value <= CPD_MAX_MINUTES))
    throw new AppError('INVALID_CPD_THRESHOLD', `A minutes threshold is a whole number from 1 to ${CPD_MAX_MINUTES}.`, { mode: t.mode, min: 1, max: CPD_MAX_MINUTES });
  return t;
}

const summary = (r: CertificateRow): CertificateSummaryDto => ({
  id: r.id,
  status: r.revoked_at ? 'revoked' : 'valid',
  issuedAt: r.issued_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revocationReason: r.revocation_reason,
});

/**
 * Certificates of attendance: the threshold per event, the measure of each person's attendance
 * against it (cpd.ts decides; this reads the rows), issuing once per person and event, revocation by
 * the organisers, and verification for anyone.
 */
@Injectable()
export class CertificatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly orgs: OrganizationsService,
    private readonly signer: CredentialSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /* ---------------- organisers ---------------- */

  async setThreshold(userId: string, eventId: string, threshold: CpdThreshold | null): Promise<CpdOverviewDto> {
    const event = await this.events.manageable(userId, eventId);
    const t = threshold && checkThreshold(threshold);
    await this.db.query(`UPDATE events SET cpd_mode = $2, cpd_value = $3 WHERE id = $1`, [event.id, t?.mode ?? null, t?.value ?? null]);
    return this.overview(userId, event.id);
  }

  async overview(userId: string, eventId: string): Promise<CpdOverviewDto> {
    await this.events.manageable(userId, eventId);
    const event = await this.cpdEvent(eventId);
    const threshold = thresholdOf(event);
    const now = new Date();
    const traces = await this.traces(event, null, now);
    const certs = await this.certificateRows(event.id);
    const people = new Map<string, CpdOverviewDto['people'][number]>();
    for (const [uid, t] of traces) {
      // With no threshold yet, the minutes are still shown (measured as a minutes threshold would be).
      const m = measureCpd(threshold ?? { mode: 'minutes', value: 1 }, t.sessions, now);
      const eligible = !!threshold && m.eligible && (await this.mayHold(event, uid));
      people.set(uid, { userId: uid, displayName: t.displayName, totalMinutes: m.totalMinutes, progress: threshold ? m.progress : 0, eligible, certificate: null });
    }
    for (const c of certs) {
      const p = people.get(c.user_id) ?? { userId: c.user_id, displayName: c.holder_name, totalMinutes: c.total_minutes, progress: 1, eligible: true, certificate: null };
      people.set(c.user_id, { ...p, certificate: summary(c) });
    }
    return { eventId: event.id, threshold, people: [...people.values()].sort((a, b) => a.displayName.localeCompare(b.displayName)) };
  }

  /** Issues a certificate to everyone eligible who has none yet; the same call again issues nothing new. */
  async issueAll(userId: string, eventId: string): Promise<CpdOverviewDto> {
    await this.events.manageable(userId, eventId);
    const event = await this.cpdEvent(eventId);
    const threshold = requireThreshold(event);
    const now = new Date();
    for (const [uid, t] of await this.traces(event, null, now)) {
      const m = measureCpd(threshold, t.sessions, now);
      if (m.eligible && (await this.mayHold(event, uid))) await this.issueMeasured(event, uid, threshold, m, t.sessions, userId, now);
    }
    return this.overview(userId, event.id);
  }

  async revoke(userId: string, certificateId: string, reason: string): Promise<CertificateDto> {
    const cert = await this.certificateRow(certificateId);
    const event = await this.cpdEvent(cert.event_id);
    const role = await this.orgs.roleIn(userId, event.organization_id);
    if (!can(role, 'events.manage')) throw new AppError(role || cert.user_id === userId ? 'FORBIDDEN' : 'NOT_FOUND', 'Only the event’s organisers revoke its certificates.');
    // Revoked once: a second revocation keeps the first one's time and reason.
    await this.db.query(`UPDATE certificates SET revoked_at = now(), revoked_by = $2, revocation_reason = $3 WHERE id = $1 AND revoked_at IS NULL`, [cert.id, userId, reason]);
    return this.toDto(await this.certificateRow(cert.id), event);
  }

  /* ---------------- participants ---------------- */

  async mine(userId: string, eventId: string): Promise<MyCpdDto> {
    const { event: visible } = await this.events.visible(userId, eventId);
    const event = await this.cpdEvent(visible.id);
    const threshold = thresholdOf(event);
    const now = new Date();
    const trace = (await this.traces(event, userId, now)).get(userId);
    const m = measureCpd(threshold ?? { mode: 'minutes', value: 1 }, trace?.sessions ?? [], now);
    const [cert] = await this.certificateRows(event.id, userId);
    return {
      eventId: event.id,
      threshold,
      totalMinutes: m.totalMinutes,
      progress: threshold ? m.progress : 0,
      eligible: !!threshold && m.eligible && (await this.mayHold(event, userId)),
      sessions: m.sessions,
      certificate: cert ? summary(cert) : null,
    };
  }

  /** The caller's certificate, issued now if they meet the threshold; the same one on every later call. */
  async issueMine(userId: string, eventId: string): Promise<IssuedCertificateDto> {
    const { event: visible } = await this.events.visible(userId, eventId);
    const event = await this.cpdEvent(visible.id);
    const [existing] = await this.certificateRows(event.id, userId);
    if (existing) return this.issued(existing, event);
    const threshold = requireThreshold(event);
    const now = new Date();
    const sessions = (await this.traces(event, userId, now)).get(userId)?.sessions ?? [];
    const m = measureCpd(threshold, sessions, now);
    if (!(await this.mayHold(event, userId))) throw new AppError('CPD_NOT_MET', 'Certificates go to the event’s confirmed registrants.', { registered: false });
    if (!m.eligible) throw new AppError('CPD_NOT_MET', 'Your attendance does not meet the event’s threshold yet.', { totalMinutes: m.totalMinutes, progress: m.progress, threshold });
    return this.issued(await this.issueMeasured(event, userId, threshold, m, sessions, userId, now), event);
  }

  /** The holder's or an organiser's copy, with the signed credential. */
  async get(userId: string, certificateId: string): Promise<IssuedCertificateDto> {
    const cert = await this.certificateRow(certificateId);
    const event = await this.cpdEvent(cert.event_id);
    if (cert.user_id !== userId && !can(await this.orgs.roleIn(userId, event.organization_id), 'events.manage'))
      throw new AppError('CERTIFICATE_NOT_FOUND', 'Certificate not found.');
    return this.issued(cert, event);
  }

  /* ---------------- anyone ---------------- */

  async status(certificateId: string): Promise<CertificateStatusDto> {
    const cert = await this.certificateRow(certificateId);
    return { id: cert.id, status: cert.revoked_at ? 'revoked' : 'valid', revokedAt: cert.revoked_at?.toISOString() ?? null, revocationReason: cert.revocation_reason };
  }

  /** A certificate by id (the QR code's link): what it says and whether it stands. */
  async verifyId(certificateId: string): Promise<VerificationDto> {
    // Not even the shape of an id: a malformed request, refused as one (an id that could be one is an answer).
    if (!UUID.test(certificateId)) throw new AppError('CERTIFICATE_NOT_FOUND', 'No certificate has this id.');
    const [cert]: CertificateRow[] = await this.db.query(`SELECT * FROM certificates WHERE id = $1`, [certificateId]);
    if (!cert) return invalid('CERTIFICATE_NOT_FOUND', 'No certificate has this id.');
    // The stored credential is checked too: a row changed behind the server's back does not verify.
    return this.verifyCredential(cert.credential);
  }

  /** A credential (VC-JWT) as pasted or uploaded: its signature, then its certificate's status. */
  async verifyCredential(token: string): Promise<VerificationDto> {
    let claims: Awaited<ReturnType<CredentialSigner['verify']>>;
    try {
      claims = await this.signer.verify(token);
    } catch (err) {
      if (err instanceof CredentialError) return invalid(err.code, err.message);
      throw err;
    }
    const vc = claims.vc as { id?: unknown } | undefined;
    const id = certificateIdOf(vc?.id);
    if (!id || claims.jti !== vc?.id) return invalid('CREDENTIAL_MALFORMED', 'The credential names no certificate.');
    const [cert]: CertificateRow[] = await this.db.query(`SELECT * FROM certificates WHERE id = $1`, [id]);
    if (!cert) return invalid('CERTIFICATE_NOT_FOUND', 'The issuer holds no record of this certificate.');
    const dto = this.toDto(cert, await this.cpdEvent(cert.event_id));
    return cert.revoked_at ? { result: 'revoked', certificate: dto, keyId: this.signer.keyId } : { result: 'valid', certificate: dto, keyId: this.signer.keyId };
  }

  jwks(): { keys: CredentialSigner['jwk'][] } {
    return { keys: [this.signer.jwk] };
  }

  /* ---------------- inside ---------------- */

  /** Registration events give certificates to confirmed registrants only; open ones to anyone who attended. */
  private async mayHold(event: CpdEventRow, userId: string): Promise<boolean> {
    if (event.registration === 'none') return true;
    const [r]: unknown[] = await this.db.query(`SELECT 1 FROM event_registrations WHERE event_id = $1 AND user_id = $2 AND status = 'confirmed'`, [event.id, userId]);
    return !!r;
  }

  private async issueMeasured(
    event: CpdEventRow,
    userId: string,
    threshold: CpdThreshold,
    m: CpdMeasure,
    traces: readonly SessionTrace[],
    issuedBy: string,
    now: Date,
  ): Promise<CertificateRow> {
    const [user]: { display_name: string }[] = await this.db.query(`SELECT display_name FROM users WHERE id = $1`, [userId]);
    const id = randomUUID();
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const byId = new Map(traces.map((t) => [t.sessionId, t]));
    const sessions: CertificateSessionDto[] = m.sessions
      .filter((s) => s.attendedMinutes > 0)
      .map((s) => ({ title: s.title, startsAt: byId.get(s.sessionId)!.startsAt.toISOString(), endsAt: byId.get(s.sessionId)!.endsAt.toISOString(), attendedMinutes: s.attendedMinutes }));
    const holderName = user?.display_name ?? '';
    const credential = await this.signer.sign(
      credentialClaims({
        certificateId: id,
        publicUrl: this.config.publicUrl,
        organization: { id: event.organization_id, name: event.organization_name },
        event: { id: event.id, title: event.title },
        holderName,
        issuedAt,
        totalMinutes: m.totalMinutes,
        threshold,
        sessions,
      }),
    );
    try {
      await this.db.query(
        `INSERT INTO certificates (id, event_id, user_id, holder_name, total_minutes, threshold, sessions, credential, key_id, issued_at, issued_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [id, event.id, userId, holderName, m.totalMinutes, JSON.stringify(threshold), JSON.stringify(sessions), credential, this.signer.keyId, issuedAt, issuedBy],
      );
    } catch (err) {
      // Issued meanwhile by another request: that one stands.
      if (!isUniqueViolation(err)) throw err;
    }
    const [row] = await this.certificateRows(event.id, userId);
    return row!;
  }

  /** Per person: their name and one trace per session of the programme (their visits, the room's live spans). */
  private async traces(event: CpdEventRow, userId: string | null, now: Date): Promise<Map<string, { displayName: string; sessions: SessionTrace[] }>> {
    const sessions: { id: string; title: string; starts_at: Date; ends_at: Date; room_id: string | null; status: 'scheduled' | 'cancelled' }[] = await this.db.query(
      `SELECT id, title, starts_at, ends_at, room_id, status FROM event_sessions WHERE event_id = $1 ORDER BY starts_at, title`,
      [event.id],
    );
    const measured = sessions.filter((s) => s.room_id && s.status === 'scheduled' && event.status === 'scheduled');
    const out = new Map<string, { displayName: string; sessions: SessionTrace[] }>();
    if (!measured.length) return out;
    const rooms = [...new Set(measured.map((s) => s.room_id!))];
    const from = new Date(Math.min(...measured.map((s) => s.starts_at.getTime())));
    const to = new Date(Math.min(now.getTime(), Math.max(...measured.map((s) => s.ends_at.getTime()))));
    const live: { room_id: string; started_at: Date; ended_at: Date | null }[] = await this.db.query(
      `SELECT room_id, started_at, ended_at FROM room_sessions WHERE room_id = ANY($1) AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2)`,
      [rooms, from, to],
    );
    const visits: { room_id: string; user_id: string; display_name: string; joined_at: Date; left_at: Date | null; gaps: AttendanceInterval['gaps'] }[] = await this.db.query(
      `SELECT a.room_id, a.user_id, u.display_name, a.joined_at, a.left_at, a.gaps
         FROM attendance a JOIN users u ON u.id = a.user_id
        WHERE a.room_id = ANY($1) AND a.joined_at < $3 AND (a.left_at IS NULL OR a.left_at > $2) AND ($4::uuid IS NULL OR a.user_id = $4)`,
      [rooms, from, to, userId],
    );
    const people = new Map<string, string>(visits.map((v) => [v.user_id, v.display_name]));
    for (const [uid, displayName] of people) {
      out.set(uid, {
        displayName,
        sessions: sessions.map((s) => ({
          sessionId: s.id,
          title: s.title,
          startsAt: s.starts_at,
          endsAt: s.ends_at,
          status: event.status === 'cancelled' ? 'cancelled' : s.status,
          measured: !!s.room_id,
          live: live.filter((l) => l.room_id === s.room_id).map((l) => ({ startedAt: l.started_at, endedAt: l.ended_at })),
          visits: visits
            .filter((v) => v.room_id === s.room_id && v.user_id === uid)
            .map((v) => ({ userId: uid, displayName, joinedAt: v.joined_at, leftAt: v.left_at, gaps: v.gaps ?? [] })),
        })),
      });
    }
    return out;
  }

  private async cpdEvent(eventId: string): Promise<CpdEventRow> {
    return (await this.events.eventRow(eventId)) as CpdEventRow;
  }

  private certificateRows(eventId: string, userId?: string): Promise<CertificateRow[]> {
    return this.db.query(`SELECT * FROM certificates WHERE event_id = $1 AND ($2::uuid IS NULL OR user_id = $2) ORDER BY issued_at`, [eventId, userId ?? null]);
  }

  private async certificateRow(certificateId: string): Promise<CertificateRow> {
    const [cert]: CertificateRow[] = UUID.test(certificateId) ? await this.db.query(`SELECT * FROM certificates WHERE id = $1`, [certificateId]) : [];
    if (!cert) throw new AppError('CERTIFICATE_NOT_FOUND', 'Certificate not found.');
    return cert;
  }

  private toDto(c: CertificateRow, event: CpdEventRow): CertificateDto {
    return {
      ...summary(c),
      eventId: event.id,
      eventTitle: event.title,
      eventTimeZone: event.time_zone,
      holderName: c.holder_name,
      issuerName: event.organization_name,
      issuerId: event.organization_id,
      totalMinutes: c.total_minutes,
      threshold: c.threshold,
      sessions: c.sessions,
      verifyUrl: verifyPageUrl(this.config.publicUrl, c.id),
    };
  }

  private issued(c: CertificateRow, event: CpdEventRow): IssuedCertificateDto {
    return { ...this.toDto(c, event), credential: c.credential };
  }
}

function thresholdOf(e: CpdEventRow): CpdThreshold | null {
  return e.cpd_mode && e.cpd_value !== null ? { mode: e.cpd_mode, value: Number(e.cpd_value) } : null;
}

function requireThreshold(e: CpdEventRow): CpdThreshold {
  const t = thresholdOf(e);
  if (!t) throw new AppError('CPD_NOT_CONFIGURED', 'This event gives no certificates: its organisers have set no threshold.');
  return t;
}

const invalid = (code: Extract<VerificationDto, { result: 'invalid' }>['code'], message: string): VerificationDto => ({ result: 'invalid', code, message });
