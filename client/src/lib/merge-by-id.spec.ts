import { describe, expect, it, jest } from '@jest/globals';
import { byCreatedAt, pagesSinceKnown, pagesUntilKnown, withHistory, withItem } from './merge-by-id';

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

  describe('catching up from what is on screen', () => {
    // One message a second; the server's pages in both directions.
    const all = Array.from({ length: 400 }, (_, i) => m(`m${String(i).padStart(3, '0')}`, i * 1_000));
    const server = () =>
      jest.fn(async ({ before, after }: { before?: string; after?: string }) => {
        if (after) {
          const start = all.findIndex((x) => x.id === after) + 1;
          return { items: all.slice(start, start + 100), hasMore: start + 100 < all.length };
        }
        const end = before ? all.findIndex((x) => x.id === before) : all.length;
        return { items: all.slice(Math.max(0, end - 100), end), hasMore: end > 100 };
      });

    it('fetches only what came after the screen, from a few seconds before its newest message', async () => {
      const fetchPage = server();
      const got = await pagesSinceKnown(all.slice(0, 380), fetchPage);
      expect(fetchPage).toHaveBeenCalledTimes(1);
      expect(fetchPage).toHaveBeenCalledWith({ after: 'm374' });
      expect(got.items.map((x) => x.id)).toEqual(all.slice(375).map((x) => x.id));
      expect(withHistory(all.slice(0, 380), got.items, byCreatedAt)).toHaveLength(400);
    });

    it('fills in a message stored earlier than one already on screen but never delivered', async () => {
      const onScreen = all.slice(0, 380).filter((x) => x.id !== 'm377');
      const got = await pagesSinceKnown(onScreen, server());
      expect(withHistory(onScreen, got.items, byCreatedAt)).toHaveLength(400);
    });

    it('pages forward through a long absence', async () => {
      const fetchPage = server();
      const got = await pagesSinceKnown(all.slice(0, 60), fetchPage);
      expect(fetchPage).toHaveBeenCalledTimes(4);
      expect(withHistory(all.slice(0, 60), got.items, byCreatedAt)).toHaveLength(400);
    });

    it('falls back to the latest pages when nothing on screen is older than the overlap, or the absence outlasts the pages', async () => {
      const fetchPage = server();
      await pagesSinceKnown(all.slice(0, 3), fetchPage);
      expect(fetchPage).toHaveBeenNthCalledWith(1, {});
      const long = server();
      const got = await pagesSinceKnown(all.slice(0, 60), long, { maxPages: 2 });
      expect(long.mock.calls.slice(0, 2)).toEqual([[{ after: 'm054' }], [{ after: 'm154' }]]);
      expect(long).toHaveBeenNthCalledWith(3, {});
      expect(got.items.map((x) => x.id)).toContain('m399');
    });
  });
});
