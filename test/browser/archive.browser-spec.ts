/**
 * The recording page in Debian's chromium, on a recording made by FFmpeg (test/helpers/recordings.ts):
 * hls.js plays its HLS (the time advances), the audio switches from the floor (440 Hz) to the Chinese
 * channel (660 Hz) and the page's own audio analysis hears it, the captions are subtitle tracks of the
 * video, the programme's chapters are listed and seek; its Dublin Core record parses as XML. A
 * visitor who is not signed in plays a public recording and is refused a hosts-only one; an organiser
 * edits a recording's description in Arabic, right to left.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import type { OrganizationDto, RecordingDto } from '../../server/src/contract';
import { api, register, type TestSession } from '../helpers/api';
import { launchBrowser, newPage, screenshot, signInWithToken } from '../helpers/browser';
import { addSession, createEvent, utcWall } from '../helpers/events';
import { archiveEnv, FLOOR_HZ, removeDataDir, seedRecording, tempDataDir, waitArchived, ZH_HZ } from '../helpers/recordings';
import { createRoom } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

/** The loudest frequency the page hears from the video, in Hz (an analyser on the media element's output). */
const dominantHz = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    const w = window as unknown as { __probe?: { ctx: AudioContext; an: AnalyserNode } };
    if (!w.__probe) {
      const video = document.querySelector('video')!;
      const ctx = new AudioContext();
      const an = ctx.createAnalyser();
      an.fftSize = 8192;
      ctx.createMediaElementSource(video).connect(an);
      an.connect(ctx.destination);
      w.__probe = { ctx, an };
    }
    const { ctx, an } = w.__probe;
    await ctx.resume();
    await new Promise((r) => setTimeout(r, 300));
    const bins = new Float32Array(an.frequencyBinCount);
    an.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[best]!) best = i;
    return (best * ctx.sampleRate) / an.fftSize;
  });

// Evaluated rather than added as a <script>: the app's Content-Security-Policy forbids inline scripts.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.2 AA violations axe-core finds on the page as it is now, one line per element. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} — ${n.target.join(' ')}`));
  });
}

const currentTime = (page: Page) => page.evaluate(() => document.querySelector('video')!.currentTime);

describe('the recording page', () => {
  let server: StartedServer;
  let dataDir: string;
  let browser: Browser;
  let owner: TestSession;
  let org: OrganizationDto;
  let publicId: string;
  let hostsId: string;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startServer({ env: archiveEnv(dataDir) });
    // Audio must play without a click: the page's analyser listens to it.
    browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
    const http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Alliance of Libraries' }, owner.accessToken)).body;
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Plenary hall' });
    // Two programme sessions in the room, one minute each; the recording holds the last 6 s of one and the first 6 s of the next.
    const start = new Date(Date.now() - 3 * 3600_000);
    start.setUTCSeconds(0, 0);
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Open Access Forum',
      timeZone: 'UTC',
      visibility: 'public',
      registration: 'none',
    });
    await addSession(server.url, owner.accessToken, event.id, {
      title: 'Keynote: open science',
      startsAt: utcWall(start),
      endsAt: utcWall(new Date(start.getTime() + 60_000)),
      roomId: room.id,
    });
    await addSession(server.url, owner.accessToken, event.id, {
      title: 'Panel: metadata for all',
      startsAt: utcWall(new Date(start.getTime() + 60_000)),
      endsAt: utcWall(new Date(start.getTime() + 120_000)),
      roomId: room.id,
    });
    const where = { databaseUrl: server.databaseUrl, dataDir };
    publicId = (await seedRecording(where, { organizationId: org.id, roomId: room.id, startedAt: new Date(start.getTime() + 54_000) })).id;
    hostsId = (await seedRecording(where, { organizationId: org.id, roomId: room.id, startedAt: new Date(start.getTime() - 3600_000) })).id;
    await waitArchived(server.databaseUrl, publicId);
    await waitArchived(server.databaseUrl, hostsId);
    expect(
      (
        await http.patch<RecordingDto>(
          `/api/recordings/${publicId}`,
          { access: 'public', title: 'Forum: opening sessions' },
          owner.accessToken,
        )
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await removeDataDir(dataDir);
  });

  it('plays a public recording to a visitor who is not signed in: audio channels, captions and chapters', async () => {
    const { page, context } = await newPage(browser, { baseURL: server.url });
    await page.goto(`/recordings/${publicId}`);
    await page.getByTestId('recording-title').filter({ hasText: 'Forum: opening sessions' }).waitFor();
    await page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor();
    const audio = page.getByTestId('audio-language');
    await audio.locator('option').nth(1).waitFor({ state: 'attached' });
    expect(await audio.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('data-lang')))).toEqual(['en', 'zh']);

    // It plays: the clock advances.
    await page.evaluate(() => document.querySelector('video')!.play());
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 1);
    const t1 = await currentTime(page);
    await page.waitForTimeout(1000);
    const t2 = await currentTime(page);
    console.log(`playback: currentTime ${t1.toFixed(2)} s → ${t2.toFixed(2)} s over 1 s (load average ${loadavg()[0]!.toFixed(2)})`);
    expect(t2).toBeGreaterThan(t1 + 0.3);
    const floorHz = await dominantHz(page);
    expect(Math.abs(floorHz - FLOOR_HZ)).toBeLessThan(25);

    // The Chinese channel: hls.js switches rendition, and the page then hears 660 Hz.
    await audio.selectOption({ index: 1 });
    await page.locator('[data-testid="player"][data-audio-lang="zh"]').waitFor();
    const switchedAt = Date.now();
    let heard = 0;
    while (Date.now() - switchedAt < 15_000) {
      heard = await dominantHz(page);
      if (Math.abs(heard - ZH_HZ) < 25) break;
      // A short recording may end before the new rendition is buffered: start it again.
      if (await page.evaluate(() => document.querySelector('video')!.ended))
        await page.evaluate(() => document.querySelector('video')!.play());
    }
    console.log(
      `audio switch: heard ${floorHz.toFixed(0)} Hz (floor), then ${heard.toFixed(0)} Hz ${Date.now() - switchedAt} ms after choosing zh`,
    );
    expect(Math.abs(heard - ZH_HZ)).toBeLessThan(25);

    // Captions: subtitle tracks of the video, English and Chinese; English chosen, its cues load.
    expect(await page.locator('[data-testid="player"]').getAttribute('data-subtitles')).toBe('2');
    await page.getByTestId('captions-language').selectOption({ index: 1 });
    await page.waitForFunction(() =>
      Array.from(document.querySelector('video')!.textTracks).some(
        (t) => t.language === 'en' && t.mode === 'showing' && (t.cues?.length ?? 0) > 0,
      ),
    );
    const tracks = await page.evaluate(() =>
      Array.from(document.querySelector('video')!.textTracks)
        .map((t) => `${t.kind}:${t.language}`)
        .sort(),
    );
    expect(tracks).toEqual(['subtitles:en', 'subtitles:zh']);

    // Chapters from the programme, and seeking to one.
    const chapters = page.getByTestId('chapter');
    expect(await chapters.allTextContents()).toEqual(['0:00Keynote: open science', '0:06Panel: metadata for all']);
    await chapters.nth(1).click();
    await page.waitForFunction(() => document.querySelector('video')!.currentTime >= 6);
    expect(await currentTime(page)).toBeLessThan(11);
    await page.locator('[data-testid="chapter"][aria-current="true"]').filter({ hasText: 'Panel' }).waitFor();

    // Downloads and the catalogue record.
    expect(await page.getByTestId('download-mp4').getAttribute('href')).toMatch(
      new RegExp(`^/api/recordings/${publicId}/files/[0-9a-f-]{36}\\?download=1$`),
    );
    expect(await page.getByTestId('download-captions').count()).toBe(2);
    const dc = await page.evaluate(async (id) => {
      const xml = new DOMParser().parseFromString(await (await fetch(`/api/recordings/${id}/dublin-core.xml`)).text(), 'application/xml');
      return {
        error: xml.getElementsByTagName('parsererror').length,
        title: xml.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'title')[0]?.textContent,
      };
    }, publicId);
    expect(dc).toEqual({ error: 0, title: 'Forum: opening sessions' });
    await screenshot(page, 'archive-01-public-recording');
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('refuses a hosts-only recording to a visitor who is not signed in', async () => {
    const { page, context } = await newPage(browser, { baseURL: server.url });
    await page.goto(`/recordings/${hostsId}`);
    await page.locator('[data-testid="recording-refused"][data-code="RECORDING_NOT_FOUND"]').waitFor();
    expect(await page.locator('video').count()).toBe(0);
    const direct = await page.evaluate(async (id) => (await fetch(`/api/recordings/${id}/package`)).status, hostsId);
    expect(direct).toBe(404);
    // The public archive lists the public recording only.
    await page.goto(`/archive/organizations/${org.id}`);
    await page.getByTestId('recording-item').first().waitFor();
    expect(await page.getByTestId('recording-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-recording-id')))).toEqual([
      publicId,
    ]);
    await context.close();
  });

  it('lets an organiser edit the description in Arabic, right to left', async () => {
    const { page, context } = await newPage(browser, { baseURL: server.url, locale: 'ar' });
    await signInWithToken(context, owner.refreshToken);
    await page.goto(`/organizations/${org.id}/recordings`);
    await page.locator(`[data-testid="recording-item"][data-recording-id="${hostsId}"]`).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await violations(page)).toEqual([]);
    await page.locator(`[data-recording-id="${hostsId}"] a`).click();
    await page.locator('[data-testid="recording-page"][data-access="hosts"]').waitFor();
    await page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor();
    // Watching, on the Chinese channel, paused at some point: saving the description must not lose the place.
    await page.getByTestId('audio-language').locator('option').nth(1).waitFor({ state: 'attached' });
    await page.getByTestId('audio-language').selectOption({ index: 1 });
    await page.locator('[data-testid="player"][data-audio-lang="zh"]').waitFor();
    await page.evaluate(() => document.querySelector('video')!.play());
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 2);
    const { pausedAt, source } = await page.evaluate(() => {
      const v = document.querySelector('video')!;
      v.pause();
      return { pausedAt: v.currentTime, source: v.src };
    });
    await page.getByTestId('edit-recording').locator('summary').click();
    await page.getByTestId('files').locator('summary').click();
    expect(await violations(page)).toEqual([]);
    await page.getByTestId('edit-title').fill('مكتبات المستقبل');
    await page.getByTestId('edit-subject').fill('الوصول الحر\n开放获取');
    await page.getByTestId('edit-access').selectOption('members');
    await page.getByTestId('save-recording').click();
    await page.getByTestId('recording-title').filter({ hasText: 'مكتبات المستقبل' }).waitFor();
    await page.locator('[data-testid="recording-page"][data-access="members"]').waitFor();
    // The saved record hands out new links; the player reloads them where it was, on the same channel.
    await page.locator('[data-testid="player"][data-audio-lang="zh"]').waitFor();
    await page.waitForFunction((before) => document.querySelector('video')!.src !== before, source);
    await page.waitForFunction((t) => Math.abs(document.querySelector('video')!.currentTime - t) < 0.5, pausedAt);
    const saved = (await api(server.url).get<RecordingDto>(`/api/recordings/${hostsId}`, owner.accessToken)).body;
    expect(saved.metadata).toMatchObject({ title: 'مكتبات المستقبل', subject: ['الوصول الحر', '开放获取'] });
    expect(saved.access).toBe('members');
    await screenshot(page, 'archive-02-edited-ar');
    await context.close();
  });
});
