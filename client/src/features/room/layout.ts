/** Pure decisions of the room view: how many columns, which simulcast layer, how good a link is. */

/** Columns for a grid of `count` tiles in an area of the given aspect ratio (width / height), tiles near 16:9. */
export function gridColumns(count: number, areaAspect = 16 / 9): number {
  if (count <= 1) return 1;
  let best = 1;
  let bestSize = 0;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    // Size of one 16:9 tile when the grid is fitted into a unit-height area of width areaAspect.
    const tileWidth = Math.min(areaAspect / cols, (1 / rows) * (16 / 9));
    // On a tie, more columns: the stage is usually wider than 16:9 once the toolbar takes its height.
    if (tileWidth >= bestSize - 1e-9) {
      bestSize = tileWidth;
      best = cols;
    }
  }
  return best;
}

/**
 * The spatial layer worth receiving for a tile this many device pixels wide: the camera sends
 * quarter, half and full resolution, so a thumbnail needs layer 0 and a spotlight layer 2.
 */
export function layerForWidth(devicePixels: number): 0 | 1 | 2 {
  if (devicePixels <= 400) return 0;
  if (devicePixels <= 800) return 1;
  return 2;
}

export type Quality = 'good' | 'fair' | 'poor';

/** mediasoup scores run 0..10. */
export function qualityOf(score: number | null | undefined): Quality | null {
  if (score === null || score === undefined) return null;
  if (score >= 7) return 'good';
  if (score >= 4) return 'fair';
  return 'poor';
}

export const QUALITY_BARS: Record<Quality, number> = { good: 3, fair: 2, poor: 1 };

/** Up to two letters for an avatar: first letters of the first and last words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0] ?? '';
  const last = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + last).toLocaleUpperCase();
}
