import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/error-message';
import { DownloadIcon } from '../../../components/icons';
import { useFormat } from '../../../lib/format';
import { downloadFile } from '../../../lib/download';
import { captionsFilePath, useCaptionedSessions } from '../captions-api';

/**
 * A room's past sessions with captions, each language a WebVTT download: those the person attended,
 * or every session for the organisation's organisers. Loaded when opened.
 */
export function CaptionsArchive({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [open, setOpen] = useState(false);
  const sessions = useCaptionedSessions(roomId, open);
  const [error, setError] = useState<unknown>(null);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="captions-archive">
      <summary>{t('captions.archive.title')}</summary>
      {sessions.isError ? (
        <ErrorMessage error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.data && sessions.data.length === 0 ? (
        <p className="muted">{t('captions.archive.none')}</p>
      ) : (
        <ul className="stack-tight">
          {sessions.data?.map((s) => (
            <li key={s.sessionId} data-testid="captions-session" data-session-id={s.sessionId}>
              <span>{format.dateTime(s.startedAt)}</span>{' '}
              {s.languages.map((l) => (
                <button
                  key={l.language}
                  type="button"
                  className="button button-small"
                  data-testid={`captions-download-${l.language}`}
                  onClick={() => void downloadFile(captionsFilePath(roomId, s.sessionId, l.language), `captions-${s.sessionId}-${l.language}.vtt`).then(() => setError(null), setError)}
                >
                  <DownloadIcon size={16} /> {t('captions.archive.download', { language: t(`interpretation.language.${l.language}`), count: l.lines })}
                </button>
              ))}
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={error} />
    </details>
  );
}
