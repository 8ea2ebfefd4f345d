/**
 * Simultaneous interpretation through the real app (socket.io, PostgreSQL, mediasoup signalling):
 * - only hosts assign interpreters; bad pairs, unknown languages and unknown people get stable codes;
 *   assignments are stored and come back in a later session of the room;
 * - only an assigned interpreter publishes into a channel (an attendee of a webinar, off stage), and
 *   only into the channels of their pair;
 * - a listener consumes a channel only after choosing it; the floor stays open to all; the channel
 *   just left is held paused on the server (not resumable until chosen again), any earlier one closed;
 * - the channel choice survives a reconnect (a new connection gets it back with the join).
 */
import type { RoomJoined } from '../../server/src/contract';
import { command, nextEvent, type TestSocket } from '../helpers/api';
import { opusRtpParameters, receiveCapabilities, vp8RtpParameters } from '../helpers/media-params';
import { code, createRoom, enter, type Member, orgWithMembers, produceMic } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

/** Publishes a (signalling-only) stream into a channel; returns the ack. */
async function produceInto(socket: TestSocket, channel: 'zh' | 'en' | 'ar' | 'sign', kind: 'audio' | 'video' = 'audio') {
  const t = await command(socket, 'media:create-transport', { direction: 'send' });
  if (!t.ok) return t;
  return command(socket, 'media:produce', {
    transportId: t.data.transportId,
    kind,
    rtpParameters:
      kind === 'audio' ? opusRtpParameters(Math.floor(Math.random() * 1e8)) : vp8RtpParameters(Math.floor(Math.random() * 1e8)),
    source: kind === 'audio' ? 'mic' : 'camera',
    channel,
  });
}

async function consumeOn(socket: TestSocket, producerId: string) {
  const t = await command(socket, 'media:create-transport', { direction: 'recv' });
  if (!t.ok) throw new Error('no receive transport');
  return {
    transportId: t.data.transportId,
    result: await command(socket, 'media:consume', { transportId: t.data.transportId, producerId, rtpCapabilities: receiveCapabilities }),
  };
}

describe('interpretation channels', () => {
  let server: StartedServer;
  const open: TestSocket[] = [];
  const track = (m: Member) => {
    open.push(m.socket);
    return m;
  };

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => server?.stop());

  it('lets only hosts assign interpreters, validates pairs, and keeps assignments for later sessions', async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const attendee = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const li = ctx.people[1]!;

    expect(code(await command(attendee.socket, 'interpretation:assign', { userId: li.user.id, from: 'en', to: 'zh' }))).toBe('FORBIDDEN');
    expect(code(await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'en', to: 'en' }))).toBe(
      'INVALID_LANGUAGE_PAIR',
    );
    expect(code(await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'sign', to: 'en' }))).toBe(
      'INVALID_LANGUAGE_PAIR',
    );
    expect(code(await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'en', to: 'sign', twoWay: true }))).toBe(
      'INVALID_LANGUAGE_PAIR',
    );
    expect(code(await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'en', to: 'xx' as 'zh' }))).toBe(
      'INVALID_PAYLOAD',
    );
    expect(code(await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'EN' as 'en', to: 'zh' }))).toBe(
      'INVALID_PAYLOAD',
    );
    expect(
      code(await command(host.socket, 'interpretation:assign', { userId: '00000000-0000-4000-8000-000000000000', from: 'en', to: 'zh' })),
    ).toBe('NOT_FOUND');

    const changed = nextEvent(attendee.socket, 'interpretation:changed');
    const assigned = await command(host.socket, 'interpretation:assign', { userId: li.user.id, from: 'en', to: 'zh', twoWay: true });
    expect(assigned.ok && assigned.data.interpreters).toEqual([
      { userId: li.user.id, displayName: 'Member 2', from: 'en', to: 'zh', twoWay: true },
    ]);
    expect((await changed).interpreters).toHaveLength(1);
    expect(code(await command(attendee.socket, 'interpretation:unassign', { userId: li.user.id }))).toBe('FORBIDDEN');

    // Everyone leaves: the session ends. The next session reads the stored assignment.
    host.socket.close();
    attendee.socket.close();
    await new Promise((r) => setTimeout(r, 500));
    const again = track(await enter(server.url, ctx.people[2]!.accessToken, room.id));
    expect(again.joined.interpretation.interpreters).toEqual([
      { userId: li.user.id, displayName: 'Member 2', from: 'en', to: 'zh', twoWay: true },
    ]);
    expect(again.joined.interpretation.listening).toEqual({ channel: 'floor', floorVolume: 0.2 });
  });

  it('lets only the assigned interpreter publish into their channels, off stage in a webinar', async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'webinar' });
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const attendee = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const interpreter = track(await enter(server.url, ctx.people[1]!.accessToken, room.id));
    const signer = track(await enter(server.url, ctx.people[2]!.accessToken, room.id));
    expect(code(await command(host.socket, 'interpretation:assign', { userId: ctx.people[1]!.user.id, from: 'ru', to: 'en' }))).toBe('ok');
    expect(code(await command(host.socket, 'interpretation:assign', { userId: ctx.people[2]!.user.id, from: 'en', to: 'sign' }))).toBe(
      'ok',
    );

    // An attendee: no floor microphone in a webinar, no channel either.
    expect(code(await produceMic(attendee.socket))).toBe('FORBIDDEN');
    expect(code(await produceInto(attendee.socket, 'en'))).toBe('NOT_INTERPRETER');
    // The interpreter (also an attendee): into their target only (one-way ru→en), never the floor.
    expect(code(await produceMic(interpreter.socket))).toBe('FORBIDDEN');
    expect(code(await produceInto(interpreter.socket, 'zh'))).toBe('NOT_INTERPRETER');
    expect(code(await produceInto(interpreter.socket, 'en'))).toBe('ok');
    // The sign channel carries video from its interpreter only.
    expect(code(await produceInto(interpreter.socket, 'sign', 'video'))).toBe('NOT_INTERPRETER');
    expect(code(await produceInto(signer.socket, 'sign', 'audio'))).toBe('INVALID_PAYLOAD');
    expect(code(await produceInto(signer.socket, 'sign', 'video'))).toBe('ok');

    // Unassigned: their stream ends at once.
    const ended = nextEvent(attendee.socket, 'interpretation:changed');
    expect(code(await command(host.socket, 'interpretation:unassign', { userId: ctx.people[1]!.user.id }))).toBe('ok');
    expect((await ended).channels.map((c) => c.channel)).toEqual(['sign']);
  });

  it('gives a channel only to those who chose it, and keeps the choice across a reconnect', async () => {
    const ctx = await orgWithMembers(server.url, 3);
    const room = await createRoom(server.url, ctx.owner.accessToken, ctx.org.id, { mode: 'meeting' });
    const host = track(await enter(server.url, ctx.owner.accessToken, room.id));
    const interpreter = track(await enter(server.url, ctx.people[0]!.accessToken, room.id));
    const listener = track(await enter(server.url, ctx.people[1]!.accessToken, room.id));
    expect(code(await command(host.socket, 'interpretation:assign', { userId: ctx.people[0]!.user.id, from: 'en', to: 'zh' }))).toBe('ok');
    const floorMic = await produceMic(host.socket);
    const zh = await produceInto(interpreter.socket, 'zh');
    if (!floorMic.ok || !zh.ok) throw new Error('setup');

    // Listed per channel, not as the interpreter's own media.
    const later = track(await enter(server.url, ctx.people[2]!.accessToken, room.id));
    const joinedLater: RoomJoined = later.joined;
    expect(joinedLater.peers.find((p) => p.peerId === interpreter.joined.peerId)?.producers).toEqual([]);
    expect(joinedLater.interpretation.channels).toEqual([
      {
        channel: 'zh',
        streams: [
          { producerId: zh.data.producerId, peerId: interpreter.joined.peerId, displayName: 'Member 1', kind: 'audio', live: true },
        ],
      },
    ]);

    // On the floor: the floor yes, the channel no.
    expect(code((await consumeOn(listener.socket, floorMic.data.producerId)).result)).toBe('ok');
    expect(code((await consumeOn(listener.socket, zh.data.producerId)).result)).toBe('CHANNEL_NOT_CHOSEN');
    expect(code(await command(listener.socket, 'interpretation:listen', { channel: 'xx' as 'zh' }))).toBe('INVALID_PAYLOAD');
    expect(code(await command(listener.socket, 'interpretation:listen', { channel: 'zh', floorVolume: 2 }))).toBe('INVALID_PAYLOAD');

    const chosen = await command(listener.socket, 'interpretation:listen', { channel: 'zh', floorVolume: 0 });
    expect(chosen.ok && chosen.data).toEqual({
      channel: 'zh',
      floorVolume: 0,
      streams: [expect.objectContaining({ producerId: zh.data.producerId, live: true })],
    });
    const consumed = await consumeOn(listener.socket, zh.data.producerId);
    expect(code(consumed.result)).toBe('ok');

    const zhConsumerId = consumed.result.ok ? consumed.result.data.consumerId : '';
    expect(code(await command(listener.socket, 'media:resume-consumer', { consumerId: zhConsumerId }))).toBe('ok');

    // Back on the floor: the channel just left is held, paused on the server; the listener cannot
    // resume it while on the floor, and choosing it again needs no new consumer.
    const closedEvents: unknown[] = [];
    listener.socket.on('consumer:closed', (e: unknown) => closedEvents.push(e));
    await command(listener.socket, 'interpretation:listen', { channel: 'floor' });
    expect(code(await command(listener.socket, 'media:resume-consumer', { consumerId: zhConsumerId }))).toBe('CHANNEL_NOT_CHOSEN');
    await command(listener.socket, 'interpretation:listen', { channel: 'zh' });
    expect(code(await command(listener.socket, 'media:resume-consumer', { consumerId: zhConsumerId }))).toBe('ok');
    expect(code((await consumeOn(listener.socket, zh.data.producerId)).result)).toBe('ok'); // a second device's copy
    expect(closedEvents).toEqual([]);

    // Only the last channel left is held: zh → ar holds zh, ar → floor closes zh and says so.
    expect(code(await command(host.socket, 'interpretation:assign', { userId: ctx.people[2]!.user.id, from: 'en', to: 'ar' }))).toBe('ok');
    const ar = await produceInto(later.socket, 'ar');
    if (!ar.ok) throw new Error('setup');
    await command(listener.socket, 'interpretation:listen', { channel: 'ar' });
    expect(code(await command(listener.socket, 'media:resume-consumer', { consumerId: zhConsumerId }))).toBe('CHANNEL_NOT_CHOSEN');
    const closed = nextEvent(listener.socket, 'consumer:closed');
    await command(listener.socket, 'interpretation:listen', { channel: 'floor' });
    expect(await closed).toMatchObject({ producerId: zh.data.producerId });
    expect(code(await command(listener.socket, 'media:resume-consumer', { consumerId: zhConsumerId }))).toBe('NOT_FOUND');

    // Chooses Chinese with the floor muted, then the connection drops and a new one joins.
    await command(listener.socket, 'interpretation:listen', { channel: 'zh', floorVolume: 0 });
    listener.socket.disconnect();
    const back = track(await enter(server.url, ctx.people[1]!.accessToken, room.id));
    expect(back.joined.interpretation.listening).toEqual({ channel: 'zh', floorVolume: 0 });
    expect(code((await consumeOn(back.socket, zh.data.producerId)).result)).toBe('ok');
    // Someone else's choice is theirs: the host is still on the floor.
    expect(code((await consumeOn(host.socket, zh.data.producerId)).result)).toBe('CHANNEL_NOT_CHOSEN');
  });
});
