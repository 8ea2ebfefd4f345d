import { buildWebVtt, cuesWithin, escapeCueText, MIN_CUE_MS, vttTimestamp } from './webvtt';

/** The cue blocks of a file: [id, timing, text] each. */
const cues = (vtt: string) =>
  vtt
    .split('\n\n')
    .slice(1)
    .filter((b) => b.trim() && !b.startsWith('NOTE'))
    .map((b) => b.split('\n').filter(Boolean));

describe('WebVTT builder', () => {
  it.each([
    [0, '00:00:00.000'],
    [1, '00:00:00.001'],
    [999, '00:00:00.999'],
    [61_000, '00:01:01.000'],
    [3_599_999, '00:59:59.999'],
    [3_600_000, '01:00:00.000'],
    [36_000_000 * 10 + 5, '100:00:00.005'],
    [-20, '00:00:00.000'],
    [1234.6, '00:00:01.235'],
  ])('writes %p ms as %s', (ms, text) => {
    expect(vttTimestamp(ms)).toBe(text);
  });

  it('starts with the signature and a blank line, and ends every cue with one', () => {
    const vtt = buildWebVtt([{ startMs: 1000, endMs: 2500, text: 'Welcome' }]);
    expect(vtt).toBe('WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nWelcome\n');
    expect(buildWebVtt([])).toBe('WEBVTT\n');
  });

  it('escapes markup, ampersands and the cue arrow so words stay words', () => {
    expect(escapeCueText('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(escapeCueText('x --> y')).toBe('x --&gt; y');
    expect(escapeCueText('<b>bold</b>')).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(escapeCueText('&amp;')).toBe('&amp;amp;');
    const vtt = buildWebVtt([{ startMs: 0, endMs: 1000, text: 'minutes --> approved <now>', speaker: 'Ana <chair> & co' }]);
    expect(vtt).not.toMatch(/approved --> /);
    expect(vtt.split('\n').filter((l) => l.includes('-->'))).toEqual(['00:00:00.000 --> 00:00:01.000']);
    expect(vtt).toContain('<v Ana &lt;chair&gt; &amp; co>minutes --&gt; approved &lt;now&gt;');
  });

  it('keeps a cue on one block: line breaks become spaces, blank text is left out', () => {
    const vtt = buildWebVtt([
      { startMs: 0, endMs: 1000, text: 'first\n\nsecond\r\nthird' },
      { startMs: 2000, endMs: 3000, text: '  \n ' },
    ]);
    expect(cues(vtt)).toEqual([['1', '00:00:00.000 --> 00:00:01.000', 'first second third']]);
  });

  it('orders cues by start, then end, keeping the given order for ties', () => {
    const vtt = buildWebVtt([
      { startMs: 5000, endMs: 6000, text: 'c' },
      { startMs: 1000, endMs: 4000, text: 'b' },
      { startMs: 1000, endMs: 2000, text: 'a' },
      { startMs: 5000, endMs: 6000, text: 'd' },
    ]);
    expect(cues(vtt).map((c) => c[2])).toEqual(['a', 'b', 'c', 'd']);
    expect(cues(vtt).map((c) => c[0])).toEqual(['1', '2', '3', '4']);
  });

  it('keeps overlapping cues (two speakers at once) and gives every cue a positive length', () => {
    const vtt = buildWebVtt([
      { startMs: 1000, endMs: 5000, text: 'long', speaker: 'A' },
      { startMs: 2000, endMs: 3000, text: 'inside', speaker: 'B' },
      { startMs: 7000, endMs: 7000, text: 'instant' },
      { startMs: 9000, endMs: 8000, text: 'backwards' },
    ]);
    const timings = cues(vtt).map((c) => c[1]);
    expect(timings).toEqual([
      '00:00:01.000 --> 00:00:05.000',
      '00:00:02.000 --> 00:00:03.000',
      `00:00:07.000 --> 00:00:07.${String(MIN_CUE_MS).padStart(3, '0')}`,
      `00:00:09.000 --> 00:00:09.${String(MIN_CUE_MS).padStart(3, '0')}`,
    ]);
  });

  it('labels automatic cues with a voice class and names speakers', () => {
    const vtt = buildWebVtt([
      { startMs: 0, endMs: 1000, text: 'hello', speaker: 'Li Wei', automatic: true },
      { startMs: 1000, endMs: 2000, text: 'typed', speaker: null },
      { startMs: 2000, endMs: 3000, text: 'machine', automatic: true },
    ]);
    expect(cues(vtt).map((c) => c[2])).toEqual(['<v.automatic Li Wei>hello', 'typed', '<v.automatic>machine']);
  });

  it('writes a note without letting it close a cue', () => {
    const vtt = buildWebVtt([{ startMs: 0, endMs: 1000, text: 'x' }], 'Room --> 2026');
    expect(vtt.split('\n')[2]).toBe('NOTE Room --&gt; 2026');
    expect(vtt.match(/-->/g)).toHaveLength(1);
  });
});

describe('the cues of a part of the session (a recording)', () => {
  const cue = (startMs: number, endMs: number, text: string) => ({ startMs, endMs, text });
  const cues = [cue(1_000, 3_000, 'before'), cue(9_000, 11_000, 'across the start'), cue(12_000, 14_000, 'inside'), cue(29_000, 32_000, 'across the end'), cue(40_000, 41_000, 'after')];

  it('keeps what was shown during the part, timed from its start and cut at its end', () => {
    expect(cuesWithin(cues, 10_000, 30_000)).toEqual([cue(0, 1_000, 'across the start'), cue(2_000, 4_000, 'inside'), cue(19_000, 20_000, 'across the end')]);
  });

  it('runs to the last cue when the part has no end yet', () => {
    expect(cuesWithin(cues, 10_000, null).map((c) => c.text)).toEqual(['across the start', 'inside', 'across the end', 'after']);
    expect(cuesWithin(cues, 10_000, null).at(-1)).toEqual(cue(30_000, 31_000, 'after'));
  });

  it('keeps a line committed at one instant just before the part starts, for as long as it is shown', () => {
    expect(cuesWithin([cue(9_800, 9_800, 'instant')], 10_000, null)).toEqual([cue(0, -200, 'instant')]);
    expect(buildWebVtt(cuesWithin([cue(9_800, 9_800, 'instant')], 10_000, null))).toContain('00:00:00.000 --> 00:00:00.500');
  });
});
