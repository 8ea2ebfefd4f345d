import { describe, expect, it, jest } from '@jest/globals';
import { byCreatedAt, pagesUntilKnown, withHistory, withItem } from './merge-by-id';

const m = (id: string, at: number) => ({ id, createdAt: new Date(at).toISOString() });

describe('lists merged by id', () => {
  it('adds a page of history to what is on screen, each message once, in time order', () => {
    const onScreen = [m('a', 1), m('b', 2), m('live', 9)];
    const page = [m('b', 2), m('c', 3), m('d', 4)];
    expect(withHistory(onScreen, page, byCreatedAt).map((x) => x.id)).toEqual(['a', 'b', 'c', 'd', 'live']);
  });

  it('keeps what is on screen when the history is empty (a new session must not wipe the panel)', () => {
    expect(withHistory([m('a', 1)], [], byCreatedAt).map((x) => x.id)).toEqual(['a']);
  });

  it('shows a live message once however often it arrives', () => {
    expect(withItem(withItem([m('a', 1)], m('b', 2)), m('b', 2)).map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('pages back until the history meets what is on screen', async () => {
    const all = Array.from({ length: 250 }, (_, i) => m(`m${String(i).padStart(3, '0')}`, i));
    const fetchPage = jest.fn(async (before?: string) => {
      const end = before ? all.findIndex((x) => x.id === before) : all.length;
      return { items: all.slice(Math.max(0, end - 100), end), hasMore: end > 100 };
    });
    const got = await pagesUntilKnown(all.slice(0, 20), fetchPage);
    expect(fetchPage).toHaveBeenCalledTimes(3);
    expect(withHistory(all.slice(0, 20), got.items, byCreatedAt)).toHaveLength(250);
  });

  it('fetches one page when nothing is on screen yet', async () => {
    const fetchPage = jest.fn(async () => ({ items: [m('x', 1)], hasMore: true }));
    expect((await pagesUntilKnown([], fetchPage)).hasMore).toBe(true);
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });
});
