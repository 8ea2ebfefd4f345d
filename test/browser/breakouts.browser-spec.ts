// Breakout groups from the host's panel, in real browsers: the host places two people in two groups,
// each sees only their own group (no tile, no stream of the other), the host visits one and writes to
// all, then calls everyone back and the video of the others comes back.
import type { InvitationDto, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, screenshot, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tile = (page: Page, peerId: string) => page.locator(`[data-testid="tile"][data-peer-id="${peerId}"]`);

/** Frames of a peer's camera decoded by a page, now. */
const decoded = async (page: Page, peerId: string) => (await inboundStats(page)).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0;

async function decoding(page: Page, peerId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const first = await decoded(page, peerId);
  while (Date.now() < deadline) {
    await sleep(500);
    if ((await decoded(page, peerId)) > first) return;
  }
  throw new Error(`no frames of ${peerId} decoded within ${timeoutMs} ms`);
}

describe('breakout groups in the browser', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  const names = ['Ines Host', 'Pavel Cataloguer', 'Amina Archivist'];
  const sessions: TestSession[] = [];
  const pages: Page[] = [];
  const peers: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const owner = await register(server.url, names[0]);
    sessions.push(owner);
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Regional Library Consortium' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Annual forum' }, owner.accessToken)).body;
    for (const name of names.slice(1)) {
      const person = await register(server.url, name);
      const invitation = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
      expect((await http.post(`/api/invitations/${invitation.token}/accept`, {}, person.accessToken)).status).toBe(200);
      sessions.push(person);
    }
    browser = await launchBrowser();
    for (const session of sessions) {
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signInWithToken(context, session.refreshToken);
      page.on('pageerror', (e) => console.error(`[page ${session.user.displayName}]`, e));
      pages.push(page);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('splits, visits, broadcasts and calls back', async () => {
    await Promise.all(
      pages.map(async (page) => {
        await page.goto(`/rooms/${room.id}`);
        await page.getByTestId('join').click();
        await page.getByTestId('room').waitFor();
      }),
    );
    for (const page of pages) peers.push(await selfPeerId(page));
    const [host, a, b] = pages as [Page, Page, Page];
    const [hostPeer, aPeer, bPeer] = peers as [string, string, string];
    await decoding(a, bPeer);
    await decoding(b, aPeer);

    // Only the host has the control until a round is open.
    expect(await a.getByTestId('breakouts-toggle').count()).toBe(0);
    await host.getByTestId('breakouts-toggle').click();
    await host.getByTestId('breakout-count').fill('2');
    await host.getByLabel('I place people myself').check();
    await host.getByTestId('breakout-open').click();
    const main = host.getByTestId('breakout-main-room');
    await main.getByText(names[1]!).waitFor();
    // Each person's list is labelled "Group for <name>", the name isolated for right-to-left pages.
    const mover = (name: string) => main.locator('li', { hasText: name }).getByTestId('breakout-move');
    expect(await mover(names[1]!).getAttribute('aria-label')).toBe(`Group for \u2068${names[1]}\u2069`);
    await mover(names[1]!).selectOption({ label: 'Group 1' });
    await host.getByTestId('breakout-group').nth(0).getByText(names[1]!).waitFor();
    await mover(names[2]!).selectOption({ label: 'Group 2' });
    await host.getByTestId('breakout-group').nth(1).getByText(names[2]!).waitFor();

    // Each is told where they are and sees nobody from elsewhere: no tile, and no stream.
    // The group's name is isolated in the sentence (it may be written right to left).
    await a.getByTestId('breakout-banner').getByText('You are in \u2068Group 1\u2069').waitFor();
    await b.getByTestId('breakout-banner').getByText('You are in \u2068Group 2\u2069').waitFor();
    await tile(a, bPeer).waitFor({ state: 'detached' });
    await tile(b, aPeer).waitFor({ state: 'detached' });
    await tile(a, hostPeer).waitFor({ state: 'detached' });
    expect((await inboundStats(a)).filter((s) => s.peerId === bPeer || s.peerId === hostPeer)).toEqual([]);
    await screenshot(a, 'breakout-01-in-group-en');

    // The host visits group 1: its member sees the host, the other group still does not.
    await host.getByTestId('breakout-group').nth(0).getByTestId('breakout-go').click();
    await tile(a, hostPeer).waitFor();
    await decoding(a, hostPeer);
    expect(await tile(b, hostPeer).count()).toBe(0);

    // A message to every group.
    await host.getByTestId('breakout-broadcast').fill('Five minutes left, please prepare your summary.');
    await host.getByRole('button', { name: 'Send to all groups' }).click();
    for (const page of [a, b]) await page.getByTestId('breakout-broadcast-notice').getByText('Five minutes left, please prepare your summary.').waitFor();
    await screenshot(host, 'breakout-02-host-panel-en');

    // Everyone back: banners go, the others' video comes back.
    await host.getByTestId('breakout-call-back').click();
    await a.getByTestId('breakout-banner').waitFor({ state: 'detached' });
    await b.getByTestId('breakout-banner').waitFor({ state: 'detached' });
    await decoding(a, bPeer);
    await decoding(b, aPeer);
    await decoding(b, hostPeer);
  });
});
