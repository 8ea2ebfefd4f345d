import { useEffect, useRef } from 'react';

/**
 * Plays one remote audio track through an <audio> element on the chosen speaker. Reports when the
 * browser's autoplay policy blocks playback so the room can offer a button to start sound.
 */
export function RemoteAudio({ track, sinkId, onBlocked }: { track: MediaStreamTrack; sinkId: string | undefined; onBlocked: () => void }) {
  const ref = useRef<HTMLAudioElement>(null);
  const blocked = useRef(onBlocked);
  blocked.current = onBlocked;

  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    audio.play().catch((e: unknown) => {
      if (e instanceof DOMException && e.name === 'NotAllowedError') blocked.current();
    });
    return () => {
      audio.srcObject = null;
    };
  }, [track]);

  useEffect(() => {
    const audio = ref.current;
    if (!audio || !sinkId || !('setSinkId' in audio) || audio.sinkId === sinkId) return;
    audio.setSinkId(sinkId).catch((e: unknown) => console.warn('[room] cannot use this speaker', e));
  }, [sinkId]);

  return <audio ref={ref} autoPlay data-testid="remote-audio" />;
}
