#!/usr/bin/env node
// Builds the offline caption recogniser after `npm install`: server/native/recogniser.c against the
// distribution's PocketSphinx, into server/native/build/quorum-recogniser.
//   - binary newer than its source: nothing to do;
//   - PocketSphinx's headers, pkg-config and a C compiler present: compiles it (about a second);
//   - missing, run as root with apt-get (Debian, Ubuntu): installs them with the US English model first;
//   - otherwise: prints the exact line to run.
// Quorum runs without it: the offline caption provider then says it is unavailable, and why.
// QUORUM_SKIP_RECOGNISER=1 skips this step.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const log = (msg) => console.log(`[recogniser] ${msg}`);
const PACKAGES = 'pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev pkg-config gcc';
const INSTALL = `apt-get install -y --no-install-recommends ${PACKAGES}`;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'server/native/recogniser.c');
const binary = path.join(root, 'server/native/build/quorum-recogniser');

if (process.env.QUORUM_SKIP_RECOGNISER === '1') {
  log('skipped (QUORUM_SKIP_RECOGNISER=1)');
  process.exit(0);
}

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};
if (mtime(source) < 0) {
  log(`${path.relative(root, source)} not present yet: nothing to build`);
  process.exit(0);
}
if (mtime(binary) >= mtime(source)) {
  log('up to date: offline captions available');
  process.exit(0);
}

const sh = (command) => spawnSync('sh', ['-c', command], { encoding: 'utf8', timeout: 120_000 });
const flags = () => {
  const r = sh('pkg-config --cflags --libs pocketsphinx sphinxbase');
  return r.status === 0 && sh('command -v cc').status === 0 ? r.stdout.trim() : null;
};

let found = flags();
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (found === null && isRoot && sh('command -v apt-get').status === 0) {
  log(`installing PocketSphinx's headers and model (${PACKAGES})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status === 0) spawnSync('sh', ['-c', `${INSTALL} -qq >/dev/null`], { stdio: 'inherit', env });
  found = flags();
}

if (found !== null) {
  mkdirSync(path.dirname(binary), { recursive: true });
  const built = sh(`cc -O2 -o '${binary}' '${source}' ${found}`);
  if (built.status === 0) {
    log('built: offline captions available');
    process.exit(0);
  }
  log(`could not compile ${path.relative(root, source)}:\n${(built.stderr || '').trim().slice(-1500)}`);
} else {
  console.log(
    '[recogniser] PocketSphinx headers, pkg-config or a C compiler not found: Quorum runs, but the offline caption provider is unavailable until they are installed:\n' +
      `  sudo ${INSTALL}\n` +
      '  (then run `npm install` again)',
  );
}
// Never fail the install for it: everything but offline captions works without it.
process.exit(0);
