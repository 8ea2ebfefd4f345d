import type { Ack, RoomRole } from '../../server/src/contract';
import { ROOM_ACTIONS, ROOM_PERMISSIONS, type RoomAction } from '../../server/src/modules/rooms/room-permissions';
import { command, type TestSocket } from '../helpers/api';
import { code, createRoom, enter, type Member, orgWithMembers, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(180_000);

interface Scene {
  /** The actor's role in this case. */
  role: RoomRole;
  host: Member;
  actor: Member;
  victim: Member;
  spare: Member;
  messageId: string;
  questionId: string;
  pollId: string;
}

const ok = <T>(r: Ack<T>): T => {
  if (!r.ok) throw new Error(`setup failed: ${r.error.code}`);
  return r.data;
};

/**
 * One real command per action, run by the actor against a scene prepared by the host. A new action
 * without a probe here does not compile (Record over RoomAction), so the table cannot grow untested.
 */
const PROBES: Record<RoomAction, (s: Scene) => Promise<Ack<unknown>>> = {
  'media.produce': (s) => produceMic(s.actor.socket),
  'stage.raise-hand': (s) => command(s.actor.socket, 'stage:raise-hand', {}),
  'stage.manage': async (s) => {
    const r = await command(s.actor.socket, 'stage:promote', { peerId: s.victim.joined.peerId });
    if (r.ok) ok(await command(s.host.socket, 'participant:set-role', { peerId: s.victim.joined.peerId, role: 'attendee' }));
    return r;
  },
  'stage.respond': async (s) => {
    // Only an attendee can be invited; for anyone else there is nothing the host's invitation changes.
    await command(s.host.socket, 'stage:promote', { peerId: s.actor.joined.peerId });
    return command(s.actor.socket, 'stage:respond', { accept: false });
  },
  'stage.step-down': async (s) => {
    const r = await command(s.actor.socket, 'stage:step-down', {});
    if (r.ok && s.role !== 'attendee' && s.role !== 'host') ok(await command(s.host.socket, 'participant:set-role', { peerId: s.actor.joined.peerId, role: s.role }));
    return r;
  },
  'participant.mute': (s) => command(s.actor.socket, 'participant:mute', { peerId: s.victim.joined.peerId, source: 'mic' }),
  'participant.remove': (s) => command(s.actor.socket, 'participant:remove', { peerId: s.spare.joined.peerId }),
  'participant.set-role': (s) => command(s.actor.socket, 'participant:set-role', { peerId: s.victim.joined.peerId, role: 'attendee' }),
  'room.lock': (s) => command(s.actor.socket, 'room:set-options', { locked: false }),
  'lobby.manage': (s) => command(s.actor.socket, 'lobby:deny', { userId: '00000000-0000-4000-8000-000000000000' }),
  'chat.send': (s) => command(s.actor.socket, 'chat:send', { clientRequestId: `perm-${Date.now()}-${Math.random().toString(36).slice(2)}`, body: 'hello' }),
  'chat.moderate': (s) => command(s.actor.socket, 'chat:delete', { messageId: s.messageId }),
  'qa.ask': (s) => command(s.actor.socket, 'qa:ask', { clientRequestId: `q-${Date.now()}-${Math.random().toString(36).slice(2)}`, body: 'A question?' }),
  'qa.upvote': (s) => command(s.actor.socket, 'qa:upvote', { questionId: s.questionId }),
  'qa.moderate': (s) => command(s.actor.socket, 'qa:moderate', { questionId: s.questionId, action: 'pin' }),
  'poll.manage': (s) => command(s.actor.socket, 'poll:create', { clientRequestId: `p-${Date.now()}-${Math.random().toString(36).slice(2)}`, question: 'Lunch?', options: ['Yes', 'No'] }),
  'poll.vote': (s) => command(s.actor.socket, 'poll:vote', { pollId: s.pollId, choices: [0] }),
  'reaction.send': (s) => command(s.actor.socket, 'reaction:send', { emoji: '👏' }),
  'breakout.manage': async (s) => {
    const r = await command(s.actor.socket, 'breakout:open', { groups: 2, assignment: 'random' });
    // Everyone back at once, so the probes after this one act on the whole room.
    if (r.ok) ok(await command(s.actor.socket, 'breakout:close', {}));
    return r;
  },
  'interpretation.manage': (s) => command(s.actor.socket, 'interpretation:assign', { userId: s.victim.joined.userId, from: 'en', to: 'zh' }),
  'interpretation.listen': (s) => command(s.actor.socket, 'interpretation:listen', { channel: 'zh', floorVolume: 0 }),
  'captions.manage': (s) => command(s.actor.socket, 'captions:assign', { userId: s.victim.joined.userId, language: 'en' }),
  'captions.view': (s) => command(s.actor.socket, 'captions:state', {}),
  'recording.manage': async (s) => {
    const r = await command(s.actor.socket, 'recording:start', {});
    if (r.ok) ok(await command(s.actor.socket, 'recording:stop', {}));
    return r;
  },
  // Ends the session: run last.
  'room.end': (s) => command(s.actor.socket, 'room:end', {}),
};
const ORDER = [...ROOM_ACTIONS.filter((a) => a !== 'room.end'), 'room.end' as const];

describe('the room permission table, enforced on every command', () => {
  let server: StartedServer;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => server?.stop());

  it('has a probe for every declared action', () => {
    expect(Object.keys(PROBES).sort()).toEqual([...ROOM_ACTIONS].sort());
  });

  const cases = (['meeting', 'webinar'] as const).flatMap((mode) => (['host', 'co-host', 'panelist', 'attendee'] as RoomRole[]).map((role) => [mode, role] as const));

  it.each(cases)('in a %s, a %s can do exactly what the table allows', async (mode, role) => {
    // Fresh people for each case, so per-person rate limits of one case do not leak into the next.
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode });
    const host = await enter(server.url, ctx.owner.accessToken, room.id);
    const a = await enter(server.url, ctx.people[0]!.accessToken, room.id);
    const v = await enter(server.url, ctx.people[1]!.accessToken, room.id);
    const sp = await enter(server.url, ctx.people[2]!.accessToken, room.id);
    open.push(host.socket, a.socket, v.socket, sp.socket);
    const actor = role === 'host' ? host : a;
    if (role !== 'host' && role !== 'attendee') ok(await command(host.socket, 'participant:set-role', { peerId: a.joined.peerId, role }));

    const scene: Scene = {
      role,
      host,
      actor,
      victim: v,
      spare: sp,
      messageId: ok(await command(host.socket, 'chat:send', { clientRequestId: `seed-${mode}-${role}`, body: 'seed' })).id,
      questionId: ok(await command(host.socket, 'qa:ask', { clientRequestId: `seedq-${mode}-${role}`, body: 'Seed question?' })).id,
      pollId: '',
    };
    const poll = ok(await command(host.socket, 'poll:create', { clientRequestId: `seedp-${mode}-${role}`, question: 'Seed?', options: ['A', 'B'] }));
    ok(await command(host.socket, 'poll:open', { pollId: poll.id }));
    scene.pollId = poll.id;

    const observed: Record<string, boolean> = {};
    const expected: Record<string, boolean> = {};
    for (const action of ORDER) {
      const result = await PROBES[action](scene);
      // Allowed means "not refused for the role": other refusals (e.g. nothing to mute) still count as allowed.
      observed[action] = code(result) !== 'FORBIDDEN';
      expected[action] = ROOM_PERMISSIONS[action][mode].includes(role);
    }
    expect(observed).toEqual(expected);
  });
});
