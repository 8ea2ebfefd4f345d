import { formatInZone, type EventSummaryDto } from '@contract';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** Events as cards: title, organisation, first session in the event's zone. */
export function EventList({ events, testId }: { events: EventSummaryDto[]; testId: string }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="event-list stack" data-testid={testId}>
      {events.map((ev) => (
        <li key={ev.id} className="card stack-tight" data-testid="event-item">
          <h3>
            <Link to={`/events/${ev.id}`}>
              <bdi>{ev.title}</bdi>
            </Link>
          </h3>
          <p className="muted">
            <bdi>{ev.organizationName}</bdi> · {t(`events.kind.${ev.kind}`)} · {t(`events.visibility.${ev.visibility}`)}
          </p>
          <p>{ev.startsAt ? formatInZone(new Date(ev.startsAt), ev.timeZone, i18n.resolvedLanguage ?? 'en') : t('events.noSessions')}</p>
        </li>
      ))}
    </ul>
  );
}
