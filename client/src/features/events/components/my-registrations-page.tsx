import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useMyRegistrations } from '../api/events';

/** The events the signed-in person registered for, and where they stand in each. */
export function MyRegistrationsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('events.myRegistrations'));
  const mine = useMyRegistrations();
  return (
    <section className="stack-lg" aria-labelledby="mine-title">
      <h1 id="mine-title">{t('events.myRegistrations')}</h1>
      {mine.isPending ? (
        <Loading />
      ) : mine.isError ? (
        <ErrorMessage error={mine.error} onRetry={() => void mine.refetch()} />
      ) : mine.data.length === 0 ? (
        <p className="empty">{t('events.noRegistrations')}</p>
      ) : (
        <ul className="stack" data-testid="my-registrations">
          {mine.data.map((r) => (
            <li key={r.id} className="card row">
              <Link to={`/events/${r.eventId}`}>
                <bdi>{r.event.title}</bdi>
              </Link>
              <span className="muted" data-status={r.status}>
                {r.status === 'waitlisted'
                  ? t('events.status.waitlistedAt', { n: r.waitlistPosition ?? 0 })
                  : t(`events.status.${r.status}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
