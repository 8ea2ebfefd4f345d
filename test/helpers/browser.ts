import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots and other evidence land here (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', '..', 'test-artifacts');

/**
 * Debian's chromium, headless, with fake camera and microphone. `extraArgs` adds flags, e.g.
 * `--use-file-for-fake-audio-capture=<wav>` for a microphone that plays a known sound.
 */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A fresh profile (no stored tokens or language) with an English browser locale unless told otherwise. */
export async function newPage(
  browser: Browser,
  opts: { baseURL?: string; locale?: string; ignoreHTTPSErrors?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    ...(opts.ignoreHTTPSErrors ? { ignoreHTTPSErrors: true } : {}),
    viewport: { width: 1280, height: 800 },
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
  });
  const page = await context.newPage();
  // A bound on waiting for an outcome, not a speed requirement: generous, because a loaded machine
  // (two cores shared with a database, a media worker and three browsers) can be slow by seconds.
  page.setDefaultTimeout(45_000);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Signs a fresh context in as someone: the HttpOnly refresh cookie (which the browser then rotates by
 * itself) and the flag the app keeps to know it has a session. Test servers listen on 127.0.0.1.
 */
/** `domain`: the host the pages are opened on (127.0.0.1 unless a test opens the LAN address). */
export async function signInWithToken(context: BrowserContext, refreshToken: string, domain = '127.0.0.1'): Promise<void> {
  await context.addCookies([{ name: 'quorum_refresh', value: refreshToken, domain, path: '/api/auth', httpOnly: true, sameSite: 'Strict' }]);
  await context.addInitScript(() => {
    if (!localStorage.getItem('quorum.signedIn')) localStorage.setItem('quorum.signedIn', '1');
  });
}

/** One received stream as the client's `window.__quorum.inboundStats()` reports it (client/src/features/room/session/room-session.ts). */
export interface InboundStat {
  peerId: string;
  source: 'mic' | 'camera' | 'screen' | 'screen-audio';
  /** A stream of an interpretation channel (absent for the floor). */
  channel?: string;
  kind: 'audio' | 'video';
  consumerId: string;
  packetsReceived: number;
  bytesReceived: number;
  framesDecoded: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
}

declare global {
  interface Window {
    /** Exposed by the web client while in a room. */
    __quorum?: { selfPeerId(): string | null; inboundStats(): Promise<InboundStat[]> };
  }
}

/** Every stream the page receives, attributed to peer and source, from its RTCPeerConnection stats. */
export const inboundStats = (page: Page): Promise<InboundStat[]> => page.evaluate(() => window.__quorum!.inboundStats());

/** The page's own peer id in the room it is in. */
export const selfPeerId = async (page: Page): Promise<string> => {
  const id = await page.evaluate(() => window.__quorum?.selfPeerId() ?? null);
  if (!id) throw new Error('the page is not in a room');
  return id;
};
