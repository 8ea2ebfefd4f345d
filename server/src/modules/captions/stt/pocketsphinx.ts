import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { CaptionLanguage } from '../../../contract';
import { type SpeechResult, type SpeechStream, type SpeechToTextProvider } from './speech-to-text';
import { parseVoskMessage } from './vosk-websocket';

/**
 * The offline recogniser: CMU PocketSphinx from Debian (`libpocketsphinx3`, `pocketsphinx-en-us`)
 * driven by `quorum-recogniser` (server/native/recogniser.c, built by `npm install`), one child process
 * per stream so decoding never blocks the event loop. It reads PCM from stdin as it arrives, cuts
 * utterances at pauses with PocketSphinx's own voice detector, and answers in the Vosk server's shape:
 * partial results while someone speaks, a final result with word times when they pause.
 * Only US English is installed as a model, so it offers `en` only.
 */

export const RECOGNISER_BINARY = process.env.QUORUM_RECOGNISER ?? path.resolve(__dirname, '../../../../native/build/quorum-recogniser');
export const POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';
/** How much speech passes between two partial results. */
const PARTIAL_EVERY_MS = 300;

/** Tokens that are not words: sentence marks, silence and the model's fillers. */
const NOT_WORDS = /^(<s>|<\/s>|<sil>|\[[A-Z_]+\]|\+\+.*\+\+|\+[A-Z_]+\+)$/i;

/**
 * One line of the recogniser's output as a result. Final results keep real words only, and count an
 * alternate pronunciation (`the(2)`) as the word itself; an utterance of silence and noise gives null.
 */
export function parseRecogniserLine(line: string): SpeechResult | null {
  const result = parseVoskMessage(line);
  if (!result || result.kind === 'partial') return result;
  const words = result.words.filter((w) => !NOT_WORDS.test(w.word)).map((w) => ({ ...w, word: w.word.replace(/\(\d+\)$/, '').toLowerCase() }));
  if (!words.length) return null;
  return { kind: 'final', text: result.text || words.map((w) => w.word).join(' '), start: words[0]!.start, end: words.at(-1)!.end, words };
}

export class PocketsphinxProvider implements SpeechToTextProvider {
  readonly name = 'offline' as const;
  readonly languages: readonly CaptionLanguage[] = ['en'];

  constructor(
    private readonly binary = RECOGNISER_BINARY,
    private readonly model = POCKETSPHINX_MODEL,
  ) {}

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await access(`${this.model}/en-us/mdef`);
    } catch {
      return { ok: false, reason: `the US English model is missing from ${this.model} (apt-get install pocketsphinx-en-us)` };
    }
    try {
      await access(this.binary, constants.X_OK);
    } catch {
      return { ok: false, reason: `the recogniser is not built at ${this.binary} (apt-get install libpocketsphinx-dev libsphinxbase-dev pkg-config gcc, then npm install)` };
    }
    return { ok: true };
  }

  start(options: { language: CaptionLanguage; sampleRate: number }): SpeechStream {
    if (!this.languages.includes(options.language)) throw new Error(`pocketsphinx has no ${options.language} model here`);
    const args = [
      '-samprate', String(options.sampleRate),
      '-hmm', `${this.model}/en-us`,
      '-lm', `${this.model}/en-us.lm.bin`,
      '-dict', `${this.model}/cmudict-en-us.dict`,
      // Digital silence (a muted line feed, Opus in a pause) has no noise for the speech detector to measure against.
      '-dither', 'yes',
      // The language model weighed a little more than the default 6.5 (docs/captions.md: fewer errors
      // on synthetic speech through Opus, none more on the recorded human speech tried).
      '-lw', '8',
      '-partial_ms', String(PARTIAL_EVERY_MS),
      '-logfn', '/dev/null',
    ];
    return new ChildStream(spawn(this.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }
}

/** A recogniser in a child process: PCM to its stdin, results parsed from its stdout lines. */
class ChildStream implements SpeechStream {
  private readonly results = new Set<(r: SpeechResult) => void>();
  private readonly errors = new Set<(e: Error) => void>();
  private readonly exited: Promise<void>;
  private ending = false;
  private aborted = false;
  private stderr = '';

  constructor(private readonly child: ChildProcess) {
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) this.emit(parseRecogniserLine(l));
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.fail(err);
        resolve();
      });
      child.once('close', (code, signal) => {
        if (pending) this.emit(parseRecogniserLine(pending));
        if (!this.ending && !this.aborted) this.fail(new Error(`the recogniser stopped (${signal ?? code}): ${this.stderr.trim().slice(-300)}`));
        resolve();
      });
    });
  }

  private emit(result: SpeechResult | null): void {
    if (result && !this.aborted) for (const l of this.results) l(result);
  }

  private fail(err: Error): void {
    for (const l of this.errors) l(err);
  }

  push(pcm: Buffer): void {
    if (this.ending || this.aborted || !this.child.stdin!.writable) return;
    this.child.stdin!.write(pcm);
  }

  onResult(listener: (result: SpeechResult) => void): void {
    this.results.add(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errors.add(listener);
  }

  async end(): Promise<void> {
    if (this.ending || this.aborted) return this.exited;
    this.ending = true;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.abort(), 10_000).unref();
    await this.exited;
    clearTimeout(timer);
  }

  abort(): void {
    this.aborted = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
