import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../../../components/language-switcher';
import { canChooseSpeaker, type RoomSession, type RoomSnapshot } from '../session/room-session';
import { saveDevicePreferences } from '../hooks/device-preferences';
import { captureProblem } from '../hooks/use-preview-media';
import { useMediaDevices } from '../hooks/use-media-devices';
import { DeviceSelect, playTestSound } from './device-select';
import { InterpretersPanel } from './interpretation';
import { CaptionsSettings } from './captions';
import type { CaptionsFeed, CaptionsView } from '../captions-api';
import { CloseIcon, SpeakerIcon } from '../../../components/icons';

/** Switch camera, microphone and speaker without leaving the meeting. */
export function SettingsPanel({
  session,
  snap,
  captions,
  onClose,
}: {
  session: RoomSession;
  snap: RoomSnapshot;
  captions?: { feed: CaptionsFeed; view: CaptionsView };
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const devices = useMediaDevices();
  const [problem, setProblem] = useState<string | null>(null);
  const micId = snap.local.mic?.getSettings().deviceId ?? snap.devices.audioInputId;
  const cameraId = snap.local.camera?.getSettings().deviceId ?? snap.devices.videoInputId;
  const speakerId = snap.devices.audioOutputId;

  useEffect(() => {
    saveDevicePreferences(snap.devices);
  }, [snap.devices]);

  const change = (device: 'mic' | 'camera', action: Promise<void>) =>
    action.then(
      () => setProblem(null),
      (e: unknown) => setProblem(t(`room.problem.${captureProblem(e)}`, { device: t(`room.devices.${device}`) })),
    );

  return (
    <aside className="side-panel stack" aria-labelledby="settings-title" data-testid="settings-panel">
      <header className="side-panel-header">
        <h2 id="settings-title">{t('room.settingsTitle')}</h2>
        <button type="button" className="icon-button" aria-label={t('room.closePanel')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </header>
      <DeviceSelect
        label={t('room.devices.mic')}
        devices={devices.audioInputs}
        value={micId}
        onChange={(id) => void change('mic', session.replaceMic(id))}
        fallbackName={(n) => t('room.devices.micN', { n })}
        testId="room-mic-select"
      />
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="original-sound"
          checked={snap.devices.originalSound ?? false}
          onChange={(e) => void change('mic', session.setOriginalSound(e.target.checked))}
        />{' '}
        {t('room.devices.originalSound')}
      </label>
      <p className="muted small">{t('room.devices.originalSoundHint')}</p>
      <DeviceSelect
        label={t('room.devices.camera')}
        devices={devices.videoInputs}
        value={cameraId}
        onChange={(id) => void change('camera', session.replaceCamera(id))}
        fallbackName={(n) => t('room.devices.cameraN', { n })}
        testId="room-camera-select"
      />
      {canChooseSpeaker() && (
        <div className="speaker-row">
          <DeviceSelect
            label={t('room.devices.speaker')}
            devices={devices.audioOutputs}
            value={speakerId}
            onChange={(id) => session.setAudioOutput(id)}
            fallbackName={(n) => t('room.devices.speakerN', { n })}
            testId="room-speaker-select"
          />
          <button type="button" className="button" onClick={() => void playTestSound(speakerId)}>
            <SpeakerIcon size={18} />
            {t('room.devices.test')}
          </button>
        </div>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="field">
        <span className="field-label">{t('app.language')}</span>
        <LanguageSwitcher id="room-language" />
      </div>
      <InterpretersPanel session={session} snap={snap} />
      {captions && <CaptionsSettings feed={captions.feed} view={captions.view} snap={snap} />}
    </aside>
  );
}
