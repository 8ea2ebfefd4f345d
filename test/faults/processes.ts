import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Process plumbing for fault scenarios (Linux /proc): find, kill and wait for processes this run started. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
}

function stat(pid: number | string): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const [state, ppid] = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), comm, state: state!, ppid: Number(ppid) };
  } catch {
    return undefined; // gone while we looked
  }
}

/** Running (not zombie) children of `ppid` whose command name starts with `comm`. */
export function childrenOf(ppid: number, comm = ''): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(stat)
    .filter((s): s is ProcStat => !!s && s.ppid === ppid && s.state !== 'Z' && s.comm.startsWith(comm))
    .map((s) => s.pid);
}

/** The mediasoup worker processes of a server process. */
export const mediasoupWorkers = (serverPid: number): number[] => childrenOf(serverPid, 'mediasoup-work');

/** Alive and not a zombie. */
export function running(pid: number): boolean {
  const s = stat(pid);
  return !!s && s.state !== 'Z';
}

/**
 * SIGKILL a server process, as the kernel's OOM killer or a power cut of the process would: no drain,
 * no shutdown hooks. Waits for it to exit and for its mediasoup workers (noted before the kill, since
 * they are re-parented after it) to notice and exit by themselves; any that do not within
 * `orphanGraceMs` are reported and then killed so nothing outlives the run.
 */
export async function killHard(child: ChildProcess, orphanGraceMs = 3_000): Promise<{ orphans: number[] }> {
  const workers = mediasoupWorkers(child.pid!);
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
  await waitFor('mediasoup workers of a killed server to exit', () => workers.every((w) => !running(w)), orphanGraceMs).catch(() => undefined);
  const orphans = workers.filter(running);
  for (const w of orphans) killQuietly(w);
  return { orphans };
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Last-resort cleanup for processes and folders a fault run created, also when the run is
 * interrupted: each registered action runs once, synchronously, on process exit or on SIGINT,
 * SIGTERM or SIGHUP (after which the signal takes its course).
 */
const finalizers = new Map<number, () => void>();
let nextFinalizer = 0;
let hooked = false;

function onSignal(signal: NodeJS.Signals): void {
  runFinalizers();
  process.removeListener(signal, onSignal);
  // Nobody else handles it: the default action (terminate), as if we had not been here.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

export function onExit(action: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', runFinalizers);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }
  const id = nextFinalizer++;
  finalizers.set(id, action);
  return () => finalizers.delete(id);
}

export function runFinalizers(): void {
  for (const [id, action] of [...finalizers]) {
    finalizers.delete(id);
    try {
      action();
    } catch {
      /* keep cleaning up */
    }
  }
}
