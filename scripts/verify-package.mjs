#!/usr/bin/env node
// Checks a recording's preservation package (BagIt 1.0) on its own, with no server or database:
//   npm run verify-package -- recording-<id>.tar
//   npm run verify-package -- recording-<id>/          (the package unpacked)
//   npm run verify-package -- a.tar b.tar …            (one line each; OK only if every one is)
// Reads every file and checks it fully: bagit.txt, the tag manifest against every tag file, the
// payload manifest against exactly the files under data/ (none missing, none extra, every SHA-256),
// and bag-info.txt's Payload-Oxum. Prints OK, or FAIL with a reason code; exits 0 only for OK.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let bagit;
let tar;
try {
  bagit = require(path.join(root, 'server/dist/modules/archive/bagit.js'));
  tar = require('tar-stream');
} catch {
  console.error('FAIL: the server is not built (run `npm run build -w server`)');
  process.exit(2);
}

/** Tag files are read whole; a larger one is no tag file Quorum writes. */
const TAG_TEXT_LIMIT = 4 * 1024 * 1024;

class Fail extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!targets.length) {
  console.error('usage: npm run verify-package -- <package.tar | unpacked folder>');
  process.exit(2);
}

/** A path inside the bag, checked: relative, no `.` or `..` segments. */
function bagPath(p) {
  const parts = p.split('/').filter((s, i, all) => !(s === '' && i === all.length - 1));
  if (!parts.length || parts.some((s) => s === '' || s === '.' || s === '..') || p.startsWith('/'))
    throw new Fail('BAG_UNREADABLE', `unsafe path in the package: ${p}`);
  return parts.join('/');
}

/** Every file of a tar: { files: Map(path → {bytes, sha256}), texts: Map(path → text) }, paths without the base directory. */
async function readTar(tarFile) {
  const files = new Map();
  const texts = new Map();
  let base = null;
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      const p = bagPath(name);
      const [top, ...rest] = p.split('/');
      if (base === null) base = top;
      if (top !== base) throw new Fail('BAG_UNREADABLE', `the package has more than one top-level directory (${base}, ${top})`);
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') throw new Fail('BAG_UNREADABLE', `${p} is a ${type}, not a file`);
      if (!rest.length) throw new Fail('BAG_UNREADABLE', `${p} is outside the bag's directory`);
      const rel = rest.join('/');
      if (files.has(rel)) throw new Fail('BAG_UNREADABLE', `${rel} is in the package twice`);
      const hash = createHash('sha256');
      const keep = !rel.startsWith('data/') ? [] : null;
      let bytes = 0;
      for await (const chunk of entry) {
        hash.update(chunk);
        bytes += chunk.length;
        if (keep && bytes <= TAG_TEXT_LIMIT) keep.push(chunk);
      }
      files.set(rel, { bytes, sha256: hash.digest('hex') });
      if (keep && bytes <= TAG_TEXT_LIMIT) texts.set(rel, Buffer.concat(keep).toString('utf8'));
    }
  })();
  try {
    await Promise.all([pipeline(createReadStream(tarFile), extract), reading]);
  } catch (err) {
    if (err instanceof Fail) throw err;
    throw new Fail('BAG_UNREADABLE', `not a readable tar archive: ${err.message}`);
  }
  if (base === null) throw new Fail('BAG_UNREADABLE', 'the package is empty');
  return { name: base, files, texts };
}

/** Every file under an unpacked bag's folder. */
async function readFolder(dir) {
  const files = new Map();
  const texts = new Map();
  const walk = async (rel) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, r);
      if (lstatSync(full).isSymbolicLink()) throw new Fail('BAG_UNREADABLE', `${r} is a symbolic link`);
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) {
        const hash = createHash('sha256');
        const keep = !r.startsWith('data/') ? [] : null;
        let bytes = 0;
        for await (const chunk of createReadStream(full)) {
          hash.update(chunk);
          bytes += chunk.length;
          if (keep && bytes <= TAG_TEXT_LIMIT) keep.push(chunk);
        }
        files.set(r, { bytes, sha256: hash.digest('hex') });
        if (keep && bytes <= TAG_TEXT_LIMIT) texts.set(r, Buffer.concat(keep).toString('utf8'));
      } else throw new Fail('BAG_UNREADABLE', `${r} is not a regular file`);
    }
  };
  await walk('');
  return { name: path.basename(path.resolve(dir)), files, texts };
}

/** The verdict on one package: the line to print. */
async function check(file) {
  try {
    let stat;
    try {
      stat = lstatSync(file);
    } catch (err) {
      throw new Fail('BAG_UNREADABLE', `cannot read ${file}: ${err.message}`);
    }
    const bag = stat.isDirectory() ? await readFolder(file) : await readTar(file);
    const verdict = bagit.verifyBag({ files: bag.files, text: (p) => bag.texts.get(p) });
    if (!verdict.ok) throw new Fail(verdict.code, verdict.message);
    return {
      ok: true,
      line: `OK ${bag.name}: ${verdict.payloadFiles} payload files, ${verdict.payloadBytes} bytes, every SHA-256 as in the manifests`,
    };
  } catch (err) {
    if (!(err instanceof Fail)) throw err;
    return { ok: false, line: `FAIL ${err.code}: ${err.message}` };
  }
}

let allOk = true;
for (const target of targets) {
  const { ok, line } = await check(target);
  console.log(targets.length > 1 ? `${target}: ${line}` : line);
  allOk &&= ok;
}
process.exit(allOk ? 0 : 1);
