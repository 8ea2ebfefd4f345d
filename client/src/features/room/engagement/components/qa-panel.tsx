import { ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, type QuestionAction, type QuestionView } from '@contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import type { RoomSnapshot } from '../../session/room-session';
import { canModerateQuestions } from '../../stage/api/stage';
import { ArrowUpIcon, PinIcon } from '../../../../components/icons';
import { sortQuestions, type EngagementFeed, type EngagementState } from '../api/engagement';
import { PanelFrame } from './panel-frame';
import '../engagement.css';

interface Props {
  feed: EngagementFeed;
  state: EngagementState;
  snap: RoomSnapshot;
  onClose: () => void;
}

/** Questions to the speakers: ask (optionally anonymously), upvote once, and (stage) moderate. */
export function QaPanel({ feed, state, snap, onClose }: Props) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const moderator = canModerateQuestions(snap.role);
  const sorted = sortQuestions(state.questions);
  const active = sorted.filter((q) => q.status !== 'dismissed');
  const dismissed = sorted.filter((q) => q.status === 'dismissed');

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <PanelFrame id="qa-title" title={t('engagement.qa.title')} testId="qa-panel" onClose={onClose}>
      <form
        className="stack-tight qa-form"
        onSubmit={(e) => {
          e.preventDefault();
          const text = body.trim();
          if (text) void run(() => feed.ask(text, anonymous)).then((ok) => ok && setBody(''));
        }}
      >
        <label htmlFor={inputId}>{t('engagement.qa.ask')}</label>
        <textarea id={inputId} rows={2} maxLength={QUESTION_MAX_LENGTH} value={body} data-testid="qa-input" onChange={(e) => setBody(e.target.value)} />
        <div className="chat-form-row">
          <label className="switch small">
            <input type="checkbox" checked={anonymous} data-testid="qa-anonymous" onChange={(e) => setAnonymous(e.target.checked)} />
            {t('engagement.qa.anonymous')}
          </label>
          <button type="submit" className="button button-small button-primary" disabled={busy || body.trim() === ''} data-testid="qa-submit">
            {t('engagement.qa.submit')}
          </button>
        </div>
      </form>
      <ErrorMessage error={error} />
      <ol className="qa-list" aria-label={t('engagement.qa.list')}>
        {active.length === 0 && <li className="muted small">{t('engagement.qa.empty')}</li>}
        {active.map((q) => (
          <Question
            key={q.id}
            q={q}
            moderator={moderator}
            busy={busy}
            onVote={(up) => void run(() => feed.vote(q.id, up))}
            onModerate={(action, answer) => run(() => feed.moderate(q.id, action, answer))}
          />
        ))}
      </ol>
      {moderator && dismissed.length > 0 && (
        <details className="qa-dismissed">
          <summary>{t('engagement.qa.dismissed', { n: dismissed.length })}</summary>
          <ol className="qa-list">
            {dismissed.map((q) => (
              <Question key={q.id} q={q} moderator={moderator} busy={busy} onVote={() => undefined} onModerate={(action, answer) => run(() => feed.moderate(q.id, action, answer))} />
            ))}
          </ol>
        </details>
      )}
    </PanelFrame>
  );
}

interface QuestionProps {
  q: QuestionView;
  moderator: boolean;
  busy: boolean;
  onVote: (up: boolean) => void;
  onModerate: (action: QuestionAction, answer?: string) => Promise<boolean>;
}

function Question({ q, moderator, busy, onVote, onModerate }: QuestionProps) {
  const { t } = useTranslation();
  const [answering, setAnswering] = useState(false);
  const [answer, setAnswer] = useState('');
  const answerId = useId();
  const author = q.anonymous || !q.authorName ? t('engagement.qa.anonymousAuthor') : q.authorName;
  return (
    <li className={`qa-item qa-${q.status}${q.pinned ? ' qa-pinned' : ''}`} data-testid="question" data-status={q.status} data-votes={q.votes}>
      <div className="qa-row">
        <button
          type="button"
          className={`qa-vote${q.votedByMe ? ' qa-voted' : ''}`}
          aria-pressed={q.votedByMe}
          aria-label={q.votedByMe ? t('engagement.qa.unvote', { n: q.votes }) : t('engagement.qa.upvote', { n: q.votes })}
          disabled={busy || q.status === 'dismissed'}
          data-testid="qa-vote"
          onClick={() => onVote(!q.votedByMe)}
        >
          <ArrowUpIcon size={16} />
          <span aria-hidden="true">{q.votes}</span>
        </button>
        <div className="qa-content">
          <p className="qa-body" dir="auto">
            {q.body}
          </p>
          <p className="muted small">
            {q.pinned && (
              <span className="qa-tag">
                <PinIcon size={12} /> {t('engagement.qa.pinned')}
              </span>
            )}
            <bdi>{author}</bdi>
            {q.mine && <> · {t('engagement.qa.mine')}</>}
            {q.status !== 'open' && <> · <span className="qa-tag">{t(`engagement.qa.status.${q.status}`)}</span></>}
          </p>
          {q.answer && (
            <p className="qa-answer" dir="auto">
              <span className="visually-hidden">{t('engagement.qa.answerLabel')}: </span>
              {q.answer}
            </p>
          )}
        </div>
      </div>
      {moderator && (
        <div className="qa-mod" role="group" aria-label={t('engagement.qa.moderate')}>
          {q.status === 'dismissed' ? (
            <button type="button" className="button button-small" disabled={busy} onClick={() => void onModerate('reopen')}>
              {t('engagement.qa.actions.reopen')}
            </button>
          ) : (
            <>
              {q.status !== 'answering' && (
                <button type="button" className="button button-small" disabled={busy} data-testid="qa-answer-live" onClick={() => void onModerate('answer-live')}>
                  {t('engagement.qa.actions.answerLive')}
                </button>
              )}
              <button type="button" className="button button-small" disabled={busy} aria-expanded={answering} onClick={() => setAnswering((a) => !a)}>
                {t('engagement.qa.actions.answerText')}
              </button>
              <button type="button" className="button button-small" disabled={busy} onClick={() => void onModerate(q.pinned ? 'unpin' : 'pin')}>
                {q.pinned ? t('engagement.qa.actions.unpin') : t('engagement.qa.actions.pin')}
              </button>
              <button type="button" className="button button-small" disabled={busy} data-testid="qa-dismiss" onClick={() => void onModerate('dismiss')}>
                {t('engagement.qa.actions.dismiss')}
              </button>
            </>
          )}
        </div>
      )}
      {moderator && answering && (
        <form
          className="stack-tight"
          onSubmit={(e) => {
            e.preventDefault();
            const text = answer.trim();
            if (text) void onModerate('answer-text', text).then((ok) => ok && (setAnswering(false), setAnswer('')));
          }}
        >
          <label htmlFor={answerId}>{t('engagement.qa.answerLabel')}</label>
          <textarea id={answerId} rows={2} maxLength={ANSWER_MAX_LENGTH} value={answer} onChange={(e) => setAnswer(e.target.value)} />
          <button type="submit" className="button button-small button-primary" disabled={busy || answer.trim() === ''}>
            {t('engagement.qa.actions.publishAnswer')}
          </button>
        </form>
      )}
    </li>
  );
}
