import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { CaptionLanguage } from '../../../contract';
import { finalOf, type RecognisedWord, type SpeechResult, type SpeechStream, type SpeechToTextProvider } from './speech-to-text';

/**
 * The offline recogniser: CMU PocketSphinx from Debian (`pocketsphinx`, `pocketsphinx-en-us`), run as
 * one child process per stream so decoding never blocks the event loop. `pocketsphinx_continuous`
 * segments the audio at pauses itself and prints each utterance when it ends, with word times
 * (`-time yes`); it gives no partial results. It opens its input by name, and a socket (what Node
 * gives a child's stdin) cannot be opened as /dev/stdin: `cat` hands the PCM on through a real pipe.
 * Only US English is installed as a model, so it offers `en` only.
 */

export const POCKETSPHINX_BINARY = 'pocketsphinx_continuous';
export const POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

/** Words that are not words: sentence marks, silence and the model's fillers. */
const NOT_WORDS = /^(<s>|<\/s>|<sil>|\[[A-Z_]+\]|\+\+.*\+\+|\+[A-Z_]+\+)$/i;
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)$/;

/**
 * Reads pocketsphinx_continuous `-time yes` output line by line: a hypothesis line, then one line per
 * segment (`word start end posterior`), closed by `</s>`. Alternate pronunciations (`the(2)`) count as
 * the word itself. Returns a final result per closed utterance; `flush` closes one cut short.
 */
export class PocketsphinxOutput {
  private words: RecognisedWord[] = [];
  private open = false;

  line(raw: string): SpeechResult | null {
    const line = raw.trim();
    if (!line) return null;
    const m = WORD_LINE.exec(line);
    if (!m) {
      // A hypothesis line starts a new utterance (any unclosed one is finished first).
      const done = this.flush();
      this.open = true;
      return done;
    }
    this.open = true;
    const token = m[1]!;
    if (token === '</s>') return this.flush();
    if (NOT_WORDS.test(token)) return null;
    this.words.push({ word: token.replace(/\(\d+\)$/, '').toLowerCase(), start: Number(m[2]), end: Number(m[3]), confidence: Math.max(0, Math.min(1, Number(m[4]))) });
    return null;
  }

  flush(): SpeechResult | null {
    const words = this.words;
    const had = this.open;
    this.words = [];
    this.open = false;
    return had && words.length ? finalOf(words) : null;
  }
}

export class PocketsphinxProvider implements SpeechToTextProvider {
  readonly name = 'offline' as const;
  readonly languages: readonly CaptionLanguage[] = ['en'];

  constructor(
    private readonly binary = POCKETSPHINX_BINARY,
    private readonly model = POCKETSPHINX_MODEL,
  ) {}

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const found = await new Promise<boolean>((resolve) => execFile('sh', ['-c', `command -v ${this.binary}`], (err) => resolve(!err)));
    if (!found) return { ok: false, reason: `${this.binary} is not installed (apt-get install pocketsphinx pocketsphinx-en-us)` };
    try {
      await access(`${this.model}/en-us/mdef`);
    } catch {
      return { ok: false, reason: `the US English model is missing from ${this.model} (apt-get install pocketsphinx-en-us)` };
    }
    return { ok: true };
  }

  start(options: { language: CaptionLanguage; sampleRate: number }): SpeechStream {
    if (!this.languages.includes(options.language)) throw new Error(`pocketsphinx has no ${options.language} model here`);
    const args = [
      '-infile', '/dev/stdin',
      '-samprate', String(options.sampleRate),
      '-hmm', `${this.model}/en-us`,
      '-lm', `${this.model}/en-us.lm.bin`,
      '-dict', `${this.model}/cmudict-en-us.dict`,
      '-time', 'yes',
      // Digital silence (a muted line feed, Opus in a pause) has no noise for the speech detector to measure against.
      '-dither', 'yes',
      // The language model weighed a little more than the default 6.5 (docs/captions.md: fewer errors
      // on synthetic speech through Opus, none more on the recorded human speech tried).
      '-lw', '8',
      '-logfn', '/dev/null',
    ];
    // `cat` turns Node's socket into a pipe pocketsphinx can open by name; its own process group, so the pair ends together.
    const child = spawn('sh', ['-c', `cat | exec ${this.binary} "$@"`, 'sh', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    return new ChildStream(child, new PocketsphinxOutput());
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

  constructor(
    private readonly child: ChildProcess,
    private readonly output: PocketsphinxOutput,
  ) {
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) this.emit(this.output.line(l));
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.fail(err);
        resolve();
      });
      child.once('close', (code, signal) => {
        if (pending) this.emit(this.output.line(pending));
        this.emit(this.output.flush());
        if (!this.ending && !this.aborted) this.fail(new Error(`pocketsphinx stopped (${signal ?? code}): ${this.stderr.trim().slice(-300)}`));
        resolve();
      });
    });
  }

  private emit(result: SpeechResult | null): void {
    if (result) for (const l of this.results) l(result);
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
    const timer = setTimeout(() => this.kill(), 10_000).unref();
    await this.exited;
    clearTimeout(timer);
  }

  abort(): void {
    this.aborted = true;
    this.kill();
  }

  private kill(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}
