import { PocketsphinxOutput } from './pocketsphinx';

/** What pocketsphinx_continuous -time yes printed for one of the test sentences (two utterances). */
const OUTPUT = `the library committee approved the catalogue
<s> 0.000 0.190 0.999600
the(2) 0.200 0.340 0.942983
library 0.350 0.900 0.812000
<sil> 0.910 1.050 0.999300
committee 1.060 1.520 0.701000
approved 1.530 2.010 0.655000
[NOISE] 2.020 2.100 0.500000
the 2.110 2.200 0.657672
catalogue 2.210 2.950 0.376321
</s> 2.960 3.360 1.000000
open
<s> 5.000 5.100 0.999500
open 5.110 5.600 0.900000
</s> 5.610 5.900 1.000000
`;

describe('pocketsphinx output', () => {
  it('turns each utterance into a final result with word times, without silences and fillers', () => {
    const out = new PocketsphinxOutput();
    const results = OUTPUT.split('\n').flatMap((l) => {
      const r = out.line(l);
      return r ? [r] : [];
    });
    expect(results).toHaveLength(2);
    const [first, second] = results;
    expect(first).toMatchObject({ kind: 'final', text: 'the library committee approved the catalogue', start: 0.2, end: 2.95 });
    expect(first!.kind === 'final' && first!.words.map((w) => w.word)).toEqual(['the', 'library', 'committee', 'approved', 'the', 'catalogue']);
    expect(first!.kind === 'final' && first!.words[1]).toEqual({ word: 'library', start: 0.35, end: 0.9, confidence: 0.812 });
    expect(second).toMatchObject({ kind: 'final', text: 'open', start: 5.11, end: 5.6 });
  });

  it('finishes an utterance cut short by the end of the stream or by the next hypothesis', () => {
    const out = new PocketsphinxOutput();
    expect(out.line('reading room')).toBeNull();
    expect(out.line('reading 1.000 1.400 0.9')).toBeNull();
    expect(out.line('room 1.410 1.800 0.8')).toBeNull();
    expect(out.line('next words')).toMatchObject({ text: 'reading room', start: 1, end: 1.8 });
    expect(out.line('next 2.000 2.300 0.9')).toBeNull();
    expect(out.flush()).toMatchObject({ text: 'next' });
    expect(out.flush()).toBeNull();
  });

  it('gives nothing for an utterance of silence and noise alone', () => {
    const out = new PocketsphinxOutput();
    for (const l of ['', '<s> 0.000 0.500 1.0', '<sil> 0.510 1.000 1.0', '++BREATH++ 1.010 1.200 0.4']) expect(out.line(l)).toBeNull();
    expect(out.line('</s> 1.210 1.500 1.0')).toBeNull();
  });
});
