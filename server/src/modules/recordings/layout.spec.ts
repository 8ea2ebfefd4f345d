import { fit, gridColumns, layout, MAX_STRIP_TILES, type Picture, type Rect } from './layout';

const canvas = { w: 1280, h: 720 };
const cams = (n: number): Picture[] => Array.from({ length: n }, (_, i) => ({ key: `c${i}`, kind: 'camera' }));
const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.w <= canvas.w && r.y + r.h <= canvas.h;
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const even = (r: Rect) => [r.x, r.y, r.w, r.h].every((v) => v % 2 === 0);

describe('composition layout', () => {
  it('fits a 16:9 tile in a box, centred, with even sizes', () => {
    expect(fit({ x: 0, y: 0, w: 1280, h: 720 })).toEqual({ x: 0, y: 0, w: 1280, h: 720 });
    expect(fit({ x: 0, y: 0, w: 1000, h: 720 })).toEqual({ x: 0, y: 78, w: 1000, h: 562 });
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 2],
    [5, 3],
    [9, 3],
    [10, 4],
  ])('lays %i cameras out in %i columns', (n, cols) => expect(gridColumns(n, canvas)).toBe(cols));

  it.each([1, 2, 3, 4, 7, 12])('places %i cameras in a grid: all shown, inside, apart, even', (n) => {
    const rects = [...layout(cams(n), canvas).values()];
    expect(rects).toHaveLength(n);
    for (const r of rects) expect(inside(r) && even(r)).toBe(true);
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    // Every tile the same size.
    expect(new Set(rects.map((r) => `${r.w}x${r.h}`)).size).toBe(1);
  });

  it('one camera fills the canvas', () => {
    expect(layout(cams(1), canvas).get('c0')).toEqual({ x: 0, y: 0, w: 1280, h: 720 });
  });

  it('puts the newest screen share large, older shares and cameras in the column beside it', () => {
    const pictures: Picture[] = [...cams(2), { key: 's-old', kind: 'screen' }, { key: 's-new', kind: 'screen' }];
    const rects = layout(pictures, canvas);
    const main = rects.get('s-new')!;
    expect(main.w).toBeGreaterThan(900);
    for (const key of ['s-old', 'c0', 'c1']) {
      const r = rects.get(key)!;
      expect(r.w).toBeLessThan(300);
      expect(r.x).toBeGreaterThanOrEqual(main.x + main.w);
    }
    // The column in order: the older share first.
    expect(rects.get('s-old')!.y).toBeLessThan(rects.get('c0')!.y);
  });

  it('leaves out the cameras a full column has no room for', () => {
    const rects = layout([{ key: 's', kind: 'screen' }, ...cams(8)], canvas);
    expect(rects.size).toBe(1 + MAX_STRIP_TILES);
    expect(rects.has('c7')).toBe(false);
    for (const r of rects.values()) expect(inside(r)).toBe(true);
  });

  it('in speaker view shows the speaker large, the first camera when nobody spoke yet', () => {
    expect(layout(cams(3), canvas, 'speaker', 'c2').get('c2')!.w).toBeGreaterThan(900);
    expect(layout(cams(3), canvas, 'speaker', null).get('c0')!.w).toBeGreaterThan(900);
    // A single camera is just the grid of one.
    expect(layout(cams(1), canvas, 'speaker', 'c0').get('c0')).toEqual({ x: 0, y: 0, w: 1280, h: 720 });
  });

  it('shows nothing without pictures', () => {
    expect(layout([], canvas).size).toBe(0);
  });
});
