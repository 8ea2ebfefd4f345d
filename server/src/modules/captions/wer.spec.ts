import { normaliseWords, wordErrorRate, wordErrors } from './wer';

describe('word error rate', () => {
  it('normalises case, punctuation and spacing before comparing', () => {
    expect(normaliseWords("  The Library's  catalogue, (new)!  ")).toEqual(['the', "library's", 'catalogue', 'new']);
    expect(normaliseWords('Réunion du Conseil — 2026')).toEqual(['réunion', 'du', 'conseil', '2026']);
    expect(normaliseWords('‘quoted’ words')).toEqual(['quoted', 'words']);
    expect(wordErrorRate('Open the reading room.', 'open THE reading-room')).toBe(0);
  });

  it.each([
    ['identical', 'the board approved the budget', 'the board approved the budget', 0, 0, 0, 0],
    ['one substitution', 'the board approved the budget', 'the board approved a budget', 1, 0, 0, 0.2],
    ['one deletion', 'the board approved the budget', 'the board approved budget', 0, 1, 0, 0.2],
    ['one insertion', 'the board approved the budget', 'the board has approved the budget', 0, 0, 1, 0.2],
    ['nothing recognised', 'the board approved the budget', '', 0, 5, 0, 1],
    ['all wrong and longer', 'open the room', 'a b c d e', 3, 0, 2, 5 / 3],
    ['empty both', '', '', 0, 0, 0, 0],
  ])('%s', (_name, ref, hyp, s, d, i, rate) => {
    const e = wordErrors(ref, hyp);
    expect({ s: e.substitutions, d: e.deletions, i: e.insertions }).toEqual({ s, d, i });
    expect(e.rate).toBeCloseTo(rate, 10);
  });

  it('counts words in the hypothesis as errors against an empty reference', () => {
    expect(wordErrorRate('', 'noise noise')).toBe(2);
  });

  it('finds the cheapest alignment, not a greedy one', () => {
    // A shift by one word: one deletion and one insertion, not five substitutions.
    expect(wordErrors('a b c d e', 'b c d e f')).toMatchObject({ deletions: 1, insertions: 1, substitutions: 0 });
    expect(wordErrorRate('the library committee approved the new catalogue', 'a library committee approved the catalogue')).toBeCloseTo(2 / 7, 10);
  });
});
