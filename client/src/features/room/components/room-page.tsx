import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useImmersive } from '../../../app/immersive';
import { BadLink, isMalformedLink } from '../../../components/bad-link';
import { ErrorMessage } from '../../../components/error-message';
import { asApiError } from '../../../lib/api';
import { Loading } from '../../../components/loading';
import { isolate } from '../../../lib/format';
import type { RoomSession } from '../session/room-session';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useRoomPreview } from '../../rooms';
import { PreJoin } from './pre-join';
import { RoomView } from './room-view';

/** `/rooms/:roomId[?invite=…]`: lobby, meeting, then a "you left" page with a way back in. */
export default function RoomPage() {
  const { t } = useTranslation();
  const { roomId = '' } = useParams();
  const [params] = useSearchParams();
  const invite = params.get('invite');
  const preview = useRoomPreview(roomId, invite);
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
  return <PreJoin roomId={roomId} invite={invite} preview={preview.data} onJoined={setSession} />;
}
