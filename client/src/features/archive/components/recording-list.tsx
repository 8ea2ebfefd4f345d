import { RECORDING_ACCESS_LEVELS, RecordingListQuery, type RecordingSummaryDto } from '@contract';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorMessage } from '../../../components/error-message';
import { Loading } from '../../../components/loading';
import { isolate, useFormat } from '../../../lib/format';
import { type ArchiveFilters, type ArchiveScope, useRecordings } from '../api/archive';
import { clock } from '../time';
import '../archive.css';

/**
 * A list of recordings, newest first, with the filters a catalogue user expects (words, language,
 * dates) and older ones a page at a time. Only what the viewer may see comes back from the server.
 */
export function RecordingList({ scope, showAccess = false }: { scope: ArchiveScope; showAccess?: boolean }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<ArchiveFilters>({});
  const [badSearch, setBadSearch] = useState(false);
  const list = useRecordings(scope, filters);
  const items = list.data?.pages.flat() ?? [];
  const filtered = Object.values(filters).some((v) => v !== undefined);

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const value = (k: string) => {
      const v = String(data.get(k) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const q = value('q');
    // The server takes words, not patterns: a search it would refuse is flagged here instead.
    const searchOk = !q || RecordingListQuery.shape.q.safeParse(q).success;
    setBadSearch(!searchOk);
    if (!searchOk) return;
    setFilters({
      ...(q ? { q } : {}),
      ...(value('language') ? { language: value('language') } : {}),
      ...(value('from') ? { from: value('from') } : {}),
      ...(value('to') ? { to: value('to') } : {}),
      ...(value('access') ? { access: value('access') as ArchiveFilters['access'] } : {}),
    });
  };

  return (
    <div className="stack" data-testid="recording-list-section">
      <form className="archive-filters" role="search" onSubmit={apply} onReset={() => (setFilters({}), setBadSearch(false))}>
        <label className="stack-tight">
          {t('archive.search')}
          <input
            name="q"
            type="search"
            minLength={2}
            maxLength={200}
            placeholder={t('archive.searchHint')}
            aria-invalid={badSearch}
            aria-describedby={badSearch ? 'archive-search-error' : undefined}
            data-testid="archive-search"
          />
          {badSearch && (
            <span id="archive-search-error" className="field-error">
              {t('validation.format')}
            </span>
          )}
        </label>
        <label className="stack-tight">
          {t('archive.metadata.language')}
          <input name="language" dir="ltr" maxLength={35} size={8} placeholder="zh" />
        </label>
        <label className="stack-tight">
          {t('archive.from')}
          <input name="from" type="date" />
        </label>
        <label className="stack-tight">
          {t('archive.to')}
          <input name="to" type="date" />
        </label>
        {showAccess && (
          <label className="stack-tight">
            {t('archive.accessLabel')}
            <select name="access" defaultValue="">
              <option value="">—</option>
              {RECORDING_ACCESS_LEVELS.map((a) => (
                <option key={a} value={a}>
                  {t(`archive.access.${a}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="actions">
          <button type="submit" className="button">
            {t('archive.apply')}
          </button>
          <button type="reset" className="button button-small">
            {t('archive.clear')}
          </button>
        </div>
      </form>

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="empty" data-testid="archive-empty">
          {filtered ? t('archive.emptyFiltered') : t('archive.empty')}
        </p>
      ) : (
        <ul className="recording-list" data-testid="recording-list">
          {items.map((r) => (
            <RecordingItem key={r.id} r={r} showAccess={showAccess} />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {t('archive.loadMore')}
        </button>
      )}
    </div>
  );
}

function RecordingItem({ r, showAccess }: { r: RecordingSummaryDto; showAccess: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <li className="card recording-item stack-tight" data-testid="recording-item" data-recording-id={r.id} data-status={r.status}>
      <h3 className="recording-item-title">
        <Link to={`/recordings/${r.id}`} lang={r.metadata.language ?? undefined}>
          <bdi>{r.metadata.title || t('archive.untitled')}</bdi>
        </Link>
      </h3>
      <p className="recording-meta muted">
        <time dateTime={r.startedAt}>{format.dateTime(r.startedAt)}</time>
        {r.durationSeconds !== null && <span dir="ltr">{clock(r.durationSeconds)}</span>}
        <span>
          <bdi>{r.roomName}</bdi>
        </span>
        {r.meetingTitle && (
          <span>
            {t('archive.meeting')}: <bdi>{r.meetingTitle}</bdi>
          </span>
        )}
        {r.eventTitle && (
          <span>
            {t('archive.event')}: <bdi>{r.eventTitle}</bdi>
          </span>
        )}
        {r.metadata.language && <span dir="ltr">{r.metadata.language}</span>}
        {showAccess && <span className={`badge access-${r.access}`}>{t(`archive.access.${r.access}`)}</span>}
        {r.status !== 'ready' && <span className="badge badge-danger">{t(`archive.status.${r.status}`)}</span>}
      </p>
      {r.deletion && <p className="muted">{t('archive.deleted.reason', { reason: isolate(r.deletion.reason) })}</p>}
    </li>
  );
}
