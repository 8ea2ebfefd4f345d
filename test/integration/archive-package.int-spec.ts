import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { OrganizationDto, RecordingDto, RoomDto } from '../../server/src/contract';
import { parseManifest, parseTagLines } from '../../server/src/modules/archive/bagit';
import { recordingDir, type RecordingFileRow, registerFile } from '../../server/src/modules/recordings/recording-files';
import { api, register, type TestSession } from '../helpers/api';
import { addMembers } from '../helpers/governance';
import { archiveEnv, removeDataDir, seedRecording, tempDataDir, waitArchived, withDatabase } from '../helpers/recordings';
import { createRoom } from '../helpers/room';
import { ROOT, type StartedServer, startServer } from '../helpers/server-process';

/**
 * The preservation package (BagIt 1.0, as a tar) of a recording: its payload hashes are the stored
 * ones, `npm run verify-package` accepts it packed and unpacked, and refuses it when any single byte
 * of any file in it changes, or a file goes missing or is added; a recording whose file changed on
 * disk is not packaged at all.
 */
jest.setTimeout(180_000);

/** `npm run verify-package -- <target>` as a reader runs it: its exit code and what it printed. */
function verifyPackage(target: string | string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'scripts', 'verify-package.mjs'), ...[target].flat()],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/** The files of a tar (ustar, short names) with where each one's content starts. */
function tarEntries(tar: Buffer): { name: string; offset: number; size: number; header: number }[] {
  const out: { name: string; offset: number; size: number; header: number }[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const block = tar.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    const field = (from: number, len: number) =>
      block
        .subarray(from, from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (field(156, 1) === '0' || field(156, 1) === '') out.push({ name, offset: off + 512, size, header: off });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const flip = (buf: Buffer, at: number): Buffer => {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

describe('the preservation package', () => {
  let server: StartedServer;
  let dataDir: string;
  let work: string;
  let http: ReturnType<typeof api>;
  let owner: TestSession;
  let member: TestSession;
  let outsider: TestSession;
  let org: OrganizationDto;
  let room: RoomDto;
  let rec: { id: string; files: RecordingFileRow[] };
  let tar: Buffer;
  let tarFile: string;

  const download = async (id: string, who?: string) => {
    const res = await fetch(`${server.url}/api/recordings/${id}/package`, { headers: who ? { authorization: `Bearer ${who}` } : {} });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
    work = await mkdtemp(path.join(tmpdir(), 'quorum-package-'));
    server = await startServer({ env: archiveEnv(dataDir) });
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Internationale Bibliotheksvereinigung' }, owner.accessToken))
      .body;
    member = (await addMembers(server.url, owner.accessToken, org.id, 1))[0]!;
    outsider = await register(server.url, 'Outsider');
    room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Salle 1' });
    rec = await seedRecording(
      { databaseUrl: server.databaseUrl, dataDir },
      { organizationId: org.id, roomId: room.id, startedBy: owner.user.id },
    );
    await waitArchived(server.databaseUrl, rec.id);
    await http.patch(`/api/recordings/${rec.id}`, { title: 'Séance plénière — 全体会议', subject: ['Bibliothèques'] }, owner.accessToken);

    const started = performance.now();
    const res = await download(rec.id, owner.accessToken);
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    tar = res.body;
    tarFile = path.join(work, `recording-${rec.id}.tar`);
    await writeFile(tarFile, tar);
    console.log(
      `package: ${rec.files.length + 2} payload files, ${(tar.length / 1e6).toFixed(2)} MB tar, built and received in ${ms.toFixed(0)} ms (load average ${loadavg()[0]!.toFixed(2)})`,
    );
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="recording-${rec.id}.tar"`);
  });
  afterAll(async () => {
    await server?.stop();
    await removeDataDir(dataDir);
    await rm(work, { recursive: true, force: true });
  });

  it('is a bag of every registered file under data/, with the stored hashes in its manifest and the description beside them', () => {
    const entries = tarEntries(tar);
    const base = `recording-${rec.id}`;
    expect(new Set(entries.map((e) => e.name.split('/')[0]))).toEqual(new Set([base]));
    const text = (name: string) => {
      const e = entries.find((x) => x.name === `${base}/${name}`)!;
      return tar.subarray(e.offset, e.offset + e.size).toString('utf8');
    };
    expect(text('bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const manifest = parseManifest(text('manifest-sha256.txt'))!;
    for (const f of rec.files) expect([f.path, manifest.get(`data/${f.path}`)]).toEqual([f.path, f.sha256]);
    expect([...manifest.keys()].filter((p) => p.startsWith('data/metadata/')).sort()).toEqual([
      'data/metadata/dublin-core.xml',
      'data/metadata/recording.json',
    ]);
    expect(manifest.size).toBe(rec.files.length + 2);

    const info = new Map(parseTagLines(text('bag-info.txt')));
    const payloadBytes = [...manifest.keys()].reduce((n, p) => n + entries.find((e) => e.name === `${base}/${p}`)!.size, 0);
    expect(info.get('Source-Organization')).toBe('Internationale Bibliotheksvereinigung');
    expect(info.get('Bagging-Date')).toBe(new Date().toISOString().slice(0, 10));
    expect(info.get('External-Identifier')).toBe(`urn:uuid:${rec.id}`);
    expect(info.get('External-Description')).toBe('Séance plénière — 全体会议');
    expect(info.get('Payload-Oxum')).toBe(`${payloadBytes}.${manifest.size}`);
    expect(info.get('Bag-Size')).toMatch(/^\d+(\.\d)? (MB|KB)$/);
    expect(parseManifest(text('tagmanifest-sha256.txt'))!.size).toBe(3);

    expect(text('data/metadata/dublin-core.xml')).toContain('<dc:title>Séance plénière — 全体会议</dc:title>');
    const json = JSON.parse(text('data/metadata/recording.json'));
    expect(json).toMatchObject({
      format: 'quorum-recording/1',
      recording: { id: rec.id, metadata: { title: 'Séance plénière — 全体会议', subject: ['Bibliothèques'] } },
    });
    expect(JSON.stringify(json)).not.toContain('?t=');
  });

  it('verifies with `npm run verify-package`, packed and unpacked', async () => {
    const packed = await verifyPackage(tarFile);
    expect(packed).toEqual({
      status: 0,
      out: expect.stringMatching(new RegExp(`^OK recording-${rec.id}: ${rec.files.length + 2} payload files`)),
    });
    const unpacked = path.join(work, 'unpacked');
    await mkdir(unpacked);
    await new Promise<void>((resolve, reject) =>
      execFile('tar', ['-xf', tarFile, '-C', unpacked], (err) => (err ? reject(err) : resolve())),
    );
    expect((await verifyPackage(path.join(unpacked, `recording-${rec.id}`))).status).toBe(0);
  });

  it('fails when any single byte of any file in the package changes', async () => {
    const entries = tarEntries(tar);
    const expected: Record<string, string> = {
      'bag-info.txt': 'TAGMANIFEST_MISMATCH',
      'manifest-sha256.txt': 'TAGMANIFEST_MISMATCH',
      'data/composite.mp4': 'PAYLOAD_HASH_MISMATCH',
    };
    // Each file with one byte changed in its middle, all checked in one run of the script (one line per package).
    const cases = entries.map((e, i) => ({
      rel: e.name.slice(e.name.indexOf('/') + 1),
      file: path.join(work, `changed-${i}.tar`),
      at: e.offset + Math.floor(e.size / 2),
    }));
    for (const c of cases) await writeFile(c.file, flip(tar, c.at));
    const run = await verifyPackage(cases.map((c) => c.file));
    expect(run.status).toBe(1);
    const lines = run.out.split('\n');
    const outcomes = cases.map((c, i) => `${c.rel}: ${lines[i]!.slice(c.file.length + 2).split(':')[0]}`);
    for (const c of cases) await rm(c.file);
    for (const [rel, code] of Object.entries(expected)) expect(outcomes).toContain(`${rel}: FAIL ${code}`);
    expect(outcomes.filter((o) => !/: FAIL [A-Z_]+$/.test(o))).toEqual([]);
    expect(outcomes).toHaveLength(rec.files.length + 2 + 4);
    // A byte of a tar header (a file's name) too.
    const header = await verifyPackage(await writeAt(flip(tar, entries[3]!.header + 20)));
    expect(header.out).toMatch(/^FAIL (BAG_UNREADABLE|PAYLOAD_FILE_MISSING|PAYLOAD_FILE_EXTRA|TAG_FILE_MISSING|TAG_FILE_EXTRA):/);
  });

  async function writeAt(buf: Buffer): Promise<string> {
    const file = path.join(work, `case-${Math.random().toString(36).slice(2)}.tar`);
    await writeFile(file, buf);
    return file;
  }

  it('fails when a file goes missing from an unpacked bag, or one is added', async () => {
    const fresh = async (name: string) => {
      const dir = path.join(work, name);
      await mkdir(dir);
      await new Promise<void>((resolve, reject) => execFile('tar', ['-xf', tarFile, '-C', dir], (err) => (err ? reject(err) : resolve())));
      return path.join(dir, `recording-${rec.id}`);
    };
    const missing = await fresh('missing');
    await rm(path.join(missing, 'data/hls/zh/seg001.m4s'));
    expect((await verifyPackage(missing)).out).toMatch(/^FAIL PAYLOAD_FILE_MISSING: data\/hls\/zh\/seg001\.m4s/);
    const extra = await fresh('extra');
    await writeFile(path.join(extra, 'data/hls/zh/seg999.m4s'), 'not from the recorder');
    expect((await verifyPackage(extra)).out).toMatch(/^FAIL PAYLOAD_FILE_EXTRA:/);
    const extraTag = await fresh('extra-tag');
    await writeFile(path.join(extraTag, 'notes.txt'), 'added later');
    expect((await verifyPackage(extraTag)).out).toMatch(/^FAIL TAG_FILE_EXTRA:/);
    const edited = await fresh('edited');
    await appendFile(path.join(edited, 'data/captions/en.vtt'), '\n');
    expect((await verifyPackage(edited)).out).toMatch(/^FAIL PAYLOAD_HASH_MISMATCH: data\/captions\/en\.vtt/);
    expect((await readdir(path.join(edited, 'data'))).sort()).toEqual(['captions', 'composite.mp4', 'hls', 'metadata']);
  });

  it('is refused, before a byte is sent, when a file on disk no longer matches its stored hash', async () => {
    const segment = path.join(recordingDir(dataDir, rec.id), 'hls/zh/seg002.m4s');
    const original = await readFile(segment);
    await writeFile(segment, flip(original, 100));
    const res = await download(rec.id, owner.accessToken);
    expect(res.status).toBe(409);
    expect(JSON.parse(res.body.toString('utf8')).error).toMatchObject({
      code: 'RECORDING_INTEGRITY_FAILED',
      details: { path: 'hls/zh/seg002.m4s', problem: 'changed' },
    });

    await rm(segment);
    const gone = await download(rec.id, owner.accessToken);
    expect(JSON.parse(gone.body.toString('utf8')).error).toMatchObject({
      code: 'RECORDING_INTEGRITY_FAILED',
      details: { path: 'hls/zh/seg002.m4s', problem: 'missing' },
    });
    const file = rec.files.find((f) => f.path === 'hls/zh/seg002.m4s')!;
    const served = await fetch(`${server.url}/api/recordings/${rec.id}/files/${file.id}`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect([served.status, ((await served.json()) as { error: { code: string } }).error.code]).toEqual([404, 'RECORDING_FILE_MISSING']);

    await writeFile(segment, original);
    expect((await download(rec.id, owner.accessToken)).status).toBe(200);
  });

  it('follows the access rule: the members’ link works for a member, strangers are refused', async () => {
    await http.patch(`/api/recordings/${rec.id}`, { access: 'members' }, owner.accessToken);
    const view = (await http.get<RecordingDto>(`/api/recordings/${rec.id}`, member.accessToken)).body;
    const viaLink = await fetch(server.url + view.media!.package!);
    expect(viaLink.status).toBe(200);
    const file = path.join(work, 'member.tar');
    await writeFile(file, Buffer.from(await viaLink.arrayBuffer()));
    expect((await verifyPackage(file)).status).toBe(0);
    expect((await download(rec.id, outsider.accessToken)).status).toBe(404);
    expect((await download(rec.id)).status).toBe(404);
    await http.patch(`/api/recordings/${rec.id}`, { access: 'hosts' }, owner.accessToken);
    expect((await download(rec.id, member.accessToken)).status).toBe(403);
    expect((await fetch(server.url + view.media!.package!)).status).toBe(403);
  });

  it('is built one at a time per person: a second request meanwhile is refused with RATE_LIMITED', async () => {
    // A recording too large for the sockets' buffers, so a package whose reader stops stays open.
    const big = await seedRecording(
      { databaseUrl: server.databaseUrl, dataDir },
      { organizationId: org.id, roomId: room.id, startedBy: owner.user.id },
    );
    await mkdir(path.join(recordingDir(dataDir, big.id), 'extra'), { recursive: true });
    await writeFile(path.join(recordingDir(dataDir, big.id), 'extra', 'padding.bin'), randomBytes(48 * 1024 * 1024));
    await withDatabase(server.databaseUrl, (db) =>
      registerFile({ query: async (text: string, params?: unknown[]) => (await db.query(text, params as unknown[])).rows }, dataDir, {
        recordingId: big.id,
        path: 'extra/padding.bin',
        kind: 'hls',
        mediaType: 'application/octet-stream',
      }),
    );
    await waitArchived(server.databaseUrl, big.id);
    await http.patch(`/api/recordings/${big.id}`, { access: 'members' }, owner.accessToken);

    // The owner starts a download and stops reading after the headers.
    const url = new URL(`/api/recordings/${big.id}/package`, server.url);
    const first = httpRequest(url, { headers: { authorization: `Bearer ${owner.accessToken}` } });
    const firstResponse = await new Promise<IncomingMessage>((resolve, reject) => first.on('response', resolve).on('error', reject).end());
    firstResponse.pause();
    expect(firstResponse.statusCode).toBe(200);

    const again = await fetch(url, { headers: { authorization: `Bearer ${owner.accessToken}` } });
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    // Someone else is served meanwhile.
    const other = await fetch(url, { headers: { authorization: `Bearer ${member.accessToken}` } });
    expect(other.status).toBe(200);
    await other.body?.cancel();

    // Once the first download is dropped, the owner may start another.
    first.destroy();
    let status = 0;
    for (const until = Date.now() + 5_000; Date.now() < until;) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${owner.accessToken}` } });
      status = res.status;
      await res.body?.cancel();
      if (status !== 429) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
