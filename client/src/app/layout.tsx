import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { signOut, useMe } from '../features/auth/api/auth';
import { useSignedIn } from '../features/auth/hooks/use-session';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../lib/i18n';

export function Layout() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const me = useMe();
  const main = useRef<HTMLElement>(null);
  const page = useLocation().pathname.split('/').slice(0, 3).join('/');
  const firstPage = useRef(page);

  // Moving focus to the new page lets screen readers announce it, as a full page load would.
  useEffect(() => {
    if (page !== firstPage.current) main.current?.focus();
  }, [page]);

  return (
    <>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <div className="container header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              Q
            </span>
            {t('app.name')}
          </Link>
          {signedIn && (
            <nav aria-label={t('app.mainNav')} className="header-nav">
              <NavLink to="/" end>
                {t('nav.organizations')}
              </NavLink>
            </nav>
          )}
          <div className="header-tools">
            <LanguageSwitcher />
            {signedIn ? (
              <>
                {me.data && (
                  <span className="user-name" data-testid="current-user" title={t('nav.account', { name: me.data.displayName })}>
                    <bdi>{me.data.displayName}</bdi>
                  </span>
                )}
                <button type="button" className="button button-small" onClick={() => void signOut()}>
                  {t('nav.signOut')}
                </button>
              </>
            ) : (
              <Link to="/sign-in" className="button button-small">
                {t('nav.signIn')}
              </Link>
            )}
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container main">
        <Outlet />
      </main>
    </>
  );
}

function LanguageSwitcher() {
  const { t } = useTranslation();
  return (
    <div className="language-switcher">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.8">
        <circle cx="12" cy="12" r="9" />
        <path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z" />
      </svg>
      <label htmlFor="language" className="visually-hidden">
        {t('app.language')}
      </label>
      <select
        id="language"
        data-testid="language-switcher"
        value={currentLanguage()}
        onChange={(e) => setLanguage(e.target.value as Language)}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.htmlLang}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}
