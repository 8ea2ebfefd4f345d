import WebSocket from 'ws';
import type { CaptionLanguage } from '../../../contract';
import { finalOf, type RecognisedWord, type SpeechResult, type SpeechStream, type SpeechToTextProvider } from './speech-to-text';

/**
 * A recogniser behind a WebSocket speaking the Vosk server protocol (alphacep/vosk-server): the client
 * sends `{"config":{"sample_rate":16000}}`, then binary PCM frames; the server answers every frame
 * with `{"partial":"..."}` or, at the end of an utterance, `{"result":[{word,start,end,conf}...],"text":"..."}`;
 * `{"eof":1}` asks for the last result, after which the server closes. A Vosk server loads one model,
 * so it recognises the one language it was started with: `STT_WEBSOCKET_LANGUAGES` says which.
 */

interface VoskWord {
  word: string;
  start: number;
  end: number;
  conf?: number;
}

/** One message from the server as a result: null for empty partials and anything else it may send. */
export function parseVoskMessage(data: string): SpeechResult | null {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (!msg || typeof msg !== 'object') return null;
  const m = msg as { partial?: unknown; text?: unknown; result?: unknown };
  if (typeof m.partial === 'string') return m.partial.trim() ? { kind: 'partial', text: m.partial.trim() } : null;
  if (typeof m.text !== 'string') return null;
  const words: RecognisedWord[] = (Array.isArray(m.result) ? (m.result as unknown[]) : [])
    .filter((w): w is VoskWord => !!w && typeof w === 'object' && typeof (w as VoskWord).word === 'string' && Number.isFinite((w as VoskWord).start) && Number.isFinite((w as VoskWord).end))
    .map((w) => ({ word: w.word, start: w.start, end: w.end, ...(typeof w.conf === 'number' ? { confidence: w.conf } : {}) }));
  if (!m.text.trim() && !words.length) return null;
  return finalOf(words, m.text || undefined);
}

export class VoskWebSocketProvider implements SpeechToTextProvider {
  readonly name = 'websocket' as const;

  constructor(
    private readonly url: string,
    readonly languages: readonly CaptionLanguage[],
    private readonly connectTimeoutMs = 5_000,
  ) {}

  /** Reachable: a connection opens within the timeout (and is closed again). */
  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url, { handshakeTimeout: this.connectTimeoutMs });
      ws.once('open', () => {
        ws.close();
        resolve({ ok: true });
      });
      ws.once('error', (err) => resolve({ ok: false, reason: `the speech-to-text server at STT_WEBSOCKET_URL does not answer: ${err.message}` }));
    });
  }

  start(options: { language: CaptionLanguage; sampleRate: number }): SpeechStream {
    if (!this.languages.includes(options.language)) throw new Error(`the speech-to-text server is not set up for ${options.language}`);
    return new VoskStream(new WebSocket(this.url, { handshakeTimeout: this.connectTimeoutMs }), options.sampleRate);
  }
}

class VoskStream implements SpeechStream {
  private readonly results = new Set<(r: SpeechResult) => void>();
  private readonly errors = new Set<(e: Error) => void>();
  /** Audio pushed before the connection opened. */
  private queue: Buffer[] = [];
  private ending = false;
  private aborted = false;
  private readonly closed: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    sampleRate: number,
  ) {
    ws.once('open', () => {
      ws.send(JSON.stringify({ config: { sample_rate: sampleRate } }));
      for (const b of this.queue) ws.send(b);
      this.queue = [];
      if (this.ending) ws.send(JSON.stringify({ eof: 1 }));
    });
    ws.on('message', (data, binary) => {
      if (binary) return;
      const result = parseVoskMessage(data.toString());
      if (result) for (const l of this.results) l(result);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        if (!this.ending && !this.aborted) this.fail(new Error(`the speech-to-text server closed the stream (${code})`));
        resolve();
      });
    });
    ws.on('error', (err) => this.fail(err));
  }

  private fail(err: Error): void {
    for (const l of this.errors) l(err);
  }

  push(pcm: Buffer): void {
    if (this.ending || this.aborted) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(pcm);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.queue.push(pcm);
  }

  onResult(listener: (result: SpeechResult) => void): void {
    this.results.add(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errors.add(listener);
  }

  async end(): Promise<void> {
    if (this.aborted) return;
    if (!this.ending) {
      this.ending = true;
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ eof: 1 }));
      else if (this.ws.readyState !== WebSocket.CONNECTING) return;
    }
    // The server answers eof with the last result and closes; one that does not is closed after a while.
    const timer = setTimeout(() => this.ws.terminate(), 10_000).unref();
    await this.closed;
    clearTimeout(timer);
  }

  abort(): void {
    this.aborted = true;
    this.queue = [];
    this.ws.terminate();
  }
}
