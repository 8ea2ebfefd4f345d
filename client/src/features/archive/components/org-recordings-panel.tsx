import { RECORDING_ACCESS_LEVELS } from '@contract';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Field } from '../../../components/field';
import { useOrgContext } from '../../organizations';
import { useArchivePolicy, useSetArchivePolicy } from '../api/archive';
import { RecordingList } from './recording-list';

/** The organisation's recordings, and (owners, admins) what new recordings get by default. */
export function OrgRecordingsPanel() {
  const { t } = useTranslation();
  const { org, canManage } = useOrgContext();
  return (
    <div className="stack-lg">
      <section aria-labelledby="org-recordings-title" className="stack">
        <h2 id="org-recordings-title">{t('archive.title')}</h2>
        <RecordingList scope={{ kind: 'organizations', id: org.id }} showAccess />
      </section>
      {canManage && <PolicyForm orgId={org.id} />}
    </div>
  );
}

function PolicyForm({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const policy = useArchivePolicy(orgId, true);
  const save = useSetArchivePolicy(orgId);
  const [saved, setSaved] = useState(false);
  if (!policy.data) return <ErrorMessage error={policy.error} />;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const days = String(data.get('retentionDays') ?? '').trim();
    save.mutate(
      {
        defaultAccess: data.get('defaultAccess') as (typeof RECORDING_ACCESS_LEVELS)[number],
        retentionDays: days === '' ? null : Number(days),
      },
      { onSuccess: () => setSaved(true) },
    );
  };
  return (
    <section aria-labelledby="archive-policy-title" className="card stack" data-testid="archive-policy">
      <h2 id="archive-policy-title">{t('archive.policy.heading')}</h2>
      <p className="muted">{t('archive.policy.intro')}</p>
      <form className="invite-form" onSubmit={submit} onChange={() => setSaved(false)}>
        <Field label={t('archive.accessLabel')}>
          {(c) => (
            <select {...c} name="defaultAccess" defaultValue={policy.data.defaultAccess}>
              {RECORDING_ACCESS_LEVELS.map((a) => (
                <option key={a} value={a}>
                  {t(`archive.access.${a}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('archive.policy.retentionDays')} hint={t('archive.policy.retentionHint')}>
          {(c) => (
            <input
              {...c}
              name="retentionDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={36_500}
              defaultValue={policy.data.retentionDays ?? ''}
            />
          )}
        </Field>
        <div className="span-2 stack">
          <ErrorMessage error={save.error} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={save.isPending}>
              {t('archive.policy.save')}
            </button>
            <p className="status" role="status">
              {saved && t('archive.saved')}
            </p>
          </div>
        </div>
      </form>
    </section>
  );
}
