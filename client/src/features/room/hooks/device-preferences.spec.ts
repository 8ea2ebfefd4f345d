import { afterEach, describe, expect, it } from '@jest/globals';
import { loadDevicePreferences, saveDevicePreferences } from './device-preferences';
import { micConstraints } from '../session/room-session';

function install(items: Map<string, string>) {
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    get: () => ({
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    }),
  });
}

afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('device preferences', () => {
  it('remember the devices and original sound for the next meeting', () => {
    install(new Map());
    saveDevicePreferences({ audioInputId: 'mic-2', videoInputId: 'cam-1', audioOutputId: undefined, originalSound: true });
    expect(loadDevicePreferences()).toEqual({ audioInputId: 'mic-2', videoInputId: 'cam-1', audioOutputId: undefined, originalSound: true });
  });

  it('keep voice processing unless original sound was chosen as exactly true', () => {
    for (const stored of ['{"originalSound":"yes"}', '{"originalSound":1}', '{"audioInputId":""}', 'not json', '[]']) {
      install(new Map([['quorum.devices', stored]]));
      expect(loadDevicePreferences().originalSound).toBeUndefined();
    }
  });
});

describe('microphone constraints', () => {
  it('turn all voice processing off for original sound, on otherwise', () => {
    expect(micConstraints(false)).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    expect(micConstraints(true)).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
  });
});
