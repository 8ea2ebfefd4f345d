/**
 * Recording a meeting in real chromium, three pages in one room:
 * - Ada's camera and microphone are files that flash white and beep at the same instants (a Y4M
 *   and a WAV written here); the host and Lin have a moving fake camera and a silent microphone;
 * - only the host has a record button; starting shows everyone the indicator (red dot, "Recording",
 *   elapsed), Lin joining while it records is told so; the host shares a screen for a while and Ada
 *   mutes for a while in the middle; stopping says where the recording will appear;
 * - the MP4 and the HLS rendition have video and audio and last as long as the recording did (±1 s),
 *   the picture moves (scene changes counted), nothing is heard while Ada was muted;
 * - A/V sync: in the MP4 each flash of Ada's tile is matched with its beep; the same source seen at
 *   Lin's page (frame display times, audio output times) gives the offset the capture itself has, so
 *   the recorder is held only to its own share: |MP4 offset - listener offset| ≤ 80 ms (printed).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OrganizationDto, RoomDto } from '../../server/src/contract';
import { avOffsets, beepOnsets, type Crop, FLASH_BEEP, flashesAlong, flashOnsets, median, probe, sceneChanges, writeFlashBeepFiles, writeSilence } from '../helpers/av-sync';
import { api, register, type TestSession } from '../helpers/api';
import { launchBrowser, newPage, screenshot, selfPeerId, signInWithToken } from '../helpers/browser';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(420_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

declare global {
  interface Window {
    __quorumAudioTap?: boolean | AnalyserNode;
  }
}

/** Ada's microphone is a line feed: no noise suppression or gain control reshaping the beeps. */
function lineInMicrophone(): void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    if (constraints?.audio) {
      const base = typeof constraints.audio === 'object' ? constraints.audio : {};
      constraints = { ...constraints, audio: { ...base, noiseSuppression: false, autoGainControl: false, echoCancellation: false } };
    }
    return original(constraints);
  };
}

function tapAudio(): void {
  window.__quorumAudioTap = true;
}

/**
 * What a page shows and plays of one person, over `ms`: the mean luma of each of their camera
 * frames at the time it is displayed, and the loudness of the room's audio output in 64-sample
 * steps at the time it is played (both on the page's performance clock, in ms).
 */
function watchAndListen(page: Page, peerId: string, ms: number) {
  return page.evaluate(
    async ({ peerId, ms }) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-testid="tile"][data-peer-id="${peerId}"] video`);
      const tap = window.__quorumAudioTap;
      if (!video || !tap || tap === true) throw new Error('no picture or no sound of that person yet');
      const canvas = new OffscreenCanvas(32, 24);
      const g = canvas.getContext('2d', { willReadFrequently: true })!;
      const frames: { t: number; y: number }[] = [];
      let watching = true;
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
        g.drawImage(video, 0, 0, 32, 24);
        const d = g.getImageData(0, 0, 32, 24).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
        frames.push({ t: meta.expectedDisplayTime, y: sum / (d.length / 4) });
        if (watching) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      const ctx = tap.context as AudioContext;
      const processor = ctx.createScriptProcessor(1024, 1, 1);
      const sound: { t: number; rms: number }[] = [];
      processor.onaudioprocess = (e) => {
        const x = e.inputBuffer.getChannelData(0);
        for (let k = 0; k < x.length; k += 64) {
          let s = 0;
          for (let i = k; i < k + 64; i++) s += x[i]! * x[i]!;
          sound.push({ t: e.playbackTime + k / ctx.sampleRate, rms: Math.sqrt(s / 64) });
        }
      };
      tap.connect(processor);
      processor.connect(ctx.destination);
      await new Promise((r) => setTimeout(r, ms));
      watching = false;
      processor.disconnect();
      tap.disconnect(processor);
      const stamp = ctx.getOutputTimestamp();
      const toPerformance = (t: number) => stamp.performanceTime! + (t - stamp.contextTime!) * 1000;
      return { frames, sound: sound.map((s) => ({ t: toPerformance(s.t), rms: s.rms })) };
    },
    { peerId, ms },
  );
}

/** Beep onsets (ms) in a loudness series: the first step above a fifth of the loudest after 300 ms of quiet. */
function soundOnsets(sound: { t: number; rms: number }[]): number[] {
  const loudest = Math.max(...sound.map((s) => s.rms));
  const threshold = loudest / 5;
  const out: number[] = [];
  let quietSince = -Infinity;
  for (const s of sound) {
    if (s.rms < threshold) {
      if (quietSince === -Infinity) quietSince = s.t;
      continue;
    }
    if (s.t - quietSince >= 300) out.push(s.t);
    quietSince = -Infinity;
  }
  return out;
}

/** An offset folded into (-period/2, period/2]: the same beep late by one period is the same offset. */
const fold = (x: number, period: number) => x - period * Math.round(x / period);

async function join(page: Page, roomId: string): Promise<string> {
  await page.goto(`/rooms/${roomId}`);
  await page.locator('[data-testid="join"]:enabled').click();
  await page.locator('[data-testid="room"][data-status="joined"]').waitFor();
  return selfPeerId(page);
}

describe('recording a meeting from the browser', () => {
  let server: StartedServer;
  let dataDir: string;
  const browsers: Browser[] = [];
  let room: RoomDto;
  let host: Page;
  let ada: Page;
  let lin: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'quorum-rec-browser-'));
    server = await startServer({ env: { DATA_DIR: dataDir } });
    const media = await mkdtemp(path.join(tmpdir(), 'quorum-flash-beep-'));
    // Two seconds, looped by chromium: the picture and the sound loop in step.
    const { y4m, wav } = await writeFlashBeepFiles(media, 2, FLASH_BEEP, '320x240', 30);
    const silence = await writeSilence(media, 2);

    const http = api(server.url);
    const owner = await register(server.url, 'Grace Host');
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Board' }, owner.accessToken)).body;
    room = (await http.post<RoomDto>(`/api/organizations/${org.id}/rooms`, { name: 'Board meeting' }, owner.accessToken)).body;
    const invite = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    const people: Record<string, TestSession> = {};
    for (const name of ['Ada Speaker', 'Lin Listener']) {
      people[name] = await register(server.url, name);
      await http.post(`/api/invitations/${invite.token}/accept`, undefined, people[name]!.accessToken);
    }
    const speaker = await launchBrowser([`--use-file-for-fake-video-capture=${y4m}`, `--use-file-for-fake-audio-capture=${wav}`]);
    const others = await launchBrowser([`--use-file-for-fake-audio-capture=${silence}`]);
    browsers.push(speaker, others);
    const open = async (browser: Browser, who: TestSession, init: () => void): Promise<Page> => {
      const { context, page } = await newPage(browser, { baseURL: server.url });
      await signInWithToken(context, who.refreshToken);
      await (context as BrowserContext).addInitScript(init);
      page.on('pageerror', (e) => errors.push(`[${who.user.displayName}] ${e.message}`));
      return page;
    };
    host = await open(others, owner, lineInMicrophone);
    ada = await open(speaker, people['Ada Speaker']!, lineInMicrophone);
    lin = await open(others, people['Lin Listener']!, tapAudio);
  });

  afterAll(async () => {
    if (process.env.RECORDING_LOG) console.log(server.logs().split('\n').filter((l) => /recording|track|recorder/.test(l)).join('\n'));
    for (const b of browsers) await b.close();
    await server?.stop();
  });

  it('records ~20 s with a screen share and a mute, composes MP4 and HLS in sync', async () => {
    await join(host, room.id);
    const adaPeer = await join(ada, room.id);
    await host.locator(`[data-testid="tile"][data-peer-id="${adaPeer}"][data-has-video="true"]`).waitFor({ timeout: 30_000 });
    // Only the host may record.
    await host.getByTestId('record-toggle').waitFor();
    expect(await ada.getByTestId('record-toggle').count()).toBe(0);

    await host.getByTestId('record-toggle').click();
    await host.locator('[data-testid="record-toggle"][data-recording="true"]').waitFor();
    const startedAt = Date.now();
    await ada.getByTestId('recording-indicator').waitFor();
    // The name is isolated (U+2068…U+2069) so that a name in another script keeps its direction.
    expect(await ada.locator('[data-testid="recording-notice"][data-kind="started"]').textContent()).toContain('\u2068Grace Host\u2069 started recording this room.');

    // Lin comes in while it records: told at once, and sees the indicator with the time running.
    await join(lin, room.id);
    await lin.locator('[data-testid="recording-notice"][data-kind="joined"]').waitFor();
    const indicator = lin.getByTestId('recording-indicator');
    expect(await indicator.textContent()).toMatch(/Recording\s*\d+:\d\d/);
    await lin.locator(`[data-testid="tile"][data-peer-id="${adaPeer}"][data-has-video="true"]`).waitFor({ timeout: 30_000 });
    await screenshot(lin, 'recording-01-listener');

    // What Lin sees and hears of Ada, while the recording runs.
    const seen = await watchAndListen(lin, adaPeer, 5_000);

    // A screen share for a while.
    await host.getByTestId('screen-toggle').click();
    await host.locator('[data-testid="screen-toggle"][data-on="true"]').waitFor({ timeout: 15_000 });
    await sleep(4_000);
    await host.getByTestId('screen-toggle').click();
    await host.locator('[data-testid="screen-toggle"][data-on="false"]').waitFor();
    // Ada muted for three seconds.
    await ada.getByTestId('mic-toggle').click();
    await ada.locator('[data-testid="mic-toggle"][data-muted="true"]').waitFor();
    const mutedAt = (Date.now() - startedAt) / 1000;
    await sleep(3_000);
    await ada.getByTestId('mic-toggle').click();
    await ada.locator('[data-testid="mic-toggle"][data-muted="false"]').waitFor();
    const unmutedAt = (Date.now() - startedAt) / 1000;
    await sleep(Math.max(2_000, 20_000 - (Date.now() - startedAt)));

    await host.getByTestId('record-toggle').click();
    const stopped = host.locator('[data-testid="recording-notice"][data-kind="stopped"]');
    await stopped.waitFor();
    const link = await host.getByTestId('recording-link').textContent();
    const recordingId = /\/recordings\/([0-9a-f-]{36})/.exec(link ?? '')?.[1];
    expect(recordingId).toBeDefined();
    await lin.locator('[data-testid="recording-notice"][data-kind="stopped"]').waitFor();
    expect(await lin.getByTestId('recording-indicator').count()).toBe(0);
    await screenshot(host, 'recording-02-stopped');
    await host.locator('[data-testid="recording-notice"][data-kind="ready"]').waitFor({ timeout: 180_000 });

    const dir = path.join(dataDir, 'recordings', recordingId!);
    const timeline = JSON.parse(await readFile(path.join(dir, 'timeline.json'), 'utf8')) as { startedAtMs: number; stoppedAtMs: number; tracks: { key: string; peerId: string; source: string }[] };
    const wall = (timeline.stoppedAtMs - timeline.startedAtMs) / 1000;
    expect(timeline.tracks.map((t) => t.source).sort()).toEqual(['camera', 'camera', 'camera', 'mic', 'mic', 'mic', 'screen']);

    // MP4 and HLS: video and audio, as long as the recording was.
    const mp4 = path.join(dir, 'composite.mp4');
    const composite = await probe(mp4);
    expect(composite.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    const hlsVideo = await probe(path.join(dir, 'hls', 'video', 'index.m3u8'));
    const hlsFloor = await probe(path.join(dir, 'hls', 'floor', 'index.m3u8'));
    console.log(`recording durations: wall clock ${wall.toFixed(2)} s, MP4 ${composite.duration.toFixed(2)} s, HLS video ${hlsVideo.duration.toFixed(2)} s, HLS floor ${hlsFloor.duration.toFixed(2)} s`);
    for (const d of [composite.duration, hlsVideo.duration, hlsFloor.duration]) expect(Math.abs(d - wall)).toBeLessThanOrEqual(1);
    expect(hlsVideo.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(hlsFloor.streams.map((s) => s.codec_type)).toEqual(['audio']);
    // The picture is not frozen.
    const changes = await sceneChanges(mp4);
    console.log(`recording scene changes in ${composite.duration.toFixed(1)} s: ${changes}`);
    expect(changes).toBeGreaterThan(10);

    // A/V: Ada's flashes (in her tile, wherever the layout puts it) against the beeps of the mix.
    const { epochs } = JSON.parse(await readFile(path.join(dir, 'composition.json'), 'utf8')) as { epochs: { from: number; to: number; rects: Record<string, Crop> }[] };
    const adaCamera = timeline.tracks.find((t) => t.peerId === adaPeer && t.source === 'camera')!.key;
    const flashes = await flashesAlong(mp4, epochs.flatMap((e) => (e.rects[adaCamera] ? [{ from: e.from, to: e.to, crop: e.rects[adaCamera]! }] : [])));
    const beeps = await beepOnsets(mp4);
    expect(beeps.filter((t) => t > mutedAt + 0.5 && t < unmutedAt - 0.3)).toEqual([]);
    const recorded = avOffsets(flashes, beeps, FLASH_BEEP.period);
    expect(recorded.length).toBeGreaterThanOrEqual(8);
    expect(recorded.filter((o) => o.at > unmutedAt + 0.5).length).toBeGreaterThanOrEqual(2);

    // The same source at Lin's page.
    const pageFlashes = flashOnsets(seen.frames.map((f) => ({ t: f.t / 1000, y: f.y })));
    const pageBeeps = soundOnsets(seen.sound).map((t) => t / 1000);
    const heard = avOffsets(pageFlashes, pageBeeps, FLASH_BEEP.period);
    expect(heard.length).toBeGreaterThanOrEqual(3);

    const period = FLASH_BEEP.period * 1000;
    const recordedMs = median(recorded.map((o) => fold(o.offset * 1000, period)));
    const heardMs = median(heard.map((o) => fold(o.offset * 1000, period)));
    const drift = fold(recordedMs - heardMs, period);
    console.log(
      `recording A/V offset (beep - flash): MP4 ${recordedMs.toFixed(0)} ms (n=${recorded.length}: ${recorded.map((o) => Math.round(fold(o.offset * 1000, period))).join(' ')}), ` +
        `listener page ${heardMs.toFixed(0)} ms (n=${heard.length}: ${heard.map((o) => Math.round(fold(o.offset * 1000, period))).join(' ')}); recorder's drift ${drift.toFixed(0)} ms`,
    );
    expect(Math.abs(drift)).toBeLessThanOrEqual(80);
    expect(errors).toEqual([]);
  });
});
