import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for vosk-server (alphacep/vosk-server, websocket/asr_server.py), which cannot be installed
 * here: the same protocol, message for message, with a scripted recogniser instead of a model.
 * - the first text message is `{"config":{"sample_rate":N}}` (required before audio, as Quorum sends it);
 * - every binary frame (16-bit mono PCM) is answered with one message: `{"partial":"..."}` while an
 *   utterance goes on (empty between utterances), or `{"result":[{conf,end,start,word}...],"text":"..."}`
 *   when one ends (an energy detector: speech, then `silenceMs` of quiet);
 * - `{"eof":1}` is answered with the last result (`{"text":""}` when there is none) and the socket is closed.
 * The words of each utterance are the next phrase of `phrases` (cycling), spread evenly over the
 * utterance's real time in the stream, so timing and storage can be checked end to end.
 */
export interface VoskStandIn {
  url: string;
  /** Configs received, one per stream. */
  configs: { sample_rate: number }[];
  /** Streams that ended with `{"eof":1}`. */
  eofs: number;
  /** PCM bytes received over all streams. */
  bytes: number;
  close(): Promise<void>;
}

export async function startVoskStandIn(phrases: string[], opts: { silenceMs?: number; threshold?: number } = {}): Promise<VoskStandIn> {
  const silenceMs = opts.silenceMs ?? 400;
  const threshold = opts.threshold ?? 500;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let next = 0;
  const state: VoskStandIn = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    configs: [],
    eofs: 0,
    bytes: 0,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };

  wss.on('connection', (ws: WebSocket) => {
    let rate = 0;
    let samples = 0;
    let speechStart: number | null = null;
    let lastLoud = 0;
    const result = (start: number, end: number) => {
      const words = phrases[next++ % phrases.length]!.split(/\s+/);
      const step = (end - start) / words.length;
      return {
        result: words.map((word, i) => ({ conf: 1, end: +(start + (i + 1) * step).toFixed(6), start: +(start + i * step).toFixed(6), word })),
        text: words.join(' '),
      };
    };
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) {
        const msg = JSON.parse(data.toString()) as { config?: { sample_rate: number }; eof?: number };
        if (msg.config) {
          rate = msg.config.sample_rate;
          state.configs.push(msg.config);
          return;
        }
        if (msg.eof) {
          state.eofs++;
          const last = speechStart !== null ? result(speechStart / rate, lastLoud / rate) : { text: '' };
          ws.send(JSON.stringify(last), () => ws.close());
        }
        return;
      }
      if (!rate) return ws.close(1003, 'config first');
      state.bytes += data.length;
      let sum = 0;
      const n = Math.floor(data.length / 2);
      for (let i = 0; i < n; i++) sum += data.readInt16LE(i * 2) ** 2;
      const loud = n > 0 && Math.sqrt(sum / n) > threshold;
      samples += n;
      if (loud) {
        lastLoud = samples;
        if (speechStart === null) speechStart = samples - n;
      }
      if (speechStart !== null && !loud && ((samples - lastLoud) / rate) * 1000 >= silenceMs) {
        ws.send(JSON.stringify(result(speechStart / rate, lastLoud / rate)));
        speechStart = null;
        return;
      }
      ws.send(JSON.stringify({ partial: speechStart !== null ? (phrases[next % phrases.length]!.split(/\s+/)[0] ?? '') : '' }));
    });
  });
  return state;
}
