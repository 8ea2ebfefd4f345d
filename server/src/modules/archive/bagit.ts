import { createHash } from 'node:crypto';

/**
 * BagIt 1.0 (RFC 8493): the tag files of a preservation package, and the check of a whole bag. Pure:
 * the server builds packages with it and `scripts/verify-package.mjs` checks them with it; both do
 * their own reading and writing. Paths are relative to the bag's base directory, `/`-separated.
 */

export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const PAYLOAD_MANIFEST = 'manifest-sha256.txt';
export const TAG_MANIFEST = 'tagmanifest-sha256.txt';

/** A file of the bag with its size and SHA-256 (hex). */
export interface BagEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** RFC 8493 §2.1.3: in a manifest, CR, LF and % in a path are percent-encoded. */
export const encodeManifestPath = (p: string): string => p.replace(/%/g, '%25').replace(/\n/g, '%0A').replace(/\r/g, '%0D');
export const decodeManifestPath = (p: string): string => p.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** `<sha256>  <path>` per file, sorted by path, so the same bag always has the same manifest. */
export const manifestText = (files: readonly BagEntry[]): string =>
  [...files]
    .sort(byPath)
    .map((f) => `${f.sha256}  ${encodeManifestPath(f.path)}\n`)
    .join('');

/** The payload's octet count and file count: a quick check of completeness (RFC 8493 §2.2.2). */
export const payloadOxum = (files: readonly Pick<BagEntry, 'bytes'>[]): string =>
  `${files.reduce((n, f) => n + f.bytes, 0)}.${files.length}`;

/** A size for people, in decimal units as the RFC's examples write it ("260 GB"). */
export function bagSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** `Label: value` lines; a value never spans lines (line breaks become spaces). */
export const bagInfoText = (fields: readonly (readonly [string, string])[]): string =>
  fields.map(([label, value]) => `${label}: ${value.replace(/[\r\n]+/g, ' ').trim()}\n`).join('');

/** The tag files of a bag whose payload (paths under `data/`) is `payload`, with `info` first in bag-info.txt. */
export function tagFiles(payload: readonly BagEntry[], info: readonly (readonly [string, string])[]): Record<string, string> {
  const total = payload.reduce((n, f) => n + f.bytes, 0);
  const files: Record<string, string> = {
    'bagit.txt': BAGIT_TXT,
    'bag-info.txt': bagInfoText([...info, ['Payload-Oxum', payloadOxum(payload)], ['Bag-Size', bagSize(total)]]),
    [PAYLOAD_MANIFEST]: manifestText(payload),
  };
  const tags = Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.byteLength(text), sha256: sha256Hex(text) }));
  files[TAG_MANIFEST] = manifestText(tags);
  return files;
}

/* ---------------- reading ---------------- */

/** Tag-file lines as label/value pairs; a line starting with white space continues the value before it. */
export function parseTagLines(text: string): [string, string][] | null {
  const out: [string, string][] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      const last = out.at(-1);
      if (!last) return null;
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const m = /^([^:\s][^:]*):[ \t]*(.*)$/.exec(line);
    if (!m) return null;
    out.push([m[1]!.trim(), m[2]!.trim()]);
  }
  return out;
}

/** A manifest's entries, or null when a line is not `<hex digest> <path>` or a path is listed twice. */
export function parseManifest(text: string, digestLength = 64): Map<string, string> | null {
  const out = new Map<string, string>();
  const line = new RegExp(`^([0-9a-fA-F]{${digestLength}})[ \\t]+(\\S.*)$`);
  for (const raw of text.split(/\r\n|\n/)) {
    if (raw === '') continue;
    const m = line.exec(raw);
    if (!m) return null;
    const path = decodeManifestPath(m[2]!);
    if (out.has(path)) return null;
    out.set(path, m[1]!.toLowerCase());
  }
  return out;
}

export const BAG_PROBLEMS = [
  'BAG_UNREADABLE',
  'BAGIT_TXT_INVALID',
  'BAG_INFO_INVALID',
  'MANIFEST_MISSING',
  'MANIFEST_INVALID',
  'TAGMANIFEST_MISSING',
  'TAGMANIFEST_MISMATCH',
  'TAG_FILE_MISSING',
  'TAG_FILE_EXTRA',
  'PAYLOAD_FILE_MISSING',
  'PAYLOAD_FILE_EXTRA',
  'PAYLOAD_HASH_MISMATCH',
  'OXUM_MISMATCH',
] as const;
export type BagProblem = (typeof BAG_PROBLEMS)[number];

export type BagVerdict = { ok: true; payloadFiles: number; payloadBytes: number } | { ok: false; code: BagProblem; message: string };

/** What a verifier read: every file (hashed) and the text of the small tag files. */
export interface BagContents {
  files: ReadonlyMap<string, { bytes: number; sha256: string }>;
  /** The UTF-8 text of a file outside `data/`, or undefined when there is none. */
  text(path: string): string | undefined;
}

const fail = (code: BagProblem, message: string): BagVerdict => ({ ok: false, code, message });

/**
 * The whole check (RFC 8493 §3, complete and valid, plus the tag manifest): bagit.txt declares 1.0 in
 * UTF-8; the tag manifest lists every tag file and each matches; the payload manifest lists exactly
 * the files under data/ and each matches; bag-info.txt's Payload-Oxum agrees. The first problem found
 * is the answer.
 */
export function verifyBag(bag: BagContents): BagVerdict {
  const declaration = bag.text('bagit.txt');
  if (declaration === undefined) return fail('BAGIT_TXT_INVALID', 'bagit.txt is missing: this is not a bag');
  const decl = parseTagLines(declaration);
  const get = (pairs: [string, string][] | null, label: string) => pairs?.find(([l]) => l === label)?.[1];
  if (get(decl, 'BagIt-Version') !== '1.0' || get(decl, 'Tag-File-Character-Encoding')?.toUpperCase() !== 'UTF-8') {
    return fail('BAGIT_TXT_INVALID', 'bagit.txt does not declare BagIt-Version 1.0 and Tag-File-Character-Encoding UTF-8');
  }

  // Tag files first: a changed manifest or bag-info is caught by its hash before it is believed.
  const tagManifestText = bag.text(TAG_MANIFEST);
  if (tagManifestText === undefined) return fail('TAGMANIFEST_MISSING', `${TAG_MANIFEST} is missing`);
  const tagManifest = parseManifest(tagManifestText);
  if (!tagManifest) return fail('TAGMANIFEST_MISMATCH', `${TAG_MANIFEST} has a line that is not "<sha256> <path>", or a path twice`);
  for (const [path, digest] of tagManifest) {
    if (path.startsWith('data/') || path === TAG_MANIFEST)
      return fail('TAGMANIFEST_MISMATCH', `${TAG_MANIFEST} lists ${path}, which is not a tag file`);
    const f = bag.files.get(path);
    if (!f) return fail('TAG_FILE_MISSING', `${path} is listed in ${TAG_MANIFEST} but missing`);
    if (f.sha256 !== digest) return fail('TAGMANIFEST_MISMATCH', `${path} does not match its SHA-256 in ${TAG_MANIFEST}`);
  }
  for (const path of bag.files.keys()) {
    if (!path.startsWith('data/') && path !== TAG_MANIFEST && !tagManifest.has(path))
      return fail('TAG_FILE_EXTRA', `${path} is not listed in ${TAG_MANIFEST}`);
  }

  const manifestTextRead = bag.text(PAYLOAD_MANIFEST);
  if (manifestTextRead === undefined) return fail('MANIFEST_MISSING', `${PAYLOAD_MANIFEST} is missing`);
  const manifest = parseManifest(manifestTextRead);
  if (!manifest) return fail('MANIFEST_INVALID', `${PAYLOAD_MANIFEST} has a line that is not "<sha256> <path>", or a path twice`);
  for (const path of manifest.keys()) {
    if (!path.startsWith('data/') || path.split('/').some((s) => s === '..' || s === '.' || s === ''))
      return fail('MANIFEST_INVALID', `${PAYLOAD_MANIFEST} lists ${path}, outside data/`);
  }

  const info = bag.text('bag-info.txt');
  const pairs = info === undefined ? null : parseTagLines(info);
  if (!pairs) return fail('BAG_INFO_INVALID', 'bag-info.txt is missing or not "Label: value" lines');
  const oxum = get(pairs, 'Payload-Oxum');
  if (!oxum || !/^\d+\.\d+$/.test(oxum)) return fail('BAG_INFO_INVALID', 'bag-info.txt has no Payload-Oxum');

  let payloadBytes = 0;
  let payloadFiles = 0;
  for (const [path, f] of bag.files) {
    if (!path.startsWith('data/')) continue;
    if (!manifest.has(path)) return fail('PAYLOAD_FILE_EXTRA', `${path} is in data/ but not in ${PAYLOAD_MANIFEST}`);
    payloadBytes += f.bytes;
    payloadFiles++;
  }
  for (const [path, digest] of manifest) {
    const f = bag.files.get(path);
    if (!f) return fail('PAYLOAD_FILE_MISSING', `${path} is listed in ${PAYLOAD_MANIFEST} but missing`);
    if (f.sha256 !== digest) return fail('PAYLOAD_HASH_MISMATCH', `${path} does not match its SHA-256 in ${PAYLOAD_MANIFEST}`);
  }
  if (oxum !== `${payloadBytes}.${payloadFiles}`)
    return fail('OXUM_MISMATCH', `Payload-Oxum says ${oxum}, the payload is ${payloadBytes}.${payloadFiles}`);
  return { ok: true, payloadFiles, payloadBytes };
}
