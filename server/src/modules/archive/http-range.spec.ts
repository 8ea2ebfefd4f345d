import { rangeOf } from './http-range';

describe('range requests', () => {
  it.each([
    [undefined, 1000, { kind: 'whole' }],
    ['bytes=0-99', 1000, { kind: 'part', start: 0, end: 99 }],
    ['bytes=500-', 1000, { kind: 'part', start: 500, end: 999 }],
    ['bytes=900-5000', 1000, { kind: 'part', start: 900, end: 999 }],
    ['bytes=-100', 1000, { kind: 'part', start: 900, end: 999 }],
    ['bytes=-5000', 1000, { kind: 'part', start: 0, end: 999 }],
    ['bytes=999-999', 1000, { kind: 'part', start: 999, end: 999 }],
    ['bytes=1000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=-0', 1000, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-1', 0, { kind: 'unsatisfiable' }],
    // Several ranges, other units and nonsense: the whole file.
    ['bytes=0-1,5-6', 1000, { kind: 'whole' }],
    ['items=0-1', 1000, { kind: 'whole' }],
    ['bytes=5-1', 1000, { kind: 'whole' }],
    ['bytes=-', 1000, { kind: 'whole' }],
    ['bytes=abc', 1000, { kind: 'whole' }],
    [`bytes=0-${'9'.repeat(40)}`, 1000, { kind: 'whole' }],
  ] as const)('%s of %i bytes', (header, size, answer) => {
    expect(rangeOf(header, size)).toEqual(answer);
  });

  it('honours If-Range only for the same file', () => {
    expect(rangeOf('bytes=0-9', 100, '"abc"', '"abc"')).toEqual({ kind: 'part', start: 0, end: 9 });
    expect(rangeOf('bytes=0-9', 100, '"old"', '"abc"')).toEqual({ kind: 'whole' });
  });
});
