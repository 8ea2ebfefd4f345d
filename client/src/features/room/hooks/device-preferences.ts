import type { DevicePreferences } from '../session/room-session';

const KEY = 'quorum.devices';

/** The camera, microphone and speaker chosen last time, so the next meeting starts with them. */
export function loadDevicePreferences(): DevicePreferences {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    if (!raw || typeof raw !== 'object') return {};
    const pick = (k: keyof DevicePreferences) => {
      const v = (raw as Record<string, unknown>)[k];
      return typeof v === 'string' && v.length > 0 && v.length < 256 ? v : undefined;
    };
    return { audioInputId: pick('audioInputId'), videoInputId: pick('videoInputId'), audioOutputId: pick('audioOutputId') };
  } catch {
    return {};
  }
}

export function saveDevicePreferences(prefs: DevicePreferences): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    /* private mode or full storage: the choice just is not remembered */
  }
}
