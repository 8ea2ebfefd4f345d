import { readdirSync, readFileSync } from 'node:fs';

/** Process checks for media specs (Linux /proc). */

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** mediasoup-worker processes this test process has spawned and that are still running. */
export function childWorkers(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return comm.startsWith('mediasoup-work') && Number(ppid) === process.pid && state !== 'Z' ? [Number(pid)] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}
