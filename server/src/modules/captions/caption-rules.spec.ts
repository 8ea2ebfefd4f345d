import { captionedLanguages, mayCaption, readingMs, seesLine, spokenCue, typedCue } from './caption-rules';

describe('caption rules', () => {
  it.each([
    // viewer group, line group, round open, sees
    [null, null, false, true],
    [2, 1, false, true],
    [null, null, true, true],
    [1, null, true, true],
    [1, 1, true, true],
    [1, 2, true, false],
    [null, 2, true, false],
  ] as const)('a viewer in %p sees a line from %p (round open: %p): %p', (viewer, line, open, sees) => {
    expect(seesLine(viewer, line, open)).toBe(sees);
  });

  it('lets only the assigned person caption, and only into their language', () => {
    const a = [
      { userId: 'u1', displayName: 'A', language: 'en' as const },
      { userId: 'u1', displayName: 'A', language: 'fr' as const },
      { userId: 'u2', displayName: 'B', language: 'ar' as const },
    ];
    expect(mayCaption(a, 'u1', 'fr')).toBe(true);
    expect(mayCaption(a, 'u1', 'ar')).toBe(false);
    expect(mayCaption(a, 'u3', 'en')).toBe(false);
    expect(captionedLanguages(['en', 'zh', 'ar', 'fr'], a, null)).toEqual(['en', 'ar', 'fr']);
    expect(captionedLanguages(['en', 'zh', 'ar', 'fr'], [], 'zh')).toEqual(['zh']);
    expect(captionedLanguages(['en', 'zh'], a, 'en')).toEqual(['en']);
  });

  it('shows a typed line long enough to read, within bounds', () => {
    expect(readingMs('ok')).toBe(2_000);
    expect(readingMs('x'.repeat(60))).toBe(4_000);
    expect(readingMs('x'.repeat(500))).toBe(8_000);
    expect(typedCue(10_500, 10_000, 'x'.repeat(60))).toEqual({ startMs: 500, endMs: 4_500 });
    expect(typedCue(9_000, 10_000, 'ok')).toEqual({ startMs: 0, endMs: 2_000 });
  });

  it('places a spoken utterance in the session, never before it and never empty', () => {
    expect(spokenCue(12_000, 14_500, 10_000)).toEqual({ startMs: 2_000, endMs: 4_500 });
    expect(spokenCue(9_000, 9_500, 10_000)).toEqual({ startMs: 0, endMs: 1 });
    expect(spokenCue(12_000, 12_000, 10_000)).toEqual({ startMs: 2_000, endMs: 2_001 });
  });
});
