/**
 * A certificate of attendance, end to end in the browser: a member registers for an event whose
 * threshold is one minute, joins the live session from the programme (fake camera and microphone),
 * stays past the threshold, downloads the PDF and the signed credential; a page with nobody signed in
 * verifies the credential as valid, and, after an organiser revokes it on the dashboard, shows it revoked
 * from the QR code's link. The attendance is the room's own record of the visit.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { api } from '../helpers/api';
import { addSession, createEvent, utcWall } from '../helpers/events';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { createRoom, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(240_000);

describe('a member earns a certificate by attending, and anyone verifies it', () => {
  let server: StartedServer;
  let browser: Browser;
  let page: Page;
  let eventId: string;
  let ownerToken: string;
  let credentialFile: string;
  let certificateId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const { owner, org, people } = await orgWithMembers(server.url, 1, 'Library Alliance');
    ownerToken = owner.refreshToken;
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Plenary hall' });
    const event = await createEvent(server.url, owner.accessToken, org.id, { title: 'Alliance Forum 2026', timeZone: 'UTC' });
    eventId = event.id;
    const now = Date.now();
    await addSession(server.url, owner.accessToken, event.id, {
      title: 'Opening plenary',
      startsAt: utcWall(new Date(now - 2 * 60_000)),
      endsAt: utcWall(new Date(now + 60 * 60_000)),
      roomId: room.id,
    });
    const set = await api(server.url).call('PUT', `/api/events/${event.id}/cpd`, { threshold: { mode: 'minutes', value: 1 } }, owner.accessToken);
    expect(set.status).toBe(200);
    const ctx = await newPage(browser, { baseURL: server.url });
    await signInWithToken(ctx.context, people[0]!.refreshToken);
    page = ctx.page;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('registers and sees that no minutes count yet', async () => {
    await page.goto(`/events/${eventId}`);
    await page.getByTestId('register-button').click();
    await page.getByTestId('registration-status').and(page.locator('[data-status="confirmed"]')).waitFor();
    await page.locator('[data-testid="my-cpd"][data-eligible="false"]').waitFor();
    expect(await page.getByTestId('cpd-minutes').textContent()).toContain('0');
    expect(await page.getByTestId('download-certificate').count()).toBe(0);
  });

  it('takes the session into a calendar', async () => {
    const opening = page.getByTestId('session-item').filter({ hasText: 'Opening plenary' });
    const [download] = await Promise.all([page.waitForEvent('download'), opening.getByTestId('session-ics').click()]);
    const ics = await readFile((await download.path())!, 'utf8');
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toMatch(/^DTSTART:\d{8}T\d{6}Z\r?$/m);
    expect(ics).toContain('Opening plenary');
  });

  it('joins the session from the programme and stays past the threshold', async () => {
    await page.getByTestId('session-item').filter({ hasText: 'Opening plenary' }).getByTestId('join-session').click();
    await page.getByTestId('join').click();
    await page.getByTestId('room').waitFor();
    // The threshold is one minute of presence in the live room.
    await page.waitForTimeout(65_000);
    await page.goto(`/events/${eventId}`);
    await page.locator('[data-testid="my-cpd"][data-eligible="true"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'certificates-01-eligible-en');
  });

  it('downloads the certificate as a PDF and as a signed credential', async () => {
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-certificate').click()]);
    expect((await readFile((await pdf.path())!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.suggestedFilename()).toMatch(/^certificate-[0-9a-f-]{36}\.pdf$/);
    certificateId = /^certificate-([0-9a-f-]{36})\.pdf$/.exec(pdf.suggestedFilename())![1]!;
    const [jwt] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-credential').click()]);
    credentialFile = (await jwt.path())!;
    expect((await readFile(credentialFile, 'utf8')).split('.')).toHaveLength(3);
    await page.locator('[data-testid="my-cpd"][data-certificate="valid"]').waitFor();
  });

  it('verifies the uploaded credential on a page with nobody signed in', async () => {
    const anon = await newPage(browser, { baseURL: server.url });
    await anon.page.goto('/certificates/verify');
    await anon.page.getByTestId('credential-file').setInputFiles(credentialFile);
    await anon.page.locator('[data-testid="verification"][data-result="valid"]').waitFor();
    expect(await anon.page.getByTestId('certificate-holder').textContent()).toBe('Member 1');
    expect(await anon.page.getByTestId('certificate-event').textContent()).toBe('Alliance Forum 2026');
    await screenshot(anon.page, 'certificates-02-verified-en');
    // A changed character in the pasted credential is caught.
    const text = await readFile(credentialFile, 'utf8');
    const i = text.length - 10;
    await anon.page.getByTestId('credential-input').fill(text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
    await anon.page.getByTestId('verify-credential').click();
    await anon.page.locator('[data-testid="verification"][data-result="invalid"][data-code="CREDENTIAL_SIGNATURE_INVALID"]').waitFor();
    await anon.context.close();
  });

  it('shows the certificate revoked after an organiser revokes it on the dashboard', async () => {
    const org = await newPage(browser, { baseURL: server.url });
    await signInWithToken(org.context, ownerToken);
    await org.page.goto(`/events/${eventId}/manage`);
    const row = org.page.getByTestId('cpd-person').filter({ hasText: 'Member 1' });
    await row.and(org.page.locator('[data-status="valid"]')).waitFor();
    await row.getByTestId('revoke-reason').fill('Issued in error');
    await row.getByTestId('revoke').click();
    await org.page.getByTestId('cpd-person').filter({ hasText: 'Member 1' }).and(org.page.locator('[data-status="revoked"]')).waitFor();
    await org.context.close();

    const anon = await newPage(browser, { baseURL: server.url });
    await anon.page.goto(`/certificates/verify?id=${certificateId}`);
    await anon.page.locator('[data-testid="verification"][data-result="revoked"]').waitFor();
    expect(await anon.page.getByTestId('verification').textContent()).toContain('Issued in error');
    await screenshot(anon.page, 'certificates-03-revoked-en');
    await anon.context.close();
  });
});
