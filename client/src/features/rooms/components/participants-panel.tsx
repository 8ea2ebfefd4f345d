import { useTranslation } from 'react-i18next';
import type { RoomRole } from '@contract';
import type { RoomSnapshot } from '../../../lib/media';
import { initials } from '../layout';
import { CloseIcon, MicIcon, MicOffIcon, ScreenIcon, VideoIcon, VideoOffIcon } from './icons';

interface Row {
  peerId: string;
  name: string;
  role: RoomRole | null;
  isSelf: boolean;
  micMuted: boolean;
  cameraOn: boolean;
  sharing: boolean;
  speaking: boolean;
}

export function ParticipantsPanel({ snap, onClose }: { snap: RoomSnapshot; onClose: () => void }) {
  const { t } = useTranslation();
  const rows: Row[] = [
    {
      peerId: snap.selfPeerId ?? 'self',
      name: snap.displayName,
      role: snap.role,
      isSelf: true,
      micMuted: snap.local.micMuted || !snap.canPublish,
      cameraOn: snap.canPublish && snap.local.camera !== null,
      sharing: snap.local.screen !== null,
      speaking: snap.selfPeerId !== null && snap.speaking.has(snap.selfPeerId),
    },
    ...snap.peers.map((p) => ({
      peerId: p.peerId,
      name: p.displayName,
      role: p.role,
      isSelf: false,
      micMuted: !p.media.mic || p.media.mic.paused,
      cameraOn: Boolean(p.media.camera && !p.media.camera.paused),
      sharing: Boolean(p.media.screen),
      speaking: snap.speaking.has(p.peerId),
    })),
  ];
  return (
    <aside className="side-panel" aria-labelledby="participants-title" data-testid="participants-panel">
      <header className="side-panel-header">
        <h2 id="participants-title">{t('room.participantsTitle', { n: rows.length })}</h2>
        <button type="button" className="icon-button" aria-label={t('room.closePanel')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      <ul className="participant-list">
        {rows.map((r) => (
          <li key={r.peerId} className="participant" data-testid="participant" data-peer-id={r.peerId} data-mic-muted={r.micMuted}>
            <span className={`avatar-small${r.speaking ? ' speaking' : ''}`} aria-hidden="true">
              {initials(r.name)}
            </span>
            <span className="participant-name">
              <bdi>{r.name}</bdi> {r.isSelf && <span className="muted">{t('members.you')}</span>}
              {r.role && r.role !== 'attendee' && <span className="role-badge">{t(`room.roles.${r.role}`)}</span>}
            </span>
            <span className="participant-state">
              {r.sharing && (
                <span role="img" aria-label={t('room.state.sharing')} title={t('room.state.sharing')}>
                  <ScreenIcon size={16} />
                </span>
              )}
              <span role="img" aria-label={r.cameraOn ? t('room.state.cameraOn') : t('room.state.cameraOff')} className={r.cameraOn ? undefined : 'state-off'}>
                {r.cameraOn ? <VideoIcon size={16} /> : <VideoOffIcon size={16} />}
              </span>
              <span role="img" aria-label={r.micMuted ? t('room.state.micMuted') : t('room.state.micOn')} className={r.micMuted ? 'state-off' : undefined}>
                {r.micMuted ? <MicOffIcon size={16} /> : <MicIcon size={16} />}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
