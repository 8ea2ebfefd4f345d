import { ORG_ROLES, type MemberDto, type OrgRole } from '@contract';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { useMe } from '../../auth';
import { useMembers, useRemoveMember, useUpdateMemberRole } from '../api/organizations';
import { useOrgContext } from '../hooks/use-org-context';

export function MembersPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const { org, canManage, online } = useOrgContext();
  const me = useMe();
  const members = useMembers(org.id);
  const updateRole = useUpdateMemberRole(org.id);
  const remove = useRemoveMember(org.id);

  if (members.isPending) return <Loading />;
  if (members.isError) return <ErrorMessage error={members.error} onRetry={() => void members.refetch()} />;

  /** Admins manage admins and members; only owners hand out or take away ownership. */
  const assignable: readonly OrgRole[] = org.myRole === 'owner' ? ORG_ROLES : ['admin', 'member'];
  const canEdit = (m: MemberDto) => canManage && (org.myRole === 'owner' || m.role !== 'owner');
  const shownRole = (m: MemberDto) =>
    updateRole.isPending && updateRole.variables.userId === m.userId ? updateRole.variables.role : m.role;

  return (
    <section aria-labelledby="members-title" className="stack">
      <h2 id="members-title">{t('members.title')}</h2>
      <ErrorMessage error={updateRole.error ?? remove.error} />
      <div className="table-wrap">
        <table data-testid="member-table">
          <thead>
            <tr>
              <th scope="col">{t('members.name')}</th>
              <th scope="col">{t('members.email')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.joined')}</th>
              {canManage && (
                <th scope="col">
                  <span className="visually-hidden">{t('members.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => {
              const isMe = m.userId === me.data?.id;
              const isOnline = online?.has(m.userId) ?? false;
              return (
                <tr key={m.userId} data-testid="member-row" data-user-id={m.userId}>
                  <th scope="row">
                    <span className={`presence${isOnline ? ' presence-online' : ''}`} aria-hidden="true" />
                    <bdi>{m.displayName}</bdi> {isMe && <span className="muted">{t('members.you')}</span>}
                    {isOnline && <span className="visually-hidden"> ({t('org.online')})</span>}
                  </th>
                  <td className="email">
                    <bdi>{m.email}</bdi>
                  </td>
                  <td>
                    {canEdit(m) ? (
                      <select
                        aria-label={t('members.roleOf', { name: isolate(m.displayName) })}
                        value={shownRole(m)}
                        disabled={updateRole.isPending}
                        onChange={(e) => updateRole.mutate({ userId: m.userId, role: e.target.value as OrgRole })}
                      >
                        {(assignable.includes(m.role) ? assignable : [m.role, ...assignable]).map((role) => (
                          <option key={role} value={role}>
                            {t(`roles.${role}`)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className={`badge badge-${m.role}`}>{t(`roles.${m.role}`)}</span>
                    )}
                  </td>
                  <td className="date">{format.date(m.joinedAt)}</td>
                  {canManage && (
                    <td className="cell-actions">
                      {canEdit(m) && !isMe && (
                        <button
                          type="button"
                          className="button button-small button-danger"
                          aria-label={t('members.removeLabel', { name: isolate(m.displayName) })}
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(t('members.confirmRemove', { name: isolate(m.displayName) }))) {
                              remove.mutate(m.userId);
                            }
                          }}
                        >
                          {t('members.remove')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
