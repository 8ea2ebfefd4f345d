import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { AssignProxyBody, QuorumView, SeatView } from '../../contract';
import { AppError } from '../../common/errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { RoomRegistry } from '../rooms/live/room-registry';
import { canonicalJson, sha256 } from './audit-chain';
import { AuditLog } from './audit-log';
import { DomainEvents } from '../../common/domain-events';
import { MeetingAccess } from './meeting-access';
import { quorum } from './quorum';
import type { MeetingRow, RollSeat } from './rows';
import { Sealer } from './seal';

/** A ballot_roll row as stored: a secret ballot's instruction is sealed, with its commitment beside it. */
export type StoredSeat = RollSeat & { sealed_instruction: Buffer | null; instruction_commitment: string | null };

/**
 * Who holds which seat: presence, proxies and their instructions, the live roll and quorum, and the
 * roll frozen for each ballot. Proxy instructions are kept sealed; only the server and the holder read them.
 */
@Injectable()
export class RollService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orgs: OrganizationsService,
    private readonly rooms: RoomRegistry,
    private readonly access: MeetingAccess,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    private readonly sealer: Sealer,
  ) {}

  /** Proxy instructions written in the clear by an earlier version are sealed now. */
  async sealClearInstructions(): Promise<void> {
    const clear: { meeting_id: string; seat_id: string; instructions: Record<string, string> }[] = await this.db.query(
      `SELECT meeting_id, seat_id, instructions FROM proxies WHERE sealed_instructions IS NULL`,
    );
    for (const r of clear) {
      const sealed = this.sealInstructions(r.instructions);
      await this.db.query(`UPDATE proxies SET sealed_instructions = $3, instructions_commitment = $4, instructions = '{}' WHERE meeting_id = $1 AND seat_id = $2`, [
        r.meeting_id,
        r.seat_id,
        sealed.sealed,
        sealed.commitment,
      ]);
    }
  }

  async checkIn(userId: string, meetingId: string, event: 'check-in' | 'check-out'): Promise<QuorumView> {
    const meeting = await this.access.require(userId, meetingId, 'presence.check-in');
    await this.db.query(`INSERT INTO presence_log (meeting_id, user_id, event) VALUES ($1, $2, $3)`, [meeting.id, userId, event]);
    this.events.emit('meeting.quorum', { meetingId: meeting.id });
    return this.quorumOf(meeting);
  }

  /** The holder of a seat (a delegate of the institution, or the member) gives its vote to another member. */
  async assignProxy(userId: string, meetingId: string, b: z.output<typeof AssignProxyBody>): Promise<SeatView[]> {
    const meeting = await this.access.require(userId, meetingId, 'proxy.assign');
    const seat = (await this.seats(meeting)).find((s) => s.seat_id === b.seatId);
    if (!seat || !seat.holders.includes(userId)) throw new AppError('NOT_ELIGIBLE', 'You do not hold this seat.');
    if (b.holderId === userId || !(await this.orgs.isMember(b.holderId, meeting.organization_id))) throw new AppError('NOT_ELIGIBLE', 'A proxy goes to another member.');
    // Instructions may bind a secret ballot: sealed, with only a salted commitment in the record.
    const sealed = this.sealInstructions(b.instructions);
    await this.db.transaction(async (m) => {
      await this.audit.lockMeeting(m, meeting.id);
      await m.query(
        `INSERT INTO proxies (meeting_id, seat_id, grantor_id, holder_id, instructions, sealed_instructions, instructions_commitment) VALUES ($1, $2, $3, $4, '{}', $5, $6)
         ON CONFLICT (meeting_id, seat_id) DO UPDATE SET grantor_id = $3, holder_id = $4, instructions = '{}', sealed_instructions = $5, instructions_commitment = $6, created_at = now()`,
        [meeting.id, b.seatId, userId, b.holderId, sealed.sealed, sealed.commitment],
      );
      await this.audit.append(m, meeting.id, [{ kind: 'proxy.assigned', payload: { seatId: b.seatId, grantorId: userId, holderId: b.holderId, instructionsCommitment: sealed.commitment } }], true);
    });
    this.events.emit('meeting.quorum', { meetingId: meeting.id });
    return this.mySeats(userId, meeting, null);
  }

  /** People present: in the meeting's live room, or checked in (their last presence event). */
  async presentUsers(meeting: MeetingRow): Promise<Set<string>> {
    const present = new Set<string>();
    for (const userId of meeting.room_id ? await this.rooms.presentUserIds(meeting.room_id) : []) present.add(userId);
    const rows: { user_id: string; event: string }[] = await this.db.query(
      `SELECT DISTINCT ON (user_id) user_id, event FROM presence_log WHERE meeting_id = $1 ORDER BY user_id, id DESC`,
      [meeting.id],
    );
    for (const r of rows) if (r.event === 'check-in') present.add(r.user_id);
    return present;
  }

  /** The current roll: institutions with their delegates, or members; with proxies for `motionId`. */
  async seats(meeting: MeetingRow, motionId: string | null = null, present?: Set<string>): Promise<RollSeat[]> {
    const base: { seat_id: string; label: string; weight: number; holders: string[] }[] =
      meeting.voter_basis === 'institutions'
        ? await this.db.query(
            `SELECT i.id AS seat_id, i.name AS label, i.vote_weight AS weight,
                    COALESCE(array_agg(d.user_id) FILTER (WHERE d.user_id IS NOT NULL), '{}') AS holders
               FROM institutions i LEFT JOIN institution_delegates d ON d.institution_id = i.id
              WHERE i.organization_id = $1 GROUP BY i.id ORDER BY i.name`,
            [meeting.organization_id],
          )
        : await this.db.query(
            `SELECT m.user_id AS seat_id, u.display_name AS label, 1 AS weight, ARRAY[m.user_id] AS holders
               FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 ORDER BY u.display_name`,
            [meeting.organization_id],
          );
    const rows: { seat_id: string; holder_id: string; instructions: Record<string, RollSeat['instruction']>; sealed_instructions: Buffer | null }[] = await this.db.query(
      `SELECT seat_id, holder_id, instructions, sealed_instructions FROM proxies WHERE meeting_id = $1`,
      [meeting.id],
    );
    const byseat = new Map(
      rows.map((p) => [
        p.seat_id,
        {
          holder_id: p.holder_id,
          instructions: p.sealed_instructions ? this.sealer.open<{ instructions: Record<string, RollSeat['instruction']> }>(p.sealed_instructions).instructions : p.instructions,
        },
      ]),
    );
    const here = present ?? (await this.presentUsers(meeting));
    return base.map((s) => {
      const proxy = byseat.get(s.seat_id);
      return {
        ...s,
        proxy_holder: proxy?.holder_id ?? null,
        instruction: proxy ? ((motionId && proxy.instructions[motionId]) || 'free') : null,
        present: proxy ? here.has(proxy.holder_id) : s.holders.some((h) => here.has(h)),
      };
    });
  }

  async quorumOf(meeting: MeetingRow, roll?: RollSeat[]): Promise<QuorumView> {
    const seats = roll ?? (await this.seats(meeting));
    return quorum({
      rule: meeting.quorum_rule,
      entitled: seats.map((s) => s.seat_id),
      present: seats.filter((s) => s.present && !s.proxy_holder).map((s) => s.seat_id),
      represented: seats.filter((s) => s.present && s.proxy_holder).map((s) => s.seat_id),
    });
  }

  /** The roll frozen when the ballot opened, with instructions readable (for the server and holders only). */
  async frozen(ballotId: string): Promise<RollSeat[]> {
    return (await this.db.query(`SELECT * FROM ballot_roll WHERE ballot_id = $1`, [ballotId])).map((s: StoredSeat) => this.unsealSeat(s));
  }

  /** Seats of the frozen roll this person casts for (as holder, or as proxy), and whether each has voted. */
  async heldSeats(ballotId: string, userId: string): Promise<(RollSeat & { voted: boolean })[]> {
    const rows: (StoredSeat & { voted: boolean })[] = await this.db.query(
      `SELECT r.*, c.seat_id IS NOT NULL AS voted FROM ballot_roll r LEFT JOIN ballot_casts c USING (ballot_id, seat_id)
        WHERE r.ballot_id = $1 AND (r.proxy_holder = $2 OR (r.proxy_holder IS NULL AND $2 = ANY(r.holders)))`,
      [ballotId, userId],
    );
    return rows.map((r) => ({ ...this.unsealSeat(r), voted: r.voted }));
  }

  /** The seats a person may cast for in `ballotId` (from its frozen roll), or would hold now. */
  async mySeats(userId: string, meeting: MeetingRow, ballotId: string | null, roll?: RollSeat[]): Promise<SeatView[]> {
    const seats: RollSeat[] = ballotId ? await this.frozen(ballotId) : (roll ?? (await this.seats(meeting)));
    const voted = new Set<string>(
      ballotId ? (await this.db.query(`SELECT seat_id FROM ballot_casts WHERE ballot_id = $1`, [ballotId])).map((r: { seat_id: string }) => r.seat_id) : [],
    );
    return seats
      .filter((s) => (s.proxy_holder ? s.proxy_holder === userId : s.holders.includes(userId)))
      .map((s) => ({ seatId: s.seat_id, label: s.label, weight: s.weight, as: s.proxy_holder ? 'proxy' : 'own', instruction: s.instruction, voted: voted.has(s.seat_id) }));
  }

  /** Seals a proxy's instructions with a salt; the commitment binds them without showing them. */
  sealInstructions(instructions: Record<string, string>): { sealed: Buffer; commitment: string } {
    const salt = randomBytes(32).toString('base64url');
    return { sealed: this.sealer.seal({ instructions, salt }), commitment: sha256(`${canonicalJson(instructions)}\n${salt}`) };
  }

  /** One seat's instruction on one secret ballot, sealed, and its commitment for the roll and the record. */
  commitInstruction(ballotId: string, seatId: string, instruction: NonNullable<RollSeat['instruction']>): { sealed: Buffer; commitment: string } {
    const salt = randomBytes(32).toString('base64url');
    return { sealed: this.sealer.seal({ instruction, salt }), commitment: sha256(`${ballotId}\n${seatId}\n${instruction}\n${salt}`) };
  }

  private unsealSeat(s: StoredSeat): RollSeat {
    const { sealed_instruction, instruction_commitment, ...seat } = s;
    void instruction_commitment;
    return sealed_instruction ? { ...seat, instruction: this.sealer.open<{ instruction: RollSeat['instruction'] }>(sealed_instruction).instruction } : seat;
  }
}

/** A roll entry as the record and the export show it: a secret ballot shows the commitment, never the instruction. */
export function rollEntry(s: RollSeat, commitment: string | null, secrecy: 'roll-call' | 'secret') {
  const base = { seatId: s.seat_id, label: s.label, weight: s.weight, proxyHolder: s.proxy_holder, present: s.present };
  return secrecy === 'secret' ? { ...base, instructionCommitment: commitment } : { ...base, instruction: s.instruction };
}
