import { type RestartFixture as Fixture, RestartFixture, restartRow } from '../faults/room-restart';

/**
 * Restarts and crashes under a public webinar, reduced size (the long profile, `npm run test:faults`,
 * runs 1,000 clients and asserts the time bounds). Here: everyone comes back, no acknowledged chat
 * message is lost or shown twice, panelists stay panelists, one attendance record per person with the
 * gap marked, and the old process exits cleanly. Timings are printed, not asserted.
 */
jest.setTimeout(240_000);

const CLIENTS = Number(process.env.RESTART_TEST_CLIENTS ?? 150);

describe('a public webinar across server restarts', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await RestartFixture.create({ clients: CLIENTS, log: (l) => process.stderr.write(`[restarts] ${l}\n`) });
  });
  afterAll(async () => {
    await f?.close();
  });

  it.each([
    ['SIGTERM and an immediate restart', 'sigterm', 6_000],
    ['kill -9 and a restart 2 s later', 'crash', 8_000],
    ['SIGTERM while a slow database holds up the drain', 'slow-drain', 6_000],
  ] as const)('brings everyone back after %s, with their roles, their chat and one attendance record', async (_, kind, bound) => {
    const run = await f.run(kind);
    const row = restartRow(run, bound);
    process.stderr.write(`[restarts] ${kind}: back ${row.back}, ≤ ${bound / 1000} s ${row.within}, p50 ${Math.round(row.p50)} ms, p95 ${Math.round(row.p95)} ms\n`);
    expect(run.problems).toEqual([]);
    const seen = { stranded: run.stranded, missing: run.missing, duplicatedOnScreen: run.duplicatedOnScreen, panelists: run.panelistsKept };
    expect({ ...seen, splitAttendance: run.splitAttendance, sessions: run.sessions }).toEqual({
      stranded: 0,
      missing: 0,
      duplicatedOnScreen: 0,
      panelists: run.panelists,
      splitAttendance: 0,
      sessions: 1,
    });
  });
});
