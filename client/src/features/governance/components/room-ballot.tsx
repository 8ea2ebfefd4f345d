import type { BallotView, CastReceipt, Choice, SeatView } from '@contract';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { ApiError } from '../../../lib/api';
import { isolate, useFormat } from '../../../lib/format';
import { newRequestId } from '../../../lib/request-id';
import type { GovernanceFeed, MeetingLive } from '../api/live';
import { useMeeting } from '../api/meetings';
import { storedReceipts } from '../api/receipts';
import { BallotResultView } from './ballot-result';
import { RecordHead } from './record-head';
import { ballotOptions, choiceLabel } from './labels';
import { Receipts } from './receipt';
import '../governance.css';

type Step = 'choose' | 'confirm' | 'done';
/** Cast for every seat held ('all', ballot:cast-all) or for one. */
type Target = 'all' | string;

const instructed = (seat: SeatView): Choice | null =>
  seat.as === 'proxy' && seat.instruction && seat.instruction !== 'free' ? (seat.instruction as Choice) : null;

function useCountdown(closesAt: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!closesAt) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [closesAt]);
  return closesAt ? Math.max(0, Math.round((Date.parse(closesAt) - now) / 1000)) : null;
}

interface Props {
  ballot: BallotView;
  live: MeetingLive;
  feed: GovernanceFeed;
  onHide: () => void;
}

/**
 * The ballot as a voter sees it in the live room: large choices, a confirmation step, then the
 * receipt. Someone holding several seats (proxies) sees one line per seat and can cast for all.
 */
export function RoomBallot({ ballot, live, feed, onHide }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const headingId = useId();
  const groupName = useId();
  const seats = live.mySeats;
  const open = seats.filter((s) => !s.voted || ballot.allowRevote);
  const [target, setTarget] = useState<Target>(open.length > 1 ? 'all' : (open[0]?.seatId ?? 'all'));
  const [motionChoice, setMotionChoice] = useState<string | null>(null);
  const [candidates, setCandidates] = useState<string[]>([]);
  const [abstain, setAbstain] = useState(false);
  const [step, setStep] = useState<Step>('choose');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<CastReceipt[]>([]);
  /** Kept across retries of the same confirmed vote, so a lost answer never means a second vote. */
  const requestId = useRef<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const seconds = useCountdown(ballot.closesAt);
  const meeting = useMeeting(ballot.meetingId);
  const motionText = ballot.motionId ? (meeting.data?.motions.find((m) => m.id === ballot.motionId)?.text ?? null) : null;

  const targetSeat = target === 'all' ? null : (seats.find((s) => s.seatId === target) ?? null);
  const locked = targetSeat ? instructed(targetSeat) : null;
  const choice: Choice | null =
    locked ?? (ballot.kind === 'motion' ? (motionChoice as Choice | null) : abstain ? [] : candidates.length > 0 ? candidates : null);

  useEffect(() => {
    if (step === 'confirm') confirmButton.current?.focus();
    if (step === 'done') heading.current?.focus();
  }, [step]);

  const cast = async () => {
    if (choice === null) return;
    requestId.current ??= newRequestId();
    setSending(true);
    setError(null);
    try {
      const receipts =
        target === 'all'
          ? await feed.castAll(ballot.meetingId, ballot.id, choice, requestId.current)
          : [await feed.cast(ballot.meetingId, ballot.id, target, choice, requestId.current)];
      setDone(receipts);
      setStep('done');
      requestId.current = null;
    } catch (e) {
      setError(e);
      // Only a vote that may have been lost in transit is retried with the same key.
      if (!(e instanceof ApiError && e.code === 'UNAVAILABLE')) requestId.current = null;
    } finally {
      setSending(false);
    }
  };

  const reset = () => {
    setStep('choose');
    setDone([]);
    setMotionChoice(null);
    setCandidates([]);
    setAbstain(false);
    setError(null);
    const next = seats.filter((s) => !s.voted || ballot.allowRevote);
    setTarget(next.length > 1 ? 'all' : (next[0]?.seatId ?? 'all'));
  };

  const earlier = live.receipts[ballot.id] ?? storedReceipts(ballot.id);
  const everythingVoted = seats.length > 0 && open.length === 0;

  return (
    <section className="room-ballot" role="region" aria-labelledby={headingId} data-testid="room-ballot" data-ballot-id={ballot.id} data-step={step}>
      <header className="room-ballot-head">
        <div className="stack-tight">
          <p className="eyebrow">
            {t('governance.ballot.voteOpen')} · {t(`governance.secrecy.${ballot.secrecy}`)}
            {ballot.kind === 'election' && <> · {t('governance.ballot.chooseUpTo', { n: ballot.maxChoices })}</>}
          </p>
          <h2 id={headingId} ref={heading} tabIndex={-1} className="room-ballot-title">
            <bdi>{ballot.title}</bdi>
          </h2>
        </div>
        <button type="button" className="button button-small" onClick={onHide} data-testid="ballot-hide">
          {t('governance.ballot.hide')}
        </button>
      </header>
      <p className="muted small room-ballot-meta">
        {ballot.turnout && t('governance.ballot.turnout', { cast: format.number(ballot.turnout.cast), entitled: format.number(ballot.turnout.entitled) })}
        {seconds !== null && <> · {t('governance.ballot.closesIn', { time: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}` })}</>}
      </p>

      {motionText && (
        <div className="room-ballot-motion stack-tight" data-testid="ballot-motion-text">
          <p className="eyebrow">{t('governance.ballot.motionText')}</p>
          <p>
            <bdi>{motionText}</bdi>
          </p>
        </div>
      )}
      {seats.length === 1 && step !== 'done' && (
        <p className="small" data-testid="ballot-your-seats">
          {t('governance.ballot.yourSeats')}:{' '}
          <strong>{t('governance.ballot.seatLine', { seat: isolate(seats[0]!.label), as: t(`governance.seats.${seats[0]!.as}`), weight: format.number(seats[0]!.weight) })}</strong>
        </p>
      )}
      {seats.length === 0 ? (
        <p data-testid="not-on-roll">{t('governance.ballot.notOnRoll')}</p>
      ) : step === 'done' ? (
        <>
          <Receipts ballot={ballot} receipts={done} seats={seats} />
          {open.length > 0 && (
            <button type="button" className="button" onClick={reset}>
              {ballot.allowRevote && open.length === seats.length ? t('governance.ballot.changeVote') : t('governance.ballot.voteRemaining', { n: open.length })}
            </button>
          )}
        </>
      ) : everythingVoted ? (
        <div className="stack-tight" data-testid="already-voted">
          <p>{t('governance.ballot.alreadyVoted')}</p>
          {earlier.length > 0 && <Receipts ballot={ballot} receipts={earlier} seats={seats} />}
        </div>
      ) : (
        <>
          {seats.length > 1 && (
            <fieldset className="seat-lines" disabled={step === 'confirm'}>
              <legend>{t('governance.seats.legend')}</legend>
              <table className="seat-table">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">{t('governance.seats.castFor')}</span>
                    </th>
                    <th scope="col">{t('governance.seats.seat')}</th>
                    <th scope="col">{t('governance.seats.weight')}</th>
                    <th scope="col">{t('governance.seats.as')}</th>
                    <th scope="col">{t('governance.seats.instruction')}</th>
                    <th scope="col">{t('governance.seats.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {seats.map((s) => (
                    <tr key={s.seatId} data-testid="seat-line" data-seat-id={s.seatId} data-voted={s.voted}>
                      <td>
                        <input
                          type="radio"
                          name={`${groupName}-target`}
                          checked={target === s.seatId}
                          disabled={s.voted && !ballot.allowRevote}
                          aria-label={t('governance.seats.castForSeat', { seat: isolate(s.label) })}
                          onChange={() => setTarget(s.seatId)}
                        />
                      </td>
                      <th scope="row">
                        <bdi>{s.label}</bdi>
                      </th>
                      <td>{format.number(s.weight)}</td>
                      <td>{t(`governance.seats.${s.as}`)}</td>
                      <td>{s.instruction && s.instruction !== 'free' ? t(`governance.choice.${s.instruction}`) : t('governance.seats.free')}</td>
                      <td>{s.voted ? t('governance.seats.voted') : t('governance.seats.notVoted')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {open.length > 1 && (
                <label className="switch cast-all">
                  <input type="radio" name={`${groupName}-target`} checked={target === 'all'} data-testid="target-all" onChange={() => setTarget('all')} />
                  {t('governance.seats.castForAll', { n: open.length })}
                </label>
              )}
            </fieldset>
          )}

          {step === 'choose' ? (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                if (choice !== null) setStep('confirm');
              }}
            >
              <fieldset className="ballot-choices" aria-describedby={locked ? `${headingId}-locked` : undefined}>
                <legend className="ballot-legend">{ballot.kind === 'motion' ? t('governance.ballot.yourVote') : t('governance.ballot.yourChoice', { n: ballot.maxChoices })}</legend>
                {ballotOptions(ballot, t).map((o) =>
                  ballot.kind === 'motion' ? (
                    <label key={o.value} className={`choice choice-${o.value}`} data-testid="ballot-choice" data-value={o.value}>
                      <input
                        type="radio"
                        name={groupName}
                        value={o.value}
                        checked={(locked ?? motionChoice) === o.value}
                        disabled={locked !== null && locked !== o.value}
                        onChange={() => setMotionChoice(o.value)}
                      />
                      <span className="choice-label">{o.label}</span>
                    </label>
                  ) : (
                    <label key={o.value} className="choice" data-testid="ballot-choice" data-value={o.value}>
                      <input
                        type="checkbox"
                        value={o.value}
                        checked={candidates.includes(o.value)}
                        disabled={abstain || (!candidates.includes(o.value) && candidates.length >= ballot.maxChoices)}
                        onChange={(e) => setCandidates((c) => (e.target.checked ? [...c, o.value] : c.filter((x) => x !== o.value)))}
                      />
                      <span className="choice-label">
                        <bdi>{o.label}</bdi>
                      </span>
                    </label>
                  ),
                )}
                {ballot.kind === 'election' && (
                  <label className="choice choice-abstain" data-testid="ballot-choice" data-value="abstain">
                    <input type="checkbox" checked={abstain} onChange={(e) => (setAbstain(e.target.checked), setCandidates([]))} />
                    <span className="choice-label">{t('governance.ballot.abstainElection')}</span>
                  </label>
                )}
              </fieldset>
              {locked && (
                <p id={`${headingId}-locked`} className="muted small">
                  {t('governance.seats.instructedNote', { choice: choiceLabel(locked, t) })}
                </p>
              )}
              <div className="actions">
                <button type="submit" className="button button-primary button-large" disabled={choice === null} data-testid="ballot-review">
                  {t('governance.ballot.review')}
                </button>
              </div>
            </form>
          ) : (
            <div className="ballot-confirm stack" data-testid="ballot-confirm">
              <p className="confirm-question">{t('governance.ballot.confirmQuestion')}</p>
              <ul className="confirm-lines">
                {(target === 'all' ? open : seats.filter((s) => s.seatId === target)).map((s) => (
                  <li key={s.seatId}>
                    <bdi>{s.label}</bdi>: <strong data-testid="confirm-choice">{choiceLabel(instructed(s) ?? choice!, t)}</strong>
                    {s.weight !== 1 && <span className="muted"> · {t('governance.seats.weightN', { n: format.number(s.weight) })}</span>}
                  </li>
                ))}
              </ul>
              {!ballot.allowRevote && <p className="muted small">{t('governance.ballot.final')}</p>}
              <ErrorMessage error={error} />
              <div className="actions">
                <button ref={confirmButton} type="button" className="button button-primary button-large" disabled={sending} data-testid="ballot-confirm-cast" onClick={() => void cast()}>
                  {sending ? t('governance.ballot.casting') : error ? t('governance.ballot.retry') : t('governance.ballot.confirmCast')}
                </button>
                <button type="button" className="button button-large" disabled={sending} data-testid="ballot-change" onClick={() => (setStep('choose'), setError(null))}>
                  {t('governance.ballot.change')}
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** A ballot that closed or whose result was published, shown until dismissed. */
export function RoomBallotOutcome({ ballot, onHide }: { ballot: BallotView; onHide: () => void }) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <section className="room-ballot room-ballot-outcome" role="region" aria-labelledby={headingId} data-testid="room-ballot-outcome" data-ballot-id={ballot.id} data-status={ballot.status}>
      <header className="room-ballot-head">
        <div className="stack-tight">
          <p className="eyebrow">{ballot.status === 'published' ? t('governance.ballot.resultPublished') : t('governance.ballot.votingClosed')}</p>
          <h2 id={headingId} className="room-ballot-title">
            <bdi>{ballot.title}</bdi>
          </h2>
        </div>
        <button type="button" className="button button-small" onClick={onHide}>
          {t('governance.ballot.hide')}
        </button>
      </header>
      {ballot.status === 'published' && ballot.result ? (
        <>
          <BallotResultView result={ballot.result} ballot={ballot} />
          {ballot.record && <RecordHead record={ballot.record} />}
          <a className="button button-small" href={`/verify?ballot=${encodeURIComponent(ballot.id)}`} target="_blank" rel="noopener noreferrer" data-testid="outcome-check-link">
            {t('governance.receipt.check')}
          </a>
        </>
      ) : (
        <p role="status">{t('governance.ballot.awaitingResult')}</p>
      )}
    </section>
  );
}
