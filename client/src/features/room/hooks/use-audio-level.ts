import { useEffect, useRef } from 'react';

let shared: AudioContext | null = null;

/** One AudioContext for the page; browsers limit how many may run. Resumed on the first user gesture if it starts suspended. */
export function audioContext(): AudioContext {
  if (!shared || shared.state === 'closed') {
    shared = new AudioContext();
    if (shared.state === 'suspended') {
      const resume = () => void shared?.resume();
      void shared.resume().catch(() => undefined);
      window.addEventListener('pointerdown', resume, { once: true, capture: true });
      window.addEventListener('keydown', resume, { once: true, capture: true });
    }
  }
  return shared;
}

/**
 * Measures a microphone track with an AnalyserNode and hands the level (0..1, roughly perceptual)
 * to `onLevel` about 20 times a second, without re-rendering React on every frame.
 */
export function useAudioLevel(track: MediaStreamTrack | null, onLevel: (level: number) => void): void {
  const callback = useRef(onLevel);
  callback.current = onLevel;

  useEffect(() => {
    if (!track || track.readyState === 'ended') {
      callback.current(0);
      return;
    }
    const ctx = audioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    analyser.smoothingTimeConstant = 0.3;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let smoothed = 0;
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      // -60 dBFS .. 0 dBFS mapped to 0..1: speech sits around the middle.
      const db = 20 * Math.log10(Math.max(rms, 1e-6));
      const level = Math.min(1, Math.max(0, (db + 60) / 60));
      smoothed = level > smoothed ? level : smoothed * 0.8 + level * 0.2;
      callback.current(track.enabled ? smoothed : 0);
    }, 50);
    return () => {
      clearInterval(timer);
      source.disconnect();
      analyser.disconnect();
    };
  }, [track]);
}
