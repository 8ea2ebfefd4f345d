/**
 * Lists kept from a live stream of events plus pages fetched after a (re)join: an item is shown once
 * however many ways it arrives, and a page of history adds to what is on screen instead of replacing it.
 */

export interface Identified {
  id: string;
}

/** The list after a page of history: both merged, each id once (the page's copy wins), in `order`. */
export function withHistory<T extends Identified>(current: readonly T[], page: readonly T[], order: (a: T, b: T) => number): T[] {
  const byId = new Map<string, T>();
  for (const x of current) byId.set(x.id, x);
  for (const x of page) byId.set(x.id, x);
  return [...byId.values()].sort(order);
}

/** The list after one live item; an item already there is not added again. */
export function withItem<T extends Identified>(current: readonly T[], item: T): T[] {
  return current.some((x) => x.id === item.id) ? [...current] : [...current, item];
}

/**
 * The latest pages of a history, newest first, back to the first one that overlaps what is already
 * on screen (at most `maxPages`), so that a long absence leaves no hole between old and new.
 * `fetchPage(before)` returns the page before the item `before` (the latest page without it).
 */
export async function pagesUntilKnown<T extends Identified>(
  known: readonly T[],
  fetchPage: (before?: string) => Promise<{ items: T[]; hasMore: boolean }>,
  maxPages = 10,
): Promise<{ items: T[]; hasMore: boolean }> {
  const ids = new Set(known.map((x) => x.id));
  let items: T[] = [];
  let hasMore = false;
  let before: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(before);
    items = [...page.items, ...items];
    hasMore = page.hasMore;
    if (!hasMore || !ids.size || !page.items.length || page.items.some((x) => ids.has(x.id))) break;
    before = page.items[0]!.id;
  }
  return { items, hasMore };
}

/** How far before the newest item on screen a catch-up starts (see `pagesSinceKnown`). */
export const CATCH_UP_OVERLAP_MS = 5_000;

/**
 * What was missed while away, fetched forward from what is on screen instead of the latest pages:
 * a client back after a restart reads the few messages it missed, not a hundred it has. The pages
 * start after the newest item at least `overlapMs` older than the newest on screen, because an item
 * can be stored with an earlier time than one already delivered (its write was slower) and still be
 * missing here. With nothing on screen that old, or after `maxPages` pages without reaching the end,
 * the latest pages are fetched as `pagesUntilKnown` does. `hasMore` is that of the latest pages
 * (older items exist); after a catch-up from the screen it is false.
 */
export async function pagesSinceKnown<T extends Identified & { createdAt: string }>(
  known: readonly T[],
  fetchPage: (cursor: { before?: string; after?: string }) => Promise<{ items: T[]; hasMore: boolean }>,
  o: { overlapMs?: number; maxPages?: number } = {},
): Promise<{ items: T[]; hasMore: boolean }> {
  const latest = () => pagesUntilKnown(known, (before) => fetchPage(before ? { before } : {}), o.maxPages);
  const newest = known.reduce<T | undefined>((n, x) => (!n || byCreatedAt(x, n) > 0 ? x : n), undefined);
  if (!newest) return latest();
  const until = new Date(Date.parse(newest.createdAt) - (o.overlapMs ?? CATCH_UP_OVERLAP_MS)).toISOString();
  const from = known.reduce<T | undefined>((a, x) => (x.createdAt <= until && (!a || byCreatedAt(x, a) > 0) ? x : a), undefined);
  if (!from) return latest();
  let items: T[] = [];
  let after = from.id;
  for (let i = 0; i < (o.maxPages ?? 10); i++) {
    const page = await fetchPage({ after });
    items = [...items, ...page.items];
    if (!page.hasMore || !page.items.length) return { items, hasMore: false };
    after = page.items[page.items.length - 1]!.id;
  }
  const rest = await latest();
  return { items: [...items, ...rest.items], hasMore: rest.hasMore };
}

/** Chat order: by time, then id (the server's history order). */
export const byCreatedAt = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
