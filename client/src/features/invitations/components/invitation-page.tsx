import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { asApiError } from '../../../lib/api';
import { isolate, useFormat } from '../../../lib/format';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useMe, useSignedIn } from '../../auth';
import { useAcceptInvitation, useInvitationPreview } from '../api/invitations';

export function InvitationPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('invite.title'));
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const format = useFormat();
  const signedIn = useSignedIn();
  const me = useMe();
  const preview = useInvitationPreview(token);
  const accept = useAcceptInvitation(token);
  const next = `?next=${encodeURIComponent(`/invite/${token}`)}`;

  if (preview.isPending) return <Loading />;
  if (preview.isError) {
    return (
      <section className="card auth-card stack" aria-labelledby="invite-title">
        <h1 id="invite-title">{t('invite.title')}</h1>
        <ErrorMessage error={preview.error} />
      </section>
    );
  }

  const invitation = preview.data;
  const alreadyMember = accept.error && asApiError(accept.error).code === 'ALREADY_MEMBER';
  const orgPath = `/organizations/${invitation.organizationId}`;

  return (
    <section className="card auth-card stack" aria-labelledby="invite-title" data-testid="invitation-preview">
      <h1 id="invite-title">{t('invite.title')}</h1>
      <p className="lead">
        {t('invite.body', { organization: isolate(invitation.organizationName), role: t(`roles.${invitation.role}`) })}
      </p>
      {invitation.institutionName && <p>{t('invite.delegateOf', { institution: isolate(invitation.institutionName) })}</p>}
      {invitation.personal && (
        <p data-testid="invite-personal">
          {invitation.inviteeName ? t('invite.personal', { name: isolate(invitation.inviteeName) }) : t('invite.personalNoName')}
        </p>
      )}
      <p className="muted">{t('invite.expires', { date: format.dateTime(invitation.expiresAt) })}</p>
      <ErrorMessage error={accept.error} />
      {signedIn ? (
        <div className="stack">
          {me.data && <p className="muted">{t('invite.signedInAs', { name: isolate(me.data.displayName) })}</p>}
          <div className="actions">
            {alreadyMember ? (
              <Link className="button button-primary" to={orgPath}>
                {t('invite.goToOrganization')}
              </Link>
            ) : (
              <button
                type="button"
                className="button button-primary"
                disabled={accept.isPending}
                onClick={() =>
                  accept.mutate(undefined, {
                    onSuccess: ({ organizationId }) => void navigate(`/organizations/${organizationId}`),
                  })
                }
              >
                {t('invite.accept')}
              </button>
            )}
          </div>
        </div>
      ) : (
        <div className="actions">
          <Link className="button button-primary" to={`/sign-in${next}`}>
            {t('invite.signInToAccept')}
          </Link>
          <Link className="button" to={`/sign-up${next}`}>
            {t('invite.signUpToAccept')}
          </Link>
        </div>
      )}
    </section>
  );
}
