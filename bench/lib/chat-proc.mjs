// CPU time of other processes, read from /proc (Linux), for bench/chat.mjs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process in seconds (its threads included, its children not). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** CPU seconds of each of `pids` that still runs, by pid. */
export function cpuOfPids(pids) {
  const byPid = new Map();
  for (const pid of pids) {
    try {
      byPid.set(String(pid), cpuSeconds(pid));
    } catch {
      /* gone meanwhile */
    }
  }
  return byPid;
}

/**
 * CPU seconds spent between two `cpuOfPids` samples: processes in both count their difference, new
 * ones all of theirs; one that ended in between is lost (a pooled backend closing after idling).
 */
export function cpuBetween(before, after) {
  let total = 0;
  for (const [pid, t] of after) total += t - (before.get(pid) ?? 0);
  return total;
}
