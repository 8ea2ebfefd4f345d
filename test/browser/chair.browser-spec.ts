import type { BallotView, MeetingView, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { addMembers, ballotOn, checkIn, meetingWithMotion } from '../helpers/governance';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/**
 * What the chair and the voters see around a weighted vote: the motion and one's seat with its weight
 * on the ballot card before voting, the result in plain words, the room's meeting panel with dated
 * meetings and past ones folded away, the lobby announced to the host, and the ballot form closing once
 * a ballot is prepared.
 */
describe('chairing a weighted assembly', () => {
  let server: StartedServer;
  let browser: Browser;
  let owner: TestSession;
  let people: TestSession[];
  let room: RoomDto;
  let meeting: MeetingView;
  let ballot: BallotView;
  let chair: Page;
  const voters: Page[] = [];
  const errors: string[] = [];
  const day = 24 * 3600_000;
  const pastAt = new Date(Date.now() - 40 * day).toISOString();
  const nextAt = new Date(Date.now() + 2 * day).toISOString();
  // Within the hour: today's meeting, or tomorrow's if the test runs just before midnight; never past.
  const soonAt = new Date(Date.now() + 3600_000).toISOString();

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    owner = await register(server.url, 'Grace Chair');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Alliance' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Assembly hall' }, owner.accessToken)).body;
    people = await addMembers(server.url, owner.accessToken, org.id, 3, 'Delegate');
    // Each institution votes with its weight through its delegate: 3 + 2 + 1.
    const institutions: [string, string, number][] = [
      ['National Library of Brazil', 'BR', 3],
      ['Russian State Library', 'RU', 2],
      ['National Library of South Africa', 'ZA', 1],
    ];
    for (const [i, [name, country, voteWeight]] of institutions.entries()) {
      const inst = await http.post<{ id: string }>(`/api/organizations/${org.id}/institutions`, { name, country, voteWeight }, owner.accessToken);
      expect(inst.status).toBe(201);
      const delegate = await http.post(`/api/organizations/${org.id}/institutions/${inst.body.id}/delegates`, { userId: people[i]!.user.id }, owner.accessToken);
      expect(delegate.status).toBeLessThan(300);
    }
    ({ meeting } = await meetingWithMotion(server.url, owner.accessToken, org.id, { roomId: room.id, title: 'Annual general assembly', scheduledAt: soonAt }, people[1]!.accessToken));
    await checkIn(server.url, people, meeting.id);
    const motionId = (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, owner.accessToken)).body.motions[0]!.id;
    ballot = await ballotOn(server.url, owner.accessToken, meeting.id, { motionId, secrecy: 'secret' });
    // Two more meetings in the same room: one long over, one to come.
    for (const [title, scheduledAt] of [
      ['Spring board meeting', pastAt],
      ['Budget committee', nextAt],
    ]) {
      const m = await http.post(`/api/organizations/${org.id}/meetings`, { title, scheduledAt, roomId: room.id, kind: 'board' }, owner.accessToken);
      expect(m.status).toBe(201);
    }

    browser = await launchBrowser();
    const pages = await Promise.all([0, 1, 2].map(() => newPage(browser, { baseURL: server.url })));
    const tokens = [owner, people[0]!, people[1]!].map((s) => s.refreshToken);
    await Promise.all(pages.map(({ context }, i) => signInWithToken(context, tokens[i]!)));
    pages.forEach(({ page }, i) => page.on('pageerror', (e) => errors.push(`[page ${i}] ${e.message}`)));
    chair = pages[0]!.page;
    voters.push(pages[1]!.page, pages[2]!.page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows each voter the motion and their seat with its weight before they vote', async () => {
    await Promise.all(
      [chair, ...voters].map(async (page) => {
        await page.goto(`/rooms/${room.id}`);
        await page.locator('[data-testid="join"]:enabled').click();
        await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
        await page.getByTestId('meeting-toggle').waitFor({ timeout: 60_000 });
      }),
    );
    await chair.getByTestId('meeting-toggle').click();
    const item = chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`);
    await chair.locator(`[data-testid="meeting-section"][data-meeting-id="${meeting.id}"] [data-testid="quorum"][data-met="true"]`).waitFor({ timeout: 60_000 });
    await item.getByTestId('ballot-open').click();
    await chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"][data-status="open"]`).waitFor();

    const seats = [/National Library of Brazil.*weight 3\)/, /Russian State Library.*weight 2\)/];
    for (const [i, page] of voters.entries()) {
      const card = page.locator(`[data-testid="room-ballot"][data-ballot-id="${ballot.id}"][data-step="choose"]`);
      await card.waitFor({ timeout: 60_000 });
      await card.getByTestId('ballot-motion-text').waitFor();
      expect(await card.getByTestId('ballot-motion-text').textContent()).toContain('The assembly adopts the 2027 budget.');
      expect(await card.getByTestId('ballot-your-seats').textContent()).toMatch(seats[i]!);
    }
    await screenshot(voters[0]!, 'chair-01-ballot-card-en');
  });

  it('words the published result by seats and by weight', async () => {
    for (const [i, choice] of ['yes', 'no'].entries()) {
      const card = voters[i]!.getByTestId('room-ballot');
      await card.locator(`[data-testid="ballot-choice"][data-value="${choice}"]`).click();
      await card.getByTestId('ballot-review').click();
      await card.getByTestId('ballot-confirm-cast').click();
      await card.getByTestId('receipt-code').first().waitFor({ timeout: 60_000 });
    }
    const item = chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`);
    await chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"]`, { hasText: '2 of 3' }).waitFor({ timeout: 60_000 });
    await item.getByTestId('ballot-close').click();
    await item.getByTestId('ballot-publish').click();
    await chair.locator(`[data-testid="panel-ballot"][data-ballot-id="${ballot.id}"][data-status="published"]`).waitFor({ timeout: 60_000 });

    const published = (await api(server.url).get<BallotView>(`/api/ballots/${ballot.id}`, owner.accessToken)).body;
    expect(published.result).toMatchObject({ kind: 'motion', yes: 3, no: 2, outcome: 'carried' });
    const needed = (published.result as { needed: number }).needed;
    for (const page of voters) {
      const outcome = page.locator(`[data-testid="room-ballot-outcome"][data-ballot-id="${ballot.id}"][data-status="published"]`);
      await outcome.waitFor({ timeout: 60_000 });
      expect(await outcome.getByTestId('result-basis').textContent()).toBe(
        `2 of 3 seats voted, carrying 5 votes by weight; ${needed} needed to carry (simple majority of votes cast).`,
      );
    }
    await screenshot(voters[0]!, 'chair-02-weighted-result-en');
  });

  it('dates the room’s meetings and folds the past ones away', async () => {
    const panel = chair.getByTestId('meeting-panel');
    const titles = panel.locator(':scope > [data-testid="meeting-section"] h3');
    await panel.locator('[data-testid="meeting-section"]', { hasText: 'Budget committee' }).waitFor();
    // Today's meeting, then the one to come; the past one is not shown until asked for.
    expect((await titles.allTextContents()).map((s) => s.trim())).toEqual(['Annual general assembly', 'Budget committee']);
    expect((await panel.getByTestId('past-meetings-toggle').textContent())?.trim()).toBe('Past meetings (1)');
    expect(await panel.locator('[data-testid="meeting-section"]', { hasText: 'Spring board meeting' }).count()).toBe(0);

    await panel.getByTestId('past-meetings-toggle').click();
    const past = panel.locator('[data-testid="past-meetings"] [data-testid="meeting-section"]', { hasText: 'Spring board meeting' });
    await past.waitFor();
    // The date the reader's browser gives that moment, in English and the Gregorian calendar.
    const timeZone = await chair.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const expected = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(pastAt));
    expect((await past.getByTestId('meeting-date').textContent())?.trim()).toBe(expected);
    expect(await past.getByTestId('meeting-date').getAttribute('datetime')).toBe(pastAt);
    const next = panel.locator('[data-testid="meeting-section"]', { hasText: 'Budget committee' });
    expect((await next.getByTestId('meeting-date').textContent())?.trim()).toBe(
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(nextAt)),
    );
    await screenshot(chair, 'chair-03-meeting-panel-en');
  });

  it('announces to the host someone knocking at the lobby', async () => {
    await chair.getByTestId('participants-toggle').click();
    await chair.getByTestId('option-lobby').check();
    await chair.locator('[data-testid="option-lobby"]:checked:enabled').waitFor();

    const { context, page: knocker } = await newPage(browser, { baseURL: server.url });
    await signInWithToken(context, people[2]!.refreshToken);
    knocker.on('pageerror', (e) => errors.push(`[knocker] ${e.message}`));
    await knocker.goto(`/rooms/${room.id}`);
    await knocker.locator('[data-testid="join"]:enabled').click();
    await knocker.getByTestId('lobby-waiting').waitFor({ timeout: 60_000 });

    // Said to screen readers without taking the focus: a polite live region naming who waits.
    const announcement = chair.getByTestId('lobby-announcement');
    await chair.locator('[data-testid="lobby-announcement"]', { hasText: /Delegate 3\u2069? is waiting in the lobby\./ }).waitFor({ state: 'attached', timeout: 60_000 });
    expect(await announcement.getAttribute('aria-live')).toBe('polite');
    await chair.locator('[data-testid="lobby-notice"][data-waiting="1"]').waitFor();
    await screenshot(chair, 'chair-04-lobby-notice-en');
    await context.close();
  });

  it('closes the ballot form once a ballot is prepared, and lists that ballot once', async () => {
    const http = api(server.url);
    const motion = (await http.post<{ id: string }>(`/api/meetings/${meeting.id}/motions`, { title: 'Join the open access network', text: 'The assembly joins the network.' }, owner.accessToken)).body;
    await http.post(`/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'submit' }, owner.accessToken);
    await http.post(`/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'second' }, people[1]!.accessToken);
    expect((await http.post<{ status: string }>(`/api/meetings/${meeting.id}/motions/${motion.id}/transition`, { event: 'debate' }, owner.accessToken)).body.status).toBe('debate');

    await chair.goto(`/meetings/${meeting.id}`);
    const details = chair.getByTestId('ballot-create-details');
    await details.waitFor();
    // A motion is in debate, so the form is open and offers it.
    expect(await details.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    await chair.locator(`[data-testid="ballot-motion"] option[value="${motion.id}"]`).waitFor({ state: 'attached' });
    await chair.getByTestId('ballot-motion').selectOption(motion.id);
    const before = await chair.getByTestId('ballot-item').count();
    await chair.getByTestId('ballot-create').click();

    await chair.locator('[data-testid="ballot-create-details"]:not([open])').waitFor();
    expect(await chair.getByTestId('ballot-create').isVisible()).toBe(false);
    const created = chair.locator('[data-testid="ballot-item"]', { hasText: 'Join the open access network' });
    await created.waitFor();
    expect(await created.count()).toBe(1);
    expect(await chair.getByTestId('ballot-item').count()).toBe(before + 1);
    const ballots = (await http.get<MeetingView>(`/api/meetings/${meeting.id}`, owner.accessToken)).body.ballots;
    expect(ballots.filter((b) => b.motionId === motion.id)).toHaveLength(1);
    await screenshot(chair, 'chair-05-ballot-prepared-en');
  });

  it('lists the organisation’s meetings to come first and folds the past ones away', async () => {
    await chair.goto(`/organizations/${meeting.organizationId}/meetings`);
    const list = chair.getByTestId('meeting-list');
    await list.getByTestId('meeting-item').nth(1).waitFor();
    expect((await list.getByTestId('meeting-link').allTextContents()).map((s) => s.trim())).toEqual(['Annual general assembly', 'Budget committee']);
    const past = chair.getByTestId('past-meetings');
    expect((await chair.getByTestId('past-meetings-toggle').textContent())?.trim()).toBe('Past meetings (1)');
    const spring = past.locator('[data-testid="meeting-item"]', { hasText: 'Spring board meeting' });
    expect(await spring.isVisible()).toBe(false);
    await chair.getByTestId('past-meetings-toggle').click();
    await spring.waitFor();
    expect(await spring.locator('time').getAttribute('datetime')).toBe(pastAt);
    await screenshot(chair, 'chair-06-meetings-tab-en');
    expect(errors).toEqual([]);
  });
});
