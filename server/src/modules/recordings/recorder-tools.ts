import { spawnSync } from 'node:child_process';
import type { RecorderProblem } from '../../contract/recordings';

/**
 * Recording needs FFmpeg (to write the streams and compose them) and ffprobe (to measure what was
 * written). `npm install` installs them when it can (scripts/recorder-tools.mjs); without them Quorum
 * runs all the same, and rooms say that recording is unavailable and why.
 */
export interface RecorderStatus {
  available: boolean;
  problem: RecorderProblem | null;
  /** The first line of `ffmpeg -version`, for the log. */
  version: string | null;
}

/** The install line printed when the tools are missing (also in the README). */
export const RECORDER_INSTALL_HINT = 'apt-get install -y --no-install-recommends ffmpeg';

function works(command: string): string | null {
  const r = spawnSync(command, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : null;
}

let status: RecorderStatus | undefined;

/** Whether this server can record; looked up once (the first call runs both programs). */
export function recorderStatus(): RecorderStatus {
  if (!status) {
    const version = works('ffmpeg');
    if (!version) status = { available: false, problem: 'FFMPEG_MISSING', version: null };
    else if (!works('ffprobe')) status = { available: false, problem: 'FFPROBE_MISSING', version };
    else status = { available: true, problem: null, version };
  }
  return status;
}
