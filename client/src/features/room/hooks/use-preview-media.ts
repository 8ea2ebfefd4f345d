import { useCallback, useEffect, useRef, useState } from 'react';
import { CAMERA_CONSTRAINTS, captureCamera, captureMic, micConstraints } from '../session/room-session';

/** Why a device cannot be used, in words the pre-join screen translates. */
export type CaptureProblem = 'denied' | 'missing' | 'busy' | 'failed';

export function captureProblem(e: unknown): CaptureProblem {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'failed';
}

export interface PreviewMedia {
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  micProblem: CaptureProblem | null;
  cameraProblem: CaptureProblem | null;
  /** The first capture attempt has finished (whatever its outcome). */
  ready: boolean;
}

const INITIAL: PreviewMedia = { mic: null, camera: null, micProblem: null, cameraProblem: null, ready: false };

/**
 * The camera and microphone of the pre-join screen. Asked for together first (one permission prompt),
 * then one at a time on a device switch. The tracks are stopped when the screen goes away, unless
 * `handOver()` gave them to the room.
 */
export function usePreviewMedia(initial: {
  audioInputId?: string | undefined;
  videoInputId?: string | undefined;
  originalSound?: boolean | undefined;
  cameraOn: boolean;
  enabled?: boolean;
}) {
  const [media, setMedia] = useState<PreviewMedia>(INITIAL);
  const latest = useRef(media);
  latest.current = media;
  const handedOver = useRef(false);
  const start = useRef(initial);

  const replace = useCallback((patch: Partial<PreviewMedia>) => {
    setMedia((prev) => {
      if ('mic' in patch && prev.mic && prev.mic !== patch.mic) prev.mic.stop();
      if ('camera' in patch && prev.camera && prev.camera !== patch.camera) prev.camera.stop();
      return { ...prev, ...patch };
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    const { audioInputId, videoInputId, originalSound = false, cameraOn, enabled = true } = start.current;
    // Someone who will only watch (a webinar's audience) is not asked for any device at all.
    if (!enabled) {
      setMedia({ ...INITIAL, ready: true });
      return;
    }
    const mic = micConstraints(originalSound);
    const audio = audioInputId ? { ...mic, deviceId: { ideal: audioInputId } } : mic;
    const video = videoInputId ? { ...CAMERA_CONSTRAINTS, deviceId: { ideal: videoInputId } } : CAMERA_CONSTRAINTS;
    const acquire = async (): Promise<PreviewMedia> => {
      if (!navigator.mediaDevices?.getUserMedia) return { ...INITIAL, micProblem: 'failed', cameraProblem: 'failed', ready: true };
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio, video: cameraOn ? video : false });
        return { mic: stream.getAudioTracks()[0] ?? null, camera: stream.getVideoTracks()[0] ?? null, micProblem: null, cameraProblem: null, ready: true };
      } catch {
        // One of the two may be missing or refused: try each on its own.
        const [mic, camera] = await Promise.allSettled([
          navigator.mediaDevices.getUserMedia({ audio }).then((s) => s.getAudioTracks()[0] ?? null),
          cameraOn ? navigator.mediaDevices.getUserMedia({ video }).then((s) => s.getVideoTracks()[0] ?? null) : Promise.resolve(null),
        ]);
        return {
          mic: mic.status === 'fulfilled' ? mic.value : null,
          camera: camera.status === 'fulfilled' ? camera.value : null,
          micProblem: mic.status === 'rejected' ? captureProblem(mic.reason) : null,
          cameraProblem: camera.status === 'rejected' ? captureProblem(camera.reason) : null,
          ready: true,
        };
      }
    };
    void acquire().then((result) => {
      if (cancelled) {
        result.mic?.stop();
        result.camera?.stop();
        return;
      }
      setMedia(result);
    });
    return () => {
      cancelled = true;
      if (handedOver.current) return;
      latest.current.mic?.stop();
      latest.current.camera?.stop();
    };
  }, []);

  const switchMic = useCallback(
    async (deviceId: string | undefined) => {
      try {
        replace({ mic: await captureMic(deviceId, start.current.originalSound), micProblem: null });
      } catch (e) {
        replace({ micProblem: captureProblem(e) });
      }
    },
    [replace],
  );

  const switchCamera = useCallback(
    async (deviceId: string | undefined) => {
      try {
        replace({ camera: await captureCamera(deviceId), cameraProblem: null });
      } catch (e) {
        replace({ camera: null, cameraProblem: captureProblem(e) });
      }
    },
    [replace],
  );

  const stopCamera = useCallback(() => replace({ camera: null, cameraProblem: null }), [replace]);

  /** Gives the live tracks to the room; this hook will no longer stop them. */
  const handOver = useCallback(() => {
    handedOver.current = true;
    return { mic: latest.current.mic, camera: latest.current.camera };
  }, []);

  /** The room refused us: the tracks are ours again. */
  const takeBack = useCallback(() => {
    handedOver.current = false;
  }, []);

  return { ...media, switchMic, switchCamera, stopCamera, handOver, takeBack };
}
