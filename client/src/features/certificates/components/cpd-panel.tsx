import { CPD_MAX_MINUTES, type CpdMode, type CpdPersonDto } from '@contract';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useFormat } from '../../../lib/format';
import { useCpdOverview, useIssueAll, useRevoke, useSetThreshold } from '../api/certificates';

/** The organisers' section: the CPD threshold, who attended, who is eligible, issued and revoked certificates. */
export function CpdPanel({ eventId }: { eventId: string }) {
  const { t } = useTranslation();
  const overview = useCpdOverview(eventId);
  const setThreshold = useSetThreshold(eventId);
  const issueAll = useIssueAll(eventId);
  const [mode, setMode] = useState<CpdMode | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (overview.isPending) return <Loading />;
  if (overview.isError) return <ErrorMessage error={overview.error} onRetry={() => void overview.refetch()} />;
  const current = overview.data.threshold;
  const shownMode = mode ?? current?.mode ?? 'minutes';
  const save = (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    setError(null);
    const data = new FormData(ev.currentTarget);
    const raw = String(data.get('value') ?? '');
    setThreshold.mutate(raw === '' ? null : { mode: shownMode, value: Number(raw) }, { onError: setError });
  };
  return (
    <section className="card stack" aria-labelledby="cpd-panel-title" data-testid="cpd-panel">
      <h2 id="cpd-panel-title">{t('certificates.title')}</h2>
      <form className="row" onSubmit={save} data-testid="cpd-form">
        <label>
          {t('certificates.mode')}
          <select name="mode" value={shownMode} onChange={(e) => setMode(e.target.value as CpdMode)} data-testid="cpd-mode">
            <option value="minutes">{t('certificates.modeMinutes')}</option>
            <option value="percent">{t('certificates.modePercent')}</option>
          </select>
        </label>
        <label>
          {t('certificates.value')}
          <input
            name="value"
            type="number"
            step="any"
            min={shownMode === 'minutes' ? 1 : 0}
            max={shownMode === 'minutes' ? CPD_MAX_MINUTES : 100}
            defaultValue={current?.value ?? ''}
            key={`${current?.mode}-${current?.value}`}
            data-testid="cpd-value"
          />
        </label>
        <button type="submit" className="button" disabled={setThreshold.isPending} data-testid="cpd-save">
          {t('certificates.save')}
        </button>
        {current && (
          <button type="button" className="button-secondary" disabled={issueAll.isPending} onClick={() => issueAll.mutate(undefined, { onError: setError })} data-testid="cpd-issue-all">
            {t('certificates.issueAll')}
          </button>
        )}
      </form>
      <p className="muted">{t('certificates.ruleNote')}</p>
      {error !== null && <ErrorMessage error={error} />}
      {overview.data.people.length === 0 ? (
        <p className="empty">{t('certificates.nobody')}</p>
      ) : (
        <div className="table-scroll">
        <table data-testid="cpd-people">
          <thead>
            <tr>
              <th scope="col">{t('certificates.person')}</th>
              <th scope="col">{t('certificates.minutes')}</th>
              <th scope="col">{t('certificates.standing')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {overview.data.people.map((p) => (
              <PersonRow key={p.userId} eventId={eventId} person={p} />
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

function PersonRow({ eventId, person: p }: { eventId: string; person: CpdPersonDto }) {
  const { t } = useTranslation();
  const format = useFormat();
  const revoke = useRevoke(eventId);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const standing = p.certificate
    ? p.certificate.status === 'revoked'
      ? t('certificates.statusRevoked')
      : t('certificates.statusIssued', { date: format.date(p.certificate.issuedAt) })
    : p.eligible
      ? t('certificates.statusEligible')
      : t('certificates.statusNotYet', { n: Math.round(p.progress * 100) });
  return (
    <tr data-testid="cpd-person" data-status={p.certificate?.status ?? (p.eligible ? 'eligible' : 'not-eligible')}>
      <td>
        <bdi>{p.displayName}</bdi>
      </td>
      <td>{p.totalMinutes}</td>
      <td>
        {standing}
        {p.certificate?.revocationReason && (
          <span className="muted">
            {' '}
            (<bdi>{p.certificate.revocationReason}</bdi>)
          </span>
        )}
      </td>
      <td>
        {p.certificate?.status === 'valid' && (
          <form
            className="row"
            onSubmit={(ev) => {
              ev.preventDefault();
              setError(null);
              revoke.mutate({ id: p.certificate!.id, reason }, { onError: setError });
            }}
          >
            <label className="visually-hidden" htmlFor={`reason-${p.userId}`}>
              {t('certificates.reason')}
            </label>
            <input id={`reason-${p.userId}`} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('certificates.reason')} minLength={3} required data-testid="revoke-reason" />
            <button type="submit" className="button-secondary button-small" disabled={revoke.isPending} data-testid="revoke">
              {t('certificates.revoke')}
            </button>
          </form>
        )}
        {error !== null && <ErrorMessage error={error} />}
      </td>
    </tr>
  );
}
