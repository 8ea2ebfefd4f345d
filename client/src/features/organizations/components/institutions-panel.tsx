import type { InstitutionDto, MemberDto } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import {
  useAddDelegate,
  useCreateInstitution,
  useDeleteInstitution,
  useInstitutions,
  useMembers,
  useRemoveDelegate,
  useUpdateInstitution,
} from '../api/organizations';
import { useOrgContext } from '../hooks/use-org-context';
import { InstitutionForm } from './institution-form';

export function InstitutionsPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const { org, canManage } = useOrgContext();
  const institutions = useInstitutions(org.id);
  const members = useMembers(org.id);
  const create = useCreateInstitution(org.id);

  if (institutions.isPending) return <Loading />;
  if (institutions.isError) return <ErrorMessage error={institutions.error} onRetry={() => void institutions.refetch()} />;

  const totalWeight = institutions.data.reduce((sum, i) => sum + i.voteWeight, 0);

  return (
    <div className="stack-lg">
      <section aria-labelledby="institutions-title" className="stack">
        <div className="section-header">
          <h2 id="institutions-title">{t('institutions.title')}</h2>
          <p className="muted" data-testid="institutions-summary">
            {t('institutions.count', { n: format.number(institutions.data.length) })} ·{' '}
            {t('institutions.totalWeight', { weight: format.number(totalWeight) })}
          </p>
        </div>
        {institutions.data.length === 0 ? (
          <p className="empty">{t('institutions.empty')}</p>
        ) : (
          <ul className="institution-list">
            {institutions.data.map((institution) => (
              <InstitutionCard
                key={institution.id}
                institution={institution}
                members={members.data ?? []}
                canManage={canManage}
              />
            ))}
          </ul>
        )}
      </section>
      {canManage && (
        <section aria-labelledby="add-institution-title" className="card">
          <h2 id="add-institution-title">{t('institutions.addTitle')}</h2>
          <InstitutionForm
            submitLabel={t('institutions.add')}
            pending={create.isPending}
            error={create.error}
            onSubmit={(body, form) => create.mutate(body, { onSuccess: () => form.reset() })}
          />
        </section>
      )}
    </div>
  );
}

interface InstitutionCardProps {
  institution: InstitutionDto;
  members: MemberDto[];
  canManage: boolean;
}

function InstitutionCard({ institution, members, canManage }: InstitutionCardProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const { org } = useOrgContext();
  const [editing, setEditing] = useState(false);
  const update = useUpdateInstitution(org.id);
  const remove = useDeleteInstitution(org.id);
  const headingId = `institution-${institution.id}`;

  if (editing) {
    return (
      <li className="card">
        <InstitutionForm
          initial={institution}
          submitLabel={t('institutions.save')}
          pending={update.isPending}
          error={update.error}
          onSubmit={(body) =>
            update.mutate({ id: institution.id, body }, { onSuccess: () => setEditing(false) })
          }
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }

  return (
    <li className="card institution" data-testid="institution-item" aria-labelledby={headingId}>
      <div className="institution-header">
        <div>
          <h3 id={headingId}>
            <bdi>{institution.name}</bdi>
          </h3>
          <p className="muted">
            <span data-testid="institution-country">
              {format.country(institution.country)} ({institution.country})
            </span>{' '}
            · <span data-testid="institution-weight">{t('institutions.weightValue', { weight: format.number(institution.voteWeight) })}</span>
          </p>
        </div>
        {canManage && (
          <div className="actions">
            <button
              type="button"
              className="button button-small"
              aria-label={t('institutions.editLabel', { name: isolate(institution.name) })}
              onClick={() => setEditing(true)}
            >
              {t('institutions.edit')}
            </button>
            <button
              type="button"
              className="button button-small button-danger"
              aria-label={t('institutions.removeLabel', { name: isolate(institution.name) })}
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(t('institutions.confirmRemove', { name: isolate(institution.name) }))) {
                  remove.mutate(institution.id);
                }
              }}
            >
              {t('institutions.remove')}
            </button>
          </div>
        )}
      </div>
      <ErrorMessage error={remove.error} />
      <Delegates institution={institution} members={members} canManage={canManage} />
    </li>
  );
}

function Delegates({ institution, members, canManage }: InstitutionCardProps) {
  const { t } = useTranslation();
  const { org } = useOrgContext();
  const add = useAddDelegate(org.id);
  const remove = useRemoveDelegate(org.id);
  const [userId, setUserId] = useState('');
  const delegateIds = new Set(institution.delegates.map((d) => d.userId));
  const candidates = members.filter((m) => !delegateIds.has(m.userId));
  const selectId = `delegate-${institution.id}`;

  return (
    <div className="delegates">
      <h4>{t('institutions.delegates')}</h4>
      {institution.delegates.length === 0 ? (
        <p className="muted">{t('institutions.noDelegates')}</p>
      ) : (
        <ul className="chips" data-testid="delegate-list">
          {institution.delegates.map((d) => (
            <li key={d.userId} className="chip">
              <bdi>{d.displayName}</bdi>
              {canManage && (
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={t('institutions.removeDelegate', { name: isolate(d.displayName) })}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ institutionId: institution.id, userId: d.userId })}
                >
                  <span aria-hidden="true">×</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && candidates.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (userId) add.mutate({ institutionId: institution.id, userId }, { onSuccess: () => setUserId('') });
          }}
        >
          <label htmlFor={selectId} className="visually-hidden">
            {t('institutions.addDelegate', { name: isolate(institution.name) })}
          </label>
          <select id={selectId} value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">{t('institutions.chooseMember')}</option>
            {candidates.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.displayName}
              </option>
            ))}
          </select>
          <button type="submit" className="button button-small" disabled={!userId || add.isPending}>
            {t('institutions.addDelegateButton')}
          </button>
        </form>
      )}
      <ErrorMessage error={add.error ?? remove.error} />
    </div>
  );
}
