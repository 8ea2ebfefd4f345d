import type { OrganizationDto } from '../../server/src/contract';
import { api, command, connectSocket, nextEvent, rawEmit, register, type TestSocket, withRefreshCookie } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'connected',
    (err: Error & { data?: { code?: string } }) => err.data?.code ?? `no code: ${err.message}`,
  );

describe('socket foundation', () => {
  let server: StartedServer;
  let session: Awaited<ReturnType<typeof register>>;
  const open: TestSocket[] = [];
  const connect = async (auth: { token?: string; protocol?: number }) => {
    const s = await connectSocket(server.url, auth);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startServer();
    session = await register(server.url, 'Socket User');
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await server?.stop();
  });

  it('refuses a handshake without a token, with a bad token, or with an old protocol', async () => {
    expect(await refusal(connectSocket(server.url, {}))).toBe('UNAUTHENTICATED');
    expect(await refusal(connectSocket(server.url, { token: 'not-a-jwt' }))).toBe('UNAUTHENTICATED');
    expect(await refusal(connectSocket(server.url, { token: session.accessToken, protocol: 0 }))).toBe('CLIENT_TOO_OLD');
    expect(await refusal(connectSocket(server.url, { token: session.accessToken, protocol: '1' as unknown as number }))).toBe('CLIENT_TOO_OLD');
  });

  it('refuses the token of a signed-out session', async () => {
    const s = await register(server.url, 'Gone');
    await withRefreshCookie(server.url, '/api/auth/sign-out', s.refreshToken);
    expect(await refusal(connectSocket(server.url, { token: s.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('answers a valid command with the ok envelope', async () => {
    const socket = await connect({ token: session.accessToken });
    const res = await command(socket, 'session:ping', {});
    expect(res).toEqual({ ok: true, data: { serverTime: expect.any(Number), userId: session.user.id } });
  });

  it('answers malformed payloads with INVALID_PAYLOAD and stays usable', async () => {
    const socket = await connect({ token: session.accessToken });
    const bad: unknown[][] = [
      ['org:watch', { organizationId: 'nope' }],
      ['org:watch', {}],
      ['org:watch', { organizationId: '00000000-0000-4000-8000-000000000000', extra: 1 }],
      ['org:watch', 'a string'],
      ['org:watch', null],
      ['org:watch', { organizationId: { $gt: '' } }],
      ['session:ping', { at: 'soon' }],
      ['org:watch', { a: 1 }, { b: 2 }],
      ['org:watch'],
    ];
    for (const [event, ...args] of bad) {
      const res = await rawEmit(socket, event as string, ...args);
      expect({ event, args, code: res.ok ? 'ok' : res.error.code }).toEqual({ event, args, code: 'INVALID_PAYLOAD' });
    }
    expect((await command(socket, 'session:ping', {})).ok).toBe(true);
  });

  it('exposes socket, worker and command metrics on /metrics', async () => {
    const socket = await connect({ token: session.accessToken });
    await command(socket, 'session:ping', {});
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('quorum_socket_connections')).toBeGreaterThanOrEqual(1);
    expect(value('quorum_mediasoup_workers')).toBe(1);
    expect(text).toMatch(/^quorum_socket_command_duration_seconds_count\{command="session:ping",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^quorum_socket_handshake_refusals_total\{code="UNAUTHENTICATED"\} [1-9]/m);
  });

  it('answers an unknown event with UNKNOWN_EVENT', async () => {
    const socket = await connect({ token: session.accessToken });
    const res = await rawEmit(socket, 'vote:steal', { all: true });
    expect(res).toEqual({ ok: false, error: { code: 'UNKNOWN_EVENT', message: expect.any(String) } });
    expect((await command(socket, 'session:ping', {})).ok).toBe(true);
  });

  it('throttles a flood with RATE_LIMITED and recovers', async () => {
    const socket = await connect({ token: session.accessToken });
    const results = await Promise.all(Array.from({ length: 120 }, () => command(socket, 'session:ping', {})));
    const limited = results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(40);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await command(socket, 'session:ping', {})).ok).toBe(true);
  });

  it('shows organisation presence to members only', async () => {
    const org = (await api(server.url).post<OrganizationDto>('/api/organizations', { name: 'Presence Org' }, session.accessToken)).body;
    const outsider = await register(server.url, 'Outsider');
    const outsiderSocket = await connect({ token: outsider.accessToken });
    const denied = await command(outsiderSocket, 'org:watch', { organizationId: org.id });
    expect(denied).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });

    const a = await connect({ token: session.accessToken });
    const first = await command(a, 'org:watch', { organizationId: org.id });
    expect(first).toEqual({ ok: true, data: { organizationId: org.id, online: [session.user.id] } });

    // A second device of the same person: no "offline" when only one of them leaves.
    const b = await connect({ token: session.accessToken });
    await command(b, 'org:watch', { organizationId: org.id });
    const changed = nextEvent(a, 'org:changed');
    await api(server.url).post(`/api/organizations/${org.id}/institutions`, { name: 'Live Library', country: 'BR' }, session.accessToken);
    expect(await changed).toEqual({ organizationId: org.id, what: 'institutions' });

    const member = await register(server.url, 'Member');
    const inv = await api(server.url).post(`/api/organizations/${org.id}/invitations`, {}, session.accessToken);
    await api(server.url).post(`/api/invitations/${inv.body.token}/accept`, undefined, member.accessToken);
    const m = await connect({ token: member.accessToken });
    const online = nextEvent(a, 'org:member-online');
    const watched = await command(m, 'org:watch', { organizationId: org.id });
    expect(watched.ok && watched.data.online).toEqual([session.user.id, member.user.id].sort());
    expect(await online).toEqual({ organizationId: org.id, userId: member.user.id });

    // The owner's second device stops watching: they are still online through the first one.
    let ownerOffline = false;
    m.on('org:member-offline', (e) => (ownerOffline ||= e.userId === session.user.id));
    await command(b, 'org:unwatch', { organizationId: org.id });
    const memberOffline = nextEvent(a, 'org:member-offline');
    await command(m, 'org:unwatch', { organizationId: org.id });
    expect(await memberOffline).toEqual({ organizationId: org.id, userId: member.user.id });
    expect(ownerOffline).toBe(false);
  });
});
