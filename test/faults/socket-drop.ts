import { io, type Socket } from 'socket.io-client';
import { type Ack, PROTOCOL_VERSION, type QuestionInfo, type QuestionView, type RoomJoined, SOCKET_PATH } from '../../server/src/contract';
import { command, connectSocket, type TestSocket } from '../helpers/api';
import { addMembers, requestId } from '../helpers/governance';
import { sleep, waitFor } from './processes';
import type { RoomFixture } from './worker-kill';

/**
 * Scenario d: two people in a webinar lose their network for 5 s (a panelist, and an attendee with a
 * raised hand) while chat and Q&A go on. Their clients reconnect by themselves; the connection must
 * come back as itself (socket.recovered), with the role and the raised hand kept, no rejoin, and every
 * chat message and Q&A update sent meanwhile delivered exactly once.
 */
/**
 * warm: the drop comes soon after the last room event (a busy room).
 * quiet: the room stays silent for `silenceMs` first — longer than the 30 s socket.io keeps sent events
 * for, plus the 60 s period of its clean-up (a small board meeting where one person talks).
 */
export type DropVariant = { kind: 'warm' } | { kind: 'quiet'; silenceMs: number };

export interface SocketDropRun {
  variant: DropVariant['kind'];
  /** Per dropped client: the network back (the reconnect attempt) → a command answered on the recovered socket. */
  resumeMs: number[];
  recovered: boolean[];
  /** Chat messages and Q&A updates sent while they were away, per client. */
  expected: number;
  missing: number;
  duplicated: number;
  problems: string[];
}

const DROP_MS = 5_000;

interface Dropper {
  name: string;
  s: Socket;
  chat: string[];
  qa: string[];
  attemptAt?: number;
  /** Every room event received before the drop. */
  events: string[];
}

/** A client as the web app configures it: reconnects by itself, here exactly 5 s after a drop. */
function reconnectingClient(url: string, token: string): Promise<Socket> {
  const s = io(url, { path: SOCKET_PATH, transports: ['websocket'], auth: { token, protocol: PROTOCOL_VERSION }, reconnectionDelay: DROP_MS, reconnectionDelayMax: DROP_MS, randomizationFactor: 0, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => (s.close(), reject(err)));
  });
}

const ask = <T>(s: Socket | TestSocket, event: string, payload: unknown) => s.timeout(5_000).emitWithAck(event, payload) as Promise<Ack<T>>;
/** One Q&A update as everyone sees it; the same state twice is a duplicate. */
const qaState = (q: QuestionInfo) => `${q.id}:${q.status}:${q.pinned}:${q.votes}`;

export async function socketDrop(f: RoomFixture, variant: DropVariant = { kind: 'warm' }): Promise<SocketDropRun> {
  const problems: string[] = [];
  const url = f.server.url;
  const [panelistUser, handUser, askerUser] = await addMembers(url, f.owner.accessToken, f.org.id, 3, 'Dropper');
  const asker = await connectSocket(url, { token: askerUser!.accessToken });
  const droppers: Dropper[] = [];
  try {
    if (!(await command(asker, 'room:join', { roomId: f.room.id })).ok) problems.push('the asker could not join');
    for (const [name, user] of [['panelist', panelistUser], ['raised hand', handUser]] as const) {
      const s = await reconnectingClient(url, user!.accessToken);
      const d: Dropper = { name, s, chat: [], qa: [], events: [] };
      droppers.push(d);
      s.onAny((ev: string) => d.events.push(ev));
      s.on('chat:message', (m: { body: string }) => d.chat.push(m.body));
      s.on('qa:updated', (q: QuestionInfo) => d.qa.push(qaState(q)));
      s.io.on('reconnect_attempt', () => (d.attemptAt ??= Date.now()));
    }
    const [panelist, hand] = droppers as [Dropper, Dropper];
    const joined = await ask<RoomJoined>(panelist.s, 'room:join', { roomId: f.room.id });
    if (!joined.ok || !(await ask(hand.s, 'room:join', { roomId: f.room.id })).ok) throw new Error('the droppers could not join');
    if (!(await ask(hand.s, 'stage:raise-hand', {})).ok) problems.push('could not raise the hand');
    if (!(await ask(panelist.s, 'stage:raise-hand', {})).ok || !(await command(f.host.socket, 'stage:promote', { peerId: joined.data.peerId })).ok || !(await ask(panelist.s, 'stage:respond', { accept: true })).ok) problems.push('could not promote the panelist');
    // Both hear of the panelist going on stage; wait until they have (a client that has received no
    // event at all cannot be recovered by socket.io: socketio/socket.io#5538, not what is tested here).
    await waitFor('the promotion to reach the room', () => droppers.every((d) => d.events.some((e) => e.startsWith('peer:'))), 3_000).catch((err: Error) => problems.push(err.message));
    if (variant.kind === 'quiet') await sleep(variant.silenceMs);
    const ids = droppers.map((d) => d.s.id);

    // What the host sees of the Q&A while they are away is what they must get when back.
    const hostQa: string[] = [];
    const onHostQa = (q: QuestionInfo) => hostQa.push(qaState(q));
    (f.host.socket as unknown as Socket).on('qa:updated', onHostQa);
    const droppedAt = Date.now();
    for (const d of droppers) d.s.io.engine.close(); // the network goes away
    await sleep(200);
    const chat = [`while you were away ${droppedAt} a`, `while you were away ${droppedAt} b`];
    for (const body of chat) if (!(await command(f.host.socket, 'chat:send', { clientRequestId: requestId(), body })).ok) problems.push('chat while away failed');
    const q1 = await ask<QuestionView>(asker, 'qa:ask', { clientRequestId: requestId(), body: `Question A ${droppedAt}` });
    await waitFor('the host to see question A', () => q1.ok && hostQa.some((s) => s.startsWith(q1.data.id)), 3_000);
    const q2 = await ask<QuestionView>(asker, 'qa:ask', { clientRequestId: requestId(), body: `Question B ${droppedAt}` });
    await waitFor('the host to see question B', () => q2.ok && hostQa.some((s) => s.startsWith(q2.data.id)), 3_000);
    if (q1.ok && !(await command(f.host.socket, 'qa:moderate', { questionId: q1.data.id, action: 'pin' })).ok) problems.push('pin failed');
    await waitFor('the host to see the pin', () => q1.ok && hostQa.includes(`${q1.data.id}:open:true:0`), 3_000).catch((err: Error) => problems.push(err.message));
    (f.host.socket as unknown as Socket).off('qa:updated', onHostQa);
    if (Date.now() - droppedAt > DROP_MS - 500) problems.push(`the traffic while away took ${Date.now() - droppedAt} ms (the clients may be back already)`);

    // Back: measured from the reconnect attempt (the network is there again) to a command answered
    // on the recovered socket, with no room:join.
    const resumeMs: number[] = [];
    const recovered: boolean[] = [];
    await Promise.all(
      droppers.map(async (d, i) => {
        await waitFor(`the ${d.name} to reconnect`, () => d.s.connected && d.attemptAt !== undefined, DROP_MS + 10_000);
        recovered[i] = d.s.recovered && d.s.id === ids[i];
        // Still on stage (may open a send transport) / hand still raised (lowering it lowers something).
        const r = d === panelist ? await ask(d.s, 'media:create-transport', { direction: 'send' }) : await ask<{ lowered: boolean }>(d.s, 'stage:lower-hand', {});
        resumeMs[i] = Date.now() - d.attemptAt!;
        if (!r.ok) problems.push(`${d.name} after the drop: ${r.error.code}`);
        else if (d === hand && !(r.data as { lowered: boolean }).lowered) problems.push('the raised hand was not kept across the drop');
        if (!recovered[i]) problems.push(`${d.name} came back as a new connection (recovered=${d.s.recovered})`);
      }),
    );
    await sleep(300); // anything replayed late would show up now

    let missing = 0;
    let duplicated = 0;
    const expected = [...chat.map((c) => `chat:${c}`), ...hostQa.map((q) => `qa:${q}`)];
    for (const d of droppers) {
      const got = [...d.chat.filter((c) => c.includes(String(droppedAt))).map((c) => `chat:${c}`), ...d.qa.filter((q) => expected.includes(`qa:${q}`)).map((q) => `qa:${q}`)];
      const lost = expected.filter((e) => !got.includes(e)).length;
      const twice = expected.reduce((n, e) => n + Math.max(0, got.filter((g) => g === e).length - 1), 0);
      missing += lost;
      duplicated += twice;
      if (lost || twice) problems.push(`${d.name} got ${JSON.stringify(got)}, expected each of ${JSON.stringify(expected)} once`);
    }
    return { variant: variant.kind, resumeMs, recovered, expected: expected.length * droppers.length, missing, duplicated, problems };
  } finally {
    for (const d of droppers) d.s.close();
    asker.close();
  }
}
