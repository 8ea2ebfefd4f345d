import type { RecordingLayout } from '../../contract/recordings';

/**
 * Where each picture goes on the composed video. Three shapes, as people see them in the room:
 *  - a screen share large, the cameras in a column beside it;
 *  - in speaker view, the speaker's camera large and the others in the column;
 *  - otherwise a grid of cameras sized to keep 16:9 tiles as large as possible.
 * Pure: the composer turns the rectangles into FFmpeg's scale/overlay filters.
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Canvas {
  w: number;
  h: number;
}

export interface Picture {
  key: string;
  kind: 'camera' | 'screen';
}

/** Tiles keep this aspect ratio; a picture of another shape is letterboxed inside its tile. */
const TILE_ASPECT = 16 / 9;
/** The column beside a large picture holds at most this many tiles; further cameras are left out. */
export const MAX_STRIP_TILES = 5;
/** Space between tiles, in pixels. */
const GAP = 4;

/** Even numbers: yuv420p pictures need even sizes and offsets. */
const even = (n: number) => Math.max(0, Math.floor(n / 2) * 2);

/** The largest 16:9 rectangle inside `box`, centred in it. */
export function fit(box: Rect, aspect = TILE_ASPECT): Rect {
  const w = Math.min(box.w, box.h * aspect);
  const h = w / aspect;
  return { x: even(box.x + (box.w - w) / 2), y: even(box.y + (box.h - h) / 2), w: even(w), h: even(h) };
}

/** Columns of a grid of `n` tiles on `canvas` that make the tiles largest. */
export function gridColumns(n: number, canvas: Canvas): number {
  let best = 1;
  let bestWidth = 0;
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const width = Math.min((canvas.w - GAP * (cols - 1)) / cols, ((canvas.h - GAP * (rows - 1)) / rows) * TILE_ASPECT);
    if (width > bestWidth + 0.5) {
      best = cols;
      bestWidth = width;
    }
  }
  return best;
}

function grid(keys: readonly string[], canvas: Canvas): Map<string, Rect> {
  const out = new Map<string, Rect>();
  const n = keys.length;
  if (!n) return out;
  const cols = gridColumns(n, canvas);
  const rows = Math.ceil(n / cols);
  const cellW = (canvas.w - GAP * (cols - 1)) / cols;
  const cellH = (canvas.h - GAP * (rows - 1)) / rows;
  const tile = fit({ x: 0, y: 0, w: cellW, h: cellH });
  // The tiles as a block, centred; a last row that is not full is centred too.
  const blockH = rows * tile.h + (rows - 1) * GAP;
  const top = (canvas.h - blockH) / 2;
  keys.forEach((key, i) => {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - cols * (rows - 1) : cols;
    const col = i % cols;
    const rowW = inRow * tile.w + (inRow - 1) * GAP;
    const left = (canvas.w - rowW) / 2;
    out.set(key, { x: even(left + col * (tile.w + GAP)), y: even(top + row * (tile.h + GAP)), w: tile.w, h: tile.h });
  });
  return out;
}

/** One picture large, the others in a column at the end of the line (left to right: on the right). */
function featured(main: string, others: readonly string[], canvas: Canvas): Map<string, Rect> {
  const out = new Map<string, Rect>();
  const shown = others.slice(0, MAX_STRIP_TILES);
  if (!shown.length) {
    out.set(main, fit({ x: 0, y: 0, w: canvas.w, h: canvas.h }));
    return out;
  }
  const stripW = even(canvas.w / 5);
  out.set(main, fit({ x: 0, y: 0, w: canvas.w - stripW - GAP, h: canvas.h }));
  const tileH = Math.min((stripW * 1) / TILE_ASPECT, (canvas.h - GAP * (MAX_STRIP_TILES - 1)) / MAX_STRIP_TILES);
  const blockH = shown.length * tileH + (shown.length - 1) * GAP;
  const top = (canvas.h - blockH) / 2;
  shown.forEach((key, i) => out.set(key, fit({ x: canvas.w - stripW, y: top + i * (tileH + GAP), w: stripW, h: tileH })));
  return out;
}

/**
 * The rectangle of each picture shown at one moment. `pictures` are in the order they appeared;
 * `speaker` is the camera of the current speaker (speaker view). Pictures not in the answer are not
 * shown (a column that is full).
 */
export function layout(pictures: readonly Picture[], canvas: Canvas, mode: RecordingLayout = 'grid', speaker: string | null = null): Map<string, Rect> {
  const screens = pictures.filter((p) => p.kind === 'screen').map((p) => p.key);
  const cameras = pictures.filter((p) => p.kind === 'camera').map((p) => p.key);
  // The newest share is the one people look at; older shares join the column before the cameras.
  const share = screens.at(-1);
  if (share) return featured(share, [...screens.slice(0, -1), ...cameras], canvas);
  if (mode === 'speaker' && cameras.length > 1) {
    const main = speaker && cameras.includes(speaker) ? speaker : cameras[0]!;
    return featured(main, cameras.filter((c) => c !== main), canvas);
  }
  return grid(cameras, canvas);
}
