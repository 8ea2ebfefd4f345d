/**
 * Live captions through the real app (socket.io, PostgreSQL, the captions module):
 * - only hosts assign captioners (per language); assignments are stored and come back in a later session;
 * - only an assigned captioner's lines (in their language) are taken: NOT_CAPTIONER otherwise; bad
 *   payloads are INVALID_PAYLOAD; a retried line is stored once;
 * - latency: a captioner commits 30 lines, three listeners receive them; p50/p95 are printed (target
 *   ≤ 500 ms, asserted only with a generous bound);
 * - breakout groups: a group's lines stay in the group, the main room's reach everyone;
 * - each session downloads as WebVTT per language, for those who attended and the organisers only;
 * - automatic captions: refused with AUTO_CAPTIONS_UNAVAILABLE (and a reason) where no recogniser can
 *   run, while the product still starts; the WebSocket recogniser speaks the Vosk protocol, checked
 *   against a stand-in started here (`test/helpers/vosk-server.ts`), since the real vosk-server cannot
 *   be installed on this machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CaptionLine } from '../../server/src/contract';
import { PocketsphinxProvider } from '../../server/src/modules/captions/stt/pocketsphinx';
import { VoskWebSocketProvider } from '../../server/src/modules/captions/stt/vosk-websocket';
import type { SpeechResult } from '../../server/src/modules/captions/stt/speech-to-text';
import { api, command, connectSocket, nextEvent, register, type TestSocket } from '../helpers/api';
import { code, createRoom, enter, type Member, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';
import { startVoskStandIn } from '../helpers/vosk-server';
import { waitFor } from '../helpers/rtp';

jest.setTimeout(120_000);

const NOBODY = '00000000-0000-4000-8000-000000000000';
let seq = 0;
const rid = () => `cap-${Date.now().toString(36)}-${++seq}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('live captions', () => {
  let server: StartedServer;
  const open: TestSocket[] = [];
  const track = (m: Member) => {
    open.push(m.socket);
    return m;
  };

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => server?.stop());

  it('lets only hosts assign captioners per language, and keeps them for later sessions', async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const attendee = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const cap = ctx.people[1]!;

    expect(code(await command(attendee.socket, 'captions:assign', { userId: cap.user.id, language: 'en' }))).toBe('FORBIDDEN');
    expect(code(await command(attendee.socket, 'captions:automatic', { enabled: true }))).toBe('FORBIDDEN');
    expect(code(await command(host.socket, 'captions:assign', { userId: cap.user.id, language: 'sign' as 'en' }))).toBe('INVALID_PAYLOAD');
    expect(code(await command(host.socket, 'captions:assign', { userId: cap.user.id, language: 'EN' as 'en' }))).toBe('INVALID_PAYLOAD');
    expect(code(await command(host.socket, 'captions:assign', { userId: 'not-a-uuid', language: 'en' }))).toBe('INVALID_PAYLOAD');
    expect(code(await command(host.socket, 'captions:assign', { userId: cap.user.id, language: 'en', extra: 1 } as never))).toBe('INVALID_PAYLOAD');
    expect(code(await command(host.socket, 'captions:assign', { userId: NOBODY, language: 'en' }))).toBe('NOT_FOUND');

    const changed = nextEvent(attendee.socket, 'captions:changed');
    expect(code(await command(host.socket, 'captions:assign', { userId: cap.user.id, language: 'en' }))).toBe('ok');
    const both = await command(host.socket, 'captions:assign', { userId: cap.user.id, language: 'ar' });
    expect(both.ok && both.data.captioners).toEqual([
      { userId: cap.user.id, displayName: 'Member 2', language: 'en' },
      { userId: cap.user.id, displayName: 'Member 2', language: 'ar' },
    ]);
    expect((await changed).languages).toContain('en');
    expect(code(await command(attendee.socket, 'captions:unassign', { userId: cap.user.id }))).toBe('FORBIDDEN');
    const fewer = await command(host.socket, 'captions:unassign', { userId: cap.user.id, language: 'ar' });
    expect(fewer.ok && fewer.data.captioners.map((a) => a.language)).toEqual(['en']);

    // Everyone leaves: the session ends. The next session reads the stored assignment.
    host.socket.close();
    attendee.socket.close();
    await new Promise((r) => setTimeout(r, 500));
    const again = track(await enter(server.url, cap.accessToken, room.id));
    const state = await command(again.socket, 'captions:state', {});
    expect(state.ok && state.data).toMatchObject({ captioners: [{ userId: cap.user.id, language: 'en' }], languages: ['en'], mine: ['en'], recent: [] });
  });

  it("refuses lines from anyone but the language's captioner, and stores a retried line once", async () => {
    const ctx = await orgWithMembers(server.url, 2);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const cap = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const other = track(await enter(server.url, ctx.people[1]!.accessToken, room.id));
    const told = [nextEvent(cap.socket, 'captions:changed'), nextEvent(other.socket, 'captions:changed')];
    expect(code(await command(host.socket, 'captions:assign', { userId: ctx.people[0]!.user.id, language: 'fr' }))).toBe('ok');
    // Each person is told what they may caption into now.
    expect((await Promise.all(told)).map((e) => e.mine)).toEqual([['fr'], []]);

    const line = (socket: TestSocket, text: string, language = 'fr' as const, clientRequestId = rid()) => command(socket, 'captions:line', { clientRequestId, language, text });
    expect(code(await line(other.socket, 'Bonjour'))).toBe('NOT_CAPTIONER');
    expect(code(await line(host.socket, 'Bonjour'))).toBe('NOT_CAPTIONER');
    expect(code(await line(cap.socket, 'Hello', 'en' as 'fr'))).toBe('NOT_CAPTIONER');
    expect(code(await command(other.socket, 'captions:partial', { language: 'fr', text: 'Bon' }))).toBe('NOT_CAPTIONER');
    expect(code(await line(cap.socket, '   '))).toBe('INVALID_PAYLOAD');
    expect(code(await line(cap.socket, 'x'.repeat(501)))).toBe('INVALID_PAYLOAD');
    expect(code(await line(cap.socket, 'nul\u0000'))).toBe('INVALID_PAYLOAD');
    expect(code(await command(cap.socket, 'captions:line', { language: 'fr', text: 'Bonjour' } as never))).toBe('INVALID_PAYLOAD');
    expect(code(await command(cap.socket, 'captions:partial', { language: 'fr', text: 7 } as never))).toBe('INVALID_PAYLOAD');

    // The partial line is shown to others while it is typed.
    const partial = nextEvent(other.socket, 'captions:partial');
    expect(code(await command(cap.socket, 'captions:partial', { language: 'fr', text: 'Bonjour à' }))).toBe('ok');
    expect(await partial).toMatchObject({ key: cap.joined.peerId, text: 'Bonjour à', source: 'typed', speaker: 'Member 1' });

    const seen = nextEvent(other.socket, 'captions:line');
    const id = rid();
    const first = await line(cap.socket, 'Bonjour à tous', 'fr', id);
    const retry = await line(cap.socket, 'Bonjour à tous', 'fr', id);
    expect(first.ok && retry.ok && retry.data.id === first.data.id).toBe(true);
    expect(await seen).toMatchObject({ text: 'Bonjour à tous', language: 'fr', source: 'typed', speaker: 'Member 1', group: null });
    const state = await command(other.socket, 'captions:state', {});
    expect(state.ok && state.data.recent.map((l) => l.text)).toEqual(['Bonjour à tous']);
  });

  it('delivers a committed line to listeners fast (prints p50/p95 over 30 lines)', async () => {
    const ctx = await orgWithMembers(server.url, 4);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const cap = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const listeners = await Promise.all(ctx.people.slice(1).map(async (p) => track(await enter(server.url, p.accessToken, room.id))));
    expect(code(await command(host.socket, 'captions:assign', { userId: ctx.people[0]!.user.id, language: 'en' }))).toBe('ok');

    const LINES = 30;
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const got = listeners.map(() => new Set<string>());
    listeners.forEach((l, i) =>
      l.socket.on('captions:line', (line: CaptionLine) => {
        const t0 = sentAt.get(line.text);
        if (t0 === undefined) return;
        latencies.push(Date.now() - t0);
        got[i]!.add(line.text);
      }),
    );
    for (let i = 0; i < LINES; i++) {
      const text = `Line ${i + 1}: the reading room opens at nine`;
      sentAt.set(text, Date.now());
      const r = await command(cap.socket, 'captions:line', { clientRequestId: rid(), language: 'en', text });
      expect(code(r)).toBe('ok');
      await new Promise((r) => setTimeout(r, 40));
    }
    const deadline = Date.now() + 10_000;
    while (got.some((s) => s.size < LINES) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(got.map((s) => s.size)).toEqual(listeners.map(() => LINES));
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    console.log(`captions latency captioner→listener over ${LINES} lines × ${listeners.length} listeners: p50 ${p50} ms, p95 ${p95} ms, max ${sorted.at(-1)} ms (target ≤ 500 ms)`);
    // Generous: the target is 500 ms; a loaded CI machine may be slower without anything being wrong.
    expect(p95).toBeLessThan(3_000);
  });

  it("keeps a breakout group's captions in the group, and shows the main room's to everyone", async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const [a, b, c] = await Promise.all(ctx.people.map(async (p) => track(await enter(server.url, p.accessToken, room.id))));
    for (const userId of [ctx.owner.user.id, ctx.people[0]!.user.id]) expect(code(await command(host.socket, 'captions:assign', { userId, language: 'en' }))).toBe('ok');
    const opened = await command(host.socket, 'breakout:open', {
      groups: 2,
      assignment: 'manual',
      placements: [
        { userId: ctx.people[0]!.user.id, group: 0 },
        { userId: ctx.people[1]!.user.id, group: 0 },
        { userId: ctx.people[2]!.user.id, group: 1 },
      ],
    });
    expect(code(opened)).toBe('ok');
    const lines = (m: Member) => m.events.filter((e) => e.event === 'captions:line').map((e) => (e.data as CaptionLine).text);

    expect(code(await command(a!.socket, 'captions:line', { clientRequestId: rid(), language: 'en', text: 'Group one only' }))).toBe('ok');
    expect(code(await command(host.socket, 'captions:line', { clientRequestId: rid(), language: 'en', text: 'From the floor' }))).toBe('ok');
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(b!)).toEqual(['Group one only', 'From the floor']);
    expect(lines(c!)).toEqual(['From the floor']);
    expect(lines(host)).toEqual([]);
    const state = await command(c!.socket, 'captions:state', {});
    expect(state.ok && state.data.recent.map((l) => l.text)).toEqual(['From the floor']);
  });

  it('downloads a session as WebVTT for those who attended and the organisers, and to nobody else', async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const http = api(server.url);
    const [capS, absent, admin] = ctx.people;
    const outsider = await register(server.url, 'Outsider');
    expect((await http.patch(`/api/organizations/${ctx.org.id}/members/${admin!.user.id}`, { role: 'admin' }, ctx.owner.accessToken)).status).toBe(204);

    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const cap = track(await enter(server.url, capS!.accessToken, room.id));
    expect(code(await command(host.socket, 'captions:assign', { userId: capS!.user.id, language: 'en' }))).toBe('ok');
    expect(code(await command(host.socket, 'captions:assign', { userId: capS!.user.id, language: 'ar' }))).toBe('ok');
    const texts = ['Welcome to the general assembly.', 'Item 1: minutes <draft> & annex --> approved', 'Next: the budget'];
    for (const text of texts) {
      expect(code(await command(cap.socket, 'captions:line', { clientRequestId: rid(), language: 'en', text }))).toBe('ok');
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(code(await command(cap.socket, 'captions:line', { clientRequestId: rid(), language: 'ar', text: 'مرحبا بكم في الجمعية العامة' }))).toBe('ok');
    const sessionId = host.joined.sessionId;
    host.socket.close();
    cap.socket.close();
    await new Promise((r) => setTimeout(r, 500));

    const file = `/api/rooms/${room.id}/sessions/${sessionId}/captions`;
    const res = await fetch(`${server.url}${file}/en`, { headers: { authorization: `Bearer ${capS!.accessToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(res.headers.get('content-disposition')).toContain(`captions-${sessionId}-en.vtt`);
    const vtt = await res.text();
    const blocks = vtt.trim().split('\n\n');
    expect(blocks[0]).toBe('WEBVTT');
    const cues = blocks.slice(1).map((b) => b.split('\n'));
    expect(cues.map((c) => c[2])).toEqual([
      '<v Member 1>Welcome to the general assembly.',
      '<v Member 1>Item 1: minutes &lt;draft&gt; &amp; annex --&gt; approved',
      '<v Member 1>Next: the budget',
    ]);
    const times = cues.map((c) => c[1]!.split(' --> '));
    for (const [start, end] of times) expect(start! < end!).toBe(true);
    expect(times.map((t) => t[0])).toEqual([...times.map((t) => t[0])].sort());
    expect((await http.get(`${file}/ar`, capS!.accessToken)).body).toContain('مرحبا بكم في الجمعية العامة');

    // The organisers: the host (who attended) and an admin who did not.
    expect((await http.get(`${file}/en`, ctx.owner.accessToken)).status).toBe(200);
    expect((await http.get(`${file}/en`, admin!.accessToken)).status).toBe(200);
    // A member who was not there, and someone outside the organisation.
    const refused = await http.get(`${file}/en`, absent!.accessToken);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const hidden = await http.get(`${file}/en`, outsider.accessToken);
    expect([hidden.status, hidden.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await http.get(`${file}/en`)).status).toBe(401);
    // Malformed ids and languages are the client's error.
    expect((await http.get(`/api/rooms/${room.id}/sessions/not-a-uuid/captions/en`, capS!.accessToken)).status).toBe(400);
    expect((await http.get(`${file}/xx`, capS!.accessToken)).status).toBe(400);
    expect((await http.get(`/api/rooms/${room.id}/sessions/${NOBODY}/captions/en`, capS!.accessToken)).status).toBe(404);
    // A language without lines is an empty file.
    expect((await http.get(`${file}/zh`, capS!.accessToken)).body).toBe('WEBVTT\n');

    // The list of past sessions: the attendee and the admin see it, the absent member sees none.
    const listed = await http.get(`/api/rooms/${room.id}/captions`, capS!.accessToken);
    expect(listed.body).toEqual([{ sessionId, startedAt: expect.any(String), endedAt: expect.any(String), languages: [{ language: 'en', lines: 3 }, { language: 'ar', lines: 1 }] }]);
    expect((await http.get(`/api/rooms/${room.id}/captions`, admin!.accessToken)).body).toHaveLength(1);
    expect((await http.get(`/api/rooms/${room.id}/captions`, absent!.accessToken)).body).toEqual([]);
    expect((await http.get(`/api/rooms/${room.id}/captions`, outsider.accessToken)).status).toBe(404);
  });

  it('shows captions to a guest of a public webinar, who cannot be made a captioner', async () => {
    const ctx = await orgWithMembers(server.url, 1);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar', access: 'public' });
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const pass = await api(server.url).post<{ token: string }>(`/api/rooms/${room.id}/guests`, { displayName: 'Visiting Librarian' });
    expect(pass.status).toBe(201);
    const guestSocket = await connectSocket(server.url, { guestToken: pass.body.token });
    open.push(guestSocket);
    const joined = await command(guestSocket, 'room:join', { roomId: room.id });
    if (!joined.ok) throw new Error(joined.error.code);
    expect(code(await command(host.socket, 'captions:assign', { userId: joined.data.userId, language: 'en' }))).toBe('GUESTS_NOT_ALLOWED');
    expect(code(await command(host.socket, 'captions:assign', { userId: ctx.owner.user.id, language: 'en' }))).toBe('ok');
    const seen = nextEvent(guestSocket, 'captions:line');
    expect(code(await command(host.socket, 'captions:line', { clientRequestId: rid(), language: 'en', text: 'Welcome, guests' }))).toBe('ok');
    expect((await seen).text).toBe('Welcome, guests');
    const state = await command(guestSocket, 'captions:state', {});
    expect(state.ok && state.data).toMatchObject({ languages: ['en'], mine: [], recent: [{ text: 'Welcome, guests' }] });
    expect(code(await command(guestSocket, 'captions:line', { clientRequestId: rid(), language: 'en', text: 'x' }))).toBe('FORBIDDEN');
  });

  it('turns automatic captions on only where a recogniser runs, in a language it offers', async () => {
    const ctx = await orgWithMembers(server.url, 1);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id);
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const listener = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    // This machine has PocketSphinx (US English): on in English, refused in French.
    const french = await command(host.socket, 'captions:automatic', { enabled: true, language: 'fr' });
    expect(code(french)).toBe('AUTO_CAPTIONS_UNAVAILABLE');
    const changed = nextEvent(listener.socket, 'captions:changed');
    const on = await command(host.socket, 'captions:automatic', { enabled: true, language: 'en' });
    expect(on.ok && on.data).toEqual({ enabled: true, language: 'en', available: true, reason: null, provider: 'offline', languages: ['en'] });
    expect((await changed).languages).toEqual(['en']);
    const off = await command(host.socket, 'captions:automatic', { enabled: false });
    expect(off.ok && off.data.enabled).toBe(false);
  });
});

describe('automatic captions without a recogniser', () => {
  it('starts the product and says why automatic captions are unavailable', async () => {
    // No recogniser built and nothing on the PATH (no FFmpeg either): as on a server without the Debian packages.
    const bare = await startServer({ env: { PATH: '/nonexistent', QUORUM_RECOGNISER: path.join(tmpdir(), 'quorum-no-recogniser') } });
    try {
      expect(bare.logs()).toContain('automatic captions are unavailable');
      const ctx = await orgWithMembers(bare.url, 0);
      const room = await createRoom(bare.url, ctx.owner.accessToken, ctx.org.id);
      const host = await enter(bare.url, ctx.owner.accessToken, room.id);
      const refused = await command(host.socket, 'captions:automatic', { enabled: true, language: 'en' });
      expect(!refused.ok && refused.error).toMatchObject({ code: 'AUTO_CAPTIONS_UNAVAILABLE', message: expect.stringContaining('pocketsphinx') });
      const state = await command(host.socket, 'captions:state', {});
      expect(state.ok && state.data.automatic).toMatchObject({ enabled: false, provider: 'offline' });
      host.socket.close();
    } finally {
      await bare.stop();
    }
  });
});

describe('the recognisers: WebSocket (Vosk protocol, against a stand-in server) and offline', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quorum-vosk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Real speech: espeak-ng says two sentences with a pause, as 16 kHz mono PCM. */
  function speech(): Buffer {
    const wav = path.join(dir, 'speech.wav');
    const pcm = path.join(dir, 'speech.raw');
    execFileSync('espeak-ng', ['-v', 'en-us+klatt2', '-m', '-w', wav, '-s', '150', '<speak>The reading room is open.<break time="1s"/>The board meets on Monday.</speak>']);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-af', 'apad=pad_dur=1', '-ac', '1', '-ar', '16000', '-f', 's16le', pcm]);
    return readFileSync(pcm);
  }

  it('sends the config, streams PCM, reads partials and finals with word times, and ends with eof', async () => {
    const vosk = await startVoskStandIn(['the reading room is open', 'the board meets on monday'], { silenceMs: 300 });
    try {
      const provider = new VoskWebSocketProvider(vosk.url, ['en']);
      expect(await provider.check()).toEqual({ ok: true });
      const pcm = speech();
      const seconds = pcm.length / 32_000;
      const stream = provider.start({ language: 'en', sampleRate: 16_000 });
      const results: SpeechResult[] = [];
      stream.onResult((r) => results.push(r));
      // 100 ms frames, as the server's reader produces them.
      for (let i = 0; i < pcm.length; i += 3_200) stream.push(pcm.subarray(i, i + 3_200));
      await stream.end();
      expect(vosk.configs).toEqual([{ sample_rate: 16_000 }]);
      expect(vosk.eofs).toBe(1);
      expect(vosk.bytes).toBe(pcm.length);
      const finals = results.filter((r): r is SpeechResult & { kind: 'final' } => r.kind === 'final');
      expect(results.some((r) => r.kind === 'partial')).toBe(true);
      expect(finals.length).toBeGreaterThanOrEqual(1);
      expect(finals[0]!.text).toBe('the reading room is open');
      for (const f of finals) {
        expect(f.words.length).toBeGreaterThan(0);
        expect(f.start).toBeGreaterThanOrEqual(0);
        expect(f.end).toBeLessThanOrEqual(seconds);
        expect(f.end).toBeGreaterThan(f.start);
      }
      expect(() => provider.start({ language: 'fr', sampleRate: 16_000 })).toThrow();
    } finally {
      await vosk.close();
    }
  });

  it('the offline recogniser (quorum-recogniser, a child process) streams partials, then finishes each utterance with word times', async () => {
    const provider = new PocketsphinxProvider();
    expect(await provider.check()).toEqual({ ok: true });
    const pcm = speech();
    const stream = provider.start({ language: 'en', sampleRate: 16_000 });
    const results: SpeechResult[] = [];
    stream.onResult((r) => results.push(r));
    for (let i = 0; i < pcm.length; i += 3_200) stream.push(pcm.subarray(i, i + 3_200));
    // Results come while the stream is open: the first sentence is final at the pause that follows it,
    // not when the speaker stops.
    await waitFor(() => results.some((r) => r.kind === 'final'), 15_000, 'a final result before the stream ends');
    await stream.end();
    const finals = results.filter((r): r is SpeechResult & { kind: 'final' } => r.kind === 'final');
    const firstFinal = results.findIndex((r) => r.kind === 'final');
    console.log(`pocketsphinx on two espeak-ng sentences: ${results.length - finals.length} partials, finals ${JSON.stringify(finals.map((f) => f.text))}`);
    // Someone speaking sees words before they pause: partials precede the first final.
    expect(results.slice(0, firstFinal).filter((r) => r.kind === 'partial' && r.text.length > 0).length).toBeGreaterThanOrEqual(1);
    // Two sentences with a pause between: two utterances, in order, inside the audio.
    expect(finals.length).toBeGreaterThanOrEqual(2);
    expect(finals[0]!.end).toBeLessThanOrEqual(finals[1]!.start);
    expect(finals.at(-1)!.end).toBeLessThanOrEqual(pcm.length / 32_000);
    expect(finals.map((f) => f.text).join(' ')).toMatch(/reading|room|open|board|meets|monday/);
    expect(() => provider.start({ language: 'fr', sampleRate: 16_000 })).toThrow();
  });

  it('says a server that does not answer is unavailable', async () => {
    const vosk = await startVoskStandIn(['x']);
    const url = vosk.url;
    await vosk.close();
    const check = await new VoskWebSocketProvider(url, ['en'], 1_000).check();
    expect(check.ok).toBe(false);
  });

  it('is the provider of a server configured with STT_WEBSOCKET_URL', async () => {
    const vosk = await startVoskStandIn(['hello']);
    const configured = await startServer({ env: { STT_WEBSOCKET_URL: vosk.url, STT_WEBSOCKET_LANGUAGES: 'en,fr' } });
    try {
      const ctx = await orgWithMembers(configured.url, 0);
      const room = await createRoom(configured.url, ctx.owner.accessToken, ctx.org.id);
      const host = await enter(configured.url, ctx.owner.accessToken, room.id);
      const on = await command(host.socket, 'captions:automatic', { enabled: true, language: 'fr' });
      expect(on.ok && on.data).toMatchObject({ enabled: true, language: 'fr', available: true, provider: 'websocket', languages: ['en', 'fr'] });
      expect(code(await command(host.socket, 'captions:automatic', { enabled: true, language: 'zh' }))).toBe('AUTO_CAPTIONS_UNAVAILABLE');
      host.socket.close();
    } finally {
      await configured.stop();
      await vosk.close();
    }
  });
});
