/**
 * The interface in a right-to-left language (Arabic) and a long-worded left-to-right one (Russian):
 * the event programme, the room, the ballot card and its published result. Each page takes its
 * language's direction, nothing spills sideways out of the page or out of its panels, names in the
 * other script stay whole, a back arrow points the way the page reads, and counts take their
 * language's plural form. Screenshots land in test-artifacts/screenshots/ for a person to look at.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BallotView, MeetingView } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register } from '../helpers/api';
import { addSession, createEvent, utcWall } from '../helpers/events';
import { ARTIFACTS_DIR, launchBrowser, newPage, signInWithToken } from '../helpers/browser';
import { ballotOn, meetingWithMotion } from '../helpers/governance';
import { createRoom } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(240_000);

const SHOTS = path.join(ARTIFACTS_DIR, 'screenshots');
const LANGS = [
  { code: 'ar', dir: 'rtl', name: 'أمينة ديالو', back: '→' },
  { code: 'ru', dir: 'ltr', name: 'Ада Лавлейс', back: '←' },
] as const;

/** Everything wider than its box: the page itself, and each element a selector finds. */
function overflows(page: Page, selectors: string[]): Promise<string[]> {
  return page.evaluate((sels) => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push(`page: ${doc.scrollWidth} > ${doc.clientWidth}`);
    for (const s of sels) {
      const found = Array.from(document.querySelectorAll(s));
      if (!found.length) out.push(`${s}: not on the page`);
      for (const el of found) if (el.scrollWidth > el.clientWidth + 1) out.push(`${s}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  }, selectors);
}

async function shoot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('the interface in Arabic and in Russian', () => {
  let server: StartedServer;
  let browser: Browser;
  let roomId: string;
  let eventId: string;
  let meeting: MeetingView;
  let ballot: BallotView;
  let chairToken: string;
  const pages = new Map<string, Page>();
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const chair = await register(server.url, 'Grace Hopper');
    chairToken = chair.accessToken;
    const org = (await http.post<{ id: string }>('/api/organizations', { name: 'Library Alliance' }, chair.accessToken)).body;
    const invite = (await http.post<{ token: string }>(`/api/organizations/${org.id}/invitations`, {}, chair.accessToken)).body.token;
    const readers = await Promise.all(LANGS.map((l) => register(server.url, l.name)));
    for (const r of readers) expect((await http.post(`/api/invitations/${invite}/accept`, undefined, r.accessToken)).status).toBe(200);

    const room = await createRoom(server.url, chair.accessToken, org.id, { name: 'Assembly hall' });
    roomId = room.id;
    ({ meeting } = await meetingWithMotion(server.url, chair.accessToken, org.id, { voterBasis: 'members', roomId, title: 'Annual general assembly' }, readers[0]!.accessToken));
    const motionId = (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, chair.accessToken)).body.motions[0]!.id;
    ballot = await ballotOn(server.url, chair.accessToken, meeting.id, { motionId, secrecy: 'roll-call' });

    const event = await createEvent(server.url, chair.accessToken, org.id, { title: 'Alliance Forum 2026', timeZone: 'Europe/Lisbon' });
    eventId = event.id;
    // Its session has a room of its own: a session's room admits only the event's registrants.
    const plenary = await createRoom(server.url, chair.accessToken, org.id, { name: 'Plenary hall' });
    const lisbon = (ms: number) => utcWall(new Date(ms));
    const now = Date.now();
    await addSession(server.url, chair.accessToken, eventId, {
      title: 'Opening plenary',
      startsAt: lisbon(now - 15 * 60_000),
      endsAt: lisbon(now + 60 * 60_000),
      roomId: plenary.id,
      speakers: [{ name: 'Amina Diallo', affiliation: 'Bibliothèque nationale du Sénégal' }, { name: 'علي حسن', affiliation: 'مكتبة الإسكندرية' }],
    });
    await addSession(server.url, chair.accessToken, eventId, {
      title: 'Metadata panel: linked data in national libraries',
      kind: 'panel',
      startsAt: lisbon(now + 2 * 3_600_000),
      endsAt: lisbon(now + 3 * 3_600_000),
    });

    browser = await launchBrowser();
    for (const [i, l] of LANGS.entries()) {
      const { context, page } = await newPage(browser, { baseURL: server.url, locale: l.code });
      await signInWithToken(context, readers[i]!.refreshToken);
      page.on('pageerror', (e) => errors.push(`[${l.code}] ${e.message}`));
      pages.set(l.code, page);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each(LANGS)('shows the event programme in $code, $dir, without spilling sideways', async ({ code, dir }) => {
    const page = pages.get(code)!;
    await page.goto(`/events/${eventId}`);
    await page.locator(`html[dir="${dir}"]`).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(code);
    await page.getByTestId('session-item').nth(1).waitFor();
    expect(await overflows(page, ['[data-testid="event-page"]', '[data-testid="session-item"]', '[data-testid="now-next"]'])).toEqual([]);
    // The times are Gregorian (this year, not a Hijri one), whatever digits the language writes.
    const time = await page.getByTestId('session-item').first().getByTestId('event-time').textContent();
    expect(time!.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660))).toMatch(/20\d\d/);
    await shoot(page, `event-programme-${code}`);
  });

  it.each(LANGS)('points the back link the way $code reads', async ({ code, back }) => {
    const page = pages.get(code)!;
    await page.goto(`/meetings/${meeting.id}`);
    const link = page.locator('.back-link').first();
    await link.waitFor();
    expect(await link.evaluate((el) => getComputedStyle(el, '::before').content)).toContain(back);
    expect(await overflows(page, ['main'])).toEqual([]);
    await shoot(page, `meeting-page-${code}`);
  });

  it('shows the room in each language, with the meeting panel', async () => {
    await Promise.all(
      LANGS.map(async ({ code }) => {
        const page = pages.get(code)!;
        await page.goto(`/rooms/${roomId}`);
        await page.locator('[data-testid="join"]:enabled').click();
        await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
        await page.getByTestId('meeting-toggle').waitFor({ timeout: 90_000 });
      }),
    );
    for (const { code, dir } of LANGS) {
      const page = pages.get(code)!;
      expect(await page.evaluate(() => document.dir)).toBe(dir);
      await page.getByTestId('meeting-toggle').click();
      await page.getByTestId('meeting-panel').waitFor();
      expect(await overflows(page, ['.room-header', '.room-body', '.toolbar', '[data-testid="meeting-panel"]'])).toEqual([]);
      await shoot(page, `room-${code}`);
    }
  });

  it('shows the ballot card in each language, whole, with the other reader’s name intact', async () => {
    const opened = await api(server.url).post<BallotView>(`/api/ballots/${ballot.id}/open`, { overrideQuorumReason: 'Adjourned assembly: no quorum needed' }, chairToken);
    expect(opened.body.status).toBe('open');
    for (const { code, name } of LANGS) {
      const page = pages.get(code)!;
      const card = page.locator(`[data-testid="room-ballot"][data-ballot-id="${ballot.id}"][data-step="choose"]`);
      await card.waitFor({ timeout: 60_000 });
      expect(await overflows(page, ['[data-testid="room-ballot"]', '[data-testid="ballot-choice"]', '.room-body', '.toolbar'])).toEqual([]);
      // The reader's own seat, named in the other script, is isolated from the sentence around it.
      expect(await card.getByTestId('ballot-your-seats').textContent()).toContain(`\u2068${name}\u2069`);
      await shoot(page, `ballot-card-${code}`);
      await card.screenshot({ path: path.join(SHOTS, `ballot-card-${code}-close-up.png`) });
    }
  });

  it('counts the votes of the published result in each language’s plural', async () => {
    for (const { code } of LANGS) {
      const page = pages.get(code)!;
      const card = page.getByTestId('room-ballot');
      await card.locator('[data-testid="ballot-choice"][data-value="yes"]').click();
      await card.getByTestId('ballot-review').click();
      await card.getByTestId('ballot-confirm-cast').click();
      await card.getByTestId('already-voted').or(card.getByTestId('receipt-code').first()).first().waitFor({ timeout: 60_000 });
    }
    const http = api(server.url);
    expect((await http.post(`/api/ballots/${ballot.id}/close`, {}, chairToken)).status).toBe(200);
    expect((await http.post(`/api/ballots/${ballot.id}/publish`, {}, chairToken)).status).toBe(200);
    // Two of three seats voted: the "few" form in both languages (Arabic 3–10, Russian 2–4 and 22–24…).
    const expected = { ar: /صوّت 2 من 3 مقاعد/, ru: /проголосовало 2 из 3 мест/ };
    for (const { code } of LANGS) {
      const page = pages.get(code)!;
      const outcome = page.locator(`[data-testid="room-ballot-outcome"][data-ballot-id="${ballot.id}"][data-status="published"]`);
      await outcome.waitFor({ timeout: 60_000 });
      expect(await outcome.textContent()).toMatch(expected[code]);
      // Also each option's label, in the overlay and in the narrower meeting panel.
      expect(await overflows(page, ['[data-testid="room-ballot-outcome"]', '.room-body', '.result-label'])).toEqual([]);
      await shoot(page, `ballot-result-${code}`);
    }
    expect(errors).toEqual([]);
  });
});
