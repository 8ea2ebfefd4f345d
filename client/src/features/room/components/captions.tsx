import { CAPTION_LANGUAGES, type CaptionLanguage, ROOM_PERMISSIONS } from '@contract';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CaptionsIcon } from '../../../components/icons';
import { asApiError } from '../../../lib/api';
import { captionDir, type CaptionsFeed, type CaptionsView, defaultCaptionLanguage, shownLines } from '../captions-api';
import type { RoomSnapshot } from '../session/room-session';
import './captions.css';

/** The language captions are shown in for this person now. */
export function shownLanguage(view: CaptionsView, snap: RoomSnapshot): CaptionLanguage | null {
  if (view.chosen && view.languages.includes(view.chosen)) return view.chosen;
  const floor = view.automatic?.enabled && view.automatic.available ? view.automatic.language : null;
  return defaultCaptionLanguage(view.languages, snap.interpretation.listening.channel, floor);
}

/** In the toolbar: captions on or off (CC), and which language when there are several. */
export function CaptionsButton({ feed, view, snap }: { feed: CaptionsFeed; view: CaptionsView; snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const language = shownLanguage(view, snap);
  return (
    <div className="captions-control" role="group" aria-label={t('captions.title')}>
      <button
        type="button"
        className={`ctl ctl-compact${view.on ? ' ctl-active' : ''}`}
        data-testid="captions-toggle"
        aria-pressed={view.on}
        aria-label={t('captions.short')}
        title={view.on ? t('captions.hide') : t('captions.show')}
        onClick={() => feed.setOn(!view.on)}
      >
        <CaptionsIcon />
        <span className="ctl-label" aria-hidden="true">
          {t('captions.short')}
        </span>
      </button>
      {view.on && view.languages.length > 1 && language && (
        <label className="channel-field">
          <span className="ctl-label">{t('captions.language')}</span>
          <select data-testid="captions-language" value={language} onChange={(e) => feed.choose(e.target.value as CaptionLanguage)}>
            {view.languages.map((l) => (
              <option key={l} value={l}>
                {t(`interpretation.language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

/** Over the stage: the last lines in the chosen language, each in its own direction, automatic ones labelled. */
export function CaptionsOverlay({ view, snap }: { view: CaptionsView; snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  const language = shownLanguage(view, snap);
  // Partial lines go stale when their end was lost: look again now and then.
  useEffect(() => {
    if (!view.on) return;
    const timer = setInterval(() => setNow(Date.now()), 2_000);
    return () => clearInterval(timer);
  }, [view.on]);
  if (!view.on) return null;
  const { lines, partials } = shownLines(view, language, Math.max(now, Date.now() - 1));
  return (
    <div className="captions-overlay" data-testid="captions-overlay" data-language={language ?? ''} aria-live="polite" aria-atomic="false" lang={language ?? undefined}>
      {!language ? (
        <p className="captions-line captions-none">{t('captions.none')}</p>
      ) : (
        <>
          {lines.map((l) => (
            <p key={l.id} className="captions-line" dir={captionDir(l.language)} lang={l.language} data-testid="caption-line" data-source={l.source}>
              {l.speaker && (
                <span className="captions-speaker">
                  <bdi>{l.speaker}</bdi>:{' '}
                </span>
              )}
              {l.source === 'automatic' && <span className="captions-auto">{t('captions.automaticLabel')}</span>}
              <bdi data-testid="caption-text">{l.text}</bdi>
            </p>
          ))}
          {partials.map((p) => (
            <p key={`partial-${p.key}`} className="captions-line captions-partial" dir={captionDir(p.language)} lang={p.language} data-testid="caption-partial" data-source={p.source} aria-hidden="true">
              {p.speaker && (
                <span className="captions-speaker">
                  <bdi>{p.speaker}</bdi>:{' '}
                </span>
              )}
              <bdi>{p.text}</bdi>
            </p>
          ))}
        </>
      )}
    </div>
  );
}

/** For an assigned captioner: type the line (shown as it is typed), Enter commits it. */
export function CaptionerConsole({ feed, view }: { feed: CaptionsFeed; view: CaptionsView }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [choice, setChoice] = useState<CaptionLanguage | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (view.mine.length === 0) return null;
  const language = choice && view.mine.includes(choice) ? choice : view.mine[0]!;
  const commit = () => {
    const line = text.trim();
    if (!line) return;
    setText('');
    feed.commit(language, line).then(
      () => setError(null),
      (e: unknown) => {
        // Nothing typed is lost: the line comes back to be sent again.
        setText((current) => current || line);
        setError(t(`errors.${asApiError(e).code}`));
      },
    );
  };
  return (
    <section className="captioner-console" aria-labelledby="captioner-console-title" data-testid="captioner-console">
      <h2 id="captioner-console-title" className="interpreter-console-title">
        {t('captions.console.title')}
      </h2>
      {view.mine.length > 1 && (
        <label className="channel-field">
          <span>{t('captions.console.into')}</span>
          <select data-testid="captioner-language" value={language} onChange={(e) => setChoice(e.target.value as CaptionLanguage)}>
            {view.mine.map((l) => (
              <option key={l} value={l}>
                {t(`interpretation.language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      <input
        className="captioner-input"
        data-testid="captioner-input"
        dir={captionDir(language)}
        lang={language}
        maxLength={500}
        value={text}
        aria-label={t('captions.console.input', { language: t(`interpretation.language.${language}`) })}
        placeholder={t('captions.console.placeholder')}
        onChange={(e) => {
          setText(e.target.value);
          feed.typing(language, e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            commit();
          }
        }}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** For hosts, in the settings panel: captioners per language, and automatic captions of the floor. */
export function CaptionsSettings({ feed, view, snap }: { feed: CaptionsFeed; view: CaptionsView; snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const [userId, setUserId] = useState('');
  const [language, setLanguage] = useState<CaptionLanguage>('en');
  const [autoLanguage, setAutoLanguage] = useState<CaptionLanguage | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!snap.role || !ROOM_PERMISSIONS['captions.manage'][snap.mode].includes(snap.role)) return null;
  const people = snap.peers.filter((p) => !p.guest);
  const act = (action: Promise<void>) =>
    action.then(
      () => setError(null),
      (e: unknown) => setError(t(`errors.${asApiError(e).code}`)),
    );
  const automatic = view.automatic;
  const floor = autoLanguage ?? automatic?.language ?? 'en';
  return (
    <section className="stack" aria-labelledby="captions-settings-title" data-testid="captions-settings">
      <h3 id="captions-settings-title">{t('captions.settings.title')}</h3>
      {view.captioners.length === 0 ? (
        <p>{t('captions.settings.none')}</p>
      ) : (
        <ul className="interpreter-list">
          {view.captioners.map((a) => (
            <li key={`${a.userId}-${a.language}`} data-testid="captioner-entry">
              <bdi>{a.displayName}</bdi> · {t(`interpretation.language.${a.language}`)}{' '}
              <button type="button" className="button button-small" onClick={() => void act(feed.unassign(a.userId, a.language))}>
                {t('captions.settings.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className="field">
        <span className="field-label">{t('captions.settings.person')}</span>
        <select data-testid="captioner-person" value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">—</option>
          {people.map((p) => (
            <option key={p.peerId} value={p.userId}>
              {p.displayName}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">{t('captions.settings.language')}</span>
        <select data-testid="captioner-assign-language" value={language} onChange={(e) => setLanguage(e.target.value as CaptionLanguage)}>
          {CAPTION_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t(`interpretation.language.${l}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button" data-testid="captioner-assign" disabled={!userId} onClick={() => void act(feed.assign(userId, language))}>
        {t('captions.settings.assign')}
      </button>

      <h3>{t('captions.settings.automatic')}</h3>
      {automatic && !automatic.available && <p className="muted">{t('captions.settings.unavailable')}</p>}
      {automatic && automatic.languages.length > 0 && (
        <label className="field">
          <span className="field-label">{t('captions.settings.floorLanguage')}</span>
          <select data-testid="captions-auto-language" value={floor} disabled={automatic.enabled} onChange={(e) => setAutoLanguage(e.target.value as CaptionLanguage)}>
            {CAPTION_LANGUAGES.filter((l) => automatic.languages.includes(l) || l === floor).map((l) => (
              <option key={l} value={l}>
                {t(`interpretation.language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="captions-auto"
          checked={automatic?.enabled ?? false}
          onChange={(e) => void act(feed.setAutomatic(e.target.checked, floor))}
        />{' '}
        {t('captions.settings.automaticOn')}
      </label>
      <p className="muted small">{t('captions.settings.automaticHint')}</p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
