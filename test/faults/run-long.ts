/**
 * The long fault-injection profile (`npm run test:faults`; not part of `npm test`):
 *   a. kill -9 of the server during bursts of votes, ≥ 200 times at random kill points;
 *   b. PostgreSQL outages (a cluster of its own, stopped in immediate mode), a few times;
 *   c. the mediasoup worker of a live room killed, ≥ 10 times;
 *   d. two clients of a webinar dropping their network for 5 s, ≥ 10 times, and once in a quiet room;
 *   e. a public webinar of 1,000 browser-like clients with chat at 5 msg/s, its server stopped with SIGTERM
 *      and restarted at once, killed with kill -9 and restarted 2 s later, and stopped while a lock on
 *      chat_messages holds up the drain for 6 s (test/faults/room-restart.ts); also 1,000 joins at once.
 * Prints one table, the problems found, and as its last line one JSON object. Exits 1 when a target is
 * missed: 0 lost, 0 duplicated, worker recovery p95 ≤ 5 s, socket resume p95 ≤ 3 s.
 * Sizes: FAULTS_KILL_RUNS, FAULTS_OUTAGE_RUNS, FAULTS_WORKER_RUNS, FAULTS_DROP_RUNS, FAULTS_QUIET_MS,
 * FAULTS_VOTERS, FAULTS_RESTART_CLIENTS; FAULTS_BUDGET_MIN bounds the kill loop so the whole run stays
 * near 30 minutes. FAULTS_ONLY=a,e runs only those phases. Restart targets: everyone back, p95 ≤ 6 s
 * after SIGTERM (slow drain included) and ≤ 8 s after a crash, counted from the old process's exit.
 */
import { Client } from 'pg';
import { databaseOutage, OutageFixture, type OutageRun } from './db-outage';
import { FaultServer } from './fault-server';
import { runFinalizers } from './processes';
import { type SocketDropRun, socketDrop } from './socket-drop';
import { Electorate, type KillPoint, verifyExport, type VoteCrashRun, voteCrash } from './vote-crash';
import { RoomFixture, type WorkerKillRun, workerKill } from './worker-kill';
import { RestartFixture, restartRow, type RestartRun } from './room-restart';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const KILL_RUNS = num('FAULTS_KILL_RUNS', 200);
const OUTAGE_RUNS = num('FAULTS_OUTAGE_RUNS', 3);
const WORKER_RUNS = num('FAULTS_WORKER_RUNS', 12);
const DROP_RUNS = num('FAULTS_DROP_RUNS', 10);
const QUIET_MS = num('FAULTS_QUIET_MS', 95_000);
const VOTERS = num('FAULTS_VOTERS', 16);
const KILL_BUDGET_MS = num('FAULTS_BUDGET_MIN', 30) * 60_000 * 0.6;
const MEETING_EVERY = 25;
const RESTART_CLIENTS = num('FAULTS_RESTART_CLIENTS', 1_000);
const ONLY = process.env.FAULTS_ONLY ? new Set(process.env.FAULTS_ONLY.split(',')) : null;
const wanted = (phaseLetter: string) => !ONLY || ONLY.has(phaseLetter);

const log = (...a: unknown[]) => console.error(`[faults ${new Date().toISOString().slice(11, 19)}]`, ...a);

function percentile(values: number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)]!;
}
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '-');

interface Row {
  scenario: string;
  runs: string;
  acknowledged: string;
  lost: string;
  duplicated: string;
  p50: string;
  p95: string;
}

function table(rows: Row[]): string {
  const head: Row = { scenario: 'scenario', runs: 'runs', acknowledged: 'acknowledged', lost: 'lost', duplicated: 'duplicated', p50: 'recovery p50', p95: 'recovery p95' };
  const keys = Object.keys(head) as (keyof Row)[];
  const width = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  const line = (r: Row) => `| ${keys.map((k, i) => (i < 1 ? r[k].padEnd(width[i]!) : r[k].padStart(width[i]!))).join(' | ')} |`;
  return [line(head), `|${width.map((w, i) => (i < 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** A random kill point, so that over the runs the kill lands everywhere in a burst. */
function killPoint(i: number, voters: number, spreadMs: number): KillPoint {
  if (i % 4 === 0) return { storedAheadOfAcks: true };
  if (i % 4 === 1) return { afterAcks: 1 + Math.floor(Math.random() * voters) };
  return { afterMs: Math.round(Math.random() * (spreadMs + 150)) };
}

async function killRuns(problems: string[]): Promise<{ runs: VoteCrashRun[]; verified: number; stoppedEarly?: string }> {
  const runs: VoteCrashRun[] = [];
  let verified = 0;
  let failures = 0;
  const server = await FaultServer.start();
  const db = new Client({ connectionString: server.databaseUrl });
  let e: Electorate | undefined;
  const started = Date.now();
  try {
    await db.connect();
    e = await Electorate.create(server.url, VOTERS);
    const verify = async () => {
      const v = await verifyExport(server.url, e!);
      verified++;
      if (!v.ok) problems.push(`a: verify.mjs on meeting ${e!.meetingId}: ${v.output.slice(0, 500)}`);
    };
    for (let i = 0; i < KILL_RUNS; i++) {
      if (Date.now() - started > KILL_BUDGET_MS) return { runs, verified, stoppedEarly: `time budget of ${Math.round(KILL_BUDGET_MS / 60_000)} min reached after ${i} runs` };
      if (i > 0 && i % MEETING_EVERY === 0) {
        await verify();
        await e.newMeeting(server.url);
      }
      const spreadMs = [0, 100, 300][i % 3]!;
      const opts = { secrecy: i % 2 ? ('roll-call' as const) : ('secret' as const), killPoint: killPoint(i, VOTERS, spreadMs), spreadMs };
      try {
        const run = await voteCrash(server, e, db, opts);
        runs.push(run);
        for (const p of run.problems) problems.push(`a#${i} (${run.secrecy}, kill ${JSON.stringify(run.killPoint)}): ${p}`);
      } catch (err) {
        // One broken run is a finding, not the end of the profile: note it, get a server back, go on.
        problems.push(`a#${i} (${opts.secrecy}, kill ${JSON.stringify(opts.killPoint)}): ${(err as Error).stack?.slice(0, 600) ?? err}`);
        if (++failures >= 5) return { runs, verified, stoppedEarly: `${failures} runs failed` };
        if (!server.alive()) await server.restart();
        await e.connect(server.url);
        continue;
      }
      if ((i + 1) % 10 === 0) {
        const acked = runs.reduce((n, r) => n + r.acknowledged, 0);
        const stored = runs.reduce((n, r) => n + r.retriedStored, 0);
        log(`a: ${i + 1}/${KILL_RUNS} kills, ${acked} acks kept, ${stored} committed-unacked answered with the stored receipt, lost ${runs.reduce((n, r) => n + r.lost, 0)}, duplicated ${runs.reduce((n, r) => n + r.duplicated, 0)}`);
      }
    }
    await verify();
    return { runs, verified };
  } finally {
    e?.disconnect();
    await db.end().catch(() => undefined);
    if (server.orphans.length) problems.push(`a: mediasoup workers outlived killed servers: ${server.orphans.length}`);
    await server.stop();
  }
}

async function outageRuns(problems: string[]): Promise<OutageRun[]> {
  const runs: OutageRun[] = [];
  let f: OutageFixture | undefined;
  try {
    f = await OutageFixture.create();
    for (let i = 0; i < OUTAGE_RUNS; i++) {
      const downForMs = [2_000, 6_000, 12_000][i % 3]!;
      const run = await databaseOutage(f, { downForMs }).catch((err: Error) => (problems.push(`b#${i}: ${err.stack?.slice(0, 600)}`), undefined));
      if (!run) {
        if (!f.pg.running()) await f.pg.start();
        continue;
      }
      runs.push(run);
      for (const p of run.problems) problems.push(`b#${i} (down ${downForMs} ms): ${p}`);
      log(`b: outage ${i + 1}/${OUTAGE_RUNS}: down ${run.downForMs} ms, detected after ${ms(run.detectionMs)}, /health 200 ${ms(run.recoveryMs)} after PostgreSQL was back, server stayed up: ${run.serverStayedUp}`);
    }
  } finally {
    await f?.destroy();
  }
  return runs;
}

async function workerRuns(problems: string[]): Promise<WorkerKillRun[]> {
  const runs: WorkerKillRun[] = [];
  const server = await FaultServer.start();
  try {
    const f = await RoomFixture.create(server, 1);
    try {
      for (let i = 0; i < WORKER_RUNS; i++) {
        const run = await workerKill(f, f.people[0]!).catch((err: Error) => (problems.push(`c#${i}: ${err.stack?.slice(0, 600)}`), undefined));
        if (!run) continue;
        runs.push(run);
        for (const p of run.problems) problems.push(`c#${i}: ${p}`);
      }
      log(`c: ${runs.length} worker kills, join p95 ${ms(percentile(runs.map((r) => Math.max(r.joinMs, r.rejoinMs)), 95))}`);
    } finally {
      f.close();
    }
  } finally {
    await server.stop();
  }
  return runs;
}

async function dropRuns(problems: string[]): Promise<SocketDropRun[]> {
  const runs: SocketDropRun[] = [];
  const server = await FaultServer.start();
  try {
    const f = await RoomFixture.create(server, 0, 'webinar');
    try {
      for (let i = 0; i < DROP_RUNS; i++) {
        const run = await socketDrop(f).catch((err: Error) => (problems.push(`d#${i}: ${err.stack?.slice(0, 600)}`), undefined));
        if (!run) continue;
        runs.push(run);
        for (const p of run.problems) problems.push(`d#${i}: ${p}`);
      }
      log(`d: ${runs.length} drops in a busy room, resume p95 ${ms(percentile(runs.flatMap((r) => r.resumeMs), 95))}; now ${Math.round(QUIET_MS / 1000)} s of silence before one more`);
      if (QUIET_MS > 0) {
        const run = await socketDrop(f, { kind: 'quiet', silenceMs: QUIET_MS });
        runs.push(run);
        for (const p of run.problems) problems.push(`d-quiet: ${p}`);
      }
    } finally {
      f.close();
    }
  } finally {
    await server.stop();
  }
  return runs;
}

interface RestartPhase {
  runs: RestartRun[];
  joinMs: number[];
}

async function restartRuns(problems: string[]): Promise<RestartPhase> {
  const f = await RestartFixture.create({ clients: RESTART_CLIENTS, log: (l) => log(`e: ${l}`) });
  const runs: RestartRun[] = [];
  try {
    for (const kind of ['sigterm', 'crash', 'slow-drain'] as const) {
      const run = await f.run(kind).catch((err: Error) => (problems.push(`e (${kind}): ${err.stack?.slice(0, 600)}`), undefined));
      if (!run) continue;
      runs.push(run);
      for (const p of run.problems) problems.push(`e (${kind}): ${p}`);
    }
  } finally {
    await f.close();
  }
  return { runs, joinMs: f.joinMs };
}

/** The table of the restart issue: back, share back within the bound, p50, p95 (from the old process's exit). */
function restartTable(runs: RestartRun[]): string {
  const label = { sigterm: 'SIGTERM, restart at once', crash: 'kill -9, restart after 2 s', 'slow-drain': 'SIGTERM, drain held 6 s by a lock' } as const;
  const rows = runs.map((r) => {
    const bound = r.kind === 'crash' ? 8_000 : 6_000;
    const x = restartRow(r, bound);
    const s = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : '-');
    return [label[r.kind], x.back, `${x.within} (≤ ${bound / 1000} s)`, s(x.p50), s(x.p95), `${r.missing}`, `${r.duplicatedOnScreen}`, `${r.panelistsKept}/${r.panelists}`, `${r.splitAttendance}`];
  });
  const head = ['Scenario', 'back', '≤ bound', 'p50', 'p95', 'acked missing', 'dup on screen', 'panelists kept', 'split attendance'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Runs a phase; a phase that throws is reported and the others still run. */
async function phase<T>(name: string, problems: string[], run: () => Promise<T>): Promise<T | undefined> {
  const t = Date.now();
  try {
    return await run();
  } catch (err) {
    problems.push(`${name}: aborted: ${(err as Error).stack?.slice(0, 800) ?? err}`);
    return undefined;
  } finally {
    log(`${name} took ${Math.round((Date.now() - t) / 1000)} s`);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const problems: string[] = [];
  log(`long profile: ${KILL_RUNS} kills of ${VOTERS} voters, ${OUTAGE_RUNS} outages, ${WORKER_RUNS} worker kills, ${DROP_RUNS} + 1 socket drops`);
  const a = wanted('a') ? await phase('a. kill -9 during votes', problems, () => killRuns(problems)) : undefined;
  const b = (wanted('b') ? await phase('b. PostgreSQL outage', problems, () => outageRuns(problems)) : undefined) ?? [];
  const c = (wanted('c') ? await phase('c. mediasoup worker kill', problems, () => workerRuns(problems)) : undefined) ?? [];
  const d = (wanted('d') ? await phase('d. socket drop', problems, () => dropRuns(problems)) : undefined) ?? [];
  const e = wanted('e') ? await phase('e. restarts under a 1,000-person webinar', problems, () => restartRuns(problems)) : undefined;
  if (a?.stoppedEarly) problems.push(`a: ${a.stoppedEarly}`);

  const kills = a?.runs ?? [];
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
  const warm = d.filter((r) => r.variant === 'warm');
  const quiet = d.filter((r) => r.variant === 'quiet');
  const workerRecovery = c.map((r) => Math.max(r.healthMs, r.joinMs, r.rejoinMs));
  const resumes = (runs: SocketDropRun[]) => runs.flatMap((r) => r.resumeMs.filter((_, i) => r.recovered[i]));
  const notRecovered = (runs: SocketDropRun[]) => sum(runs, (r) => r.recovered.filter((x) => !x).length);
  const rows: Row[] = [
    {
      scenario: 'a. kill -9 during votes (kill → every vote counted)',
      runs: String(kills.length),
      acknowledged: `${sum(kills, (r) => r.acknowledged)} (+${sum(kills, (r) => r.retriedStored)} stored/unacked)`,
      lost: String(sum(kills, (r) => r.lost)),
      duplicated: String(sum(kills, (r) => r.duplicated)),
      p50: ms(percentile(kills.map((r) => r.killToAllCountedMs), 50)),
      p95: ms(percentile(kills.map((r) => r.killToAllCountedMs), 95)),
    },
    {
      scenario: 'b. PostgreSQL outage (back → /health 200)',
      runs: String(b.length),
      acknowledged: String(sum(b, (r) => r.acknowledged)),
      lost: String(sum(b, (r) => r.lost)),
      duplicated: String(sum(b, (r) => r.duplicated)),
      p50: ms(percentile(b.map((r) => r.recoveryMs), 50)),
      p95: ms(percentile(b.map((r) => r.recoveryMs), 95)),
    },
    {
      scenario: 'c. mediasoup worker kill (→ health up, joins ok)',
      runs: String(c.length),
      acknowledged: `${sum(c, (r) => r.joins)} joins`,
      lost: '-',
      duplicated: '-',
      p50: ms(percentile(workerRecovery, 50)),
      p95: ms(percentile(workerRecovery, 95)),
    },
    {
      scenario: 'd. socket drop 5 s, busy room (→ resumed)',
      runs: `${warm.length} (${sum(warm, (r) => r.recovered.length)} clients)`,
      acknowledged: `${sum(warm, (r) => r.expected)} events`,
      lost: `${sum(warm, (r) => r.missing)}${notRecovered(warm) ? ` (${notRecovered(warm)} not resumed)` : ''}`,
      duplicated: String(sum(warm, (r) => r.duplicated)),
      p50: ms(percentile(resumes(warm), 50)),
      p95: ms(percentile(resumes(warm), 95)),
    },
    ...(quiet.length
      ? [
          {
            scenario: `d. socket drop 5 s after ${Math.round(QUIET_MS / 1000)} s of silence`,
            runs: `${quiet.length} (${sum(quiet, (r) => r.recovered.length)} clients)`,
            acknowledged: `${sum(quiet, (r) => r.expected)} events`,
            lost: `${sum(quiet, (r) => r.missing)}${notRecovered(quiet) ? ` (${notRecovered(quiet)} not resumed)` : ''}`,
            duplicated: String(sum(quiet, (r) => r.duplicated)),
            p50: ms(percentile(resumes(quiet), 50)),
            p95: ms(percentile(resumes(quiet), 95)),
          },
        ]
      : []),
  ];

  const restarts = e?.runs ?? [];
  const p95Of = (kind: RestartRun['kind']) => {
    const r = restarts.find((x) => x.kind === kind);
    const v = r ? restartRow(r, 0).p95 : NaN;
    return Number.isFinite(v) && r!.stranded === 0 ? Math.round(v) : null;
  };
  const restartSummary = {
    restartP95Ms: p95Of('sigterm'),
    crashP95Ms: p95Of('crash'),
    slowDrainP95Ms: p95Of('slow-drain'),
    stranded: sum(restarts, (r) => r.stranded),
    restartMissing: sum(restarts, (r) => r.missing),
    restartDuplicatedOnScreen: sum(restarts, (r) => r.duplicatedOnScreen),
    joinBurstP95Ms: e?.joinMs.length ? Math.round(percentile(e.joinMs, 95)) : null,
  };

  const runtimeS = Math.round((Date.now() - started) / 1000);
  const lost = sum(kills, (r) => r.lost) + sum(b, (r) => r.lost);
  const duplicated = sum(kills, (r) => r.duplicated) + sum(b, (r) => r.duplicated);
  const workerRecoveryP95Ms = Math.round(percentile(workerRecovery, 95));
  const socketResumeP95Ms = Math.round(percentile(resumes(d), 95));
  const eventsMissed = sum(d, (r) => r.missing);
  const socketsNotResumed = notRecovered(d);
  const summary = {
    lost,
    duplicated,
    workerRecoveryP95Ms: Number.isFinite(workerRecoveryP95Ms) ? workerRecoveryP95Ms : null,
    socketResumeP95Ms: Number.isFinite(socketResumeP95Ms) ? socketResumeP95Ms : null,
    killRuns: kills.length,
    acknowledgedVotes: sum(kills, (r) => r.acknowledged) + sum(b, (r) => r.acknowledged),
    committedUnacked: sum(kills, (r) => r.committedUnacked),
    killToReadyP95Ms: Math.round(percentile(kills.map((r) => r.killToReadyMs), 95)),
    dbDetectionP95Ms: Math.round(percentile(b.map((r) => r.detectionMs), 95)) || null,
    dbServerCrashes: b.filter((r) => !r.serverStayedUp).length,
    eventsMissed,
    socketsNotResumed,
    ...(e ? restartSummary : {}),
    problems: problems.length,
    runtimeS,
  };

  const anyOf = ['a', 'b', 'c', 'd'].some(wanted);
  if (anyOf) console.log(table(rows));
  if (anyOf) console.log(
    `\na: ${kills.length} kills (${sum(kills, (r) => r.voters)} voters in all), ${sum(kills, (r) => r.sent)} votes sent before the kill, ${sum(kills, (r) => r.committedUnacked)} committed without their ack; restart p50/p95 ${ms(percentile(kills.map((r) => r.killToReadyMs), 50))} / ${ms(percentile(kills.map((r) => r.killToReadyMs), 95))}; audit chains verified after every kill, verify.mjs PASS on ${a?.verified ?? 0} meeting exports`,
  );
  if (anyOf) console.log(`b: ${b.map((r) => `down ${ms(r.downForMs)}: detected ${ms(r.detectionMs)}, /health 200 ${ms(r.recoveryMs)} and first vote ${ms(r.firstVoteMs)} after PostgreSQL was back, server ${r.serverStayedUp ? 'stayed up' : 'EXITED'}`).join('; ') || 'not run'}`);
  if (anyOf) console.log(`c: kill → media-reset p95 ${ms(percentile(c.map((r) => r.resetMs), 95))}, → /health up p95 ${ms(percentile(c.map((r) => r.healthMs), 95))}, → join ok p95 ${ms(percentile(c.map((r) => Math.max(r.joinMs, r.rejoinMs)), 95))}; /health while replacing: ${[...new Set(c.flatMap((r) => r.healthWhileDown))].join(', ') || 'not caught'}`);
  if (e) {
    console.log(`\ne: ${RESTART_CLIENTS} clients in one public webinar, chat at 5 msg/s; times from the old process's exit to room:join answered again`);
    console.log(restartTable(restarts));
    console.log(`e: new process ready after the exit: ${restarts.map((r) => `${r.kind} ${ms(r.restartMs)}`).join(', ')}; old process stopped in: ${restarts.map((r) => `${r.kind} ${ms(r.stopMs)} (exit ${r.exitCode})`).join(', ')}`);
    console.log(`e: ${e.joinMs.length} joins into one room at once: room:join ack p50 ${ms(percentile(e.joinMs, 50))}, p95 ${ms(percentile(e.joinMs, 95))}`);
  }
  console.log(`runtime ${Math.floor(runtimeS / 60)} min ${runtimeS % 60} s`);
  if (problems.length) {
    console.log(`\n${problems.length} problem(s):`);
    for (const p of [...new Set(problems)].slice(0, 60)) console.log(`- ${p.replace(/\n/g, '\n  ')}`);
  }
  console.log(JSON.stringify(summary));
  const metA = lost === 0 && duplicated === 0;
  const metC = !wanted('c') || (summary.workerRecoveryP95Ms !== null && summary.workerRecoveryP95Ms <= 5_000);
  const metD = !wanted('d') || (summary.socketResumeP95Ms !== null && summary.socketResumeP95Ms <= 3_000);
  const metE =
    !e ||
    (restartSummary.stranded === 0 &&
      restarts.length === 3 &&
      (restartSummary.restartP95Ms ?? Infinity) <= 6_000 &&
      (restartSummary.slowDrainP95Ms ?? Infinity) <= 6_000 &&
      (restartSummary.crashP95Ms ?? Infinity) <= 8_000);
  const met = metA && metC && metD && metE;
  return met && problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    runFinalizers();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    runFinalizers();
    process.exit(2);
  },
);
