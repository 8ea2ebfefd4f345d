import { parseVoskMessage } from './vosk-websocket';

describe('Vosk protocol messages', () => {
  it('reads partials, and leaves out empty ones', () => {
    expect(parseVoskMessage('{"partial" : "the library"}')).toEqual({ kind: 'partial', text: 'the library' });
    expect(parseVoskMessage('{"partial" : ""}')).toBeNull();
  });

  it('reads a final result with its words and times', () => {
    const msg = JSON.stringify({
      result: [
        { conf: 1, end: 1.02, start: 0.6, word: 'reading' },
        { conf: 0.87, end: 1.5, start: 1.02, word: 'room' },
      ],
      text: 'reading room',
    });
    expect(parseVoskMessage(msg)).toEqual({
      kind: 'final',
      text: 'reading room',
      start: 0.6,
      end: 1.5,
      words: [
        { word: 'reading', start: 0.6, end: 1.02, confidence: 1 },
        { word: 'room', start: 1.02, end: 1.5, confidence: 0.87 },
      ],
    });
  });

  it('accepts a final without word times (a server started without them), and skips empty finals', () => {
    expect(parseVoskMessage('{"text": "open today"}')).toMatchObject({ kind: 'final', text: 'open today', words: [] });
    expect(parseVoskMessage('{"text": ""}')).toBeNull();
    expect(parseVoskMessage('{"result": [], "text": ""}')).toBeNull();
  });

  it('ignores what is not a result: bad JSON, other objects, malformed words', () => {
    expect(parseVoskMessage('not json')).toBeNull();
    expect(parseVoskMessage('[1,2]')).toBeNull();
    expect(parseVoskMessage('null')).toBeNull();
    expect(parseVoskMessage('{"alternatives": []}')).toBeNull();
    expect(parseVoskMessage('{"result": [{"word": 3}, {"word": "ok", "start": 1, "end": 2}], "text": "ok"}')).toMatchObject({ words: [{ word: 'ok', start: 1, end: 2 }] });
  });
});
