import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { signOut, useMe } from '../features/auth/api/auth';
import { useSignedIn } from '../features/auth/hooks/use-session';
import { LanguageSwitcher } from '../components/language-switcher';
import { isolate } from '../lib/format';
import { useIsImmersive } from './immersive';

export function Layout() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const me = useMe();
  const main = useRef<HTMLElement>(null);
  const page = useLocation().pathname.split('/').slice(0, 3).join('/');
  const firstPage = useRef(page);
  const immersive = useIsImmersive();

  // Moving focus to the new page lets screen readers announce it, as a full page load would.
  useEffect(() => {
    if (page !== firstPage.current) main.current?.focus();
  }, [page]);

  return (
    <>
      {!immersive && (
        <a href="#main" className="skip-link">
          {t('app.skipToContent')}
        </a>
      )}
      {!immersive && (
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
              <NavLink to="/events">{t('nav.events')}</NavLink>
              <NavLink to="/my-registrations">{t('nav.myRegistrations')}</NavLink>
            </nav>
          )}
          <div className="header-tools">
            <LanguageSwitcher />
            {signedIn ? (
              <>
                {me.data && (
                  <span className="user-name" data-testid="current-user" title={t('nav.account', { name: isolate(me.data.displayName) })}>
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
      )}
      <main id="main" ref={main} tabIndex={-1} className={immersive ? 'immersive-main' : 'container main'}>
        <Outlet />
      </main>
    </>
  );
}
