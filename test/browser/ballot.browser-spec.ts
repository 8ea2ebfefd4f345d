import { readFile } from 'node:fs/promises';
import type { BallotView, MeetingView, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { addMembers, ballotOn, meetingWithMotion } from '../helpers/governance';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(90_000);

describe('a secret ballot in a live room: open, vote with confirmation, publish, check the receipt', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  let meeting: MeetingView;
  let ballot: BallotView;
  let chair: Page;
  const voters: Page[] = [];
  const receipts: string[] = [];
  const sentFrames: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const owner: TestSession = await register(server.url, 'Grace Chair');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Assembly hall' }, owner.accessToken)).body;
    const people = await addMembers(server.url, owner.accessToken, org.id, 3);
    // One seat per member: the chair and three voters; the third gives their vote to the first.
    ({ meeting } = await meetingWithMotion(server.url, owner.accessToken, org.id, { voterBasis: 'members', roomId: room.id, title: 'Annual general assembly' }, people[0]!.accessToken));
    const motionId = meeting.motions[0]?.id ?? (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, owner.accessToken)).body.motions[0]!.id;
    const proxy = await http.post(`/api/meetings/${meeting.id}/proxies`, { seatId: people[2]!.user.id, holderId: people[0]!.user.id }, people[2]!.accessToken);
    expect(proxy.status).toBe(200);
    ballot = await ballotOn(server.url, owner.accessToken, meeting.id, { motionId, secrecy: 'secret' });
    expect(ballot.status).toBe('draft');

    browser = await launchBrowser();
    const pages = await Promise.all([
      newPage(browser, { baseURL: server.url }),
      newPage(browser, { baseURL: server.url }),
      // The second voter reads the interface in Arabic (right to left).
      newPage(browser, { baseURL: server.url, locale: 'ar' }),
    ]);
    const tokens = [owner, people[0]!, people[1]!].map((s) => s.refreshToken);
    await Promise.all(pages.map(({ context }, i) => signInWithToken(context, tokens[i]!)));
    pages.forEach(({ page }, i) => page.on('pageerror', (e) => errors.push(`[page ${i}] ${e.message}`)));
    // Every websocket frame a page sends, to check what a vote carries on the wire.
    pages.forEach(({ page }) => page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && sentFrames.push(f.payload))));
    chair = pages[0]!.page;
    voters.push(pages[1]!.page, pages[2]!.page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens the ballot from the room, and every voter in the room sees it appear', async () => {
    // The chair comes from the meeting (?meeting=); the voters just open the room, which finds its meeting.
    const entries: [Page, string][] = [
      [chair, `/rooms/${room.id}?meeting=${meeting.id}`],
      [voters[0]!, `/rooms/${room.id}`],
      [voters[1]!, `/rooms/${room.id}`],
    ];
    await Promise.all(
      entries.map(async ([page, url]) => {
        await page.goto(url);
        await page.locator('[data-testid="join"]:enabled').click();
        await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
        await page.getByTestId('meeting-toggle').waitFor({ timeout: 60_000 });
      }),
    );

    await chair.getByTestId('meeting-toggle').click();
    const item = chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`);
    await chair.locator('[data-testid="quorum"][data-met="true"]').waitFor({ timeout: 60_000 });
    await item.getByTestId('ballot-open').click();
    await chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"][data-status="open"]`).waitFor();

    for (const page of voters) {
      await page.locator(`[data-testid="room-ballot"][data-ballot-id="${ballot.id}"][data-step="choose"]`).waitFor({ timeout: 60_000 });
    }
    await screenshot(voters[0]!, 'ballot-01-open-in-room-en');
    await screenshot(voters[1]!, 'ballot-01-open-in-room-ar');
  });

  it('shows the proxy holder one line per seat held, and casts for all', async () => {
    const card = voters[0]!.getByTestId('room-ballot');
    const lines = card.getByTestId('seat-line');
    await lines.nth(1).waitFor();
    expect(await lines.count()).toBe(2);
    expect(await lines.nth(0).textContent()).toMatch(/Voter 1.*Own/);
    expect(await lines.nth(1).textContent()).toMatch(/Voter 3.*Proxy.*Free vote/);
    expect(await card.getByTestId('target-all').isChecked()).toBe(true);
    await screenshot(voters[0]!, 'ballot-01-proxy-holder-en');
  });

  it('asks each voter to confirm, then gives a receipt', async () => {
    const choices = ['yes', 'abstain'];
    const shown = [/^Yes$/, /^امتناع$/];
    for (const [i, page] of voters.entries()) {
      const card = page.getByTestId('room-ballot');
      // Nothing is cast before the confirmation.
      expect(await card.getByTestId('ballot-review').isDisabled()).toBe(true);
      await card.locator(`[data-testid="ballot-choice"][data-value="${choices[i]}"]`).click();
      await card.getByTestId('ballot-review').click();
      await card.getByTestId('ballot-confirm').waitFor();
      // The proxy holder confirms both seats at once.
      const confirmed = await card.getByTestId('confirm-choice').allTextContents();
      expect(confirmed).toHaveLength(i === 0 ? 2 : 1);
      for (const c of confirmed) expect(c.trim()).toMatch(shown[i]!);
      // The confirm button takes the focus, so Enter casts.
      expect(await card.getByTestId('ballot-confirm-cast').evaluate((el) => el === document.activeElement)).toBe(true);
      if (i === 0) await screenshot(page, 'ballot-02-confirm-en');
      else await screenshot(page, 'ballot-02-confirm-ar');
      await page.keyboard.press('Enter');
      const codes = card.getByTestId('receipt-code');
      await codes.first().waitFor();
      // The vote left the device sealed: an envelope, no choice, and not the receipt shown.
      const votes = sentFrames.filter((f) => f.includes('ballot:cast'));
      expect(votes.length).toBeGreaterThan(0);
      for (const v of votes) {
        expect(v).toContain('envelope');
        expect(v).not.toMatch(/"choice"|"yes"|"abstain"/);
        expect(v).not.toContain((await codes.first().textContent())!.trim());
      }
      await codes.first().waitFor({ timeout: 60_000 });
      expect(await codes.count()).toBe(i === 0 ? 2 : 1);
      receipts.push((await codes.first().textContent())!.trim());
    }
    expect(receipts[0]).toMatch(/\S{8,}/);
    expect(receipts[0]).not.toBe(receipts[1]);
    await screenshot(voters[0]!, 'ballot-03-receipt-en');
    await screenshot(voters[1]!, 'ballot-03-receipt-ar');

    // The receipt downloads as a text file naming the ballot.
    const [download] = await Promise.all([voters[0]!.waitForEvent('download'), voters[0]!.getByTestId('receipt-download').click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain(ballot.id);
    expect(text).toContain(receipts[0]);
    // With the token that anchors it in the record: ballot, receipt, record position and hash.
    expect(text).toMatch(new RegExp(`${ballot.id}:${receipts[0]}:\\d+:[0-9a-f]{64}`));
    expect(await voters[0]!.getByTestId('receipt-record').first().textContent()).toMatch(/#?\d+.*[0-9a-f]{12}/);

    // Turnout reaches the chair: counts only.
    await chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`, { hasText: '3 of 4' }).waitFor({ timeout: 15_000 });
  });

  it('shows every voter the result once the chair closes and publishes', async () => {
    const item = chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`);
    await item.getByTestId('ballot-close').click();
    await item.getByTestId('ballot-publish').click();
    for (const page of voters) {
      const outcome = page.locator(`[data-testid="room-ballot-outcome"][data-ballot-id="${ballot.id}"][data-status="published"]`);
      await outcome.waitFor({ timeout: 60_000 });
      expect(await outcome.getByTestId('ballot-result').getAttribute('data-outcome')).toBe('carried');
      expect(await outcome.getByTestId('result-yes').textContent()).toBe('2');
      expect(await outcome.getByTestId('result-abstain').textContent()).toBe('1');
      // The record's head at publication, for anyone to note and check an export against.
      expect(await outcome.getByTestId('record-head').textContent()).toMatch(/[0-9a-f]{16}/);
    }
    await screenshot(voters[0]!, 'ballot-04-result-en');
    await screenshot(voters[1]!, 'ballot-04-result-ar');
  });

  it('finds each receipt on the bulletin board with the choice counted', async () => {
    const counted = ['Yes', 'امتناع'];
    for (const [i, page] of voters.entries()) {
      await page.goto(`/verify?ballot=${ballot.id}`);
      // Kept on this device: one receipt fills the field in, several are offered to pick from.
      await page.getByTestId('verify-submit').waitFor();
      if (i === 1) expect(await page.getByTestId('verify-receipt').inputValue()).toBe(receipts[i]);
      else await page.getByTestId('verify-saved').nth(1).waitFor();
      await page.getByTestId('verify-receipt').fill(receipts[i]!);
      await page.getByTestId('verify-submit').click();
      await page.getByTestId('verify-found').waitFor();
      expect((await page.getByTestId('verify-choice').textContent())?.trim()).toBe(counted[i]);
      await screenshot(page, i === 0 ? 'ballot-05-verify-en' : 'ballot-05-verify-ar');
    }
    // Someone else's (or a mistyped) receipt matches nothing.
    await voters[0]!.getByTestId('verify-receipt').fill(`${receipts[0]}x`);
    await voters[0]!.getByTestId('verify-submit').click();
    await voters[0]!.getByTestId('verify-missing').waitFor();
  });

  it('downloads the minutes as a PDF from the chair’s console', async () => {
    // The organisation's Meetings tab lists it, with the way into its room.
    await chair.goto(`/organizations/${meeting.organizationId}/meetings`);
    const listed = chair.locator(`[data-testid="meeting-item"][data-meeting-id="${meeting.id}"]`);
    expect(await listed.getByTestId('meeting-room-link').getAttribute('href')).toBe(`/rooms/${room.id}?meeting=${meeting.id}`);
    // Scheduling another from the form puts it on the list.
    await chair.getByTestId('meeting-title').fill('Board meeting');
    await chair.getByTestId('meeting-room').selectOption(room.id);
    await chair.getByTestId('meeting-create').click();
    await chair.locator('[data-testid="meeting-item"]', { hasText: 'Board meeting' }).waitFor();
    expect(await chair.getByTestId('meeting-item').count()).toBe(2);
    await screenshot(chair, 'ballot-06-meetings-tab-en');
    await listed.getByTestId('meeting-link').click();
    await chair.waitForURL(`**/meetings/${meeting.id}`);
    await chair.locator(`[data-testid="ballot-item"][data-ballot-id="${ballot.id}"][data-status="published"]`).waitFor();
    await screenshot(chair, 'ballot-06-console-en');
    const [download] = await Promise.all([chair.waitForEvent('download'), chair.getByTestId('minutes-pdf').click()]);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);

    await chair.getByTestId('language-switcher').selectOption('ar');
    await chair.locator('html[dir="rtl"]').waitFor();
    await screenshot(chair, 'ballot-06-console-ar');
    await chair.getByTestId('language-switcher').selectOption('en');
    expect(errors).toEqual([]);
  });
});
