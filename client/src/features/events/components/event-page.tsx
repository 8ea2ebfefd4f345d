import { type EventDto, type EventSessionDto, nowAndNext } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { tokens } from '../../../lib/tokens';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { MyCertificate } from '../../certificates';
import { downloadCalendar, useEvent } from '../api/events';
import { programmeDays } from '../programme';
import { RegistrationBox } from './registration-box';
import { SessionTimes } from './session-times';

/** An event's page: its programme by day, what runs now and next, registration, calendar files. */
export function EventPage() {
  const { eventId = '' } = useParams();
  const { t } = useTranslation();
  const event = useEvent(eventId);
  useDocumentTitle(event.data?.title ?? t('events.title'));
  if (event.isPending) return <Loading />;
  if (event.isError) return <ErrorMessage error={event.error} onRetry={() => void event.refetch()} />;
  return <EventView event={event.data} />;
}

function EventView({ event }: { event: EventDto }) {
  const { t, i18n } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const { now, next } = nowAndNext(event.sessions, new Date());
  const mayJoin = event.canManage || event.registration === 'none' || event.myRegistration?.status === 'confirmed';
  const ics = (sessionId?: string) => {
    setError(null);
    downloadCalendar(event.id, sessionId).catch(setError);
  };

  return (
    <article className="stack-lg event-page" data-testid="event-page">
      <header className="stack-tight">
        <p className="muted">
          <bdi>{event.organizationName}</bdi> · {t(`events.kind.${event.kind}`)}
        </p>
        <h1>
          <bdi>{event.title}</bdi>
        </h1>
        {event.status === 'cancelled' && <p className="badge badge-danger">{t('events.cancelled')}</p>}
        <p className="muted" data-testid="event-zone">
          {t('events.zoneNote', { zone: event.timeZone })}
        </p>
        {event.description && <p className="event-description">{event.description}</p>}
        <div className="row">
          <button type="button" className="button-secondary" onClick={() => ics()} data-testid="event-ics">
            {t('events.addToCalendar')}
          </button>
          <Link to={`/archive/events/${event.id}`} className="button-secondary" data-testid="event-recordings">
            {t('archive.title')}
          </Link>
          {event.canManage && (
            <Link to={`/events/${event.id}/manage`} className="button-secondary" data-testid="manage-event">
              {t('events.manage')}
            </Link>
          )}
        </div>
        {error !== null && <ErrorMessage error={error} />}
      </header>

      <section aria-label={t('events.nowAndNext')} className="card now-next" data-testid="now-next">
        {now.length > 0 ? (
          <p>
            <strong>{t('events.now')}</strong> {now.map((s) => s.title).join(' · ')}
          </p>
        ) : (
          <p className="muted">{t('events.nothingNow')}</p>
        )}
        {next ? (
          <p>
            <strong>{t('events.next')}</strong> <bdi>{next.title}</bdi>
          </p>
        ) : (
          <p className="muted">{t('events.nothingNext')}</p>
        )}
      </section>

      {tokens.signedIn ? <RegistrationBox event={event} /> : event.registration !== 'none' && <p>{t('events.signInToRegister')}</p>}
      {tokens.signedIn && <MyCertificate eventId={event.id} />}

      <section aria-labelledby="programme-title" className="stack">
        <h2 id="programme-title">{t('events.programme')}</h2>
        {event.sessions.length === 0 && <p className="empty">{t('events.noSessions')}</p>}
        {programmeDays(event.sessions, event.timeZone).map((day) => (
          <section key={day.day} className="stack" aria-label={day.day}>
            <h3 className="programme-day">
              <time dateTime={day.day}>
                {new Intl.DateTimeFormat(i18n.resolvedLanguage ?? 'en', { calendar: 'gregory', dateStyle: 'full', timeZone: 'UTC' }).format(
                  new Date(`${day.day}T12:00:00Z`),
                )}
              </time>
            </h3>
            <ul className="session-list">
              {day.sessions.map((s) => (
                <SessionItem
                  key={s.id}
                  session={s}
                  event={event}
                  live={now.includes(s)}
                  upNext={next === s}
                  mayJoin={mayJoin}
                  onIcs={() => ics(s.id)}
                />
              ))}
            </ul>
          </section>
        ))}
      </section>
    </article>
  );
}

function SessionItem({
  session: s,
  event,
  live,
  upNext,
  mayJoin,
  onIcs,
}: {
  session: EventSessionDto;
  event: EventDto;
  live: boolean;
  upNext: boolean;
  mayJoin: boolean;
  onIcs: () => void;
}) {
  const { t } = useTranslation();
  return (
    <li
      className={`card session-item stack-tight${live ? ' session-live' : ''}`}
      data-testid="session-item"
      data-session-id={s.id}
      aria-current={live ? 'time' : undefined}
    >
      <div className="row">
        {live && <span className="badge badge-live">{t('events.now')}</span>}
        {upNext && <span className="badge">{t('events.next')}</span>}
        {s.status === 'cancelled' && <span className="badge badge-danger">{t('events.cancelled')}</span>}
        <span className="muted">{t(`events.sessionKind.${s.kind}`)}</span>
        {s.track && (
          <span className="muted">
            · <bdi>{s.track}</bdi>
          </span>
        )}
      </div>
      <h4 className="session-title">
        <bdi>{s.title}</bdi>
      </h4>
      <SessionTimes startsAt={s.startsAt} endsAt={s.endsAt} timeZone={event.timeZone} />
      {s.speakers.length > 0 && (
        <p className="speakers">
          {s.speakers.map((p, i) => (
            <span key={i}>
              {i > 0 && ', '}
              <bdi>{p.name}</bdi>
              {p.affiliation && (
                <span className="muted">
                  {' '}
                  (<bdi>{p.affiliation}</bdi>)
                </span>
              )}
            </span>
          ))}
        </p>
      )}
      {s.description && <p>{s.description}</p>}
      <div className="row">
        <button type="button" className="button-secondary" onClick={onIcs} data-testid="session-ics">
          {t('events.addToCalendar')}
        </button>
        {s.roomId && s.status === 'scheduled' && mayJoin && (
          <Link to={`/rooms/${s.roomId}`} className="button" data-testid="join-session">
            {t('events.joinSession')}
          </Link>
        )}
      </div>
    </li>
  );
}
