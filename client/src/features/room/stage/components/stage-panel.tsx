import type { RoomRole } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import { isolate, useFormat } from '../../../../lib/format';
import type { RoomSnapshot } from '../../session/room-session';
import { initials } from '../../layout';
import { isModerator, stageCommands, type StageState } from '../api/stage';
import { CloseIcon, MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from '../../../../components/icons';
import { HandIcon } from '../../../../components/icons';
import { ParticipantActions, type ParticipantRow } from './participant-actions';
import { useAction } from './use-action';
import '../stage.css';

interface Props {
  snap: RoomSnapshot;
  stage: StageState;
  onClose: () => void;
}

interface Row extends ParticipantRow {
  isSelf: boolean;
}

function rows(snap: RoomSnapshot, stage: StageState): Row[] {
  const hands = new Set(stage.handQueue.map((h) => h.peerId));
  const self: Row = {
    peerId: snap.selfPeerId ?? 'self',
    name: snap.displayName,
    role: snap.role ?? 'attendee',
    isSelf: true,
    micOn: snap.canPublish && !snap.local.micMuted,
    cameraOn: snap.canPublish && snap.local.camera !== null,
    handRaised: stage.handRaised,
  };
  const others = snap.peers.map(
    (p): Row => ({
      peerId: p.peerId,
      name: p.displayName,
      role: p.role,
      isSelf: false,
      micOn: Boolean(p.media.mic && !p.media.mic.paused),
      cameraOn: Boolean(p.media.camera && !p.media.camera.paused),
      handRaised: hands.has(p.peerId),
    }),
  );
  const order: Record<RoomRole, number> = { host: 0, 'co-host': 1, panelist: 2, attendee: 3 };
  return [self, ...others.sort((a, b) => order[a.role] - order[b.role])];
}

/**
 * People in the room with their roles. Hosts and co-hosts also get the lobby, the raised hands, an
 * action menu per person and the room's options.
 */
export function StagePanel({ snap, stage, onClose }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const moderator = isModerator(snap.role);
  const action = useAction();
  const list = rows(snap, stage);
  const guests = new Set(snap.peers.filter((p) => p.guest).map((p) => p.peerId));
  const guestBadge = (peerId: string) =>
    guests.has(peerId) && (
      <span className="badge guest-badge" data-testid="guest-badge">
        {t('room.guest.badge')}
      </span>
    );
  const audience = snap.mode === 'webinar' && stage.participants !== null ? Math.max(0, stage.participants - list.length) : 0;

  return (
    <aside className="side-panel stage-panel" aria-labelledby="participants-title" data-testid="participants-panel">
      <header className="side-panel-header">
        <h2 id="participants-title">{t('room.participantsTitle', { n: stage.participants ?? list.length })}</h2>
        <button type="button" className="icon-button" aria-label={t('room.closePanel')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      <ErrorMessage error={action.error} />

      {moderator && <LobbySection stage={stage} run={action.run} busy={action.busy} />}
      {moderator && stage.handQueue.length > 0 && (
        <section className="panel-section" aria-labelledby="hands-title" data-testid="hand-queue">
          <h3 id="hands-title" className="panel-section-title">
            {t('stage.hands.title', { n: stage.handQueue.length })}
          </h3>
          <ol className="queue-list">
            {stage.handQueue.map((hand) => {
              const peer = snap.peers.find((p) => p.peerId === hand.peerId);
              // Guests stay in the audience; someone already invited waits for their own answer.
              const canPromote = snap.mode === 'webinar' && peer?.role === 'attendee' && !peer.guest && !stage.invitations.some((i) => i.peerId === hand.peerId);
              return (
                <li key={hand.peerId} className="queue-item" data-testid="hand" data-peer-id={hand.peerId}>
                  <span className="queue-name">
                    <HandIcon size={16} /> <bdi>{hand.displayName}</bdi>
                    {guestBadge(hand.peerId)}
                    <span className="muted small">{t('stage.hands.since', { time: format.time(hand.raisedAt) })}</span>
                  </span>
                  <span className="queue-actions">
                    {canPromote && (
                      <button
                        type="button"
                        className="button button-small button-primary"
                        disabled={action.busy !== null}
                        data-testid="hand-promote"
                        aria-label={t('stage.hands.promoteLong', { name: isolate(hand.displayName) })}
                        onClick={() => void action.run(`hand:${hand.peerId}`, () => stageCommands.promote(hand.peerId))}
                      >
                        {t('stage.hands.promote')}
                      </button>
                    )}
                    <button
                      type="button"
                      className="button button-small"
                      disabled={action.busy !== null}
                      data-testid="hand-lower"
                      aria-label={t('stage.hands.lowerLong', { name: isolate(hand.displayName) })}
                      onClick={() => void action.run(`hand:${hand.peerId}`, () => stageCommands.lowerHand(hand.peerId))}
                    >
                      {t('stage.hands.lower')}
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
        </section>
      )}

      {moderator && stage.invitations.length > 0 && (
        <section className="panel-section" aria-labelledby="invitations-title" data-testid="stage-invitations">
          <h3 id="invitations-title" className="panel-section-title">
            {t('stage.invite.pending', { n: stage.invitations.length })}
          </h3>
          <ol className="queue-list">
            {stage.invitations.map((i) => (
              <li key={i.peerId} className="queue-item" data-testid="stage-invitation-pending" data-peer-id={i.peerId}>
                <span className="queue-name">
                  <bdi>{i.displayName}</bdi>
                  <span className="muted small">{t('stage.invite.waiting')}</span>
                </span>
                <span className="queue-actions">
                  <button
                    type="button"
                    className="button button-small"
                    disabled={action.busy !== null}
                    data-testid="stage-invitation-withdraw"
                    aria-label={t('stage.invite.withdrawLong', { name: isolate(i.displayName) })}
                    onClick={() => void action.run(`invite:${i.peerId}`, () => stageCommands.demote(i.peerId))}
                  >
                    {t('stage.invite.withdraw')}
                  </button>
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}

      <section className="panel-section" aria-labelledby="people-title">
        <h3 id="people-title" className="panel-section-title">
          {snap.mode === 'webinar' && !moderator ? t('stage.onStageAndHosts') : t('stage.people')}
        </h3>
        <ul className="participant-list">
          {list.map((r) => (
            <li key={r.peerId} className="participant" data-testid="participant" data-peer-id={r.peerId} data-role={r.role} data-mic-muted={!r.micOn} data-hand={r.handRaised}>
              <span className="avatar-small" aria-hidden="true">
                {initials(r.name)}
              </span>
              <span className="participant-name">
                <bdi>{r.name}</bdi> {r.isSelf && <span className="muted">{t('members.you')}</span>}
                {guestBadge(r.peerId)}
              </span>
              <span className={`role-badge role-${r.role}`}>{t(`room.roles.${r.role}`)}</span>
              <span className="participant-state">
                {r.handRaised && (
                  <span role="img" className="hand-up" aria-label={t('stage.handRaised')} title={t('stage.handRaised')}>
                    <HandIcon size={16} />
                  </span>
                )}
                <span role="img" aria-label={r.cameraOn ? t('room.state.cameraOn') : t('room.state.cameraOff')} className={r.cameraOn ? undefined : 'state-off'}>
                  {r.cameraOn ? <VideoIcon size={16} /> : <VideoOffIcon size={16} />}
                </span>
                <span role="img" aria-label={r.micOn ? t('room.state.micOn') : t('room.state.micMuted')} className={r.micOn ? undefined : 'state-off'}>
                  {r.micOn ? <MicIcon size={16} /> : <MicOffIcon size={16} />}
                </span>
              </span>
              {moderator && !r.isSelf && <ParticipantActions row={r} actorRole={snap.role} mode={snap.mode} run={action.run} busy={action.busy} />}
            </li>
          ))}
        </ul>
        {snap.mode === 'webinar' && !moderator && (
          <p className="muted" data-testid="audience-count">
            {t('stage.audience', { n: format.number(audience) })}
          </p>
        )}
      </section>

      {moderator && <RoomOptionsSection snap={snap} stage={stage} run={action.run} busy={action.busy} />}
    </aside>
  );
}

interface SectionProps {
  stage: StageState;
  run: (key: string, action: () => Promise<unknown>) => Promise<boolean>;
  busy: string | null;
}

function LobbySection({ stage, run, busy }: SectionProps) {
  const { t } = useTranslation();
  if (stage.lobby.length === 0 && !stage.options?.lobby) return null;
  return (
    <section className="panel-section" aria-labelledby="lobby-title" data-testid="lobby-panel">
      <div className="panel-section-head">
        <h3 id="lobby-title" className="panel-section-title">
          {t('stage.lobby.title', { n: stage.lobby.length })}
        </h3>
        {stage.lobby.length > 1 && (
          <button type="button" className="button button-small" disabled={busy !== null} data-testid="lobby-admit-all" onClick={() => void run('lobby:all', stageCommands.admitAll)}>
            {t('stage.lobby.admitAll')}
          </button>
        )}
      </div>
      {stage.lobby.length === 0 ? (
        <p className="muted small">{t('stage.lobby.empty')}</p>
      ) : (
        <ul className="queue-list" aria-live="polite">
          {stage.lobby.map((w) => (
            <li key={w.userId} className="queue-item" data-testid="lobby-entry" data-user-id={w.userId}>
              <span className="queue-name">
                <bdi>{w.displayName}</bdi>
              </span>
              <span className="queue-actions">
                <button
                  type="button"
                  className="button button-small button-primary"
                  disabled={busy !== null}
                  aria-label={t('stage.lobby.admitLong', { name: isolate(w.displayName) })}
                  data-testid="lobby-admit"
                  onClick={() => void run(`lobby:${w.userId}`, () => stageCommands.admit([w.userId]))}
                >
                  {t('stage.lobby.admit')}
                </button>
                <button
                  type="button"
                  className="button button-small"
                  disabled={busy !== null}
                  aria-label={t('stage.lobby.denyLong', { name: isolate(w.displayName) })}
                  data-testid="lobby-deny"
                  onClick={() => void run(`lobby:${w.userId}`, () => stageCommands.deny(w.userId))}
                >
                  {t('stage.lobby.deny')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type OptionKey = 'locked' | 'lobby' | 'allowSelfUnmute';

function RoomOptionsSection({ snap, stage, run, busy }: SectionProps & { snap: RoomSnapshot }) {
  const { t } = useTranslation();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [mutedCount, setMutedCount] = useState<number | null>(null);
  const options = stage.options;
  // A switch shows the new position at once, marked busy, until the server answers (or it flips back).
  const [pending, setPending] = useState<Partial<Record<OptionKey, boolean>>>({});
  const flip = (key: OptionKey, value: boolean) => {
    setPending((p) => ({ ...p, [key]: value }));
    void run(`option:${key}`, () => stageCommands.setOptions({ [key]: value })).finally(() =>
      setPending((p) => {
        const rest = { ...p };
        delete rest[key];
        return rest;
      }),
    );
  };
  const toggle = (key: OptionKey, label: string, hint: string) => (
    <label className="switch option-switch">
      <input
        type="checkbox"
        role="switch"
        checked={pending[key] ?? options?.[key] ?? false}
        aria-busy={pending[key] !== undefined}
        disabled={options === null || busy !== null}
        data-testid={`option-${key}`}
        onChange={(e) => flip(key, e.target.checked)}
      />
      <span>
        {label}
        <span className="field-hint">{hint}</span>
      </span>
    </label>
  );
  return (
    <section className="panel-section" aria-labelledby="options-title" data-testid="room-options">
      <h3 id="options-title" className="panel-section-title">
        {t('stage.options.title')}
      </h3>
      <fieldset className="switches">
        <legend className="visually-hidden">{t('stage.options.title')}</legend>
        {toggle('locked', t('stage.options.lock'), t('stage.options.lockHint'))}
        {toggle('lobby', t('stage.options.lobby'), t('stage.options.lobbyHint'))}
        {toggle('allowSelfUnmute', t('stage.options.selfUnmute'), t('stage.options.selfUnmuteHint'))}
      </fieldset>
      <div className="actions">
        <button
          type="button"
          className="button button-small"
          disabled={busy !== null}
          data-testid="mute-all"
          onClick={() => void run('mute-all', async () => setMutedCount((await stageCommands.muteAll()).muted))}
        >
          {t('stage.options.muteAll')}
        </button>
        {snap.role === 'host' && !confirmEnd && (
          <button type="button" className="button button-small button-danger" data-testid="end-for-all" onClick={() => setConfirmEnd(true)}>
            {t('stage.options.endForAll')}
          </button>
        )}
      </div>
      <p className="status small" role="status">
        {mutedCount !== null && t('stage.options.muted', { n: mutedCount })}
      </p>
      {confirmEnd && (
        <div className="action-confirm" role="alert">
          <p>{t('stage.options.confirmEnd')}</p>
          <div className="actions">
            <button type="button" className="button button-small button-danger" disabled={busy !== null} data-testid="end-for-all-confirm" onClick={() => void run('end', stageCommands.end)}>
              {t('stage.options.endForAll')}
            </button>
            <button type="button" className="button button-small" onClick={() => setConfirmEnd(false)}>
              {t('stage.cancel')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
