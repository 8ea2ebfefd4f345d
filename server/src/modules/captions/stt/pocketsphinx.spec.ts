import { parseRecogniserLine } from './pocketsphinx';

/** What quorum-recogniser printed for one of the test sentences: partials, then the finished utterance. */
const FINAL = JSON.stringify({
  text: 'the library committee approved the catalogue',
  result: [
    { word: '<s>', start: 0, end: 0.2, conf: 1 },
    { word: 'the(2)', start: 0.2, end: 0.35, conf: 0.943 },
    { word: 'library', start: 0.35, end: 0.91, conf: 0.812 },
    { word: '<sil>', start: 0.91, end: 1.06, conf: 0.999 },
    { word: 'committee', start: 1.06, end: 1.53, conf: 0.701 },
    { word: 'approved', start: 1.53, end: 2.02, conf: 0.655 },
    { word: '[NOISE]', start: 2.02, end: 2.11, conf: 0.5 },
    { word: 'the', start: 2.11, end: 2.21, conf: 0.658 },
    { word: 'catalogue', start: 2.21, end: 2.96, conf: 0.376 },
    { word: '</s>', start: 2.96, end: 3.37, conf: 1 },
  ],
});

describe('the offline recogniser output', () => {
  it('gives the words so far as a partial result', () => {
    expect(parseRecogniserLine('{"partial":"the library committee"}')).toEqual({ kind: 'partial', text: 'the library committee' });
  });

  it('turns a finished utterance into a final result with word times, without silences and fillers', () => {
    const result = parseRecogniserLine(FINAL);
    expect(result).toMatchObject({ kind: 'final', text: 'the library committee approved the catalogue', start: 0.2, end: 2.96 });
    expect(result!.kind === 'final' && result!.words.map((w) => w.word)).toEqual(['the', 'library', 'committee', 'approved', 'the', 'catalogue']);
    expect(result!.kind === 'final' && result!.words[1]).toEqual({ word: 'library', start: 0.35, end: 0.91, confidence: 0.812 });
  });

  it('gives nothing for an utterance of silence and noise alone, an empty partial or a broken line', () => {
    const silence = JSON.stringify({ text: '', result: [{ word: '<s>', start: 0, end: 0.5, conf: 1 }, { word: '<sil>', start: 0.5, end: 1, conf: 1 }, { word: '++BREATH++', start: 1, end: 1.2, conf: 0.4 }] });
    for (const line of [silence, '{"partial":""}', '{"text":"open","result":[{"word":"open"', '']) expect(parseRecogniserLine(line)).toBeNull();
  });
});
