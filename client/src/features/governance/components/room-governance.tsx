import type { BallotView } from '@contract';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { CloseIcon } from '../../../components/icons';
import { useMeeting, useRoomMeetings, type MeetingSummary } from '../api/meetings';
import { groupMeetings } from './meeting-groups';
import { useGovernanceFeed, type GovernanceFeed, type MeetingLive } from '../api/live';
import { BallotControls } from './ballot-controls';
import { BallotResultView } from './ballot-result';
import { QuorumIndicator } from './quorum-indicator';
import { RoomBallot, RoomBallotOutcome } from './room-ballot';
import '../governance.css';

export interface RoomGovernance {
  meetingIds: readonly string[];
  /** The same meetings with their titles and dates, for the panel's list. */
  meetings: readonly MeetingSummary[];
  feed: GovernanceFeed;
  live: Record<string, MeetingLive>;
  /** Open ballots across the room's meetings. */
  openBallots: BallotView[];
}

/**
 * The formal side of a live room: the meetings held in it (named by `?meeting=` in the room's
 * address, or found among the viewer's organisations' meetings by room), watched live.
 */
export function useRoomGovernance(roomId: string): RoomGovernance {
  const [params] = useSearchParams();
  const meetings = useRoomMeetings(roomId, params.get('meeting'));
  const list = useMemo(() => meetings.data ?? [], [meetings.data]);
  const meetingIds = useMemo(() => list.map((m) => m.id), [list]);
  const { feed, live } = useGovernanceFeed(meetingIds);
  const openBallots = Object.values(live).flatMap((m) => m.openBallots);
  return { meetingIds, meetings: list, feed, live, openBallots };
}

/** Ballots over the stage: open ones to vote on, then their outcome, each until hidden. */
export function RoomBallotOverlay({ gov }: { gov: RoomGovernance }) {
  const { t } = useTranslation();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const hide = (id: string) => setHidden((h) => new Set(h).add(id));
  const show = (id: string) =>
    setHidden((h) => {
      const next = new Set(h);
      next.delete(id);
      return next;
    });

  const items = Object.values(gov.live).flatMap((m) => [
    ...m.openBallots.map((b) => ({ b, m, open: true })),
    ...m.decided.map((b) => ({ b, m, open: false })),
  ]);
  const visible = items.filter((i) => !hidden.has(`${i.b.id}:${i.b.status}`));
  const hiddenOpen = items.filter((i) => i.open && hidden.has(`${i.b.id}:${i.b.status}`));
  const latest = gov.openBallots.at(-1);

  return (
    <>
      {/* Announced once per ballot, whether or not the card has focus. */}
      <p className="visually-hidden" aria-live="assertive">
        {latest ? t('governance.ballot.openedAnnouncement', { title: isolate(latest.title) }) : ''}
      </p>
      {(visible.length > 0 || hiddenOpen.length > 0) && (
        <div className="ballot-overlay" data-testid="ballot-overlay">
          {visible.map(({ b, m, open }) =>
            open ? (
              <RoomBallot key={`${b.id}:open`} ballot={b} live={m} feed={gov.feed} onHide={() => hide(`${b.id}:${b.status}`)} />
            ) : (
              <RoomBallotOutcome key={`${b.id}:${b.status}`} ballot={b} onHide={() => hide(`${b.id}:${b.status}`)} />
            ),
          )}
          {hiddenOpen.map(({ b }) => (
            <button key={b.id} type="button" className="button ballot-chip" data-testid="ballot-show" onClick={() => show(`${b.id}:${b.status}`)}>
              {t('governance.ballot.show', { title: isolate(b.title) })}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

/**
 * The side panel: each meeting's date, quorum and ballots; the chair opens, closes and publishes from
 * here. Meetings on now or to come are listed first; earlier ones wait behind a disclosure, loaded
 * only when it is opened.
 */
export function MeetingRoomPanel({ gov, onClose }: { gov: RoomGovernance; onClose: () => void }) {
  const { t } = useTranslation();
  const [pastOpen, setPastOpen] = useState(false);
  const live = new Set(Object.entries(gov.live).flatMap(([id, m]) => (m.openBallots.length > 0 ? [id] : [])));
  const { current, past } = groupMeetings(gov.meetings, new Date(), live);
  return (
    <aside className="side-panel engagement-panel" aria-labelledby="meeting-panel-title" data-testid="meeting-panel">
      <header className="side-panel-header">
        <h2 id="meeting-panel-title">{t('governance.room.title')}</h2>
        <button type="button" className="icon-button" aria-label={t('room.closePanel')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      {gov.meetings.length === 0 ? (
        <p className="muted small">{t('governance.room.none')}</p>
      ) : (
        <>
          {current.length === 0 && <p className="muted small">{t('governance.room.noneToCome')}</p>}
          {current.map((m) => (
            <MeetingSection key={m.id} summary={m} live={gov.live[m.id]} />
          ))}
          {past.length > 0 && (
            <details className="past-meetings" open={pastOpen} onToggle={(e) => setPastOpen(e.currentTarget.open)} data-testid="past-meetings">
              <summary className="panel-section-title" data-testid="past-meetings-toggle">
                {t('governance.meetings.past', { count: past.length })}
              </summary>
              {pastOpen && past.map((m) => <MeetingSection key={m.id} summary={m} live={gov.live[m.id]} />)}
            </details>
          )}
        </>
      )}
    </aside>
  );
}

function MeetingSection({ summary, live }: { summary: MeetingSummary; live: MeetingLive | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const meeting = useMeeting(summary.id);
  if (meeting.isPending) return <Loading />;
  if (meeting.isError) return <ErrorMessage error={meeting.error} onRetry={() => void meeting.refetch()} />;
  const m = meeting.data;
  const quorum = live?.quorum ?? m.quorum;
  const ballots = m.ballots.map((b) => live?.openBallots.find((x) => x.id === b.id) ?? b);
  return (
    <section className="panel-section stack-tight" aria-labelledby={`meeting-${m.id}`} data-testid="meeting-section" data-meeting-id={m.id}>
      <h3 id={`meeting-${m.id}`} className="meeting-panel-title">
        <bdi>{m.title}</bdi>
      </h3>
      <p className="muted small">
        <time dateTime={m.scheduledAt} data-testid="meeting-date">
          {format.dateTime(m.scheduledAt)}
        </time>
      </p>
      <QuorumIndicator quorum={quorum} compact />
      <a className="small" href={`/meetings/${m.id}`} target="_blank" rel="noopener noreferrer" data-testid="meeting-console-link">
        {m.isChair ? t('governance.room.console') : t('governance.room.details')}
      </a>
      <h4 className="panel-section-title">{t('governance.ballots.title')}</h4>
      {ballots.length === 0 ? (
        <p className="muted small">{t('governance.ballots.empty')}</p>
      ) : (
        <ol className="queue-list">
          {ballots.map((b) => (
            <li key={b.id} className="card-dark" data-testid="panel-ballot" data-ballot-id={b.id} data-status={b.status}>
              <div className="poll-head">
                <strong>
                  <bdi>{b.title}</bdi>
                </strong>
                <span className={`poll-status ballot-status-${b.status}`}>{t(`governance.ballotStatus.${b.status}`)}</span>
              </div>
              {b.turnout && b.status !== 'draft' && (
                <p className="muted small">{t('governance.ballot.turnout', { cast: format.number(b.turnout.cast), entitled: format.number(b.turnout.entitled) })}</p>
              )}
              {b.result && <BallotResultView result={b.result} ballot={b} />}
              {m.isChair && b.status !== 'published' && <BallotControls ballot={b} />}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
