import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { type ArchiveScope, useRecordings } from '../api/archive';
import { RecordingList } from './recording-list';

/**
 * The archive of an organisation, an event or a room (`/archive/<kind>/<id>`), open to anyone: people
 * signed out see the public recordings, members and hosts what their role lets them.
 */
export function ArchivePage({ kind }: { kind: ArchiveScope['kind'] }) {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const scope = { kind, id };
  // The same first page the list shows (one request): it names the organisation, event or room.
  const first = useRecordings(scope, {}).data?.pages[0]?.[0];
  const name = first && (kind === 'organizations' ? first.organizationName : kind === 'rooms' ? first.roomName : first.eventTitle);
  useDocumentTitle(t('archive.title'));
  return (
    <section className="stack-lg archive-page" aria-labelledby="archive-title" data-testid="archive-page">
      <header className="page-header">
        {kind === 'events' && (
          <Link to={`/events/${id}`} className="back-link">
            {t('archive.backToEvent')}
          </Link>
        )}
        <h1 id="archive-title">{name ? t(`archive.of.${kind}`, { name }) : t('archive.title')}</h1>
      </header>
      <RecordingList scope={scope} showAccess />
    </section>
  );
}
