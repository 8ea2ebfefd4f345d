import { audioContext } from '../hooks/use-audio-level';

/**
 * Everything the room plays goes through one WebAudio graph: each remote audio track has its own
 * GainNode (the floor quieter under an interpretation channel, a channel at full level), all summed in
 * one master node that feeds the speakers. A gain change applies within one audio render quantum.
 *
 * `window.__quorumAudioTap` (set by the browser tests before the page loads) asks for an AnalyserNode
 * on the master: what the page actually plays, after every gain, measured where it leaves for the
 * speakers.
 */

interface Voice {
  source: MediaStreamAudioSourceNode;
  gain: GainNode;
}

declare global {
  interface Window {
    /** Test-only: set before load to get an analyser on the room's audio output. */
    __quorumAudioTap?: boolean | AnalyserNode;
  }
}

let master: GainNode | null = null;
const voices = new Map<string, Voice>();

function output(): GainNode {
  const ctx = audioContext();
  if (!master || master.context !== ctx) {
    master = ctx.createGain();
    master.connect(ctx.destination);
    if (window.__quorumAudioTap) {
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      analyser.smoothingTimeConstant = 0;
      master.connect(analyser);
      window.__quorumAudioTap = analyser;
    }
  }
  return master;
}

/** Plays a track at `level` (0..1) under `key`; returns the function that stops it. */
export function playTrack(key: string, track: MediaStreamTrack, level: number): () => void {
  stopTrack(key);
  const ctx = audioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const gain = ctx.createGain();
  gain.gain.value = level;
  source.connect(gain).connect(output());
  const voice = { source, gain };
  voices.set(key, voice);
  return () => {
    if (voices.get(key) === voice) stopTrack(key);
  };
}

export function setTrackLevel(key: string, level: number): void {
  const voice = voices.get(key);
  if (!voice) return;
  const ctx = voice.gain.context;
  // A very short ramp: no click, and still well inside a switch's time budget.
  voice.gain.gain.setTargetAtTime(level, ctx.currentTime, 0.01);
}

function stopTrack(key: string): void {
  const voice = voices.get(key);
  if (!voice) return;
  voices.delete(key);
  voice.source.disconnect();
  voice.gain.disconnect();
}

/** Whether the browser still holds sound back until a user gesture (autoplay policy). */
export const audioBlocked = (): boolean => audioContext().state === 'suspended';

export async function resumeAudio(): Promise<void> {
  await audioContext().resume();
}

/** Sends the room's sound to the chosen speaker, where the browser can (AudioContext.setSinkId). */
export function setAudioSink(sinkId: string | undefined): void {
  const ctx = audioContext() as AudioContext & { setSinkId?: (id: string) => Promise<void>; sinkId?: string };
  if (!sinkId || !ctx.setSinkId || ctx.sinkId === sinkId) return;
  ctx.setSinkId(sinkId).catch((e: unknown) => console.warn('[room] cannot use this speaker', e));
}
