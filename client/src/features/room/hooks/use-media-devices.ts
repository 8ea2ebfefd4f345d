import { useCallback, useEffect, useState } from 'react';

export interface MediaDeviceLists {
  audioInputs: MediaDeviceInfo[];
  videoInputs: MediaDeviceInfo[];
  audioOutputs: MediaDeviceInfo[];
}

const EMPTY: MediaDeviceLists = { audioInputs: [], videoInputs: [], audioOutputs: [] };

/**
 * The cameras, microphones and speakers the browser offers, kept current when devices are plugged
 * in or out. Labels are empty until the page has been allowed to capture: call `refresh` after that.
 */
export function useMediaDevices(): MediaDeviceLists & { refresh: () => void } {
  const [lists, setLists] = useState<MediaDeviceLists>(EMPTY);

  const refresh = useCallback(() => {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    navigator.mediaDevices.enumerateDevices().then(
      (devices) => {
        // Chromium lists "default" and "communications" aliases besides the real devices; keep them, they follow the OS choice.
        const real = devices.filter((d) => d.deviceId !== '');
        setLists({
          audioInputs: real.filter((d) => d.kind === 'audioinput'),
          videoInputs: real.filter((d) => d.kind === 'videoinput'),
          audioOutputs: real.filter((d) => d.kind === 'audiooutput'),
        });
      },
      () => setLists(EMPTY),
    );
  }, []);

  useEffect(() => {
    refresh();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', refresh);
  }, [refresh]);

  return { ...lists, refresh };
}
