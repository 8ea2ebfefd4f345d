/* global window */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { requireFromRoot } from './typescript.mjs';

/**
 * Browser join -> first decoded remote frame: Debian chromium with a fake camera, through the built
 * web client and server. A host page sends video throughout; each viewer (its own account, a fresh
 * browser context) opens the room, waits on the pre-join screen until its preview runs, and the clock
 * starts when it presses "Join" and stops when its RTCPeerConnection has decoded a frame of the
 * host's camera. The first joins warm up the server and the browser and are not counted.
 */

const { createDatabase, dropDatabase, startServer } = requireFromRoot('test/helpers/server-process.ts');
const { CHROMIUM_PATH, launchBrowser, newPage, signInWithToken } = requireFromRoot('test/helpers/browser.ts');
const { register } = requireFromRoot('test/helpers/api.ts');
const { createRoom, orgWithMembers } = requireFromRoot('test/helpers/room.ts');

const WARMUP_JOINS = 2;

export const browserAvailable = () => existsSync(CHROMIUM_PATH);

export async function benchBrowserJoins({ joins, log }) {
  const databaseUrl = await createDatabase();
  let server;
  let browser;
  try {
    server = await startServer({ env: { DATABASE_URL: databaseUrl } });
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Browser join bench');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Join bench' });
    const invite = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    browser = await launchBrowser();

    const enter = async (page) => {
      await page.goto(`/rooms/${room.id}`);
      await page.getByTestId('preview-video').waitFor({ timeout: 30_000 });
      const started = performance.now();
      await page.getByTestId('join').click();
      return started;
    };
    const host = await newPage(browser, { baseURL: server.url });
    await signInWithToken(host.context, owner.refreshToken);
    await enter(host.page);
    await host.page.getByTestId('room').waitFor({ timeout: 30_000 });
    const hostPeer = await host.page.evaluate(() => window.__quorum?.selfPeerId());

    const samples = [];
    const warmup = [];
    for (let i = 0; i < WARMUP_JOINS + joins; i++) {
      const viewer = await register(server.url, `Viewer ${i + 1}`);
      await http.post(`/api/invitations/${invite.token}/accept`, undefined, viewer.accessToken);
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signInWithToken(context, viewer.refreshToken);
      const started = await enter(page);
      await page.getByTestId('room').waitFor({ timeout: 30_000 });
      const inRoom = performance.now();
      // Poll the page's own stats until a frame of the host's camera is decoded.
      const deadline = Date.now() + 30_000;
      let decodedAt = null;
      while (Date.now() < deadline) {
        const stats = await page.evaluate(() => window.__quorum?.inboundStats() ?? []);
        if (stats.some((s) => s.peerId === hostPeer && s.source === 'camera' && (s.framesDecoded ?? 0) > 0)) {
          decodedAt = performance.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      if (decodedAt === null) throw new Error(`join ${i + 1}: no frame of the host decoded within 30 s`);
      const sample = { totalMs: decodedAt - started, roomMs: inRoom - started };
      (i < WARMUP_JOINS ? warmup : samples).push(sample);
      await context.close();
      if (log && (i < WARMUP_JOINS || (i - WARMUP_JOINS + 1) % 5 === 0)) {
        log(`  ${i < WARMUP_JOINS ? `warm-up ${i + 1}` : `join ${i - WARMUP_JOINS + 1}`}: ${sample.totalMs.toFixed(0)} ms`);
      }
    }
    return { warmup, samples };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dropDatabase(databaseUrl);
  }
}
