import { describe, expect, it } from '@jest/globals';
import type { CaptionLine, CaptionPartial } from '@contract';
import { captionDir, defaultCaptionLanguage, SHOWN_LINES, shownLines } from './captions-api';

const line = (n: number, language: CaptionLine['language'] = 'en', source: CaptionLine['source'] = 'typed'): CaptionLine => ({
  id: `l${n}`,
  sessionId: 's',
  language,
  text: `line ${n}`,
  speaker: 'Ana',
  source,
  startMs: n * 1000,
  endMs: n * 1000 + 500,
  group: null,
});
const partial = (key: string, text: string, at: number, language: CaptionPartial['language'] = 'en') => ({ key, language, text, speaker: 'Ana', source: 'typed' as const, group: null, at });

describe('caption language by default', () => {
  it("follows the interpretation channel when it is captioned, else the floor's, else the first", () => {
    expect(defaultCaptionLanguage(['en', 'zh'], 'zh', 'en')).toBe('zh');
    expect(defaultCaptionLanguage(['en', 'zh'], 'ar', 'en')).toBe('en');
    expect(defaultCaptionLanguage(['en', 'zh'], 'floor', 'en')).toBe('en');
    expect(defaultCaptionLanguage(['fr', 'zh'], 'floor', 'en')).toBe('fr');
    expect(defaultCaptionLanguage(['en', 'zh'], 'sign', null)).toBe('en');
    expect(defaultCaptionLanguage([], 'zh', 'en')).toBeNull();
  });
});

it('lays Arabic captions out right to left, the others left to right', () => {
  expect(captionDir('ar')).toBe('rtl');
  expect(['en', 'zh', 'ru', 'ja', 'hi'].map((l) => captionDir(l as 'en'))).toEqual(['ltr', 'ltr', 'ltr', 'ltr', 'ltr']);
});

describe('lines shown over the stage', () => {
  it('shows the last lines of the chosen language, leaving room for what is being typed', () => {
    const lines = [line(1), line(2, 'fr'), line(3), line(4), line(5)];
    expect(shownLines({ lines, partials: [] }, 'en', 0).lines.map((l) => l.id)).toEqual(['l3', 'l4', 'l5'].slice(-SHOWN_LINES));
    const typing = shownLines({ lines, partials: [partial('p1', 'we now', 1_000)] }, 'en', 2_000);
    expect(typing.lines.map((l) => l.id)).toEqual(['l4', 'l5']);
    expect(typing.partials.map((p) => p.text)).toEqual(['we now']);
    expect(shownLines({ lines, partials: [] }, 'fr', 0).lines.map((l) => l.id)).toEqual(['l2']);
    expect(shownLines({ lines, partials: [] }, null, 0)).toEqual({ lines: [], partials: [] });
  });

  it('drops a partial line nobody updated for a while, and empty ones', () => {
    const stale = shownLines({ lines: [], partials: [partial('p1', 'old words', 0), partial('p2', '', 9_000), partial('p3', 'fresh', 9_000, 'en')] }, 'en', 10_000);
    expect(stale.partials.map((p) => p.key)).toEqual(['p3']);
  });
});
