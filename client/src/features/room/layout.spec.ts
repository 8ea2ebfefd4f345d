import { describe, expect, it } from '@jest/globals';
import { gridColumns, initials, layerForWidth, qualityOf } from './layout';

describe('gridColumns', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 2],
    [5, 3],
    [6, 3],
    [9, 3],
    [10, 4],
    [16, 4],
  ])('lays %i tiles out in %i columns on a wide screen', (count, cols) => {
    expect(gridColumns(count)).toBe(cols);
  });

  it('stacks two tiles on a tall (portrait) screen', () => {
    expect(gridColumns(2, 9 / 16)).toBe(1);
  });
});

describe('layerForWidth', () => {
  it.each([
    [160, 0],
    [400, 0],
    [401, 1],
    [800, 1],
    [1600, 2],
  ])('asks for layer %#: %i px → %i', (px, layer) => {
    expect(layerForWidth(px)).toBe(layer);
  });
});

describe('qualityOf', () => {
  it.each([
    [null, null],
    [10, 'good'],
    [7, 'good'],
    [6, 'fair'],
    [4, 'fair'],
    [3, 'poor'],
    [0, 'poor'],
  ])('rates score %p as %p', (score, quality) => {
    expect(qualityOf(score)).toBe(quality);
  });
});

describe('initials', () => {
  it.each([
    ['Grace Hopper', 'GH'],
    ['ada', 'A'],
    ['  Jean  Paul  Sartre ', 'JS'],
    ['', '?'],
    ['محمد علي', 'مع'],
    ['李小龙', '李'],
  ])('%p → %p', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});
