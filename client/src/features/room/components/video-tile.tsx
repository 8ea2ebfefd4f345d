import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isolate } from '../../../lib/format';
import type { RoomSession } from '../session/room-session';
import { useElementSize } from '../hooks/use-element-size';
import { initials, layerForWidth, QUALITY_BARS, qualityOf } from '../layout';
import { MicOffIcon, PinIcon, ScreenIcon } from '../../../components/icons';

export interface TileModel {
  key: string;
  peerId: string;
  name: string;
  kind: 'camera' | 'screen';
  isSelf: boolean;
  track: MediaStreamTrack | null;
  consumerId: string | null;
  layered: boolean;
  micMuted: boolean;
  speaking: boolean;
  /** 0..10, the worse direction of what this tile shows; null while unknown. */
  score: number | null;
}

/** Binds a track to a <video>; `ready` once its first frame is shown (until then the tile shows the avatar, not black). */
export function useVideoTrack(track: MediaStreamTrack | null) {
  const ref = useRef<HTMLVideoElement>(null);
  const [readyTrack, setReadyTrack] = useState<MediaStreamTrack | null>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = track ? new MediaStream([track]) : null;
    if (!track) return;
    const onFrame = () => setReadyTrack(track);
    video.addEventListener('loadeddata', onFrame);
    video.play().catch(() => undefined);
    return () => video.removeEventListener('loadeddata', onFrame);
  }, [track]);
  return { ref, ready: track !== null && readyTrack === track };
}

interface VideoTileProps {
  tile: TileModel;
  session: RoomSession;
  variant: 'grid' | 'main' | 'strip';
  pinned: boolean;
  onTogglePin: () => void;
}

export function VideoTile({ tile, session, variant, pinned, onTogglePin }: VideoTileProps) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(box);
  const video = useVideoTrack(tile.track);
  const quality = qualityOf(tile.score);

  // A thumbnail needs the smallest simulcast layer; a spotlight the full one.
  useEffect(() => {
    if (!tile.consumerId || !tile.layered || width === 0) return;
    const timer = setTimeout(() => session.setPreferredLayer(tile.consumerId!, layerForWidth(width * window.devicePixelRatio)), 250);
    return () => clearTimeout(timer);
  }, [session, tile.consumerId, tile.layered, width]);

  const name = tile.kind === 'screen' ? t('room.tile.screenOf', { name: isolate(tile.name) }) : tile.isSelf ? t('room.tile.you', { name: isolate(tile.name) }) : tile.name;
  const classes = ['tile', `tile-${variant}`, `tile-${tile.kind}`, tile.speaking && tile.kind === 'camera' ? 'tile-speaking' : ''].filter(Boolean).join(' ');

  return (
    <div
      ref={box}
      className={classes}
      role="group"
      aria-label={name}
      data-testid={tile.kind === 'screen' ? 'screen-tile' : 'tile'}
      data-peer-id={tile.peerId}
      data-self={tile.isSelf}
      data-kind={tile.kind}
      data-has-video={tile.track !== null}
      data-video-ready={video.ready}
      data-mic-muted={tile.micMuted}
      data-speaking={tile.speaking}
      data-quality={quality ?? 'unknown'}
    >
      {tile.track && (
        <video ref={video.ref} className={tile.isSelf && tile.kind === 'camera' ? 'mirror' : undefined} autoPlay playsInline muted />
      )}
      {!video.ready && (
        <div className="avatar" aria-hidden="true">
          <span>{initials(tile.name)}</span>
        </div>
      )}
      <div className="tile-label">
        {tile.kind === 'screen' && <ScreenIcon size={16} />}
        {tile.kind === 'camera' && tile.micMuted && (
          <span className="tile-muted" role="img" aria-label={t('room.tile.micMuted')} data-testid="muted-icon">
            <MicOffIcon size={16} />
          </span>
        )}
        <bdi className="tile-name">{name}</bdi>
      </div>
      <button
        type="button"
        className={`tile-pin${pinned ? ' tile-pin-on' : ''}`}
        data-testid="pin"
        aria-pressed={pinned}
        aria-label={t('room.tile.pin', { name })}
        title={pinned ? t('room.tile.unpin') : t('room.tile.pin', { name })}
        onClick={onTogglePin}
      >
        <PinIcon size={16} />
      </button>
      {quality && tile.kind === 'camera' && (
        <span className={`quality quality-${quality}`} role="img" aria-label={t(`room.quality.${quality}`)} title={t(`room.quality.${quality}`)}>
          {[1, 2, 3].map((bar) => (
            <span key={bar} className={bar <= QUALITY_BARS[quality] ? 'on' : undefined} />
          ))}
        </span>
      )}
    </div>
  );
}
