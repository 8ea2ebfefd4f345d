import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { AgendaItemBody, CreateMeetingBody, MeetingView } from '../../contract';
import { AppError } from '../../common/errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { AuditLog } from './audit-log';
import type { BallotState } from './ballot-state';
import { BallotsService } from './ballots.service';
import { MeetingAccess } from './meeting-access';
import { MotionsService } from './motions.service';
import { RollService, type StoredSeat, rollEntry } from './roll.service';
import type { BallotRow, MeetingRow } from './rows';

/** Meetings and their agenda, and the read views over a whole meeting: what members see, and the export. */
@Injectable()
export class MeetingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly access: MeetingAccess,
    private readonly audit: AuditLog,
    private readonly motions: MotionsService,
    private readonly roll: RollService,
    private readonly ballots: BallotsService,
  ) {}

  async create(userId: string, organizationId: string, b: z.output<typeof CreateMeetingBody>): Promise<MeetingView> {
    await this.orgs.authorize(userId, organizationId, 'meetings.manage');
    for (const person of [b.chairId, b.secretaryId, ...(b.tellers ?? [])]) {
      if (person && !(await this.orgs.isMember(person, organizationId))) throw new AppError('NOT_FOUND', 'The chair, the secretary and the tellers must be members.');
    }
    const tellers = [...new Set(b.tellers ?? [])];
    const threshold = Math.min(b.tellerThreshold ?? 1, Math.max(tellers.length, 1));
    if (b.roomId) {
      const [room] = await this.db.query(`SELECT 1 FROM rooms WHERE id = $1 AND organization_id = $2`, [b.roomId, organizationId]);
      if (!room) throw new AppError('NOT_FOUND', 'Room not found.');
    }
    // The meeting and the first entry of its audit chain exist together or not at all. That entry
    // names the key the record will be signed with.
    const id = await this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO meetings (organization_id, room_id, title, kind, scheduled_at, voter_basis, quorum_rule, chair_id, secretary_id, created_by, language, tellers, teller_threshold)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [
          organizationId,
          b.roomId ?? null,
          b.title,
          b.kind,
          b.scheduledAt,
          b.voterBasis,
          JSON.stringify(b.quorumRule),
          b.chairId ?? userId,
          b.secretaryId ?? null,
          userId,
          b.language,
          tellers,
          threshold,
        ],
      );
      await this.audit.append(m, row.id, [
        {
          kind: 'meeting.created',
          payload: {
            ...{ title: b.title, voterBasis: b.voterBasis, quorumRule: b.quorumRule, chairId: b.chairId ?? userId, recordKey: this.audit.recordKey },
            ...(tellers.length ? { tellers, tellerThreshold: threshold } : {}),
          },
        },
      ]);
      return row.id as string;
    });
    return this.view(userId, id);
  }

  async list(userId: string, organizationId: string): Promise<Pick<MeetingView, 'id' | 'title' | 'kind' | 'scheduledAt' | 'roomId'>[]> {
    await this.orgs.authorize(userId, organizationId, 'org.view');
    const rows: MeetingRow[] = await this.db.query(`SELECT * FROM meetings WHERE organization_id = $1 ORDER BY scheduled_at DESC`, [organizationId]);
    return rows.map((r) => ({ id: r.id, title: r.title, kind: r.kind, scheduledAt: r.scheduled_at.toISOString(), roomId: r.room_id }));
  }

  async addAgendaItem(userId: string, meetingId: string, b: z.output<typeof AgendaItemBody>): Promise<MeetingView> {
    const meeting = await this.access.require(userId, meetingId, 'agenda.manage');
    await this.db.transaction(async (m) => {
      await this.audit.lockMeeting(m, meeting.id);
      const [{ next }] = await m.query(`SELECT COALESCE(max(position), 0) + 1 AS next FROM agenda_items WHERE meeting_id = $1`, [meeting.id]);
      const [item] = await m.query(`INSERT INTO agenda_items (meeting_id, position, title, description) VALUES ($1, $2, $3, $4) RETURNING id`, [meeting.id, next, b.title, b.description ?? null]);
      await this.audit.append(m, meeting.id, [{ kind: 'agenda.item-added', payload: { itemId: item.id, position: next, title: b.title } }], true);
    });
    return this.view(userId, meetingId);
  }

  /**
   * Names the tellers who will hold the keys of the meeting's next secret ballots (ballots already
   * open keep theirs), and how many of them must release their shares for a count.
   */
  async setTellers(userId: string, meetingId: string, tellers: string[], threshold: number): Promise<MeetingView> {
    const meeting = await this.access.require(userId, meetingId, 'ballot.manage');
    for (const t of tellers) if (!(await this.orgs.isMember(t, meeting.organization_id))) throw new AppError('NOT_FOUND', 'Tellers must be members.');
    await this.db.transaction(async (m) => {
      await this.audit.lockMeeting(m, meeting.id);
      await m.query(`UPDATE meetings SET tellers = $2, teller_threshold = $3 WHERE id = $1`, [meeting.id, tellers, threshold]);
      await this.audit.append(m, meeting.id, [{ kind: 'tellers.named', payload: { by: userId, tellers, threshold } }], true);
    });
    return this.view(userId, meetingId);
  }

  async tellerKey(userId: string): Promise<{ publicKey: string | null }> {
    const [row] = await this.db.query(`SELECT public_key FROM teller_keys WHERE user_id = $1`, [userId]);
    return { publicKey: row?.public_key ?? null };
  }

  /** A new teller key replaces the old one for ballots opened from now on. */
  async setTellerKey(userId: string, publicKey: string): Promise<{ publicKey: string | null }> {
    await this.db.query(
      `INSERT INTO teller_keys (user_id, public_key) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET public_key = EXCLUDED.public_key, updated_at = now()`,
      [userId, publicKey],
    );
    return { publicKey };
  }

  async meetingsInRoom(roomId: string): Promise<string[]> {
    return (await this.db.query(`SELECT id FROM meetings WHERE room_id = $1`, [roomId])).map((r: { id: string }) => r.id);
  }

  async view(userId: string, meetingId: string): Promise<MeetingView> {
    const meeting = await this.access.member(userId, meetingId);
    const agenda: { id: string; position: number; title: string; description: string | null }[] = await this.db.query(
      `SELECT id, position, title, description FROM agenda_items WHERE meeting_id = $1 ORDER BY position`,
      [meeting.id],
    );
    const ballotIds: { id: string }[] = await this.db.query(`SELECT id FROM ballots WHERE meeting_id = $1 ORDER BY created_at`, [meeting.id]);
    const roll = await this.roll.seats(meeting);
    return {
      id: meeting.id,
      organizationId: meeting.organization_id,
      roomId: meeting.room_id,
      title: meeting.title,
      kind: meeting.kind,
      scheduledAt: meeting.scheduled_at.toISOString(),
      language: meeting.language,
      voterBasis: meeting.voter_basis,
      quorumRule: meeting.quorum_rule,
      chairId: meeting.chair_id,
      secretaryId: meeting.secretary_id,
      agenda,
      motions: await this.motions.list(meeting.id),
      ballots: await Promise.all(ballotIds.map((b) => this.ballots.view(b.id))),
      quorum: await this.roll.quorumOf(meeting, roll),
      mySeats: await this.roll.mySeats(userId, meeting, null, roll),
      isChair: meeting.chair_id === userId,
      tellers: meeting.tellers.length
        ? ((await this.db.query(`SELECT u.id AS "userId", u.display_name AS "displayName" FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n) JOIN users u ON u.id = t.id ORDER BY t.n`, [
            meeting.tellers,
          ])) as { userId: string; displayName: string }[])
        : [],
      tellerThreshold: meeting.teller_threshold,
      canExport: await this.access.may(userId, meeting, 'record.export'),
    };
  }

  /**
   * Everything needed to check the meeting independently: rolls, bulletin boards and results of
   * published ballots, the whole audit chain and its head signed by the server. For the chair, the
   * secretary and the organisation's admins.
   */
  async export(userId: string, meetingId: string) {
    const meeting = await this.access.require(userId, meetingId, 'record.export');
    // One snapshot for the ballots and the chain, so the signed head covers every ballot listed.
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const ballots: BallotRow[] = await m.query(`SELECT * FROM ballots WHERE meeting_id = $1 AND status = $2 ORDER BY opened_at`, [meeting.id, 'published' satisfies BallotState]);
      const audit = await this.audit.chain(m, meeting.id);
      const exported = [];
      for (const b of ballots) {
        exported.push({
          id: b.id,
          title: b.title,
          kind: b.kind,
          options: b.options,
          seats: b.seats,
          maxChoices: b.max_choices,
          secrecy: b.secrecy,
          rule: b.rule,
          abstentionsCount: b.abstentions_count,
          allowRevote: b.allow_revote,
          presentWeight: b.present_weight,
          entitledWeight: b.entitled_weight,
          roll: (await m.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1 ORDER BY seat_id`, [b.id])).map((s: StoredSeat) => rollEntry(s, s.instruction_commitment, b.secrecy)),
          bulletin: await this.ballots.bulletinOf(m, b),
          result: b.result,
        });
      }
      const last = audit.at(-1);
      return {
        format: 'quorum-meeting-export/2',
        exportedAt: new Date().toISOString(),
        meeting: { id: meeting.id, title: meeting.title, kind: meeting.kind, voterBasis: meeting.voter_basis, quorumRule: meeting.quorum_rule, scheduledAt: meeting.scheduled_at.toISOString() },
        ballots: exported,
        audit,
        // The head of the chain signed by the server: an edited export cannot carry a valid one.
        signedHead: last ? this.audit.sign(meeting.id, last) : null,
      };
    });
  }
}
