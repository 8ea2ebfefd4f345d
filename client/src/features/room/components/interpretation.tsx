import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNEL_LANGUAGES, type Channel, type ChannelLanguage, ROOM_PERMISSIONS } from '@contract';
import { asApiError } from '../../../lib/api';
import type { RoomSession, RoomSnapshot } from '../session/room-session';

/** Channels worth offering: every output of an assigned interpreter, and any channel with a stream. */
export function offeredChannels(snap: RoomSnapshot): ChannelLanguage[] {
  const set = new Set<ChannelLanguage>();
  for (const a of snap.interpretation.interpreters) {
    set.add(a.to);
    if (a.twoWay) set.add(a.from);
  }
  for (const c of snap.interpretation.channels) set.add(c.channel);
  return CHANNEL_LANGUAGES.filter((l) => set.has(l));
}

/**
 * How loud the floor plays: full on the floor, and full while the chosen spoken channel has nobody
 * live (nobody is left in silence); under a live channel, the listener's floor volume.
 */
export function floorLevel(snap: RoomSnapshot): number {
  const { listening, received } = snap.interpretation;
  if (listening.channel === 'floor' || listening.channel === 'sign') return 1;
  const heard = received.some((m) => m.kind === 'audio' && m.live && m.track);
  return heard ? listening.floorVolume : 1;
}

/** In the toolbar: what to hear (floor or a channel) and how loud the floor stays under a channel. */
export function ChannelPicker({ session, snap, onError }: { session: RoomSession; snap: RoomSnapshot; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const channels = offeredChannels(snap);
  const { channel, floorVolume } = snap.interpretation.listening;
  if (channels.length === 0 && channel === 'floor') return null;
  const choose = (next: Channel, volume = floorVolume) => void session.listen(next, volume).catch(onError);
  return (
    <div className="channel-picker" role="group" aria-label={t('interpretation.title')}>
      <label className="channel-field">
        <span className="ctl-label">{t('interpretation.channel')}</span>
        <select data-testid="channel-select" value={channel} onChange={(e) => choose(e.target.value as Channel)}>
          <option value="floor">{t('interpretation.floor')}</option>
          {channels.map((c) => (
            <option key={c} value={c}>
              {t(`interpretation.language.${c}`)}
            </option>
          ))}
        </select>
      </label>
      {channel !== 'floor' && channel !== 'sign' && (
        <label className="channel-field">
          <span className="ctl-label">{t('interpretation.floorVolume')}</span>
          <input
            type="range"
            min={0}
            max={100}
            step={10}
            data-testid="floor-volume"
            value={Math.round(floorVolume * 100)}
            aria-valuetext={floorVolume === 0 ? t('interpretation.floorMuted') : `${Math.round(floorVolume * 100)} %`}
            onChange={(e) => choose(channel, Number(e.target.value) / 100)}
          />
        </label>
      )}
    </div>
  );
}

/** For an assigned interpreter: the channel to publish into, what to listen to (relay), live state and hand-over. */
export function InterpreterConsole({
  session,
  snap,
  onError,
}: {
  session: RoomSession;
  snap: RoomSnapshot;
  onError: (e: unknown) => void;
}) {
  const { t } = useTranslation();
  const mine = snap.interpretation.mine;
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<ChannelLanguage | null>(null);
  if (!mine) return null;
  const outputs: ChannelLanguage[] = mine.twoWay ? [mine.to, mine.from] : [mine.to];
  const own = snap.interpretation.interpreting;
  const target = own?.channel ?? (choice && outputs.includes(choice) ? choice : outputs[0]!);
  const booth = snap.interpretation.channels.find((c) => c.channel === own?.channel)?.streams ?? [];
  const partner = booth.find((s) => s.peerId !== snap.selfPeerId);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    action()
      .catch(onError)
      .finally(() => setBusy(false));
  };
  return (
    <section className="interpreter-console" aria-labelledby="interpreter-console-title" data-testid="interpreter-console">
      <h2 id="interpreter-console-title" className="interpreter-console-title">
        {t('interpretation.console.title')}
      </h2>
      <label className="channel-field">
        <span>{t('interpretation.console.into')}</span>
        <select
          data-testid="interpret-into"
          value={target}
          disabled={busy}
          onChange={(e) => {
            const next = e.target.value as ChannelLanguage;
            setChoice(next);
            // Interpreting already: the other direction of a two-way pair.
            if (own) run(() => session.startInterpreting(next));
          }}
        >
          {outputs.map((c) => (
            <option key={c} value={c}>
              {t(`interpretation.language.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="channel-field">
        <span>{t('interpretation.console.relay')}</span>
        <select
          data-testid="interpret-relay"
          value={snap.interpretation.listening.channel}
          onChange={(e) => void session.listen(e.target.value as Channel).catch(onError)}
        >
          <option value="floor">{t('interpretation.floor')}</option>
          {offeredChannels(snap)
            .filter((c) => c !== own?.channel && c !== 'sign')
            .map((c) => (
              <option key={c} value={c}>
                {t(`interpretation.language.${c}`)}
              </option>
            ))}
        </select>
      </label>
      {own ? (
        <button
          type="button"
          className="button"
          data-testid="interpret-stop"
          disabled={busy}
          onClick={() => run(() => session.stopInterpreting())}
        >
          {t('interpretation.console.stop')}
        </button>
      ) : (
        <button
          type="button"
          className="button button-primary"
          data-testid="interpret-start"
          disabled={busy}
          onClick={() => run(() => session.startInterpreting(target))}
        >
          {t('interpretation.console.start')}
        </button>
      )}
      {!own && target !== 'sign' && <p className="muted small">{t('interpretation.console.headset')}</p>}
      {own && (
        <span className={`interpreter-live${own.live ? ' is-live' : ''}`} role="status" data-testid="interpret-live" data-live={own.live}>
          {own.live ? t('interpretation.console.live') : t('interpretation.console.standby')}
        </span>
      )}
      {own && partner && (
        <button
          type="button"
          className="button"
          data-testid="interpret-hand-over"
          disabled={busy}
          onClick={() => run(() => session.handOver(own.live ? partner.peerId : snap.selfPeerId!))}
        >
          {own.live ? t('interpretation.console.handOver', { name: partner.displayName }) : t('interpretation.console.takeOver')}
        </button>
      )}
    </section>
  );
}

/** For hosts, in the settings panel: who interprets in this room, from and into which language. */
export function InterpretersPanel({ session, snap }: { session: RoomSession; snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const [userId, setUserId] = useState('');
  const [from, setFrom] = useState<ChannelLanguage>('en');
  const [to, setTo] = useState<ChannelLanguage>('zh');
  const [twoWay, setTwoWay] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!snap.role || !ROOM_PERMISSIONS['interpretation.manage'][snap.mode].includes(snap.role)) return null;
  const people = snap.peers.filter((p) => !p.guest);
  const act = (action: Promise<void>) =>
    action.then(
      () => setError(null),
      (e: unknown) => setError(t(`errors.${asApiError(e).code}`)),
    );
  return (
    <section className="stack" aria-labelledby="interpreters-title" data-testid="interpreters-panel">
      <h3 id="interpreters-title">{t('interpretation.assign.title')}</h3>
      {snap.interpretation.interpreters.length === 0 ? (
        <p>{t('interpretation.assign.none')}</p>
      ) : (
        <ul className="interpreter-list">
          {snap.interpretation.interpreters.map((a) => (
            <li key={a.userId} data-testid="interpreter-entry">
              <bdi>{a.displayName}</bdi> {t(`interpretation.language.${a.from}`)} {a.twoWay ? '⇄' : '→'}{' '}
              {t(`interpretation.language.${a.to}`)}{' '}
              <button type="button" className="button button-small" onClick={() => void act(session.unassignInterpreter(a.userId))}>
                {t('interpretation.assign.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className="field">
        <span className="field-label">{t('interpretation.assign.person')}</span>
        <select data-testid="assign-person" value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">—</option>
          {people.map((p) => (
            <option key={p.peerId} value={p.userId}>
              {p.displayName}
            </option>
          ))}
        </select>
      </label>
      {(
        [
          ['from', from, setFrom],
          ['to', to, setTo],
        ] as const
      ).map(([which, value, set]) => (
        <label className="field" key={which}>
          <span className="field-label">{t(`interpretation.assign.${which}`)}</span>
          <select data-testid={`assign-${which}`} value={value} onChange={(e) => set(e.target.value as ChannelLanguage)}>
            {CHANNEL_LANGUAGES.filter((l) => which === 'to' || l !== 'sign').map((l) => (
              <option key={l} value={l}>
                {t(`interpretation.language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      ))}
      <label className="checkbox">
        <input type="checkbox" data-testid="assign-two-way" checked={twoWay} onChange={(e) => setTwoWay(e.target.checked)} />{' '}
        {t('interpretation.assign.twoWay')}
      </label>
      <button
        type="button"
        className="button"
        data-testid="assign-submit"
        disabled={!userId}
        onClick={() => void act(session.assignInterpreter({ userId, from, to, twoWay }))}
      >
        {t('interpretation.assign.submit')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
