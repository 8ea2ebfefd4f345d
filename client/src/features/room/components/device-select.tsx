import { useId } from 'react';
import { useTranslation } from 'react-i18next';

interface DeviceSelectProps {
  label: string;
  devices: MediaDeviceInfo[];
  value: string | undefined;
  onChange: (deviceId: string) => void;
  /** Name for devices the browser does not label yet: "Camera 2". */
  fallbackName: (n: number) => string;
  testId: string;
  disabled?: boolean;
}

export function DeviceSelect({ label, devices, value, onChange, fallbackName, testId, disabled }: DeviceSelectProps) {
  const { t } = useTranslation();
  const id = useId();
  const known = devices.some((d) => d.deviceId === value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        data-testid={testId}
        value={known ? value : (devices[0]?.deviceId ?? '')}
        disabled={disabled || devices.length === 0}
        onChange={(e) => onChange(e.target.value)}
      >
        {devices.length === 0 && <option value="">{t('room.devices.none')}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || fallbackName(i + 1)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A short two-note chime through the chosen speaker, like Zoom's "Test speaker". */
export async function playTestSound(sinkId: string | undefined): Promise<void> {
  const ctx = new AudioContext();
  const destination = ctx.createMediaStreamDestination();
  const gain = ctx.createGain();
  gain.connect(destination);
  const now = ctx.currentTime;
  [660, 880].forEach((freq, i) => {
    const osc = ctx.createOscillator();
    osc.frequency.value = freq;
    osc.connect(gain);
    osc.start(now + i * 0.25);
    osc.stop(now + i * 0.25 + 0.22);
  });
  gain.gain.setValueAtTime(0.2, now);
  gain.gain.linearRampToValueAtTime(0, now + 0.5);
  const audio = new Audio();
  audio.srcObject = destination.stream;
  if (sinkId && 'setSinkId' in audio) await audio.setSinkId(sinkId).catch(() => undefined);
  await audio.play().catch(() => undefined);
  setTimeout(() => {
    audio.srcObject = null;
    void ctx.close();
  }, 800);
}
