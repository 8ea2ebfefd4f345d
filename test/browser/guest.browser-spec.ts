import type { OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, screenshot, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(90_000);

declare global {
  interface Window {
    __captured?: MediaStreamTrack[];
  }
}

/** Frames of a peer's camera the page has decoded so far (0 before any arrive). */
const framesFrom = async (page: Page, peerId: string): Promise<number> =>
  (await inboundStats(page)).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0;

/**
 * A guest without an account comes into a public webinar by its link with a name only, watches the
 * presenter, chats, and is marked as a guest on the host's side. The guest's page never captures a
 * device.
 */
describe('a guest joins a public webinar by its link', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  let org: OrganizationDto;
  let host: Page;
  let guest: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const owner = await register(server.url, 'Paula Presenter');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Public Library Talks' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Open data for libraries', mode: 'webinar', access: 'public' }, owner.accessToken)).body;
    browser = await launchBrowser();
    const a = await newPage(browser, { baseURL: server.url });
    const b = await newPage(browser, { baseURL: server.url });
    await signInWithToken(a.context, owner.refreshToken);
    await b.context.addInitScript(() => {
      const captured: MediaStreamTrack[] = [];
      window.__captured = captured;
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        captured.push(...stream.getTracks());
        return stream;
      };
    });
    host = a.page;
    guest = b.page;
    host.on('pageerror', (e) => errors.push(`[host] ${e.message}`));
    guest.on('pageerror', (e) => errors.push(`[guest] ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets the guest in with a name, shows them the presenter’s video and lets them chat', async () => {
    await host.goto(`/rooms/${room.id}`);
    await host.locator('[data-testid="room-mode"][data-mode="webinar"]').first().waitFor();
    await host.locator('[data-testid="join"]:enabled').click();
    await host.locator('[data-testid="room"][data-status="joined"]').waitFor();
    const hostPeer = await selfPeerId(host);

    await guest.goto(`/rooms/${room.id}`);
    await guest.getByTestId('guest-entry').waitFor();
    await screenshot(guest, 'guest-00-entry-en');
    await guest.getByLabel('Your name').fill('Gabriel Guest');
    await guest.getByTestId('guest-join').click();
    await guest.locator('[data-testid="prejoin"][data-audience="true"]').waitFor();
    await guest.locator('[data-testid="join"]:enabled').click();
    await guest.locator('[data-testid="room"][data-status="joined"]').waitFor();
    await guest.getByTestId('self-guest').waitFor();

    // The presenter's camera, decoded and still coming.
    await guest.locator(`[data-testid="tile"][data-peer-id="${hostPeer}"][data-has-video="true"]`).waitFor({ timeout: 60_000 });
    await guest.waitForFunction(
      async (peerId) => ((await window.__quorum!.inboundStats()).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0) > 0,
      hostPeer,
      { timeout: 15_000, polling: 250 },
    );
    const first = await framesFrom(guest, hostPeer);
    await guest.waitForFunction(
      async ({ peerId, before }) => ((await window.__quorum!.inboundStats()).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0) > before,
      { peerId: hostPeer, before: first },
      { timeout: 15_000, polling: 250 },
    );

    // Chat, which the room allows attendees.
    await guest.getByTestId('chat-toggle').click();
    await guest.getByTestId('chat-input').fill('Greetings from a guest');
    await guest.getByTestId('chat-input').press('Enter');
    await host.getByTestId('chat-toggle').click();
    await host.locator('[data-testid="chat-message"]', { hasText: 'Greetings from a guest' }).waitFor({ timeout: 30_000 });

    // The host sees the guest marked as one.
    await host.getByTestId('participants-toggle').click();
    await host.locator('[data-testid="participant"]', { hasText: 'Gabriel Guest' }).getByTestId('guest-badge').waitFor();
    await screenshot(host, 'guest-01-host-sees-guest-en');
    await screenshot(guest, 'guest-02-guest-watching-en');

    // Watching only: the guest's page never asked for a camera or a microphone.
    expect(await guest.evaluate(() => window.__captured!.length)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lets an organiser choose a webinar when creating a room, and marks it in the list', async () => {
    await host.goto(`/organizations/${org.id}/rooms`);
    await host.getByTestId('room-mode-choice').waitFor();
    await host.getByLabel('Room name').fill('Author talk');
    await host.getByTestId('room-mode-webinar').check();
    await host.locator('select[name="access"]').selectOption('public');
    await host.locator('form button[type="submit"]').click();
    const item = host.locator('[data-testid="room-item"]', { hasText: 'Author talk' });
    await item.locator('[data-testid="room-mode"][data-mode="webinar"]').waitFor();
    await item.getByTestId('room-guests-welcome').waitFor();
    // The room made through the form is a public webinar on the server too: it takes guests.
    const id = await item.getAttribute('data-room-id');
    const preview = await api(server.url).get(`/api/rooms/${id}/guest-preview`);
    expect([preview.status, preview.body.mode, preview.body.access]).toEqual([200, 'webinar', 'public']);
    await screenshot(host, 'guest-03-room-kinds-en');
  });
});
