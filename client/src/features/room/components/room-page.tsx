import type { GuestPassDto, RoomPreviewDto } from '@contract';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useParams, useSearchParams } from 'react-router';
import { useImmersive } from '../../../app/immersive';
import { BadLink, isMalformedLink } from '../../../components/bad-link';
import { ErrorMessage } from '../../../components/error-message';
import { api, asApiError } from '../../../lib/api';
import { setGuestPass } from '../../../lib/socket';
import { useMe, useSignedIn } from '../../auth';
import { Loading } from '../../../components/loading';
import { isolate } from '../../../lib/format';
import type { RoomSession } from '../session/room-session';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { RoomModeBadge, useRoomPreview } from '../../rooms';
import { PreJoin } from './pre-join';
import { RoomView } from './room-view';

/**
 * `/rooms/:roomId[?invite=…]`: lobby, meeting, then a "you left" page with a way back in. Without an
 * account, a public webinar lets people in as guests; any other room asks them to sign in.
 */
export default function RoomPage() {
  return useSignedIn() ? <MemberRoom /> : <GuestRoom />;
}

function MemberRoom() {
  const { roomId = '' } = useParams();
  const [params] = useSearchParams();
  const invite = params.get('invite');
  const me = useMe();
  const preview = useRoomPreview(roomId, invite);
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  return <RoomFlow roomId={roomId} invite={invite} preview={preview} />;
}

interface RoomFlowProps {
  roomId: string;
  invite: string | null;
  preview: UseQueryResult<RoomPreviewDto>;
  guestName?: string;
}

function RoomFlow({ roomId, invite, preview, guestName }: RoomFlowProps) {
  const { t } = useTranslation();
  const [session, setSession] = useState<RoomSession | null>(null);
  const [left, setLeft] = useState<null | 'self' | 'removed' | 'ended'>(null);
  useImmersive(session !== null && !left);
  useDocumentTitle(preview.data?.name);

  if (left) {
    return (
      <section className="card auth-card stack" aria-labelledby="left-title" data-testid="left" data-reason={left}>
        <h1 id="left-title">{t('room.left.title')}</h1>
        <p>
          {left === 'removed'
            ? t('room.left.removed')
            : left === 'ended'
              ? t('room.left.ended')
              : t('room.left.body', { room: isolate(preview.data?.name ?? '') })}
        </p>
        <div className="actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setSession(null);
              setLeft(null);
              void preview.refetch();
            }}
          >
            {t('room.left.rejoin')}
          </button>
          <Link to="/" className="button">
            {t('room.left.home')}
          </Link>
        </div>
      </section>
    );
  }

  if (session) {
    return (
      <RoomView
        session={session}
        roomName={preview.data?.name ?? ''}
        onLeave={() => {
          void session.leave();
          setLeft('self');
        }}
        onEnded={setLeft}
      />
    );
  }

  if (preview.isPending) return <Loading />;
  if (preview.isError && isMalformedLink(preview.error)) return <BadLink kind="room" />;
  if (preview.isError) {
    const { code } = asApiError(preview.error);
    const known = code === 'FORBIDDEN' || code === 'NOT_FOUND';
    return (
      <section className="card auth-card stack" aria-labelledby="room-unavailable-title" data-testid="room-unavailable" data-code={code}>
        <h1 id="room-unavailable-title">{t('room.unavailable.title')}</h1>
        {known ? (
          <p role="alert">{code === 'FORBIDDEN' ? t('room.unavailable.forbidden') : t('room.unavailable.notFound')}</p>
        ) : (
          <ErrorMessage error={preview.error} onRetry={() => void preview.refetch()} />
        )}
        <Link to="/">{t('notFound.home')}</Link>
      </section>
    );
  }
  return <PreJoin roomId={roomId} invite={invite} preview={preview.data} guestName={guestName} onJoined={setSession} />;
}

/** Someone without an account: a public webinar takes them by name; elsewhere, sign in first. */
function GuestRoom() {
  const { t } = useTranslation();
  const { roomId = '' } = useParams();
  const { pathname, search } = useLocation();
  const preview = useQuery({
    queryKey: ['rooms', roomId, 'guest-preview'],
    queryFn: () => api<RoomPreviewDto>(`/api/rooms/${encodeURIComponent(roomId)}/guest-preview`),
    retry: false,
  });
  const [pass, setPass] = useState<GuestPassDto | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const nameId = useId();
  const signIn = `/sign-in?next=${encodeURIComponent(pathname + search)}`;
  useEffect(() => () => setGuestPass(null), []);

  if (preview.isPending) return <Loading />;
  if (preview.isError) return <Navigate to={signIn} replace />;
  if (pass) return <RoomFlow roomId={roomId} invite={null} preview={preview} guestName={pass.displayName} />;

  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const issued = await api<GuestPassDto>(`/api/rooms/${encodeURIComponent(roomId)}/guests`, { method: 'POST', body: { displayName: name } });
      setGuestPass(issued.token);
      setPass(issued);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <section className="card auth-card stack" aria-labelledby="guest-title" data-testid="guest-entry">
      <p className="muted">
        <bdi>{preview.data.organizationName}</bdi>
      </p>
      <h1 id="guest-title" className="room-item-title">
        <bdi>{preview.data.name}</bdi>
        <RoomModeBadge mode={preview.data.mode} />
      </h1>
      <h2>{t('room.guest.title')}</h2>
      <p>{t('room.guest.intro')}</p>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void join();
        }}
      >
        <div className="field">
          <label htmlFor={nameId}>{t('room.guest.name')}</label>
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} autoComplete="name" data-testid="guest-name" />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="button button-primary" disabled={busy || !name.trim()} data-testid="guest-join">
          {t('room.guest.join')}
        </button>
      </form>
      <Link to={signIn}>{t('room.guest.signIn')}</Link>
    </section>
  );
}
