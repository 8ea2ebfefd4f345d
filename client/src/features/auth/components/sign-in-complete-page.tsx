import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { completeInstitutionalSignIn } from '../api/auth';
import { nextPath } from '../hooks/use-session';

/** Where an institutional sign-in lands: the session cookie is set; take up the session and go on. */
export function SignInCompletePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.completingSignIn'));
  const { search } = useLocation();
  // A query, not an effect: run once per visit even when React renders twice.
  const done = useQuery({
    queryKey: ['auth', 'complete', search],
    queryFn: completeInstitutionalSignIn,
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });
  if (done.isSuccess) return <Navigate to={nextPath(search)} replace />;
  if (done.isError) {
    return (
      <div className="auth-page">
        <section className="card auth-card">
          <h1>{t('auth.signInTitle')}</h1>
          <ErrorMessage error={done.error} />
        </section>
      </div>
    );
  }
  return (
    <p className="loading" role="status">
      {t('auth.completingSignIn')}
    </p>
  );
}
