import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { RECORDING_LAYOUTS, recordingPath, type RecordingLayout, type RoomRecording } from '@contract';
import { isolate } from '../../../lib/format';
import type { RecordingUi } from '../hooks/use-recording';
import { keep, readKept } from '../../../lib/storage';
import './recording.css';

/** Seconds as h:mm:ss (or m:ss), digits of the interface language. */
function useElapsed(since: string | null): string {
  const { i18n } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!since) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [since]);
  if (!since) return '';
  const total = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const two = new Intl.NumberFormat(i18n.resolvedLanguage, { minimumIntegerDigits: 2, useGrouping: false });
  const one = new Intl.NumberFormat(i18n.resolvedLanguage, { useGrouping: false });
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${one.format(h)}:${two.format(m)}:${two.format(s)}` : `${one.format(m)}:${two.format(s)}`;
}

const recordingNow = (state: RoomRecording | null) => (state?.current?.status === 'recording' ? state.current : null);

/** For everyone, in the room's header while it records: a red dot, "Recording" and for how long. */
export function RecordingIndicator({ rec }: { rec: RecordingUi }) {
  const { t } = useTranslation();
  const current = recordingNow(rec.state);
  const elapsed = useElapsed(current?.startedAt ?? null);
  if (!current) return null;
  const interrupted = current.interrupted > 0;
  return (
    <span
      className={`recording-indicator${interrupted ? ' recording-indicator-interrupted' : ''}`}
      role="status"
      data-testid="recording-indicator"
      data-interrupted={interrupted}
      title={interrupted ? t('recording.interruptedShort') : t('recording.indicatorLong')}
    >
      <span className="recording-dot" aria-hidden="true" />
      <span>{t('recording.indicator')}</span>
      <span className="recording-elapsed" aria-label={t('recording.elapsed', { elapsed })}>
        <bdi>{elapsed}</bdi>
      </span>
    </span>
  );
}

const LAYOUT_KEY = 'quorum.recordingLayout';

/** The layout this host last recorded with (kept in the browser), grid at first. */
function useLayoutChoice(): [RecordingLayout, (l: RecordingLayout) => void] {
  const [layout, setLayout] = useState<RecordingLayout>(() => {
    const kept = readKept(LAYOUT_KEY);
    return (RECORDING_LAYOUTS as readonly string[]).includes(kept ?? '') ? (kept as RecordingLayout) : 'grid';
  });
  const choose = (l: RecordingLayout) => {
    setLayout(l);
    keep(LAYOUT_KEY, l);
  };
  return [layout, choose];
}

/**
 * For hosts, in the toolbar: start or stop recording; disabled, with the reason, when the server
 * cannot record. Before starting, the host picks the composed video's layout (gallery or speaker).
 */
export function RecordButton({ rec }: { rec: RecordingUi }) {
  const { t } = useTranslation();
  const [layout, setLayout] = useLayoutChoice();
  if (!rec.canManage || !rec.state) return null;
  const recording = recordingNow(rec.state) !== null;
  const problem = rec.state.available ? null : t(`recording.problem.${rec.state.problem ?? 'FFMPEG_MISSING'}`);
  const label = recording ? t('recording.stop') : t('recording.start');
  return (
    <>
      <button
        type="button"
        className={`ctl ctl-compact${recording ? ' ctl-recording' : ''}`}
        data-testid="record-toggle"
        data-recording={recording}
        aria-pressed={recording}
        aria-label={label}
        aria-describedby={problem ? 'record-unavailable' : undefined}
        title={problem ?? (recording ? t('recording.stopLong') : t('recording.startLong'))}
        disabled={rec.busy || (!recording && problem !== null)}
        onClick={() => void (recording ? rec.stop() : rec.start(layout))}
      >
        <span className={`recording-dot${recording ? '' : ' recording-dot-idle'}`} aria-hidden="true" />
        <span className="ctl-label" aria-hidden="true">
          {label}
        </span>
      </button>
      {!recording && !problem && (
        <select
          className="recording-layout"
          data-testid="record-layout"
          aria-label={t('recording.layout')}
          title={t('recording.layout')}
          value={layout}
          disabled={rec.busy}
          onChange={(e) => setLayout(e.target.value as RecordingLayout)}
        >
          {RECORDING_LAYOUTS.map((l) => (
            <option key={l} value={l}>
              {t(`recording.layouts.${l}`)}
            </option>
          ))}
        </select>
      )}
      {problem && (
        <span id="record-unavailable" className="visually-hidden" data-testid="record-unavailable">
          {problem}
        </span>
      )}
    </>
  );
}

/** What happened to the recording, said once: on joining a room that records, at start and stop, when a stream's recorder fails. */
export function RecordingNotices({ rec }: { rec: RecordingUi }) {
  const { t } = useTranslation();
  const notice = rec.notice;
  if (!notice) return null;
  const current = rec.state?.current ?? null;
  const path = recordingPath(notice.recordingId);
  const link = (
    <Link to={path} data-testid="recording-link">
      <bdi>{path}</bdi>
    </Link>
  );
  let body: ReactNode;
  switch (notice.kind) {
    case 'joined':
      body = t('recording.joinNotice');
      break;
    case 'started':
      body = current?.startedBy ? t('recording.startedBy', { name: isolate(current.startedBy) }) : t('recording.started');
      break;
    case 'stopped':
      body = (
        <>
          {t('recording.processing')} {link}
        </>
      );
      break;
    case 'ready':
      body = (
        <>
          {t('recording.ready')} {link}
        </>
      );
      break;
    case 'failed':
      body = t('recording.failed');
      break;
    case 'interrupted':
    case 'resumed':
      // The host deals with it; the others see the indicator only.
      if (!rec.canManage) return null;
      body = notice.kind === 'resumed' ? t('recording.resumed') : t('recording.interrupted', { streams: current?.interrupted ?? 1 });
      break;
  }
  const stuck = notice.kind === 'interrupted' && rec.canManage && (current?.interrupted ?? 0) > 0;
  return (
    <div className={`room-banner${notice.kind === 'failed' || notice.kind === 'interrupted' ? ' room-banner-error' : ''}`} role={notice.kind === 'interrupted' ? 'alert' : 'status'} data-testid="recording-notice" data-kind={notice.kind}>
      <span className="recording-dot" aria-hidden="true" />
      <span>{body}</span>
      {stuck && (
        <button type="button" className="button button-small" data-testid="recording-resume" disabled={rec.busy} onClick={() => void rec.resume()}>
          {t('recording.resume')}
        </button>
      )}
      <button type="button" className="button button-small" onClick={() => rec.dismiss()}>
        {t('room.dismiss')}
      </button>
    </div>
  );
}
