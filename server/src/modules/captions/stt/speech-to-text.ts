import type { CaptionLanguage } from '../../../contract';

/**
 * A speech-to-text engine behind automatic captions. A provider opens one stream per speaker: 16-bit
 * signed little-endian mono PCM goes in, partial results (the words so far, replaced by the next) and
 * final results (a finished utterance, with word times) come out. Times are seconds from the first
 * sample pushed into the stream.
 */
export interface SpeechToTextProvider {
  readonly name: 'offline' | 'websocket';
  /** The languages it recognises. */
  readonly languages: readonly CaptionLanguage[];
  /** Whether it can run here now; when not, a reason a host can act on. */
  check(): Promise<{ ok: true } | { ok: false; reason: string }>;
  start(options: { language: CaptionLanguage; sampleRate: number }): SpeechStream;
}

export interface RecognisedWord {
  word: string;
  start: number;
  end: number;
  /** 0..1 where the engine says. */
  confidence?: number;
}

export type SpeechResult =
  | { kind: 'partial'; text: string }
  | { kind: 'final'; text: string; start: number; end: number; words: RecognisedWord[] };

export interface SpeechStream {
  /** PCM s16le mono at the stream's sample rate; any length, ideally a few tens of milliseconds. */
  push(pcm: Buffer): void;
  onResult(listener: (result: SpeechResult) => void): void;
  /** The engine failed (its process died, its connection broke); no more results come. */
  onError(listener: (error: Error) => void): void;
  /** No more audio: the last utterance is finished and its result delivered before this resolves. */
  end(): Promise<void>;
  /** Stops at once, dropping what has not been recognised yet. */
  abort(): void;
}

/** The final result of a list of words; `text` as the engine gave it when it did. */
export function finalOf(words: RecognisedWord[], text?: string): SpeechResult & { kind: 'final' } {
  const first = words[0];
  const last = words.at(-1);
  return {
    kind: 'final',
    text: (text ?? words.map((w) => w.word).join(' ')).trim(),
    start: first?.start ?? 0,
    end: last?.end ?? first?.start ?? 0,
    words,
  };
}
