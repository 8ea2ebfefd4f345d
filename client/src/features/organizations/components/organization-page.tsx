import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useFormat } from '../../../lib/format';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useOrganization } from '../api/organizations';
import type { OrgContext } from '../hooks/use-org-context';
import { useOrgPresence } from '../hooks/use-org-presence';

export function OrganizationPage() {
  const { t } = useTranslation();
  const { orgId = '' } = useParams();
  const organization = useOrganization(orgId);
  const online = useOrgPresence(orgId);
  const format = useFormat();
  useDocumentTitle(organization.data?.name);

  if (organization.isPending) return <Loading />;
  if (organization.isError) return <ErrorMessage error={organization.error} onRetry={() => void organization.refetch()} />;

  const org = organization.data;
  const canManage = org.myRole === 'owner' || org.myRole === 'admin';
  const tabs = [
    { to: 'institutions', label: t('org.institutions') },
    { to: 'members', label: t('org.members') },
    { to: 'rooms', label: t('org.rooms') },
    { to: 'meetings', label: t('org.meetings') },
    { to: 'events', label: t('org.events') },
    { to: 'recordings', label: t('archive.title') },
    ...(canManage
      ? [
          { to: 'invitations', label: t('org.invitations') },
          { to: 'sign-in', label: t('org.signIn') },
        ]
      : []),
  ];

  return (
    <div className="stack-lg">
      <header className="page-header">
        <Link to="/" className="back-link">
          {t('org.allOrganizations')}
        </Link>
        <h1 data-testid="org-name">
          <bdi>{org.name}</bdi>
        </h1>
        {org.description && (
          <p className="lead">
            <bdi>{org.description}</bdi>
          </p>
        )}
        <dl className="meta">
          <div>
            <dt>{t('org.yourRole')}</dt>
            <dd>
              <span className={`badge badge-${org.myRole}`}>{t(`roles.${org.myRole}`)}</span>
            </dd>
          </div>
          {online && (
            <div data-testid="online-count">
              <dt className="visually-hidden">{t('org.online')}</dt>
              <dd className="online" aria-live="polite">
                <span className="dot" aria-hidden="true" />
                {t('org.onlineNow', { n: format.number(online.size) })}
              </dd>
            </div>
          )}
        </dl>
      </header>
      <nav className="tabs" aria-label={t('org.sections')}>
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className="tab" data-testid={`tab-${tab.to}`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet context={{ org, canManage, online } satisfies OrgContext} />
    </div>
  );
}
