import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useMe } from '../api/auth';
import { nextPath, useSignedIn } from '../hooks/use-session';

/** Protected routes: visitors without a session go to sign-in and come back afterwards. */
export function RequireAuth() {
  const signedIn = useSignedIn();
  const me = useMe();
  const { pathname, search } = useLocation();
  if (!signedIn) {
    const next = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + search)}`;
    return <Navigate to={`/sign-in${next}`} replace />;
  }
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  return <Outlet />;
}

/** Sign-in and sign-up pages: someone already signed in goes where they were heading. */
export function GuestOnly() {
  const signedIn = useSignedIn();
  const { search } = useLocation();
  return signedIn ? <Navigate to={nextPath(search)} replace /> : <Outlet />;
}
