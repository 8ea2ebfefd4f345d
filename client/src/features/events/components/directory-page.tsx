import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { useDocumentTitle } from '../../../lib/use-document-title';
import { useEventDirectory } from '../api/events';
import { EventList } from './event-list';

/** Upcoming public events of every organisation, for anyone, signed in or not. */
export function EventDirectoryPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('events.directory'));
  const list = useEventDirectory();
  return (
    <section className="stack-lg" aria-labelledby="directory-title">
      <h1 id="directory-title">{t('events.directory')}</h1>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <p className="empty">{t('events.directoryEmpty')}</p>
      ) : (
        <EventList events={list.data} testId="event-directory" />
      )}
    </section>
  );
}
