import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import { AppError } from '../../common/errors';
import { hashFile, type RecordingFileRow, resolveInside } from '../recordings/recording-files';
import { type BagEntry, sha256Hex, tagFiles } from './bagit';

/**
 * A recording's preservation package: a BagIt 1.0 bag serialised as a tar stream, its base directory
 * named after the bag. The payload is every registered file under data/ (with the hash stored when it
 * was registered) and the archive's description under data/metadata/. Files are hashed again before
 * anything is sent, and once more as they are streamed: the package never carries a file that no
 * longer matches its stored hash.
 */

export interface BagInput {
  bagName: string;
  /** The recording's folder. */
  dir: string;
  files: readonly RecordingFileRow[];
  /** Files the archive writes into the payload, by path under data/. */
  generated: readonly { path: string; content: Buffer }[];
  /** bag-info.txt's fields before Payload-Oxum and Bag-Size. */
  info: readonly (readonly [string, string])[];
}

/** Every file on disk, as registered: present, the same size and the same SHA-256; or RECORDING_INTEGRITY_FAILED. */
export async function checkIntegrity(dir: string, files: readonly RecordingFileRow[]): Promise<void> {
  for (const f of files) {
    const full = resolveInside(dir, f.path);
    const found = await stat(full).catch(() => null);
    if (!found?.isFile()) throw integrity(f.path, 'missing');
    const { sha256, bytes } = await hashFile(full);
    if (sha256 !== f.sha256 || bytes !== Number(f.bytes)) throw integrity(f.path, 'changed');
  }
}

const integrity = (path: string, problem: 'missing' | 'changed') =>
  new AppError(
    'RECORDING_INTEGRITY_FAILED',
    problem === 'missing'
      ? `A file of this recording is missing from the archive: ${path}.`
      : `A file of this recording no longer matches its stored SHA-256: ${path}.`,
    { path, problem },
  );

/** The payload entries (paths relative to the bag) and the tag files, as the package will hold them. */
export function bagLayout(input: BagInput): { payload: BagEntry[]; tags: Record<string, string> } {
  const payload: BagEntry[] = [
    ...input.files.map((f) => ({ path: `data/${f.path}`, bytes: Number(f.bytes), sha256: f.sha256 })),
    ...input.generated.map((g) => ({ path: `data/${g.path}`, bytes: g.content.length, sha256: sha256Hex(g.content) })),
  ];
  const paths = new Set<string>();
  for (const p of payload) {
    if (paths.has(p.path)) throw new AppError('CONFLICT', `Two files of the package would be ${p.path}.`);
    paths.add(p.path);
  }
  return { payload, tags: tagFiles(payload, input.info) };
}

/** The tar stream of the bag. Errors (a file changed while it was read) end the stream with that error. */
export function bagStream(input: BagInput, mtime: Date): Pack {
  const { tags } = bagLayout(input);
  const pack = tarPack();
  const name = (p: string) => `${input.bagName}/${p}`;
  (async () => {
    // Tag files first: a reader learns what the bag holds before the payload streams by.
    for (const [p, text] of Object.entries(tags)) await addBuffer(pack, name(p), Buffer.from(text, 'utf8'), mtime);
    for (const g of input.generated) await addBuffer(pack, name(`data/${g.path}`), g.content, mtime);
    for (const f of input.files) await addFile(pack, name(`data/${f.path}`), resolveInside(input.dir, f.path), f, mtime);
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return pack;
}

function addBuffer(pack: Pack, name: string, content: Buffer, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry({ name, size: content.length, mtime, mode: 0o644 }, content, (err) => (err ? reject(err) : resolve())),
  );
}

async function addFile(pack: Pack, name: string, full: string, f: RecordingFileRow, mtime: Date): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const written = new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size: Number(f.bytes), mtime, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
    pipeline(createReadStream(full), tap, entry).catch(reject);
  });
  await written;
  if (bytes !== Number(f.bytes) || hash.digest('hex') !== f.sha256) throw integrity(f.path, 'changed');
}
