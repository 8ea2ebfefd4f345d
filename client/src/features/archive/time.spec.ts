import { describe, expect, it } from '@jest/globals';
import { chapterAt, clock, parseSubjects, withParam } from './time';

describe('times in a recording', () => {
  it.each([
    [0, '0:00'],
    [5.9, '0:05'],
    [65, '1:05'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3 * 3600 + 62, '3:01:02'],
    [-4, '0:00'],
    [Number.NaN, '0:00'],
  ])('%s s reads %s', (s, text) => {
    expect(clock(s)).toBe(text);
  });

  it('finds the chapter playing, or none in a gap or after the end', () => {
    const chapters = [
      { startSeconds: 0, endSeconds: 6 },
      { startSeconds: 6, endSeconds: 10 },
      { startSeconds: 12, endSeconds: 20 },
    ];
    expect([0, 5.99, 6, 11, 12, 19.9, 20].map((t) => chapterAt(chapters, t))).toEqual([0, 0, 1, -1, 2, 2, -1]);
    expect(chapterAt([], 3)).toBe(-1);
  });

  it('adds a query parameter to links with and without a token', () => {
    expect(withParam('/api/recordings/r/files/f', 'download', '1')).toBe('/api/recordings/r/files/f?download=1');
    expect(withParam('/api/recordings/r/files/f?t=a.b', 'download', '1')).toBe('/api/recordings/r/files/f?t=a.b&download=1');
  });

  it('reads subjects one per line or separated by semicolons', () => {
    expect(parseSubjects(' Open access \n\n开放获取; الوصول الحر ;Open access')).toEqual(['Open access', '开放获取', 'الوصول الحر']);
  });
});
