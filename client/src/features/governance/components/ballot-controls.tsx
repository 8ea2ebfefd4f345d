import type { BallotView } from '@contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { asApiError } from '../../../lib/api';
import { isolate } from '../../../lib/format';
import { useMe } from '../../auth';
import { mayRelease } from '../api/ballot-device';
import { useBallotStep, useReleaseShare } from '../api/meetings';

/**
 * The chair's steps for one ballot: open (giving a reason when the quorum is not met), close, publish.
 * The reason is recorded in the meeting's audit log and its minutes.
 */
export function BallotControls({ ballot }: { ballot: BallotView }) {
  const { t } = useTranslation();
  const step = useBallotStep(ballot.meetingId);
  const release = useReleaseShare(ballot.meetingId);
  const me = useMe();
  const [needReason, setNeedReason] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const title = isolate(ballot.title);

  const open = (overrideReason?: string) =>
    step.mutate(
      { ballot, step: 'open', ...(overrideReason ? { reason: overrideReason } : {}) },
      {
        onSuccess: () => setNeedReason(false),
        onError: (e) => {
          if (asApiError(e).code === 'QUORUM_NOT_MET') setNeedReason(true);
        },
      },
    );

  return (
    <div className="ballot-controls stack-tight">
      <div className="actions">
        {ballot.status === 'draft' && !needReason && (
          <button type="button" className="button button-small button-primary" disabled={step.isPending} data-testid="ballot-open" aria-label={t('governance.ballot.openLong', { title })} onClick={() => open()}>
            {t('governance.ballot.open')}
          </button>
        )}
        {ballot.status === 'open' && (
          <button
            type="button"
            className="button button-small"
            disabled={step.isPending}
            data-testid="ballot-close"
            aria-label={t('governance.ballot.closeLong', { title })}
            onClick={() => step.mutate({ ballot, step: 'close' })}
          >
            {t('governance.ballot.close')}
          </button>
        )}
        {ballot.status === 'counting' && mayRelease(ballot, me.data?.id) && (
          <button
            type="button"
            className="button button-small button-primary"
            disabled={release.isPending}
            data-testid="ballot-release-share"
            aria-label={t('governance.ballot.releaseShareLong', { title })}
            onClick={() => release.mutate(ballot.id)}
          >
            {t('governance.ballot.releaseShare')}
          </button>
        )}
        {ballot.status === 'closed' && (
          <button
            type="button"
            className="button button-small button-primary"
            disabled={step.isPending}
            data-testid="ballot-publish"
            aria-label={t('governance.ballot.publishLong', { title })}
            onClick={() => step.mutate({ ballot, step: 'publish' })}
          >
            {t('governance.ballot.publish')}
          </button>
        )}
      </div>
      {ballot.status === 'counting' && <CountingNotice ballot={ballot} />}
      {release.error && <ErrorMessage error={release.error} />}
      {needReason ? (
        <form
          className="stack-tight override"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim().length >= 5) open(reason.trim());
          }}
        >
          <p role="alert" className="alert alert-error">
            {t('governance.ballot.quorumNotMet')}
          </p>
          <label htmlFor={reasonId}>{t('governance.ballot.overrideReason')}</label>
          <textarea id={reasonId} rows={2} minLength={5} maxLength={1000} value={reason} data-testid="override-reason" onChange={(e) => setReason(e.target.value)} />
          <p className="field-hint">{t('governance.ballot.overrideHint')}</p>
          <div className="actions">
            <button type="submit" className="button button-small button-danger" disabled={step.isPending || reason.trim().length < 5} data-testid="ballot-open-override">
              {t('governance.ballot.openAnyway')}
            </button>
            <button type="button" className="button button-small" onClick={() => setNeedReason(false)}>
              {t('governance.cancel')}
            </button>
          </div>
        </form>
      ) : (
        step.error && asApiError(step.error).code !== 'QUORUM_NOT_MET' && <ErrorMessage error={step.error} />
      )}
    </div>
  );
}

/** Voting has ended and the count waits for the tellers' key shares: who has released theirs. */
export function CountingNotice({ ballot }: { ballot: BallotView }) {
  const { t } = useTranslation();
  const released = ballot.tellers?.filter((x) => x.released).length ?? 0;
  return (
    <p className="field-hint" role="status" data-testid="ballot-counting">
      {t('governance.ballot.counting', { released, needed: ballot.keyThreshold ?? 1 })}{' '}
      {t('governance.ballot.tellers', { names: (ballot.tellers ?? []).map((x) => isolate(x.displayName)).join(', ') })}
    </p>
  );
}
