import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../../components/error-message';
import { VideoOffIcon } from '../../../../components/icons';
import { loadDevicePreferences } from '../../hooks/device-preferences';
import { useAudioLevel } from '../../hooks/use-audio-level';
import { usePreviewMedia } from '../../hooks/use-preview-media';
import type { RoomSession, RoomSnapshot } from '../../session/room-session';
import { useVideoTrack } from '../../components/video-tile';

/**
 * An invitation on stage, for the invited person: in a webinar's audience nothing is captured until
 * now, so the camera and microphone start here, for a check (picture and level), and go on the air
 * only with "Go on stage". Declining stops them again.
 */
export function StageInvitationDialog({ session, snap }: { session: RoomSession; snap: RoomSnapshot }) {
  const [checking, setChecking] = useState(false);
  const invited = snap.stage.invitation !== null;
  useEffect(() => {
    if (!invited) setChecking(false);
  }, [invited]);
  if (!invited) return null;
  if (snap.canPublish) return <AcceptOnly session={session} />;
  // First the answer, with nothing captured; the devices start only for someone who said yes.
  if (!checking)
    return <Frame key="ask" acceptLabel="stage.invite.check" acceptTestId="stage-invitation-accept" onAccept={async () => setChecking(true)} onDecline={() => session.declineStage()} ready />;
  return <DeviceCheck session={session} />;
}

function DeviceCheck({ session }: { session: RoomSession }) {
  const { t } = useTranslation();
  const prefs = useMemo(loadDevicePreferences, []);
  const media = usePreviewMedia({ ...prefs, cameraOn: true });
  const video = useVideoTrack(media.camera);
  const meter = useRef<HTMLDivElement>(null);
  useAudioLevel(media.mic, (level) => {
    const el = meter.current;
    if (!el) return;
    const pct = Math.round(level * 100);
    el.style.setProperty('--level', `${pct}%`);
    el.setAttribute('aria-valuenow', String(pct));
  });
  return (
    <Frame
      key="check"
      acceptLabel="stage.invite.accept"
      acceptTestId="stage-invitation-go-live"
      onAccept={async () => {
        const tracks = media.handOver();
        try {
          await session.acceptStage(tracks);
        } catch (e) {
          media.takeBack();
          throw e;
        }
      }}
      onDecline={() => session.declineStage()}
      ready={media.ready}
    >
      <div className="preview-video invitation-preview">
        {media.camera ? (
          <video ref={video.ref} className="mirror" autoPlay playsInline muted data-testid="invitation-preview-video" />
        ) : (
          <div className="preview-off">
            <span className="preview-off-text">
              <VideoOffIcon size={18} /> {media.ready ? t('room.prejoin.cameraOff') : t('room.prejoin.starting')}
            </span>
          </div>
        )}
      </div>
      <div className="mic-meter-row">
        <span className="muted">{t('room.prejoin.micLevel')}</span>
        <div ref={meter} className="mic-meter" role="meter" aria-label={t('room.prejoin.micLevel')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} data-testid="invitation-mic-meter" />
      </div>
    </Frame>
  );
}

/** In a meeting the devices are already in use: only the answer is asked. */
function AcceptOnly({ session }: { session: RoomSession }) {
  return <Frame acceptLabel="stage.invite.accept" acceptTestId="stage-invitation-accept" onAccept={() => session.acceptStage(null)} onDecline={() => session.declineStage()} ready />;
}

interface FrameProps {
  children?: ReactNode;
  acceptLabel: 'stage.invite.accept' | 'stage.invite.check';
  acceptTestId: string;
  onAccept: () => Promise<void>;
  onDecline: () => Promise<void>;
  ready: boolean;
}

function Frame({ children, acceptLabel, acceptTestId, onAccept, onDecline, ready }: FrameProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef<HTMLButtonElement>(null);
  // The invitation takes the focus, and gives it back to where it was when it closes.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => before?.focus?.();
  }, []);
  const answer = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setBusy(false);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <div className="invitation-backdrop">
      <div className="card invitation-dialog stack" role="dialog" aria-modal="true" aria-labelledby="stage-invitation-title" aria-describedby="stage-invitation-body" data-testid="stage-invitation">
        <h2 id="stage-invitation-title">{t('stage.invite.title')}</h2>
        <p id="stage-invitation-body">{t('stage.invite.body')}</p>
        {children}
        <ErrorMessage error={error} />
        <div className="actions">
          <button ref={first} type="button" className="button button-primary" data-testid={acceptTestId} disabled={busy || !ready} onClick={() => void answer(onAccept)}>
            {t(acceptLabel)}
          </button>
          <button type="button" className="button" data-testid="stage-invitation-decline" disabled={busy} onClick={() => void answer(onDecline)}>
            {t('stage.invite.decline')}
          </button>
        </div>
      </div>
    </div>
  );
}
