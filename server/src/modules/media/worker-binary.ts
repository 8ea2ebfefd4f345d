import { accessSync, constants } from 'node:fs';
import { workerBin } from 'mediasoup';

/** A readable refusal when no worker binary was installed, instead of a crash at the first room. */
export function assertWorkerPresent(): string | undefined {
  try {
    accessSync(workerBin, constants.X_OK);
    return undefined;
  } catch {
    return (
      `No mediasoup worker binary at ${workerBin}.\n` +
      'Live audio and video need it. Run `node scripts/mediasoup-worker.mjs` (it builds one from source when\n' +
      'no prebuilt binary can be downloaded), or set MEDIASOUP_WORKER_BIN to a worker you built.'
    );
  }
}
