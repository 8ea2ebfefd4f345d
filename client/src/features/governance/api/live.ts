import type { BallotView, CastReceipt, Choice, MeetingView, QuorumView, SeatView, ServerEvents, UserDto } from '@contract';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { newRequestId } from '../../../lib/request-id';
import { connectSocket, emitCommand } from '../../../lib/socket';
import { Store, useStore } from '../../../lib/store';
import { meKey } from '../../auth';
import { mayRelease, releaseShare, sealChoice } from './ballot-device';
import { meetingKeys } from './meetings';
import { rememberReceipts } from './receipts';

export interface MeetingLive {
  meetingId: string;
  quorum: QuorumView;
  /** Open ballots, oldest first. */
  openBallots: BallotView[];
  /** Seats you cast for on the (first) open ballot, from its frozen roll; else those you would hold now. */
  mySeats: SeatView[];
  /** Ballots that closed or were published while watching, newest last. */
  decided: BallotView[];
  /** Receipts of what you cast here, by ballot. */
  receipts: Record<string, CastReceipt[]>;
}

type Handlers = { [E in keyof ServerEvents]?: ServerEvents[E] };

const upsert = (list: BallotView[], b: BallotView) => [...list.filter((x) => x.id !== b.id), b];

/**
 * The live side of meetings: `meeting:watch` joins their feed (again after a new connection), and
 * ballots, turnout and quorum follow from the events. The meeting views in the query cache are
 * refreshed along the way, so pages showing them stay current too.
 */
export class GovernanceFeed {
  readonly store = new Store<Record<string, MeetingLive>>({});
  private readonly watched = new Set<string>();
  private readonly handlers: Handlers;
  private readonly onConnect = () => {
    // A resumed connection kept its rooms; a new one did not.
    if (!connectSocket().recovered) for (const id of this.watched) void this.watch(id);
  };

  constructor(private readonly queryClient: QueryClient) {
    this.handlers = {
      'ballot:opened': (b) => {
        if (!this.watched.has(b.meetingId)) return;
        this.patch(b.meetingId, (m) => ({ openBallots: upsert(m.openBallots, b) }));
        // The roll froze as it opened: ask again for the seats you hold on it.
        void this.watch(b.meetingId);
        this.refresh(b.meetingId);
      },
      'ballot:turnout': ({ ballotId, cast, entitled }) => {
        for (const m of Object.values(this.store.get())) {
          if (!m.openBallots.some((b) => b.id === ballotId)) continue;
          this.patch(m.meetingId, (x) => ({ openBallots: x.openBallots.map((b) => (b.id === ballotId ? { ...b, turnout: { cast, entitled } } : b)) }));
        }
      },
      'ballot:closed': (b) => {
        this.decided(b);
        // This device is a teller of a ballot whose voting just ended: it releases its share for the count.
        const me = this.queryClient.getQueryData<UserDto>(meKey)?.id;
        if (this.watched.has(b.meetingId) && mayRelease(b, me)) void releaseShare(me!, b.id).catch(() => this.refresh(b.meetingId));
      },
      'ballot:tellers': (b) => this.decided(b),
      'result:published': (b) => this.decided(b),
      'motion:changed': ({ meetingId, motion }) => {
        if (!this.watched.has(meetingId)) return;
        // The motion as the server now has it, at once; then the whole view, for what follows from it.
        this.queryClient.setQueryData(meetingKeys.detail(meetingId), (v: MeetingView | undefined) =>
          v ? { ...v, motions: v.motions.some((m) => m.id === motion.id) ? v.motions.map((m) => (m.id === motion.id ? motion : m)) : [...v.motions, motion] } : v,
        );
        this.refresh(meetingId);
      },
      'quorum:changed': ({ meetingId, quorum }) => {
        if (!this.watched.has(meetingId)) return;
        this.patch(meetingId, () => ({ quorum }));
        this.queryClient.setQueryData(meetingKeys.detail(meetingId), (v: { quorum: QuorumView } | undefined) => (v ? { ...v, quorum } : v));
      },
    };
  }

  private patch(meetingId: string, fn: (m: MeetingLive) => Partial<MeetingLive>): void {
    this.store.set((all) => {
      const m = all[meetingId];
      return m ? { ...all, [meetingId]: { ...m, ...fn(m) } } : all;
    });
  }

  private refresh(meetingId: string): void {
    void this.queryClient.invalidateQueries({ queryKey: meetingKeys.detail(meetingId) });
  }

  private decided(b: BallotView): void {
    if (!this.watched.has(b.meetingId)) return;
    this.patch(b.meetingId, (m) => ({ openBallots: m.openBallots.filter((x) => x.id !== b.id), decided: upsert(m.decided, b) }));
    this.refresh(b.meetingId);
  }

  attach(): () => void {
    const socket = connectSocket();
    for (const [event, fn] of Object.entries(this.handlers)) socket.on(event as keyof ServerEvents, fn as never);
    socket.on('connect', this.onConnect);
    return () => {
      for (const [event, fn] of Object.entries(this.handlers)) socket.off(event as keyof ServerEvents, fn as never);
      socket.off('connect', this.onConnect);
      this.watched.clear();
    };
  }

  async watch(meetingId: string): Promise<void> {
    this.watched.add(meetingId);
    const view = await emitCommand('meeting:watch', { meetingId });
    this.store.set((all) => {
      const known = all[meetingId];
      return {
        ...all,
        [meetingId]: {
          meetingId,
          quorum: view.quorum,
          openBallots: view.openBallots,
          mySeats: view.mySeats,
          decided: known?.decided ?? [],
          receipts: known?.receipts ?? {},
        },
      };
    });
  }

  private recordReceipts(meetingId: string, ballotId: string, receipts: CastReceipt[]): void {
    rememberReceipts(receipts);
    const seats = new Set(receipts.map((r) => r.seatId));
    this.patch(meetingId, (m) => ({
      receipts: { ...m.receipts, [ballotId]: [...(m.receipts[ballotId] ?? []).filter((r) => !seats.has(r.seatId)), ...receipts] },
      mySeats: m.mySeats.map((s) => (seats.has(s.seatId) ? { ...s, voted: true } : s)),
    }));
  }

  /** Envelopes sent, by request and seat: a retry resends the same bytes, so it is the same vote. */
  private readonly sealed = new Map<string, { envelope: string; receipt: string }>();

  private seal(ballot: BallotView, seatId: string, choice: Choice, clientRequestId: string): { envelope: string; receipt: string } {
    const key = `${clientRequestId}/${seatId}`;
    let s = this.sealed.get(key);
    if (!s) {
      s = sealChoice(ballot, choice);
      this.sealed.set(key, s);
    }
    return s;
  }

  private openBallot(meetingId: string, ballotId: string): BallotView | undefined {
    return this.store.get()[meetingId]?.openBallots.find((b) => b.id === ballotId);
  }

  /**
   * One seat's vote. The same request id on a retry returns the same receipt, never a second vote. A
   * secret vote is sealed here and its receipt made here: the server never sees the choice.
   */
  async cast(meetingId: string, ballotId: string, seatId: string, choice: Choice, clientRequestId = newRequestId()): Promise<CastReceipt> {
    const ballot = this.openBallot(meetingId, ballotId);
    let receipt: CastReceipt;
    if (ballot?.secrecy === 'secret') {
      const s = this.seal(ballot, seatId, choice, clientRequestId);
      const r = await emitCommand('ballot:cast', { clientRequestId, ballotId, seatId, envelope: s.envelope }, 20_000);
      receipt = { ...r, receipt: r.receipt ?? s.receipt };
    } else receipt = await emitCommand('ballot:cast', { clientRequestId, ballotId, seatId, choice }, 20_000);
    this.recordReceipts(meetingId, ballotId, [receipt]);
    return receipt;
  }

  /** Every seat you hold that has not voted; instructed proxies follow their instruction. */
  async castAll(meetingId: string, ballotId: string, choice: Choice, clientRequestId = newRequestId()): Promise<CastReceipt[]> {
    const ballot = this.openBallot(meetingId, ballotId);
    let receipts: CastReceipt[];
    if (ballot?.secrecy === 'secret') {
      const seats = (this.store.get()[meetingId]?.mySeats ?? []).filter((s) => !s.voted || ballot.allowRevote);
      const seals = new Map(seats.map((s) => [s.seatId, this.seal(ballot, s.seatId, choice, clientRequestId)]));
      const r = await emitCommand('ballot:cast-all', { clientRequestId, ballotId, envelopes: [...seals].map(([seatId, x]) => ({ seatId, envelope: x.envelope })) }, 20_000);
      receipts = r.receipts.map((x) => ({ ...x, receipt: x.receipt ?? seals.get(x.seatId)?.receipt ?? null }));
    } else receipts = (await emitCommand('ballot:cast-all', { clientRequestId, ballotId, choice }, 20_000)).receipts;
    this.recordReceipts(meetingId, ballotId, receipts);
    return receipts;
  }
}

/** Watches the given meetings while mounted. */
export function useGovernanceFeed(meetingIds: readonly string[]): { feed: GovernanceFeed; live: Record<string, MeetingLive> } {
  const queryClient = useQueryClient();
  const [feed] = useState(() => new GovernanceFeed(queryClient));
  useEffect(() => feed.attach(), [feed]);
  const key = [...meetingIds].sort().join(',');
  useEffect(() => {
    for (const id of key ? key.split(',') : []) void feed.watch(id).catch(() => undefined);
  }, [feed, key]);
  return { feed, live: useStore(feed.store) };
}
