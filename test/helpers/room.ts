import type { OrganizationDto, RoomDto, RoomJoined } from '../../server/src/contract';
import { api, command, connectSocket, register, type TestSession, type TestSocket } from './api';
import { opusRtpParameters } from './media-params';

/** An organisation with an owner (who hosts its rooms) and `members` people who joined by invitation (attendees). */
export async function orgWithMembers(base: string, members: number, name = 'Association') {
  const http = api(base);
  const owner = await register(base, 'Host');
  const org = (await http.post<OrganizationDto>('/api/organizations', { name }, owner.accessToken)).body;
  const invite = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
  const people: TestSession[] = [];
  for (let i = 0; i < members; i++) {
    const s = await register(base, `Member ${i + 1}`);
    await http.post(`/api/invitations/${invite.token}/accept`, undefined, s.accessToken);
    people.push(s);
  }
  return { http, owner, org, people };
}

export async function createRoom(base: string, token: string, orgId: string, body: Record<string, unknown> = {}): Promise<RoomDto> {
  const res = await api(base).post<RoomDto>(`/api/organizations/${orgId}/rooms`, { name: 'Room', ...body }, token);
  if (res.status !== 201) throw new Error(`room: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface Member {
  socket: TestSocket;
  joined: RoomJoined;
  /** Every server event this socket received, in order (for "never revealed" checks). */
  events: { event: string; data: unknown }[];
}

/** Connects and joins; fails the test on a refusal. */
export async function enter(base: string, token: string, roomId: string, extra: Record<string, unknown> = {}): Promise<Member> {
  const socket = await connectSocket(base, { token });
  const events: Member['events'] = [];
  socket.onAny((event: string, data: unknown) => events.push({ event, data }));
  const res = await command(socket, 'room:join', { roomId, ...extra });
  if (!res.ok) {
    socket.close();
    throw Object.assign(new Error(`join refused: ${res.error.code}`), { code: res.error.code });
  }
  return { socket, joined: res.data, events };
}

/** Produces a (signalling-only) microphone; returns the ack. */
export async function produceMic(socket: TestSocket) {
  const t = await command(socket, 'media:create-transport', { direction: 'send' });
  if (!t.ok) return t;
  return command(socket, 'media:produce', { transportId: t.data.transportId, kind: 'audio', rtpParameters: opusRtpParameters(), source: 'mic' });
}

export const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);
