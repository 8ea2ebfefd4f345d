import { SIGN_IN_ERROR_PARAM } from '@contract';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { ApiError, toErrorCode } from '../../../lib/api';
import { useInstitutionalSignIns } from '../api/auth';
import { nextPath } from '../hooks/use-session';

/**
 * "Sign in with <organisation>" for each organisation with its own identity provider. Each is a plain
 * link: the browser goes to the provider and comes back through the server, which sets the session.
 */
export function InstitutionalSignIn() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const options = useInstitutionalSignIns();
  const next = nextPath(search);
  if (!options.data?.length) return null;
  return (
    <section className="stack institutional-sign-in" aria-labelledby="institutions-title">
      <h2 id="institutions-title">{t('auth.institutionsTitle')}</h2>
      <ul>
        {options.data.map((o) => (
          <li key={o.slug}>
            <a
              className="button"
              href={next === '/' ? o.startPath : `${o.startPath}?next=${encodeURIComponent(next)}`}
              data-testid={`sign-in-with-${o.slug}`}
            >
              {t('auth.signInWith', { name: o.organizationName })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The failure an institutional sign-in came back with, in the reader's language. */
export function InstitutionalSignInError() {
  const { search } = useLocation();
  const code = new URLSearchParams(search).get(SIGN_IN_ERROR_PARAM);
  if (!code) return null;
  return <ErrorMessage error={new ApiError(toErrorCode(code), code)} />;
}
