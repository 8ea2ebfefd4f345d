/**
 * A member's way through an event in the browser: the programme with both time zones labelled and
 * "now" marked, registration with a custom question, the session's calendar file, and the session's
 * room joined from the programme (which the server refuses to the unregistered).
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { addSession, createEvent, utcWall } from '../helpers/events';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { createRoom, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

describe('a member registers for an event and joins a session from its programme', () => {
  let server: StartedServer;
  let browser: Browser;
  let page: Page;
  let eventId: string;
  let sessionId: string;
  let arabicReader: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const { owner, org, people } = await orgWithMembers(server.url, 2, 'Library Alliance');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Plenary hall' });
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Alliance Forum 2026',
      timeZone: 'Asia/Tokyo',
      capacity: 50,
      questions: [{ id: 'library', label: 'Your library', required: true }],
    });
    eventId = event.id;
    const now = Date.now();
    // Times are written in the event's zone: build them from UTC and the zone's fixed +09:00.
    const tokyo = (ms: number) => utcWall(new Date(ms + 9 * 3_600_000));
    sessionId = (
      await addSession(server.url, owner.accessToken, event.id, {
        title: 'Opening plenary',
        startsAt: tokyo(now - 15 * 60_000),
        endsAt: tokyo(now + 60 * 60_000),
        roomId: room.id,
        speakers: [{ name: 'Amina Diallo', affiliation: 'Bibliothèque nationale du Sénégal' }],
      })
    ).id;
    await addSession(server.url, owner.accessToken, event.id, {
      title: 'Metadata panel',
      kind: 'panel',
      startsAt: tokyo(now + 2 * 3_600_000),
      endsAt: tokyo(now + 3 * 3_600_000),
    });
    const ctx = await newPage(browser, { baseURL: server.url });
    await signInWithToken(ctx.context, people[0]!.refreshToken);
    page = ctx.page;
    arabicReader = people[1]!.refreshToken;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the programme in the event’s zone and the viewer’s, with now and next', async () => {
    await page.goto(`/events/${eventId}`);
    await page.getByRole('heading', { name: 'Alliance Forum 2026' }).waitFor();
    const opening = page.getByTestId('session-item').filter({ hasText: 'Opening plenary' });
    expect(await opening.getByTestId('event-time').textContent()).toContain('(Asia/Tokyo, UTC+09:00)');
    expect(await opening.getAttribute('aria-current')).toBe('time');
    expect(await page.getByTestId('now-next').textContent()).toContain('Metadata panel');
    // Not registered yet: no way into the room from here.
    expect(await opening.getByTestId('join-session').count()).toBe(0);
  });

  it('registers with the custom question and shows the confirmed place', async () => {
    await page.getByLabel('Your library *').fill('Biblioteca Nacional de Chile');
    await page.getByTestId('register-button').click();
    await page.getByTestId('registration-status').and(page.locator('[data-status="confirmed"]')).waitFor();
    await screenshot(page, 'events-01-registered-en');
  });

  it('downloads the session’s calendar file', async () => {
    const opening = page.getByTestId('session-item').filter({ hasText: 'Opening plenary' });
    const [download] = await Promise.all([page.waitForEvent('download'), opening.getByTestId('session-ics').click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('BEGIN:VCALENDAR');
    expect(text).toContain('METHOD:REQUEST');
    expect(text).toContain(`UID:session-${sessionId}@`);
  });

  it('joins the session’s room from the programme', async () => {
    await page.getByTestId('session-item').filter({ hasText: 'Opening plenary' }).getByTestId('join-session').click();
    await page.getByTestId('room-name').getByText('Plenary hall').waitFor();
    await page.getByTestId('join').click();
    await page.getByTestId('room').waitFor();
    await screenshot(page, 'events-02-in-room-en');
  });

  it('reads right to left in Arabic, with Gregorian dates and both zones labelled', async () => {
    const ctx = await newPage(browser, { baseURL: server.url, locale: 'ar' });
    await signInWithToken(ctx.context, arabicReader);
    await ctx.page.goto(`/events/${eventId}`);
    await ctx.page.locator('html[dir="rtl"]').waitFor();
    const time = await ctx.page.getByTestId('session-item').first().getByTestId('event-time').textContent();
    const latin = time!.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660));
    // The Gregorian year (not 1448 of the Hijri calendar), and the zone's label.
    expect(latin).toMatch(/20\d\d/);
    expect(latin).toContain('(Asia/Tokyo, UTC+09:00)');
    await screenshot(ctx.page, 'events-03-programme-ar');
    await ctx.context.close();
  });
});
