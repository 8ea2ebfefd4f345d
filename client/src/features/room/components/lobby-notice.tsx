import type { LobbyEntry } from '@contract';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isolate } from '../../../lib/format';
import { keep, readKept } from '../../../lib/storage';

const MUTE_KEY = 'quorum.lobbySound';

/** A short two-note chime, made on the spot (no sound file to ship). */
function chime(): void {
  const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return;
  const ctx = new Context();
  const gain = ctx.createGain();
  gain.connect(ctx.destination);
  gain.gain.setValueAtTime(0.0001, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.5);
  [660, 880].forEach((hz, i) => {
    const osc = ctx.createOscillator();
    osc.frequency.value = hz;
    osc.connect(gain);
    osc.start(ctx.currentTime + i * 0.15);
    osc.stop(ctx.currentTime + 0.5);
  });
  setTimeout(() => void ctx.close(), 1_000);
}

/**
 * For hosts: someone new knocked. Said to screen readers (a polite live region), shown in words with
 * who is waiting, and chimed unless the host muted the chime (remembered in this browser).
 */
export function LobbyNotice({ lobby, onOpen }: { lobby: readonly LobbyEntry[]; onOpen: () => void }) {
  const { t } = useTranslation();
  const [muted, setMuted] = useState(() => readKept(MUTE_KEY) === 'off');
  const [message, setMessage] = useState('');
  const known = useRef<Set<string> | null>(null);

  useEffect(() => {
    const ids = new Set(lobby.map((w) => w.userId));
    // The queue as it was when we joined is not news; arrivals after that are.
    const arrived = known.current ? lobby.filter((w) => !known.current!.has(w.userId)) : [];
    known.current = ids;
    if (arrived.length === 0) {
      if (lobby.length === 0) setMessage('');
      return;
    }
    setMessage(arrived.length === 1 ? t('room.lobbyNotice.one', { name: isolate(arrived[0]!.displayName) }) : t('room.lobbyNotice.many', { count: arrived.length }));
    if (!muted) chime();
  }, [lobby, muted, t]);

  const toggle = () => {
    keep(MUTE_KEY, muted ? 'on' : 'off');
    setMuted(!muted);
  };

  return (
    <div className="lobby-notice" data-testid="lobby-notice" data-waiting={lobby.length}>
      <p className="visually-hidden" aria-live="polite" data-testid="lobby-announcement">
        {message}
      </p>
      {lobby.length > 0 && (
        <div className="lobby-notice-card" role="group" aria-label={t('room.lobbyNotice.label')}>
          <button type="button" className="button button-small" onClick={onOpen} data-testid="lobby-notice-open">
            {t('room.lobbyNotice.waiting', { count: lobby.length })}
          </button>
          <button type="button" className="button button-small" aria-pressed={muted} onClick={toggle} data-testid="lobby-sound">
            {t('room.lobbyNotice.mute')}
          </button>
        </div>
      )}
    </div>
  );
}
