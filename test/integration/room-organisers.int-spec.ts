import type { OrganizationDto, SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, register } from '../helpers/api';
import { code, createRoom } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('rooms: organiser rights, existence and names', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: SessionDto;
  let org: OrganizationDto;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Organisers Club' }, owner.accessToken)).body;
  });
  afterAll(() => server?.stop());

  it('a room creator removed from the organisation is no longer its organiser', async () => {
    const admin = await register(server.url, 'Former Admin');
    const invite = (await http.post(`/api/organizations/${org.id}/invitations`, { role: 'admin' }, owner.accessToken)).body.token as string;
    await http.post(`/api/invitations/${invite}/accept`, undefined, admin.accessToken);
    const room = await createRoom(server.url, admin.accessToken, org.id, { access: 'public' });
    // A session to report on.
    const first = await connectSocket(server.url, { token: admin.accessToken });
    expect((await command(first, 'room:join', { roomId: room.id })).ok).toBe(true);
    first.close();
    expect((await http.get(`/api/rooms/${room.id}/sessions`, admin.accessToken)).status).toBe(200);

    expect((await http.del(`/api/organizations/${org.id}/members/${admin.user.id}`, owner.accessToken)).status).toBe(204);
    for (const path of [`/api/rooms/${room.id}/sessions`, `/api/rooms/${room.id}/attendance`, `/api/rooms/${room.id}/attendance?format=csv`]) {
      expect((await http.get(path, admin.accessToken)).status).toBe(404);
    }
    // A public room still lets them in, as an attendee: no host actions.
    const s = await connectSocket(server.url, { token: admin.accessToken });
    const joined = await command(s, 'room:join', { roomId: room.id });
    expect(joined.ok && joined.data.role).toBe('attendee');
    expect(code(await command(s, 'room:end', {}))).toBe('FORBIDDEN');
    s.close();
  });

  it('a members-only room answers an outsider exactly as a missing room does', async () => {
    const room = await createRoom(server.url, owner.accessToken, org.id, { access: 'members' });
    const outsider = await register(server.url, 'Outsider');
    const missing = await http.get('/api/rooms/00000000-0000-4000-8000-000000000000', outsider.accessToken);
    const hidden = await http.get(`/api/rooms/${room.id}`, outsider.accessToken);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
    const s = await connectSocket(server.url, { token: outsider.accessToken });
    const a = await command(s, 'room:join', { roomId: room.id });
    const b = await command(s, 'room:join', { roomId: '00000000-0000-4000-8000-000000000000' });
    expect(a).toEqual(b);
    s.close();
  });

  it('people appear under their account name, whatever name the client sends', async () => {
    const room = await createRoom(server.url, owner.accessToken, org.id, { access: 'public' });
    const someone = await register(server.url, 'Real Name');
    const s = await connectSocket(server.url, { token: someone.accessToken });
    const joined = await command(s, 'room:join', { roomId: room.id, displayName: 'Owner' });
    if (!joined.ok) throw new Error(JSON.stringify(joined.error));
    const sent = await command(s, 'chat:send', { clientRequestId: `rq-${Date.now()}`, body: 'hello' });
    expect(sent.ok && sent.data.senderName).toBe('Real Name');
    s.close();
    const report = await http.get(`/api/rooms/${room.id}/attendance`, owner.accessToken);
    expect(report.body.visits.map((v: { displayName: string }) => v.displayName)).toEqual(['Real Name']);
  });
});
