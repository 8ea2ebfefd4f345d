import { Client } from 'pg';
import { databaseOutage, OutageFixture } from '../faults/db-outage';
import { FaultServer } from '../faults/fault-server';
import { Electorate, type KillPoint, verifyExport, voteCrash } from '../faults/vote-crash';
import { RoomFixture, workerKill } from '../faults/worker-kill';

/**
 * Fault injection, short profile (the long one, `npm run test:faults`, repeats these hundreds of times
 * and adds dropped connections): the server killed with SIGKILL during a burst of votes, a PostgreSQL
 * outage, a mediasoup worker killed. The scenarios live in test/faults/.
 */
jest.setTimeout(120_000);

describe('kill -9 during a burst of votes', () => {
  let server: FaultServer;
  let db: Client;
  let e: Electorate;
  beforeAll(async () => {
    server = await FaultServer.start();
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    e = await Electorate.create(server.url, 60);
  });
  afterAll(async () => {
    e?.disconnect();
    await db?.end();
    await server?.stop();
  });

  it.each([
    ['secret', 'between the commit of votes and their acks', 0, (): KillPoint => ({ storedAheadOfAcks: true })],
    ['roll-call', 'at a random moment of the burst', 300, (): KillPoint => ({ afterMs: Math.round(Math.random() * 400) })],
  ] as const)('keeps every acknowledged %s vote, counts none twice and answers retries exactly once when killed %s', async (secrecy, _, spreadMs, killPoint) => {
    const run = await voteCrash(server, e, db, { secrecy, killPoint: killPoint(), spreadMs });
    expect(run.problems).toEqual([]);
    expect({ lost: run.lost, duplicated: run.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(run.acknowledged + run.retriedStored + run.retriedFresh).toBe(60);
  });

  it('leaves an audit chain and bulletin boards that the independent verifier accepts', async () => {
    const v = await verifyExport(server.url, e);
    expect(v).toEqual({ ok: true, output: expect.stringContaining('PASS') });
  });
});

describe('PostgreSQL outage (a cluster of its own, stopped in immediate mode)', () => {
  let f: OutageFixture;
  beforeAll(async () => {
    f = await OutageFixture.create();
  });
  afterAll(() => f?.destroy());

  it('stays up, answers UNAVAILABLE (503 over REST) and reports it on /health, recovers by itself, and counts a retried vote once', async () => {
    const run = await databaseOutage(f, { downForMs: 3_000 });
    expect(run.problems).toEqual([]);
    expect(run.serverStayedUp).toBe(true);
    expect({ lost: run.lost, duplicated: run.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(run.detectionMs).toBeLessThan(3_000);
    expect(run.recoveryMs).toBeLessThan(10_000);
  });
});

describe('mediasoup worker killed under a live room', () => {
  let server: FaultServer;
  let f: RoomFixture;
  beforeAll(async () => {
    server = await FaultServer.start();
    f = await RoomFixture.create(server, 1);
  });
  afterAll(async () => {
    f?.close();
    await server?.stop();
  });

  it('replaces the worker: the room is told to rejoin, /health reports media up and joins succeed within 5 s', async () => {
    const run = await workerKill(f, f.people[0]!);
    expect(run.problems).toEqual([]);
    expect(run.healthMs).toBeLessThan(5_000);
    expect(Math.max(run.joinMs, run.rejoinMs)).toBeLessThan(5_000);
  });
});
