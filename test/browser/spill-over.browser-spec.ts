/**
 * A webinar over two mediasoup workers, as browsers see it. With a budget of two consumers per
 * router, the first attendee is received on the room's own router and the second on a router of the
 * other worker, fed by a pipe; both decode the host's video. Killing the second worker (SIGKILL) leaves
 * the first attendee's video running and the host untouched, while the second attendee is told to
 * join again and gets the video back by itself.
 */
import type { InvitationDto, OrganizationDto, RoomDto } from '../../server/src/contract';
import type { Browser, Page } from 'playwright-core';
import { api, register, type TestSession } from '../helpers/api';
import { inboundStats, launchBrowser, newPage, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';
import { processExists } from '../media/worker-processes';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const framesFrom = async (page: Page, peerId: string): Promise<number> =>
  (await inboundStats(page)).find((s) => s.peerId === peerId && s.source === 'camera')?.framesDecoded ?? 0;

/** Waits until the page decodes frames of the peer's camera, and keeps decoding them (more after a while). */
async function untilDecoding(page: Page, peerId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await page.locator(`[data-testid="tile"][data-peer-id="${peerId}"][data-has-video="true"]`).waitFor({ timeout: timeoutMs });
  for (;;) {
    const before = await framesFrom(page, peerId);
    await sleep(1_000);
    if ((await framesFrom(page, peerId)) > before && before > 0) return;
    if (Date.now() > deadline) throw new Error(`no frames from ${peerId} within ${timeoutMs} ms`);
  }
}

/** pino lines of the server with this message. */
function logged(server: StartedServer, msg: string): Record<string, unknown>[] {
  return server
    .logs()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function metric(server: StartedServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`/metrics has no ${name}`);
  return Number(line.split(' ')[1]);
}

describe('a webinar spilling over to a second worker', () => {
  let server: StartedServer;
  let browser: Browser;
  let room: RoomDto;
  const pages: Page[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { MEDIASOUP_WORKERS: '2', MEDIA_ROUTER_CONSUMERS: '2' } });
    const http = api(server.url);
    const owner: TestSession = await register(server.url, 'Grace Host');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Large Webinars' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Keynote', mode: 'webinar' }, owner.accessToken)).body;
    const invitation = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    const attendees = [await register(server.url, 'Amal First'), await register(server.url, 'Bo Second')];
    for (const a of attendees) expect((await http.post(`/api/invitations/${invitation.token}/accept`, {}, a.accessToken)).status).toBe(200);

    browser = await launchBrowser();
    for (const session of [owner, ...attendees]) {
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signInWithToken(context, session.refreshToken);
      page.on('pageerror', (e) => errors.push(e.message));
      pages.push(page);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function join(page: Page): Promise<string> {
    await page.goto(`/rooms/${room.id}`);
    await page.locator('[data-testid="join"]:enabled').click();
    await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
    return selfPeerId(page);
  }

  it('receives the second attendee on the other worker, and both decode the host', async () => {
    const [host, first, second] = pages as [Page, Page, Page];
    const hostPeer = await join(host);
    // The host's microphone and camera are on the air before anyone watches.
    await host.locator(`[data-testid="tile"][data-peer-id="${hostPeer}"][data-has-video="true"]`).waitFor();
    await join(first);
    await untilDecoding(first, hostPeer, 45_000);
    expect(logged(server, 'room spilled over to another worker')).toHaveLength(0);

    await join(second);
    await untilDecoding(second, hostPeer, 45_000);
    const [spill, ...more] = logged(server, 'room spilled over to another worker');
    expect(more).toHaveLength(0);
    expect(spill).toMatchObject({ roomId: room.id, worker: expect.any(Number), workerPid: expect.any(Number) });
    const origin = logged(server, 'room opened')[0]!;
    expect(spill!.worker).not.toBe(origin.worker);
    // Two routers for the room; the host's microphone and camera piped to the second one.
    expect(await metric(server, 'quorum_mediasoup_routers')).toBe(2);
    expect(await metric(server, 'quorum_mediasoup_pipe_producers')).toBe(2);
    expect(await metric(server, 'quorum_mediasoup_pipe_transports')).toBe(2);
  });

  it('keeps the first attendee’s video when the second worker is killed, and brings the second attendee back', async () => {
    const [host, first, second] = pages as [Page, Page, Page];
    const [hostPeer, firstPeer, secondPeer] = [await selfPeerId(host), await selfPeerId(first), await selfPeerId(second)];
    const victim = Number(logged(server, 'room spilled over to another worker')[0]!.workerPid);
    expect(processExists(victim)).toBe(true);

    const framesBefore = await framesFrom(first, hostPeer);
    process.kill(victim, 'SIGKILL');

    // The second attendee joins again by itself (a new peer id) and decodes the host again.
    await second.waitForFunction(
      (old) => {
        const id = window.__quorum?.selfPeerId();
        return id && id !== old;
      },
      secondPeer,
      { timeout: 60_000 },
    );
    await untilDecoding(second, hostPeer, 45_000);

    // The first attendee and the host were never reset: same peers, and the video kept coming.
    expect(await selfPeerId(first)).toBe(firstPeer);
    expect(await selfPeerId(host)).toBe(hostPeer);
    expect(await framesFrom(first, hostPeer)).toBeGreaterThan(framesBefore);
    await untilDecoding(first, hostPeer, 10_000);
    expect(logged(server, 'viewers re-placed after the worker they were received on died')).toEqual([
      expect.objectContaining({ roomId: room.id, viewers: 1 }),
    ]);
    expect(logged(server, 'room media reset after a worker died')).toHaveLength(0);
    expect(errors).toEqual([]);
  });
});
