#!/usr/bin/env node
// Makes sure node_modules/mediasoup has a working mediasoup-worker binary after `npm install`.
//
// mediasoup's own postinstall is denied in package.json#allowScripts because it downloads from
// GitHub and PyPI. Order of preference:
//   1. a worker already in place that starts (a reinstall that kept node_modules);
//   2. MEDIASOUP_WORKER_BIN pointing at a binary the operator built;
//   3. the per-version cache outside node_modules (so `npm ci` never rebuilds);
//   4. mediasoup's prebuilt binary, when its release host answers within a few seconds;
//   5. a build from the worker sources shipped in the mediasoup npm tarball, against the
//      distribution's libraries (scripts/build-mediasoup-worker.sh).
// QUORUM_SKIP_WORKER=1 skips all of it (e.g. a client-only install); `npm start` then refuses.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'server', 'package.json'));
const log = (msg) => console.log(`[mediasoup-worker] ${msg}`);

if (process.env.QUORUM_SKIP_WORKER === '1') {
  log('skipped (QUORUM_SKIP_WORKER=1)');
  process.exit(0);
}

let pkgDir;
try {
  // The package's `exports` hide package.json; its entry point is node/lib/index.js.
  pkgDir = path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
} catch {
  log('mediasoup is not installed yet; nothing to do');
  process.exit(0);
}
const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
const target = path.join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker');
const cacheRoot = process.env.QUORUM_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'quorum');
const cached = path.join(cacheRoot, 'mediasoup-worker', version, 'mediasoup-worker');

/** A worker binary started without MEDIASOUP_VERSION exits with code 41: that proves it loads its libraries. */
function works(bin) {
  if (!existsSync(bin)) return false;
  const env = { ...process.env };
  delete env.MEDIASOUP_VERSION;
  const r = spawnSync(bin, [], { env, stdio: 'ignore', timeout: 10_000 });
  return r.status === 41;
}

function install(from, why) {
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  log(`installed worker ${version} (${why})`);
}

function remember(bin) {
  mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  copyFileSync(bin, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, cached);
  log(`cached at ${cached}`);
}

async function tryPrebuilt() {
  const kernel = Number(spawnSync('uname', ['-r']).stdout?.toString().split('.')[0] ?? 0);
  const name = `mediasoup-worker-${version}-${process.platform}-${process.arch}${process.platform === 'linux' ? `-kernel${kernel >= 6 ? 6 : 5}` : ''}.tgz`;
  const url = `https://github.com/versatica/mediasoup/releases/download/${version}/${name}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(8_000) });
    if (!res.ok) return false;
    const dir = path.join(tmpdir(), `quorum-prebuilt-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const tgz = path.join(dir, name);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tgz, Buffer.from(await res.arrayBuffer()));
    const x = spawnSync('tar', ['xzf', tgz, '-C', dir], { stdio: 'inherit' });
    const bin = path.join(dir, 'mediasoup-worker');
    if (x.status !== 0 || !works(bin)) return false;
    remember(bin);
    install(cached, 'prebuilt');
    return true;
  } catch {
    return false;
  }
}

if (works(target)) {
  log(`worker ${version} already present`);
  if (!existsSync(cached)) remember(target);
  process.exit(0);
}
if (process.env.MEDIASOUP_WORKER_BIN && works(process.env.MEDIASOUP_WORKER_BIN)) {
  install(process.env.MEDIASOUP_WORKER_BIN, 'MEDIASOUP_WORKER_BIN');
  process.exit(0);
}
if (works(cached)) {
  install(cached, `cache ${cached}`);
  process.exit(0);
}
if (process.env.QUORUM_WORKER_NO_DOWNLOAD !== '1' && (await tryPrebuilt())) process.exit(0);

log(`no prebuilt worker ${version} reachable; building it from the sources in the npm package (several minutes, once)`);
const out = path.join(path.dirname(cached), 'build-out');
const r = spawnSync('bash', [path.join(root, 'scripts', 'build-mediasoup-worker.sh'), path.join(pkgDir, 'worker'), out], {
  stdio: 'inherit',
  env: { ...process.env, MS_VERSION: version },
});
const built = path.join(out, 'mediasoup-worker');
if (r.status !== 0 || !works(built)) {
  console.error(
    `[mediasoup-worker] could not build the worker (exit ${r.status}). Quorum will refuse to start until a worker is present.\n` +
      `  Fix the problem printed above and run: node scripts/mediasoup-worker.mjs`,
  );
  // Do not fail the whole install: the client, tests of pure logic and docs still work.
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
remember(built);
install(cached, 'built from source');
