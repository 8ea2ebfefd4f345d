/* global window, document, Element */
import { existsSync } from 'node:fs';
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
      await page.getByTestId('join').click();
    };
    // Timed in the page, on its own clock: from the click on Join to the room view, and to the first
    // decoded frame of `peerId`'s camera (stats read every 10 ms), so the driver's round trips are not counted.
    const timeJoin = (page, peerId) =>
      page.evaluate(
        (peer) =>
          new Promise((resolve, reject) => {
            const marks = {};
            document.addEventListener(
              'click',
              (e) => {
                if (e.target instanceof Element && e.target.closest('[data-testid="join"]')) marks.click = performance.now();
              },
              true,
            );
            const deadline = performance.now() + 60_000;
            const tick = async () => {
              if (marks.click !== undefined) {
                if (marks.room === undefined && document.querySelector('[data-testid="room"]')) marks.room = performance.now();
                const stats = (await window.__quorum?.inboundStats()) ?? [];
                const camera = stats.find((s) => s.peerId === peer && s.source === 'camera');
                if (marks.packet === undefined && (camera?.packetsReceived ?? 0) > 0) marks.packet = performance.now();
                if ((camera?.framesDecoded ?? 0) > 0) {
                  marks.room ??= performance.now();
                  const at = (name) => performance.getEntriesByName(`quorum:${name}`)[0]?.startTime ?? NaN;
                  const steps = Object.fromEntries(
                    ['joined', 'device-loaded', 'recv-transport', 'consume-ack', 'consumed', 'recv-connecting', 'recv-connected', 'resumed'].map((n) => [
                      n,
                      at(n) - marks.click,
                    ]),
                  );
                  // The first video packet seen (at the 10 ms polling's resolution): after it, the wait is for a key frame.
                  steps['first-packet'] = (marks.packet ?? performance.now()) - marks.click;
                  resolve({ totalMs: performance.now() - marks.click, roomMs: marks.room - marks.click, steps });
                  return;
                }
              }
              if (performance.now() > deadline) reject(new Error('no frame of the host decoded within 60 s'));
              else setTimeout(tick, 10);
            };
            void tick();
          }),
        peerId,
      );
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
      await page.goto(`/rooms/${room.id}`);
      await page.getByTestId('preview-video').waitFor({ timeout: 30_000 });
      const timing = timeJoin(page, hostPeer);
      await page.getByTestId('join').click();
      const sample = await timing.catch((e) => {
        throw new Error(`join ${i + 1}: ${e.message}`);
      });
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
