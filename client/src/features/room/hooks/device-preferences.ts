import type { DevicePreferences } from '../session/room-session';
import { keepJson, readKeptJson } from '../../../lib/storage';

const KEY = 'quorum.devices';

/** The camera, microphone, speaker and sound chosen last time, so the next meeting starts with them. */
export function loadDevicePreferences(): DevicePreferences {
  const raw = readKeptJson(KEY);
  if (!raw || typeof raw !== 'object') return {};
  const pick = (k: 'audioInputId' | 'videoInputId' | 'audioOutputId') => {
    const v = (raw as Record<string, unknown>)[k];
    return typeof v === 'string' && v.length > 0 && v.length < 256 ? v : undefined;
  };
  const originalSound = (raw as Record<string, unknown>).originalSound === true;
  return {
    audioInputId: pick('audioInputId'),
    videoInputId: pick('videoInputId'),
    audioOutputId: pick('audioOutputId'),
    ...(originalSound ? { originalSound } : {}),
  };
}

export function saveDevicePreferences(prefs: DevicePreferences): void {
  // Private mode or full storage: the choice just is not remembered.
  keepJson(KEY, prefs);
}
