import { readFile } from 'node:fs/promises';
import type { InvitationDto, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, screenshot, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Frames of a peer's camera the page has decoded so far (0 before any arrive). */
const framesFrom = async (page: Page, peerId: string): Promise<number> =>
  (await inboundStats(page)).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0;

async function join(page: Page, roomId: string): Promise<string> {
  await page.goto(`/rooms/${roomId}`);
  await page.locator('[data-testid="join"]:enabled').click();
  await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
  return selfPeerId(page);
}

describe('a webinar: an attendee raises a hand, is brought on stage, then removed', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  let host: Page;
  let attendee: Page;
  let hostPeer = '';
  let attendeePeer = '';
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const owner: TestSession = await register(server.url, 'Grace Host');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Webinars' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Open access webinar', mode: 'webinar' }, owner.accessToken)).body;
    expect(room.mode).toBe('webinar');
    const member = await register(server.url, 'Amal Attendee');
    const invitation = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    expect((await http.post(`/api/invitations/${invitation.token}/accept`, {}, member.accessToken)).status).toBe(200);

    browser = await launchBrowser();
    const a = await newPage(browser, { baseURL: server.url });
    // The attendee reads the interface in Arabic (right to left).
    const b = await newPage(browser, { baseURL: server.url, locale: 'ar' });
    await signInWithToken(a.context, owner.refreshToken);
    await signInWithToken(b.context, member.refreshToken);
    host = a.page;
    attendee = b.page;
    for (const [who, page] of [
      ['host', host],
      ['attendee', attendee],
    ] as const) {
      page.on('pageerror', (e) => errors.push(`[${who}] ${e.message}`));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('holds the attendee in the lobby until the host admits them', async () => {
    hostPeer = await join(host, room.id);
    await host.getByTestId('participants-toggle').click();
    await host.getByTestId('option-lobby').check();
    await host.locator('[data-testid="option-lobby"]:checked:enabled').waitFor();

    await attendee.goto(`/rooms/${room.id}`);
    await attendee.locator('[data-testid="join"]:enabled').click();
    await attendee.getByTestId('lobby-waiting').waitFor();
    const waiting = host.locator('[data-testid="lobby-entry"]', { hasText: 'Amal Attendee' });
    await waiting.waitFor({ timeout: 15_000 });
    await screenshot(host, 'webinar-00-lobby-en');
    await screenshot(attendee, 'webinar-00-waiting-ar');
    await waiting.getByTestId('lobby-admit').click();
    await attendee.locator('[data-testid="room"][data-status="joined"]').waitFor({ timeout: 60_000 });
    attendeePeer = await selfPeerId(attendee);
    await host.getByTestId('lobby-entry').waitFor({ state: 'detached' });
    await host.getByTestId('option-lobby').uncheck();
    await host.locator('[data-testid="option-lobby"]:not(:checked):enabled').waitFor();
    await host.getByTestId('participants-toggle').click();
  });

  it('shows the attendee the stage only, with the head count', async () => {
    expect(await attendee.locator('html').getAttribute('dir')).toBe('rtl');
    await attendee.getByTestId('audience-notice').waitFor();
    // The host on stage with live video; no tile for the attendee themselves.
    await attendee.locator(`[data-testid="tile"][data-peer-id="${hostPeer}"][data-has-video="true"]`).waitFor({ timeout: 60_000 });
    expect(await attendee.locator('[data-testid="tile"][data-self="true"]').count()).toBe(0);
    await attendee.locator('[data-testid="participant-count"]', { hasText: '2' }).waitFor({ timeout: 15_000 });
    // Attendees cannot send media in a webinar, so their controls are off.
    expect(await attendee.getByTestId('camera-toggle').isDisabled()).toBe(true);
    await screenshot(attendee, 'webinar-01-attendee-ar');
  });

  it('lets the audience chat, ask, answer a poll and react, and the host moderate', async () => {
    // Chat: sent as plain text, seen by the host, deleted by the host for everyone.
    await attendee.getByTestId('chat-toggle').click();
    await attendee.getByTestId('chat-input').fill('Hello from the audience <b>not bold</b>');
    await attendee.getByTestId('chat-input').press('Enter');
    await attendee.locator('[data-testid="chat-message"]', { hasText: 'Hello from the audience' }).waitFor();
    await host.locator('[data-testid="chat-toggle"]', { hasText: '1' }).waitFor({ timeout: 15_000 });
    await host.getByTestId('chat-toggle').click();
    const message = host.locator('[data-testid="chat-message"]', { hasText: 'Hello from the audience <b>not bold</b>' });
    await message.waitFor();
    expect(await message.locator('b').count()).toBe(0);
    await screenshot(attendee, 'webinar-10-chat-ar');
    await message.getByTestId('chat-delete').click();
    await attendee.locator('[data-testid="chat-message"]').waitFor({ state: 'detached', timeout: 15_000 });

    // Q&A: an anonymous question, upvoted by the host, then answered live.
    await attendee.getByTestId('qa-toggle').click();
    await attendee.getByTestId('qa-input').fill('Will the slides be shared?');
    await attendee.getByTestId('qa-anonymous').check();
    await attendee.getByTestId('qa-submit').click();
    await host.getByTestId('qa-toggle').click();
    const question = host.locator('[data-testid="question"]', { hasText: 'Will the slides be shared?' });
    await question.waitFor({ timeout: 15_000 });
    expect(await question.textContent()).toContain('Anonymous');
    expect(await question.textContent()).not.toContain('Amal');
    await question.getByTestId('qa-vote').click();
    await host.locator('[data-testid="question"][data-votes="1"]').waitFor();
    await question.getByTestId('qa-answer-live').click();
    await attendee.locator('[data-testid="question"][data-status="answering"][data-votes="1"]').waitFor({ timeout: 15_000 });
    await screenshot(host, 'webinar-11-qa-en');

    // A poll: the host drafts and opens it, the attendee votes, both see the count; the host downloads the sheet.
    await host.getByTestId('polls-toggle').click();
    await host.getByTestId('poll-create-toggle').click();
    await host.getByTestId('poll-question').fill('Which format next time?');
    await host.getByTestId('poll-option-input').nth(0).fill('Webinar');
    await host.getByTestId('poll-option-input').nth(1).fill('Workshop');
    await host.getByTestId('poll-create').click();
    await host.locator('[data-testid="poll"][data-status="draft"]').getByTestId('poll-open').click();
    await attendee.getByTestId('polls-toggle').click();
    const poll = attendee.locator('[data-testid="poll"][data-status="open"]');
    await poll.getByTestId('poll-choice').nth(1).check();
    await poll.getByTestId('poll-vote').click();
    await poll.locator('[data-testid="poll-result"][data-count="1"]', { hasText: 'Workshop' }).waitFor();
    await host.locator('[data-testid="poll-result"][data-count="1"]', { hasText: 'Workshop' }).waitFor({ timeout: 15_000 });
    expect(await host.getByTestId('poll-result').first().getAttribute('data-count')).toBe('0');
    await screenshot(attendee, 'webinar-12-poll-ar');
    const [sheet] = await Promise.all([host.waitForEvent('download'), host.getByTestId('poll-csv').click()]);
    expect(await readFile((await sheet.path())!, 'utf8')).toContain('Workshop');
    await host.getByTestId('polls-toggle').click();
    await attendee.getByTestId('polls-toggle').click();

    // A reaction floats over the host's stage.
    await attendee.getByTestId('reactions-toggle').click();
    await attendee.getByTestId('reaction').first().click();
    await host.getByTestId('floating-reaction').first().waitFor({ timeout: 15_000 });
    await attendee.keyboard.press('Escape');
  });

  it('puts a raised hand in the host’s queue, and the host brings the attendee on stage', async () => {
    await attendee.getByTestId('hand-toggle').click();
    await attendee.locator('[data-testid="hand-toggle"][data-raised="true"]').waitFor();

    await host.getByTestId('participants-toggle').click();
    const queued = host.locator(`[data-testid="hand-queue"] [data-testid="hand"][data-peer-id="${attendeePeer}"]`);
    await queued.waitFor({ timeout: 15_000 });
    expect(await queued.textContent()).toContain('Amal Attendee');
    await host.locator(`[data-testid="participant"][data-peer-id="${attendeePeer}"][data-hand="true"]`).waitFor();
    await screenshot(host, 'webinar-02-hand-queue-en');

    await queued.getByTestId('hand-promote').click();
    // On stage: the attendee's role changes, the hand goes down and the queue empties.
    await host.locator(`[data-testid="participant"][data-peer-id="${attendeePeer}"][data-role="panelist"]`).waitFor();
    await host.getByTestId('hand-queue').waitFor({ state: 'detached' });
    await attendee.getByTestId('audience-notice').waitFor({ state: 'detached' });
    await attendee.locator('[data-testid="hand-toggle"]').waitFor({ state: 'detached' });
  });

  it('shows the new panelist’s live video on the host’s page', async () => {
    await host.locator(`[data-testid="tile"][data-peer-id="${attendeePeer}"][data-has-video="true"]`).waitFor({ timeout: 60_000 });
    const started = Date.now();
    let first = await framesFrom(host, attendeePeer);
    while (first === 0) {
      if (Date.now() - started > 15_000) throw new Error('no frames from the promoted attendee');
      await sleep(250);
      first = await framesFrom(host, attendeePeer);
    }
    await sleep(1_500);
    const second = await framesFrom(host, attendeePeer);
    expect(second).toBeGreaterThan(first);
    // The tile's <video> element is playing, not just receiving.
    const playing = await host
      .locator(`[data-testid="tile"][data-peer-id="${attendeePeer}"] video`)
      .evaluate((v: HTMLVideoElement) => !v.paused && v.readyState >= 2 && v.videoWidth > 0);
    expect(playing).toBe(true);
    await attendee.locator('[data-testid="tile"][data-self="true"][data-has-video="true"]').waitFor({ timeout: 60_000 });
    await screenshot(host, 'webinar-03-panelist-on-stage-en');
    await screenshot(attendee, 'webinar-03-panelist-ar');
  });

  it('removes the attendee, whose page says so', async () => {
    const row = host.locator(`[data-testid="participant"][data-peer-id="${attendeePeer}"]`);
    await row.getByTestId('participant-actions').click();
    await row.getByTestId('action-remove').click();
    await screenshot(host, 'webinar-04-confirm-remove-en');
    await row.getByTestId('action-remove-confirm').click();

    await attendee.locator('[data-testid="left"][data-reason="removed"]').waitFor({ timeout: 60_000 });
    await host.locator(`[data-testid="tile"][data-peer-id="${attendeePeer}"]`).waitFor({ state: 'detached', timeout: 60_000 });
    expect(await host.locator(`[data-testid="participant"][data-peer-id="${attendeePeer}"]`).count()).toBe(0);
    await screenshot(attendee, 'webinar-05-removed-ar');
    expect(errors).toEqual([]);
  });
});
