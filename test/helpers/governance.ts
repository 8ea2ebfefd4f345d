import type { BallotView, MeetingView, SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, registerAs, type TestSession, type TestSocket } from './api';
import { releaseShares, tellerKey } from './ballot-device';

let n = 0;
export const requestId = () => `req-${process.pid}-${Date.now().toString(36)}-${(n++).toString(36)}`;

/** Registers `count` people (a few at a time) and has them accept an invitation to the organisation. */
export async function addMembers(base: string, ownerToken: string, orgId: string, count: number, prefix = 'Voter'): Promise<TestSession[]> {
  const http = api(base);
  const invite = (await http.post(`/api/organizations/${orgId}/invitations`, {}, ownerToken)).body.token as string;
  const people: TestSession[] = [];
  for (let i = 0; i < count; i += 10) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, async (_, k) => {
        const email = `${prefix.toLowerCase()}.${i + k}.${process.pid}.${Date.now()}@example.org`;
        const s = await registerAs(base, { email, password: 'a long enough password', displayName: `${prefix} ${i + k + 1}` });
        const accepted = await http.post(`/api/invitations/${invite}/accept`, undefined, s.accessToken);
        if (accepted.status !== 200) throw new Error(`accept: ${JSON.stringify(accepted.body)}`);
        return s;
      }),
    );
    people.push(...chunk);
  }
  return people;
}

export async function meetingWithMotion(base: string, token: string, orgId: string, meeting: Record<string, unknown>, seconderToken: string) {
  const http = api(base);
  const m = await http.post<MeetingView>(`/api/organizations/${orgId}/meetings`, { title: 'General assembly', scheduledAt: new Date().toISOString(), ...meeting }, token);
  if (m.status !== 201) throw new Error(`meeting: ${JSON.stringify(m.body)}`);
  const motion = (await http.post(`/api/meetings/${m.body.id}/motions`, { title: 'Adopt the budget', text: 'The assembly adopts the 2027 budget.' }, token)).body;
  await http.post(`/api/meetings/${m.body.id}/motions/${motion.id}/transition`, { event: 'submit' }, token);
  await http.post(`/api/meetings/${m.body.id}/motions/${motion.id}/transition`, { event: 'second' }, seconderToken);
  const debate = await http.post(`/api/meetings/${m.body.id}/motions/${motion.id}/transition`, { event: 'debate' }, token);
  if (debate.body.status !== 'debate') throw new Error(`motion: ${JSON.stringify(debate.body)}`);
  return { meeting: m.body, motionId: motion.id as string };
}

export async function ballotOn(base: string, token: string, meetingId: string, body: Record<string, unknown>): Promise<BallotView> {
  const res = await api(base).post<BallotView>(`/api/meetings/${meetingId}/ballots`, body, token);
  if (res.status !== 201) throw new Error(`ballot: ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function checkIn(base: string, people: SessionDto[], meetingId: string): Promise<void> {
  for (let i = 0; i < people.length; i += 20) {
    await Promise.all(people.slice(i, i + 20).map((p) => api(base).post(`/api/meetings/${meetingId}/check-in`, undefined, p.accessToken)));
  }
}

export async function sockets(base: string, people: SessionDto[]): Promise<TestSocket[]> {
  const out: TestSocket[] = [];
  for (let i = 0; i < people.length; i += 25) out.push(...(await Promise.all(people.slice(i, i + 25).map((p) => connectSocket(base, { token: p.accessToken })))));
  return out;
}

export const cast = (s: TestSocket, ballotId: string, seatId: string, choice: unknown, clientRequestId = requestId()) =>
  command(s, 'ballot:cast', { clientRequestId, ballotId, seatId, choice: choice as 'yes' }, 15_000);

/** A teller's device: its teller key made and registered (the private half stays in this process). */
export const registerTellerKey = (base: string, token: string) =>
  tellerKey((method, path, body, t) => api(base, { device: false }).call(method, path, body, t), token);

/**
 * A secret ballot whose voting ended by itself (its timer): the tellers' devices in this process
 * release their shares, and the count follows. Returns the ballot as it then stands.
 */
export async function releaseTellerShares(base: string, token: string, ballotId: string): Promise<BallotView> {
  const call = (method: string, path: string, body?: unknown, t?: string) => api(base, { device: false }).call(method, path, body, t);
  const view = await call('GET', `/api/ballots/${ballotId}`, undefined, token);
  return (await releaseShares(call, view.body as BallotView)).body;
}
