import { POLL_MAX_OPTIONS, POLL_OPTION_MAX_LENGTH, POLL_QUESTION_MAX_LENGTH, type PollView } from '@contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import { downloadFile } from '../../../../lib/download';
import { useFormat } from '../../../../lib/format';
import type { RoomSnapshot } from '../../session/room-session';
import { isModerator } from '../../stage/api/stage';
import { DownloadIcon } from '../../../../components/icons';
import type { EngagementFeed, EngagementState } from '../api/engagement';
import { PanelFrame } from './panel-frame';
import '../engagement.css';

interface Props {
  feed: EngagementFeed;
  state: EngagementState;
  snap: RoomSnapshot;
  roomId: string;
  onClose: () => void;
}

/** Polls of this session: hosts create, open and close them; everyone votes and sees live results. */
export function PollsPanel({ feed, state, snap, roomId, onClose }: Props) {
  const { t } = useTranslation();
  const manager = isModerator(snap.role);
  const [error, setError] = useState<unknown>(null);
  const polls = [...state.polls].reverse();
  return (
    <PanelFrame id="polls-title" title={t('engagement.polls.title')} testId="polls-panel" onClose={onClose}>
      <ErrorMessage error={error} />
      {polls.length === 0 && <p className="muted small">{manager ? t('engagement.polls.emptyManager') : t('engagement.polls.empty')}</p>}
      <ol className="poll-list">
        {polls.map((p) => (
          <Poll key={p.id} poll={p} manager={manager} feed={feed} roomId={roomId} onError={setError} />
        ))}
      </ol>
      {manager && <CreatePoll feed={feed} onError={setError} />}
    </PanelFrame>
  );
}

function Poll({ poll, manager, feed, roomId, onError }: { poll: PollView; manager: boolean; feed: EngagementFeed; roomId: string; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [choices, setChoices] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const name = useId();
  const showResults = manager || poll.voted || poll.status === 'closed';
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    onError(null);
    try {
      await fn();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  const total = poll.counts.reduce((a, b) => a + b, 0);

  return (
    <li className="poll card-dark" data-testid="poll" data-status={poll.status} data-poll-id={poll.id}>
      <div className="poll-head">
        <h3 className="poll-question" dir="auto">
          {poll.question}
        </h3>
        <span className={`poll-status poll-${poll.status}`}>{t(`engagement.polls.status.${poll.status}`)}</span>
      </div>
      <p className="muted small">
        {poll.multiple ? t('engagement.polls.multiple') : t('engagement.polls.single')}
        {poll.anonymous && <> · {t('engagement.polls.anonymous')}</>}
      </p>

      {poll.status === 'open' && !poll.voted && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (choices.length) void run(() => feed.votePoll(poll.id, choices));
          }}
        >
          <fieldset className="poll-options">
            <legend className="visually-hidden">{poll.question}</legend>
            {poll.options.map((option, i) => (
              <label key={i} className="poll-option">
                <input
                  type={poll.multiple ? 'checkbox' : 'radio'}
                  name={name}
                  checked={choices.includes(i)}
                  data-testid="poll-choice"
                  onChange={(e) =>
                    setChoices((c) => (poll.multiple ? (e.target.checked ? [...c, i].sort((a, b) => a - b) : c.filter((x) => x !== i)) : [i]))
                  }
                />
                <span dir="auto">{option}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" className="button button-small button-primary" disabled={busy || choices.length === 0} data-testid="poll-vote">
            {t('engagement.polls.vote')}
          </button>
        </form>
      )}
      {poll.voted && <p className="small poll-voted">{t('engagement.polls.voted')}</p>}

      {showResults && poll.status !== 'draft' && (
        <ul className="poll-results" aria-label={t('engagement.polls.results')}>
          {poll.options.map((option, i) => {
            const count = poll.counts[i] ?? 0;
            const pct = total ? Math.round((count / total) * 100) : 0;
            return (
              <li key={i} className="poll-result" data-testid="poll-result" data-count={count}>
                <div className="poll-result-label">
                  <span dir="auto">{option}</span>
                  <span className="muted">{t('engagement.polls.count', { n: format.number(count), pct })}</span>
                </div>
                <div className="bar" role="presentation">
                  <span style={{ inlineSize: `${pct}%` }} />
                </div>
              </li>
            );
          })}
          <li className="muted small">{t('engagement.polls.voters', { n: format.number(poll.voters) })}</li>
        </ul>
      )}

      {manager && (
        <div className="actions">
          {poll.status === 'draft' && (
            <button type="button" className="button button-small button-primary" disabled={busy} data-testid="poll-open" onClick={() => void run(() => feed.openPoll(poll.id))}>
              {t('engagement.polls.open')}
            </button>
          )}
          {poll.status === 'open' && (
            <button type="button" className="button button-small" disabled={busy} data-testid="poll-close" onClick={() => void run(() => feed.closePoll(poll.id))}>
              {t('engagement.polls.close')}
            </button>
          )}
          {poll.status !== 'draft' && (
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              data-testid="poll-csv"
              onClick={() => void run(() => downloadFile(`/api/rooms/${encodeURIComponent(roomId)}/polls/${encodeURIComponent(poll.id)}/results.csv`, `poll-${poll.id}.csv`))}
            >
              <DownloadIcon size={14} /> {t('engagement.polls.csv')}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function CreatePoll({ feed, onError }: { feed: EngagementFeed; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const id = useId();
  const filled = options.map((o) => o.trim()).filter(Boolean);

  const submit = async () => {
    if (!question.trim() || filled.length < 2 || new Set(filled).size !== filled.length) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    onError(null);
    try {
      await feed.createPoll(question.trim(), filled, multiple, anonymous);
      setQuestion('');
      setOptions(['', '']);
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="poll-create">
      <summary data-testid="poll-create-toggle">{t('engagement.polls.create')}</summary>
      <form
        className="stack-tight"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label htmlFor={`${id}-q`}>{t('engagement.polls.question')}</label>
        <input id={`${id}-q`} maxLength={POLL_QUESTION_MAX_LENGTH} value={question} data-testid="poll-question" onChange={(e) => setQuestion(e.target.value)} />
        <fieldset className="stack-tight poll-option-inputs">
          <legend>{t('engagement.polls.options')}</legend>
          {options.map((o, i) => (
            <div key={i} className="copy-row">
              <input
                aria-label={t('engagement.polls.optionN', { n: i + 1 })}
                maxLength={POLL_OPTION_MAX_LENGTH}
                value={o}
                data-testid="poll-option-input"
                onChange={(e) => setOptions((all) => all.map((x, j) => (j === i ? e.target.value : x)))}
              />
              {options.length > 2 && (
                <button type="button" className="button button-small" aria-label={t('engagement.polls.removeOption', { n: i + 1 })} onClick={() => setOptions((all) => all.filter((_, j) => j !== i))}>
                  ×
                </button>
              )}
            </div>
          ))}
          {options.length < POLL_MAX_OPTIONS && (
            <button type="button" className="button button-small" onClick={() => setOptions((all) => [...all, ''])}>
              {t('engagement.polls.addOption')}
            </button>
          )}
        </fieldset>
        <label className="switch small">
          <input type="checkbox" checked={multiple} onChange={(e) => setMultiple(e.target.checked)} />
          {t('engagement.polls.allowMultiple')}
        </label>
        <label className="switch small">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />
          {t('engagement.polls.makeAnonymous')}
        </label>
        {invalid && (
          <p className="field-error" role="alert">
            {t('engagement.polls.invalid')}
          </p>
        )}
        <button type="submit" className="button button-small button-primary" disabled={busy} data-testid="poll-create">
          {t('engagement.polls.createSubmit')}
        </button>
      </form>
    </details>
  );
}
