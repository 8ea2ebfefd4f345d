import { execFileSync } from 'node:child_process';
import type { InvitationDto, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Frames of the peer's camera decoded on `page` over one second (0 when none arrive). */
async function framesPerSecond(page: Page, peerId: string): Promise<number> {
  const frames = async () =>
    (await inboundStats(page)).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0;
  const before = await frames();
  await sleep(1_000);
  return (await frames()) - before;
}

async function untilVideoFrom(page: Page, peerId: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await page.locator(`[data-testid="tile"][data-peer-id="${peerId}"][data-has-video="true"]`).waitFor({ timeout: timeoutMs });
  while ((await framesPerSecond(page, peerId)) === 0) {
    if (Date.now() - started > timeoutMs) throw new Error(`no frames from ${peerId} within ${timeoutMs} ms`);
  }
  return Date.now() - started;
}

/** The mediasoup worker processes the server spawned (children of its node process). */
function workerPids(server: StartedServer): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(server.process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm?.startsWith('mediasoup'))
    .map(([pid]) => Number(pid));
}

describe('a live room recovers by itself', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  const sessions: TestSession[] = [];
  const pages: Page[] = [];
  const contexts: BrowserContext[] = [];
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await startServer();
    const http = api(server.url);
    const owner = await register(server.url, 'Grace Owner');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Recovery Org' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Resilient room' }, owner.accessToken)).body;
    const member = await register(server.url, 'Miguel Delegado');
    const invitation = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    expect((await http.post(`/api/invitations/${invitation.token}/accept`, {}, member.accessToken)).status).toBe(200);
    sessions.push(owner, member);

    browser = await launchBrowser();
    for (const session of sessions) {
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signInWithToken(context, session.refreshToken);
      contexts.push(context);
      pages.push(page);
    }
    await Promise.all(
      pages.map(async (page) => {
        await page.goto(`/rooms/${room.id}`);
        await page.locator('[data-testid="join"]:enabled').click();
        await page.getByTestId('room').waitFor();
      }),
    );
    const [a, b] = pages as [Page, Page];
    await Promise.all([untilVideoFrom(a, await selfPeerId(b), 20_000), untilVideoFrom(b, await selfPeerId(a), 20_000)]);
  });

  afterAll(async () => {
    if (Object.keys(figures).length) console.log('room recovery figures', JSON.stringify(figures, null, 2));
    await browser?.close();
    await server?.stop();
  });

  it('joins again and gets video back when the media worker dies', async () => {
    const [a, b] = pages as [Page, Page];
    const before = [await selfPeerId(a), await selfPeerId(b)];
    const pids = workerPids(server);
    expect(pids).toHaveLength(1);
    const killed = Date.now();
    process.kill(pids[0]!, 'SIGKILL');

    // Both come back under new peer ids (a fresh join), without anyone pressing anything.
    const after: string[] = [];
    for (const [i, page] of [a, b].entries()) {
      await page.waitForFunction((old) => {
        const id = window.__quorum?.selfPeerId();
        return id && id !== old;
      }, before[i]!, { timeout: 60_000 });
      after.push(await selfPeerId(page));
    }
    await Promise.all([untilVideoFrom(a, after[1]!, 20_000), untilVideoFrom(b, after[0]!, 20_000)]);
    figures.workerKilledToVideoBackMs = Date.now() - killed;
    expect(server.logs()).toContain('room media reset');
    expect(workerPids(server)).toHaveLength(1);
    for (const page of [a, b]) {
      expect(await page.getByTestId('room').getAttribute('data-status')).toBe('joined');
      expect(await page.locator('[data-testid="tile"][data-self="false"]').count()).toBe(1);
    }
  });

  it('keeps its seat and its media through a short network drop', async () => {
    const [a, b] = pages as [Page, Page];
    const [aId, bId] = [await selfPeerId(a), await selfPeerId(b)];
    const dropped = Date.now();
    await contexts[1]!.setOffline(true);
    await b.locator('[data-testid="room"][data-status="reconnecting"]').waitFor({ timeout: 60_000 });
    await sleep(2_000);
    await contexts[1]!.setOffline(false);
    await b.locator('[data-testid="room"][data-status="joined"]').waitFor({ timeout: 60_000 });
    figures.networkDropToSignallingBackMs = Date.now() - dropped;
    // socket.io resumed the same connection: same seat, so no second join and no ghost tile.
    expect(await selfPeerId(b)).toBe(bId);
    expect(await a.locator('[data-testid="tile"][data-self="false"]').count()).toBe(1);
    expect(await framesPerSecond(a, bId)).toBeGreaterThan(0);
    expect(await framesPerSecond(b, aId)).toBeGreaterThan(0);
    // And signalling works again: a mute reaches the other side.
    await b.getByTestId('mic-toggle').click();
    await a.locator(`[data-testid="tile"][data-peer-id="${bId}"][data-mic-muted="true"]`).waitFor({ timeout: 15_000 });
  });
});
