/**
 * Accessibility, checked the way assistive technology meets the product: axe-core (WCAG 2.2 AA rule set)
 * on every page state in English and Arabic, and keyboard-only paths through the live room (join,
 * every side panel open and closed with the focus handed back, a vote cast a few Tab stops after its
 * ballot appears, a host's Leave choice), plus focus rings and borders in forced-colours mode.
 */
import type { BallotView, MeetingView, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { api, register, signIn, type TestSession } from '../helpers/api';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { addMembers, ballotOn, meetingWithMotion } from '../helpers/governance';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(180_000);

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Evaluated rather than added as a <script>: the app's Content-Security-Policy forbids inline scripts.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const LOCALES = ['en', 'ar'] as const;
type Locale = (typeof LOCALES)[number];

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/** The WCAG 2.2 AA violations axe finds on the page as it is now, one readable line per element. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  return found.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
    ),
  );
}

/** Asserts no violation, naming the page state so a failure says where and what. */
async function expectAccessible(page: Page, state: string): Promise<void> {
  expect({ state, violations: await violations(page) }).toEqual({ state, violations: [] });
}

const activeTestId = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

/** Presses Tab until the element is focused; returns how many presses it took. */
async function tabTo(page: Page, selector: string, max = 40): Promise<number> {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return n;
  }
  throw new Error(`${selector} was not reached in ${max} Tab presses (focus on ${await activeTestId(page)})`);
}

describe('accessibility: no WCAG 2.2 AA violation on any page state, and the room works from the keyboard', () => {
  let server: StartedServer;
  let browser: Browser;
  let owner: TestSession;
  let voters: TestSession[];
  let org: OrganizationDto;
  let room: RoomDto;
  let webinar: RoomDto;
  let meeting: MeetingView;
  let ballot: BallotView;
  const inRoom = {} as Record<Locale, Page>;
  let host: Page;
  const errors: string[] = [];

  const signedInPage = async (session: TestSession | null, locale: Locale, viewport?: { width: number; height: number }) => {
    const { context, page } = await newPage(browser, { baseURL: server.url, locale });
    if (viewport) await page.setViewportSize(viewport);
    // A session of its own per page: refresh tokens rotate, so two pages cannot share one.
    if (session) await signInWithToken(context, (await signIn(server.url, session.user.email)).refreshToken);
    page.on('pageerror', (e) => errors.push(`[${locale}] ${e.message}`));
    return page;
  };

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    owner = await register(server.url, 'Grace Chair');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Assembly hall' }, owner.accessToken)).body;
    webinar = (
      await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Open access webinar', mode: 'webinar' }, owner.accessToken)
    ).body;
    voters = await addMembers(server.url, owner.accessToken, org.id, 2);
    ({ meeting } = await meetingWithMotion(
      server.url,
      owner.accessToken,
      org.id,
      { voterBasis: 'members', roomId: room.id, title: 'Annual general assembly' },
      voters[0]!.accessToken,
    ));
    const motionId =
      meeting.motions[0]?.id ?? (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, owner.accessToken)).body.motions[0]!.id;
    ballot = await ballotOn(server.url, owner.accessToken, meeting.id, { motionId, secrecy: 'secret' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('reports a violation when there is one (the checker itself works)', async () => {
    const page = await signedInPage(null, 'en');
    await page.goto('/sign-in');
    await page.getByTestId('about').waitFor();
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.setAttribute('aria-label', 'Turn camera off');
      button.textContent = 'Stop video';
      document.querySelector('main')!.append(button);
    });
    expect((await violations(page)).join('\n')).toMatch(/^label-content-name-mismatch \(serious\)/m);
    await page.close();
  });

  it.each(LOCALES)('has no violation on the signed-out pages: landing (sign-in), sign-up (%s)', async (locale) => {
    const page = await signedInPage(null, locale);
    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await page.getByTestId('about').waitFor();
    await expectAccessible(page, `sign-in ${locale}`);
    await screenshot(page, `a11y-landing-${locale}`);
    await page.goto('/sign-up');
    await page.locator('#sign-up-title').waitFor();
    await expectAccessible(page, `sign-up ${locale}`);
    await page.close();
  });

  it.each(LOCALES)('has no violation on home, every organisation tab, the meeting, verify and bad-link pages (%s)', async (locale) => {
    const page = await signedInPage(owner, locale);
    await page.goto('/');
    await page.getByTestId('org-list').waitFor();
    await expectAccessible(page, `home ${locale}`);
    for (const tab of ['institutions', 'members', 'rooms', 'meetings', 'invitations']) {
      await page.goto(`/organizations/${org.id}/${tab}`);
      await page.locator(`[data-testid="tab-${tab}"][aria-current="page"]`).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, `organisation tab ${tab} ${locale}`);
    }
    await page.goto(`/meetings/${meeting.id}`);
    await page.getByTestId('check-in').or(page.getByTestId('check-out')).first().waitFor();
    await expectAccessible(page, `meeting page ${locale}`);
    await page.goto('/verify');
    await page.locator('main h1').waitFor();
    await expectAccessible(page, `verify page ${locale}`);
    await page.close();
  });

  it('says what is wrong with a malformed room or meeting link and offers the way home', async () => {
    const page = await signedInPage(owner, 'en');
    for (const [path, kind] of [
      [`/rooms/${room.id.slice(0, 20)}`, 'room'],
      [`/meetings/${meeting.id.slice(0, 13)}`, 'meeting'],
    ] as const) {
      await page.goto(path);
      const notice = page.locator(`[data-testid="bad-link"][data-kind="${kind}"]`);
      await notice.waitFor();
      expect(await notice.textContent()).toContain(`The ${kind} address in this link is malformed`);
      expect(await notice.getByRole('button', { name: 'Try again' }).count()).toBe(0);
      await expectAccessible(page, `bad ${kind} link`);
    }
    await page.getByRole('link', { name: 'Go to your organisations' }).click();
    await page.getByTestId('org-list').waitFor();
    await page.close();
  });

  it.each(LOCALES)('joins the room from the keyboard alone; the lobby and the room have no violation (%s)', async (locale) => {
    const page = await signedInPage(locale === 'en' ? voters[0]! : voters[1]!, locale);
    inRoom[locale] = page;
    await page.goto(`/rooms/${room.id}`);
    await page.locator('[data-testid="join"]:enabled').waitFor();
    await expectAccessible(page, `pre-join ${locale}`);
    await tabTo(page, '[data-testid="join"]');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
    // The lobby's Join button is gone: the focus is on the room's name, not lost on the page.
    await page.waitForFunction(() => document.activeElement?.classList.contains('room-title'));
    await page.getByTestId('meeting-toggle').waitFor({ timeout: 10_000 });
    await expectAccessible(page, `room grid ${locale}`);
  });

  it.each(LOCALES)(
    'opens and closes every side panel from the keyboard, focus moving in and back; each panel has no violation (%s)',
    async (locale) => {
      const page = inRoom[locale];
      const panels: [string, string][] = [
        ['participants-toggle', 'participants-panel'],
        ['chat-toggle', 'chat-panel'],
        ['qa-toggle', 'qa-panel'],
        ['polls-toggle', 'polls-panel'],
        ['meeting-toggle', 'meeting-panel'],
        ['settings-toggle', 'settings-panel'],
      ];
      for (const [toggle, panel] of panels) {
        await page.getByTestId(toggle).focus();
        await page.keyboard.press('Enter');
        await page.getByTestId(panel).waitFor();
        // The panel took the focus.
        expect(
          await page.evaluate((p) => document.querySelector(`[data-testid="${p}"]`)?.contains(document.activeElement) ?? false, panel),
        ).toBe(true);
        await expectAccessible(page, `room with ${panel} open ${locale}`);
        if (panel === 'participants-panel') await screenshot(page, `a11y-people-panel-${locale}`);
        // Escape closes it and the toggle has the focus again.
        await page.keyboard.press('Escape');
        await page.getByTestId(panel).waitFor({ state: 'detached' });
        expect(await activeTestId(page)).toBe(toggle);
        // Open again, Tab to its close button, Enter: the same.
        await page.keyboard.press('Enter');
        await page.getByTestId(panel).waitFor();
        await tabTo(page, `[data-testid="${panel}"] .side-panel-header button`, 3);
        await page.keyboard.press('Enter');
        await page.getByTestId(panel).waitFor({ state: 'detached' });
        expect(await activeTestId(page)).toBe(toggle);
      }
      // The reaction bar, its emoji drawn by a colour emoji font.
      await page.getByTestId('reactions-toggle').click();
      await page.getByTestId('reaction').first().waitFor();
      await expectAccessible(page, `reaction bar ${locale}`);
      await screenshot(page, `a11y-reactions-${locale}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('layout-toggle').click();
      await page.locator('[data-testid="room"][data-layout="speaker"]').waitFor();
      await expectAccessible(page, `room speaker view ${locale}`);
      await screenshot(page, `a11y-speaker-view-${locale}`);
      await page.getByTestId('layout-toggle').click();
    },
  );

  it('lays a poll option out as control then text, the text not squeezed (en, ar)', async () => {
    host = await signedInPage(owner, 'en');
    await host.goto(`/rooms/${room.id}`);
    await host.locator('[data-testid="join"]:enabled').click();
    await host.locator('[data-testid="room"][data-status="joined"]').waitFor();
    await host.getByTestId('polls-toggle').click();
    await host.getByTestId('poll-create-toggle').click();
    await host.getByTestId('poll-question').fill('Which format next time?');
    await host.getByTestId('poll-option-input').nth(0).fill('Webinar');
    await host.getByTestId('poll-option-input').nth(1).fill('A hands-on workshop with the cataloguing team');
    await host.getByTestId('poll-create').click();
    await host.locator('[data-testid="poll"][data-status="draft"]').getByTestId('poll-open').click();
    await host.getByTestId('polls-toggle').click();
    for (const locale of LOCALES) {
      const page = inRoom[locale];
      await page.getByTestId('polls-toggle').click();
      const option = page.locator('[data-testid="poll"][data-status="open"] .poll-option').nth(1);
      await option.waitFor();
      const [box, control, text] = await Promise.all([
        option.boundingBox(),
        option.locator('input').boundingBox(),
        option.locator('span').boundingBox(),
      ]);
      // The control hugs the start edge (left in English, right in Arabic); the text fills the rest.
      const startGap = locale === 'en' ? control!.x - box!.x : box!.x + box!.width - (control!.x + control!.width);
      expect(startGap).toBeLessThan(16);
      expect(control!.width).toBeLessThan(24);
      expect(text!.width).toBeGreaterThan(box!.width * 0.6);
      await expectAccessible(page, `open poll ${locale}`);
      await screenshot(page, `a11y-poll-${locale}`);
      await page.getByTestId('polls-toggle').click();
    }
  });

  it('announces a ballot when it opens; the Arabic voter casts it from the keyboard within three Tab stops', async () => {
    const page = inRoom.ar;
    // Where joining left the focus: on the room's name.
    await page.locator('.room-title').focus();
    // The chair opens the ballot once the voters in the room make the quorum.
    for (;;) {
      const opened = await api(server.url).post(`/api/ballots/${ballot.id}/open`, {}, owner.accessToken);
      if (opened.status === 200 || opened.status === 201) break;
      if (opened.body?.error?.code !== 'QUORUM_NOT_MET' && opened.body?.code !== 'QUORUM_NOT_MET')
        throw new Error(`open: ${opened.status} ${JSON.stringify(opened.body)}`);
      await page.waitForTimeout(250);
    }
    const card = page.locator(`[data-testid="room-ballot"][data-ballot-id="${ballot.id}"]`);
    await page.locator(`[data-testid="room-ballot"][data-ballot-id="${ballot.id}"][data-step="choose"]`).waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      (title) => Array.from(document.querySelectorAll('[aria-live="assertive"]')).some((el) => el.textContent?.includes(title)),
      'Adopt the budget',
    );
    await expectAccessible(page, 'ballot card ar');
    await expectAccessible(inRoom.en, 'ballot card en');

    let tabs = await tabTo(page, '[data-testid="ballot-choice"] input, input[data-testid="ballot-choice"]', 3);
    await page.keyboard.press('Space');
    tabs += await tabTo(page, '[data-testid="ballot-review"]', 3 - tabs);
    expect(tabs).toBeLessThanOrEqual(3);
    // The skip link in the room leads there too.
    expect(await page.getByTestId('skip-to-ballot').getAttribute('href')).toBe('#room-ballots');
    await page.keyboard.press('Enter');
    await card.getByTestId('ballot-confirm-cast').waitFor();
    expect(await activeTestId(page)).toBe('ballot-confirm-cast');
    await expectAccessible(page, 'ballot confirmation ar');
    await page.keyboard.press('Enter');
    await page.getByTestId('receipt-code').first().waitFor({ timeout: 10_000 });
    await expectAccessible(page, 'ballot receipt ar');
    await screenshot(page, 'a11y-ballot-receipt-ar');
  });

  it('has no violation in the webinar attendee view (en, ar)', async () => {
    for (const locale of LOCALES) {
      const page = await signedInPage(voters[locale === 'en' ? 0 : 1]!, locale);
      await page.goto(`/rooms/${webinar.id}`);
      await page.locator('[data-testid="join"]:enabled').click();
      await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
      await page.getByTestId('audience-notice').waitFor();
      await expectAccessible(page, `webinar attendee ${locale}`);
      await page.close();
    }
  });

  it('keeps focus rings and control borders in forced-colours mode', async () => {
    const page = inRoom.en;
    await page.emulateMedia({ forcedColors: 'active' });
    const mic = page.getByTestId('mic-toggle');
    await mic.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const style = await mic.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        outlineStyle: s.outlineStyle,
        outlineWidth: parseFloat(s.outlineWidth),
        borderStyle: s.borderTopStyle,
        borderWidth: parseFloat(s.borderTopWidth),
        focused: el.matches(':focus-visible'),
      };
    });
    expect(style.focused).toBe(true);
    expect(style.outlineStyle).toBe('solid');
    expect(style.outlineWidth).toBeGreaterThanOrEqual(2);
    expect(style.borderStyle).toBe('solid');
    expect(style.borderWidth).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'a11y-forced-colours');
    await page.emulateMedia({ forcedColors: 'none' });
  });

  it('scrolls the organisation tabs sideways on a phone, with a shadow where more tabs wait', async () => {
    const page = await signedInPage(owner, 'en', { width: 375, height: 740 });
    await page.goto(`/organizations/${org.id}/institutions`);
    const tabs = page.locator('nav.tabs');
    await tabs.waitFor();
    const metrics = await tabs.evaluate((el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
      overflow: getComputedStyle(el).overflowX,
      shadow: getComputedStyle(el).backgroundImage,
    }));
    expect(metrics.scroll).toBeGreaterThan(metrics.client);
    expect(metrics.overflow).toBe('auto');
    expect(metrics.shadow).toContain('radial-gradient');
    // The page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'a11y-tabs-375');
    await page.close();
  });

  it('offers a host leaving the choice to end the meeting for everyone, and ends it', async () => {
    const leave = host.getByTestId('leave');
    await leave.focus();
    await host.keyboard.press('Enter');
    const dialog = host.getByTestId('leave-dialog');
    await dialog.waitFor();
    await expectAccessible(host, 'leave dialog en');
    await screenshot(host, 'a11y-leave-dialog');
    // Escape keeps the host in the room, focus back on Leave.
    await host.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await activeTestId(host)).toBe('leave');
    await host.keyboard.press('Enter');
    await dialog.getByTestId('leave-end-for-all').click();
    await host.locator('[data-testid="left"][data-reason="ended"]').waitFor({ timeout: 10_000 });
    for (const locale of LOCALES) await inRoom[locale].locator('[data-testid="left"][data-reason="ended"]').waitFor({ timeout: 10_000 });
    await expectAccessible(inRoom.ar, 'left page ar');
    expect(errors).toEqual([]);
  });
});
