// An open breakout round survives a server restart: people come back to the group they were in, the
// round keeps its names and end time, and the time in groups is not counted across the restart.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { command } from '../helpers/api';
import { createRoom, enter, orgWithMembers } from '../helpers/room';
import { startServer, type StartedServer } from '../helpers/server-process';

jest.setTimeout(120_000);

describe('breakout groups across a restart', () => {
  let server: StartedServer;

  afterAll(() => server?.stop());

  it('opens the round again after a restart, with everyone back in their group and the gap left out', async () => {
    // The same secret on both sides of the restart, so that people's sessions stay valid.
    const secret = { JWT_SECRET: randomBytes(32).toString('hex') };
    server = await startServer({ env: secret });
    const ctx = await orgWithMembers(server.url, 4);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'meeting' });
    const tokens = [ctx.owner, ...ctx.people].map((p) => p.accessToken);
    const first = await Promise.all(tokens.map((t) => enter(server.url, t, room.id)));
    const opened = await command(first[0]!.socket, 'breakout:open', {
      groups: 2,
      assignment: 'random',
      names: ['Cataloguing', 'اقتناء'],
      minutes: 30,
    });
    if (!opened.ok) throw new Error(opened.error.code);
    const before = new Map(opened.data.groups.flatMap((g) => g.members.map((m) => [m.userId, g.index] as const)));
    expect(before.size).toBe(4);

    // SIGTERM (the process saves its sessions), then a new process on the same address and database.
    const port = new URL(server.url).port;
    const stopped = new Promise((resolve) => server.process.once('exit', resolve));
    // People are still connected when it stops, as in a real restart.
    server.process.kill('SIGTERM');
    await stopped;
    first.forEach((m) => m.socket.close());
    const stoppedAt = new Date();
    const old = server;
    server = await startServer({ env: { ...secret, DATABASE_URL: old.databaseUrl, PORT: port } });

    const again = await Promise.all(tokens.map((t) => enter(server.url, t, room.id)));
    try {
      const round = again[0]!.joined.breakout;
      expect(round).toMatchObject({ roundId: opened.data.roundId, endsAt: opened.data.endsAt, assignment: 'random' });
      expect(round!.groups.map((g) => g.name)).toEqual(['Cataloguing', 'اقتناء']);
      const last = await command(again[0]!.socket, 'breakout:move', {
        userId: ctx.people[0]!.user.id,
        group: before.get(ctx.people[0]!.user.id)!,
      });
      if (!last.ok) throw new Error(last.error.code);
      const after = new Map(last.data.groups.flatMap((g) => g.members.map((m) => [m.userId, g.index] as const)));
      expect(after).toEqual(before);
      for (const [i, m] of again.entries()) {
        const userId = i === 0 ? ctx.owner.user.id : ctx.people[i - 1]!.user.id;
        expect(m.joined.breakout?.yourGroup).toBe(before.get(userId) ?? null);
      }

      // Each person: a stay that ended by the stop, and a new one from their return; none still open across it.
      const db = new Client({ connectionString: server.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ user_id: string; joined_at: Date; left_at: Date | null }>(
          `SELECT user_id, joined_at, left_at FROM breakout_visits WHERE room_id = $1 ORDER BY user_id, joined_at`,
          [room.id],
        );
        for (const userId of before.keys()) {
          const stays = rows.filter((r) => r.user_id === userId);
          expect(stays).toHaveLength(2);
          expect(stays[0]!.left_at).not.toBeNull();
          expect(stays[0]!.left_at!.getTime()).toBeLessThanOrEqual(stoppedAt.getTime());
          expect(stays[1]!.joined_at.getTime()).toBeGreaterThanOrEqual(stoppedAt.getTime());
          expect(stays[1]!.left_at).toBeNull();
        }
      } finally {
        await db.end();
      }
    } finally {
      again.forEach((m) => m.socket.close());
    }
  });
});
