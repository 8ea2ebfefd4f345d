#!/usr/bin/env node
// Makes sure the recorder's tools are installed after `npm install`: FFmpeg (writes every stream of a
// recorded room as it arrives, then composes the recording) and ffprobe (measures what was written).
//   - both present: nothing to do;
//   - missing, run as root with apt-get (Debian, Ubuntu): installs the distribution's `ffmpeg` package;
//   - otherwise: prints the exact line to run.
// Quorum runs without them: rooms then say that recording is unavailable, and why.
// QUORUM_SKIP_RECORDER=1 skips this step.
import { spawnSync } from 'node:child_process';

const log = (msg) => console.log(`[recorder] ${msg}`);
const INSTALL = 'apt-get install -y --no-install-recommends ffmpeg';

if (process.env.QUORUM_SKIP_RECORDER === '1') {
  log('skipped (QUORUM_SKIP_RECORDER=1)');
  process.exit(0);
}

const works = (command) => spawnSync(command, ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const missing = () => ['ffmpeg', 'ffprobe'].filter((c) => !works(c));

let absent = missing();
if (!absent.length) {
  log('ffmpeg and ffprobe present: recording available');
  process.exit(0);
}

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (root && apt) {
  log(`installing ${absent.join(' and ')} (the distribution's ffmpeg package)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('sh', ['-c', `${INSTALL} -qq >/dev/null`], { stdio: 'inherit', env }) : update;
  absent = missing();
  if (install.status === 0 && !absent.length) {
    log('ffmpeg installed: recording available');
    process.exit(0);
  }
  log(`could not install ffmpeg (apt-get exited with ${install.status})`);
}

console.log(
  `[recorder] ${absent.join(' and ')} not found: Quorum runs, but rooms cannot be recorded until FFmpeg is installed:\n` +
    `  sudo ${INSTALL}\n` +
    `  (then restart Quorum; no reinstall needed)`,
);
// Never fail the install for it: everything but recording works without FFmpeg.
process.exit(0);
