import type { InvitationDto, InvitationSummaryDto, OrganizationDto, RoomInviteDto, RoomInviteSummaryDto, SessionDto } from '../../server/src/contract';
import { api, command, connectSocket, register } from '../helpers/api';
import { code, createRoom } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('invitations and room invite links: list, revoke, limited uses', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: SessionDto;
  let org: OrganizationDto;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Links Society' }, owner.accessToken)).body;
  });
  afterAll(() => server?.stop());

  it('lists an organisation’s links and revokes one: it then answers 410 INVITE_REVOKED', async () => {
    const leaked = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, { role: 'admin' }, owner.accessToken)).body;
    const other = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body;
    const list = (await http.get<InvitationSummaryDto[]>(`/api/organizations/${org.id}/invitations`, owner.accessToken)).body;
    expect(list.map((i) => i.id)).toEqual(expect.arrayContaining([leaked.id, other.id]));
    expect(list.find((i) => i.id === leaked.id)).toMatchObject({ role: 'admin', revokedAt: null, uses: 0, maxUses: null });
    expect(JSON.stringify(list)).not.toContain(leaked.token);

    expect((await http.del(`/api/organizations/${org.id}/invitations/${leaked.id}`, owner.accessToken)).status).toBe(204);
    const preview = await http.get(`/api/invitations/${leaked.token}`);
    expect(preview.status).toBe(410);
    expect(preview.body.error.code).toBe('INVITE_REVOKED');
    const someone = await register(server.url, 'Latecomer');
    const accept = await http.post(`/api/invitations/${leaked.token}/accept`, undefined, someone.accessToken);
    expect(accept.status).toBe(410);
    expect(accept.body.error.code).toBe('INVITE_REVOKED');
    expect((await http.get<OrganizationDto[]>('/api/organizations', someone.accessToken)).body).toEqual([]);
    // The other link still works; the revoked one shows as revoked.
    expect((await http.post(`/api/invitations/${other.token}/accept`, undefined, someone.accessToken)).status).toBe(200);
    const after = (await http.get<InvitationSummaryDto[]>(`/api/organizations/${org.id}/invitations`, owner.accessToken)).body;
    expect(after.find((i) => i.id === leaked.id)!.revokedAt).not.toBeNull();
    expect(after.find((i) => i.id === other.id)!.uses).toBe(1);
    // Members cannot see or revoke links.
    expect((await http.get(`/api/organizations/${org.id}/invitations`, someone.accessToken)).status).toBe(403);
    expect((await http.del(`/api/organizations/${org.id}/invitations/${other.id}`, someone.accessToken)).status).toBe(403);
  });

  it('an organisation link with a use limit lets that many people in, even when they all try at once', async () => {
    const inv = (await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, { maxUses: 2 }, owner.accessToken)).body;
    expect(inv.maxUses).toBe(2);
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => register(server.url, `Rusher ${i}`)));
    const results = await Promise.all(people.map((p) => http.post(`/api/invitations/${inv.token}/accept`, undefined, p.accessToken)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 410, 410, 410]);
    expect(new Set(results.filter((r) => r.status === 410).map((r) => r.body.error.code))).toEqual(new Set(['INVITE_USED_UP']));
  });

  it('room links: listed with their uses, revoked (410), limited to a number of people', async () => {
    const room = await createRoom(server.url, owner.accessToken, org.id, { access: 'members' });
    const link = (await http.post<RoomInviteDto>(`/api/rooms/${room.id}/invites`, { maxUses: 1 }, owner.accessToken)).body;
    const guest = await register(server.url, 'Guest');
    const second = await register(server.url, 'Second Guest');
    const g = await connectSocket(server.url, { token: guest.accessToken });
    expect(code(await command(g, 'room:join', { roomId: room.id, inviteToken: link.token }))).toBe('ok');
    // The same person again is fine; a second person is over the limit.
    expect(code(await command(g, 'room:join', { roomId: room.id, inviteToken: link.token }))).toBe('ok');
    const s = await connectSocket(server.url, { token: second.accessToken });
    expect(code(await command(s, 'room:join', { roomId: room.id, inviteToken: link.token }))).toBe('INVITE_USED_UP');
    const list = (await http.get<RoomInviteSummaryDto[]>(`/api/rooms/${room.id}/invites`, owner.accessToken)).body;
    expect(list).toEqual([expect.objectContaining({ id: link.id, uses: 1, maxUses: 1, revokedAt: null })]);

    const open = (await http.post<RoomInviteDto>(`/api/rooms/${room.id}/invites`, {}, owner.accessToken)).body;
    expect((await http.get(`/api/rooms/${room.id}?invite=${open.token}`, second.accessToken)).status).toBe(200);
    expect((await http.del(`/api/rooms/${room.id}/invites/${open.id}`, owner.accessToken)).status).toBe(204);
    const revoked = await http.get(`/api/rooms/${room.id}?invite=${open.token}`, second.accessToken);
    expect(revoked.status).toBe(410);
    expect(revoked.body.error.code).toBe('INVITE_REVOKED');
    expect(code(await command(s, 'room:join', { roomId: room.id, inviteToken: open.token }))).toBe('INVITE_REVOKED');
    // A link to another room, or a made-up one, says nothing about this room.
    expect((await http.get(`/api/rooms/${room.id}?invite=${'x'.repeat(32)}`, second.accessToken)).status).toBe(404);
    g.close();
    s.close();
  });
});
