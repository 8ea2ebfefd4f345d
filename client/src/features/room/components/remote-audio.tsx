import { useEffect, useRef } from 'react';
import { audioBlocked, playTrack, setAudioSink, setTrackLevel } from '../session/audio-mix';

/**
 * Plays one remote audio track through the room's audio graph at `level` (0..1: the floor is turned
 * down under an interpretation channel), on the chosen speaker. The muted <audio> element keeps
 * Chromium pulling the remote stream, which WebAudio alone does not. Reports when the browser's
 * autoplay policy holds sound back so the room can offer a button to start it.
 */
export function RemoteAudio({
  track,
  level = 1,
  sinkId,
  onBlocked,
}: {
  track: MediaStreamTrack;
  level?: number;
  sinkId: string | undefined;
  onBlocked: () => void;
}) {
  const ref = useRef<HTMLAudioElement>(null);
  const blocked = useRef(onBlocked);
  blocked.current = onBlocked;
  const initial = useRef(level);
  const key = `${track.id}`;

  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    audio.muted = true;
    audio.play().catch(() => undefined);
    const stop = playTrack(key, track, initial.current);
    if (audioBlocked()) blocked.current();
    return () => {
      stop();
      audio.srcObject = null;
    };
  }, [track, key]);

  useEffect(() => {
    initial.current = level;
    setTrackLevel(key, level);
  }, [key, level]);

  useEffect(() => setAudioSink(sinkId), [sinkId]);

  return <audio ref={ref} autoPlay muted data-testid="remote-audio" data-level={level} />;
}
