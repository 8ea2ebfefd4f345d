import type { Browser, Page } from 'playwright-core';
import type { OrganizationDto, RoomDto } from '../../server/src/contract';
import { api, register, type TestSession } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, screenshot, selfPeerId, signInWithToken } from '../helpers/browser';
import { lanAddress, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A room of one organisation with `count` people signed in on their own pages. */
async function roomWithPeople(server: StartedServer, browser: Browser, count: number): Promise<{ room: RoomDto; pages: Page[] }> {
  const http = api(server.url);
  const people: TestSession[] = [await register(server.url, 'Owner')];
  const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'County Library Network' }, people[0]!.accessToken)).body;
  const room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'First meeting', access: 'public' }, people[0]!.accessToken)).body;
  for (let i = 1; i < count; i++) people.push(await register(server.url, `Guest ${i}`));
  const pages: Page[] = [];
  for (const p of people) {
    const { context, page } = await newPage(browser, { baseURL: server.url });
    await signInWithToken(context, p.refreshToken);
    pages.push(page);
  }
  return { room, pages };
}

/** Waits until each of two pages decodes the other's camera, or fails after `timeoutMs` naming what it got. */
async function seeEachOther(pages: Page[], timeoutMs: number): Promise<void> {
  const ids = await Promise.all(pages.map(selfPeerId));
  for (const [i, page] of pages.entries()) {
    const other = ids[1 - i]!;
    const started = Date.now();
    for (;;) {
      const s = (await inboundStats(page)).find((x) => x.peerId === other && x.source === 'camera');
      if ((s?.framesDecoded ?? 0) > 0) break;
      if (Date.now() - started > timeoutMs) throw new Error(`no video from ${other} on page ${i}: ${JSON.stringify(await inboundStats(page))}`);
      await sleep(250);
    }
  }
}

async function join(page: Page, room: RoomDto): Promise<void> {
  await page.goto(`/rooms/${room.id}`);
  await page.getByTestId('preview-video').waitFor();
  await page.getByTestId('join').click();
  await page.getByTestId('room').waitFor();
}

/**
 * What `npm start` gives a newcomer: no RTC settings at all (the media sockets bind to every
 * interface), a browser on the same machine. Media must flow; and when browsers cannot reach the
 * announced address, the page and the server log say so in words.
 */
describe('media on the default settings', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('two people see each other with no RTC setting but the ports', async () => {
    // RTC_LISTEN_IP empty = unset: the default 0.0.0.0, as `npm start` has it.
    const server = await startServer({ env: { RTC_LISTEN_IP: '' } });
    try {
      expect(server.logs()).toMatch(/media reachable at (\d+\.){3}\d+ \(detected/);
      expect(server.logs()).not.toMatch(/"announcedAddress":"0\.0\.0\.0"/);
      const { room, pages } = await roomWithPeople(server, browser, 2);
      await Promise.all(pages.map((p) => join(p, room)));
      await seeEachOther(pages, 20_000);
      expect(await pages[0]!.getByTestId('media-unreachable').count()).toBe(0);
      await screenshot(pages[0]!, 'media-defaults-01-video');
    } finally {
      await server.stop();
    }
  });

  it('says in words when the media address cannot be reached, and the server log says why', async () => {
    // TEST-NET-1: an address no browser can reach.
    const server = await startServer({ env: { RTC_LISTEN_IP: '', RTC_ANNOUNCED_IP: '192.0.2.1' } });
    try {
      const { room, pages } = await roomWithPeople(server, browser, 1);
      await join(pages[0]!, room);
      const banner = pages[0]!.getByTestId('media-unreachable');
      await banner.waitFor({ timeout: 60_000 });
      expect(await banner.textContent()).toMatch(/cannot reach the server's media address/);
      // Chat and the rest of the room still work.
      expect(await pages[0]!.getByTestId('room').isVisible()).toBe(true);
      await screenshot(pages[0]!, 'media-defaults-02-unreachable');
      const deadline = Date.now() + 20_000;
      while (!/has not reached the media server/.test(server.logs()) && Date.now() < deadline) await sleep(500);
      expect(server.logs()).toMatch(/has not reached the media server.*192\.0\.2\.1|192\.0\.2\.1.*has not reached the media server/);
    } finally {
      await server.stop();
    }
  });

  it('a colleague on the LAN gets camera and microphone over HTTPS with a self-signed certificate', async () => {
    const lan = lanAddress();
    // What a small association does: TLS=self-signed, every other setting left alone (HOST, RTC_*).
    const server = await startServer({ env: { TLS: 'self-signed', HOST: '', RTC_LISTEN_IP: '' } });
    try {
      const base = server.url.replace('127.0.0.1', lan);
      expect(base).toMatch(/^https:/);
      const pages: Page[] = [];
      let room: RoomDto | undefined;
      for (const name of ['Owner', 'Colleague']) {
        // Each person accepts the certificate once (what the browser's warning page asks), then signs up and in.
        const { context, page } = await newPage(browser, { baseURL: base, ignoreHTTPSErrors: true });
        const email = `${name.toLowerCase()}.${Date.now()}@example.org`;
        const credentials = { email, password: 'a long enough password' };
        expect((await context.request.post('/api/auth/register', { data: { ...credentials, displayName: name } })).status()).toBe(202);
        const signedIn = await context.request.post('/api/auth/sign-in', { data: credentials });
        expect(signedIn.status()).toBe(200);
        const token = ((await signedIn.json()) as { accessToken: string }).accessToken;
        if (!room) {
          const headers = { authorization: `Bearer ${token}` };
          const org = (await (await context.request.post('/api/organizations', { data: { name: 'Village Library' }, headers })).json()) as OrganizationDto;
          room = (await (await context.request.post(`/api/organizations/${org.id}/rooms`, { data: { name: 'LAN meeting', access: 'public' }, headers })).json()) as RoomDto;
        }
        await context.addInitScript(() => localStorage.setItem('quorum.signedIn', '1'));
        pages.push(page);
      }
      await Promise.all(pages.map((p) => join(p, room!)));
      // A LAN address over HTTPS is a secure context: the browser lets the page have camera and microphone.
      expect(await pages[0]!.evaluate(() => window.isSecureContext && location.protocol)).toBe('https:');
      await seeEachOther(pages, 60_000);
      await screenshot(pages[1]!, 'media-defaults-03-lan-https');
    } finally {
      await server.stop();
    }
  });

  it('on a plain http:// LAN address the page loads and says why camera and microphone are missing', async () => {
    const lan = lanAddress();
    const server = await startServer({ env: { HOST: '', RTC_LISTEN_IP: '' } });
    try {
      const base = server.url.replace('127.0.0.1', lan);
      const owner = await register(server.url, 'Owner');
      const http = api(server.url);
      const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Village Library' }, owner.accessToken)).body;
      const room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'LAN meeting', access: 'public' }, owner.accessToken)).body;
      const { context, page } = await newPage(browser, { baseURL: base });
      await signInWithToken(context, owner.refreshToken, lan);
      await page.goto(`/rooms/${room.id}`);
      const notice = page.getByTestId('insecure-context');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(`http://${new URL(base).host}`);
      // Still a working page: joining to watch and chat is possible.
      await page.locator('[data-testid="join"]:enabled').waitFor();
      await screenshot(page, 'media-defaults-04-lan-http');
    } finally {
      await server.stop();
    }
  });
});
