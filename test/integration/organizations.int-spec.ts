import { Client } from 'pg';
import type { InstitutionDto, InvitationDto, OrganizationDto } from '../../server/src/contract';
import { api, register } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('organisations, institutions, delegates and invitations', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: Awaited<ReturnType<typeof register>>;
  let org: OrganizationDto;
  let library: InstitutionDto;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Owner');
    const created = await http.post<OrganizationDto>('/api/organizations', { name: 'Silk Road Library Alliance' }, owner.accessToken);
    expect(created.status).toBe(201);
    org = created.body;
    const inst = await http.post<InstitutionDto>(`/api/organizations/${org.id}/institutions`, { name: 'National Library of Kazakhstan', country: 'KZ', voteWeight: 3 }, owner.accessToken);
    expect(inst.status).toBe(201);
    library = inst.body;
  });
  afterAll(() => server?.stop());

  it('makes the creator owner and lists the organisation for them', async () => {
    expect(org.myRole).toBe('owner');
    const mine = await http.get<OrganizationDto[]>('/api/organizations', owner.accessToken);
    expect(mine.body.map((o) => o.name)).toEqual(['Silk Road Library Alliance']);
  });

  it('keeps institution names unique and validates country and weight', async () => {
    const path = `/api/organizations/${org.id}/institutions`;
    expect((await http.post(path, { name: 'National Library of Kazakhstan', country: 'KZ' }, owner.accessToken)).body.error.code).toBe('CONFLICT');
    expect((await http.post(path, { name: 'X Library', country: 'kz' }, owner.accessToken)).body.error.code).toBe('INVALID_PAYLOAD');
    expect((await http.post(path, { name: 'X Library', country: 'KZ', voteWeight: 0 }, owner.accessToken)).body.error.code).toBe('INVALID_PAYLOAD');
    const dflt = await http.post<InstitutionDto>(path, { name: 'Tashkent University Library', country: 'UZ' }, owner.accessToken);
    expect(dflt.body.voteWeight).toBe(1);
    const upd = await http.patch<InstitutionDto>(`${path}/${dflt.body.id}`, { voteWeight: 2 }, owner.accessToken);
    expect(upd.body.voteWeight).toBe(2);
  });

  it('invites by link: preview, accept (as a delegate of the institution), and refuses a second accept', async () => {
    const inv = await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, { institutionId: library.id, expiresInHours: 24 }, owner.accessToken);
    expect(inv.status).toBe(201);
    expect(inv.body.url).toBe(`${new URL(inv.body.url).origin}/invite/${inv.body.token}`);

    const preview = await http.get(`/api/invitations/${inv.body.token}`);
    expect(preview.body).toMatchObject({ organizationName: 'Silk Road Library Alliance', role: 'member', institutionName: 'National Library of Kazakhstan' });

    const guest = await register(server.url, 'Delegate');
    const accepted = await http.post(`/api/invitations/${inv.body.token}/accept`, undefined, guest.accessToken);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ organizationId: org.id });
    expect((await http.post(`/api/invitations/${inv.body.token}/accept`, undefined, guest.accessToken)).body.error.code).toBe('ALREADY_MEMBER');

    const members = await http.get(`/api/organizations/${org.id}/members`, guest.accessToken);
    expect(members.body.map((m: { displayName: string; role: string }) => [m.displayName, m.role]).sort()).toEqual([
      ['Delegate', 'member'],
      ['Owner', 'owner'],
    ]);
    const insts = await http.get<InstitutionDto[]>(`/api/organizations/${org.id}/institutions`, guest.accessToken);
    expect(insts.body.find((i) => i.id === library.id)!.delegates).toEqual([{ userId: guest.user.id, displayName: 'Delegate' }]);

    // A member can look but not manage.
    expect((await http.post(`/api/organizations/${org.id}/institutions`, { name: 'Mine', country: 'FR' }, guest.accessToken)).body.error.code).toBe('FORBIDDEN');
    expect((await http.post(`/api/organizations/${org.id}/invitations`, {}, guest.accessToken)).body.error.code).toBe('FORBIDDEN');
  });

  it('refuses expired and unknown invitation links', async () => {
    const inv = await http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, { expiresInHours: 1 }, owner.accessToken);
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    await db.query(`UPDATE invitations SET expires_at = now() - interval '1 minute'`);
    await db.end();
    const late = await register(server.url, 'Late');
    const r = await http.post(`/api/invitations/${inv.body.token}/accept`, undefined, late.accessToken);
    expect([r.status, r.body.error.code]).toEqual([410, 'INVITE_EXPIRED']);
    const unknown = await http.get(`/api/invitations/${'A'.repeat(32)}`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'INVITE_INVALID']);
  });

  it('manages delegates only among members, and roles without losing the last owner', async () => {
    const outsider = await register(server.url, 'Outsider');
    const addOutsider = await http.post(`/api/organizations/${org.id}/institutions/${library.id}/delegates`, { userId: outsider.user.id }, owner.accessToken);
    expect(addOutsider.body.error.code).toBe('NOT_FOUND');

    expect((await http.patch(`/api/organizations/${org.id}/members/${owner.user.id}`, { role: 'member' }, owner.accessToken)).body.error.code).toBe('LAST_OWNER');
    expect((await http.del(`/api/organizations/${org.id}/members/${owner.user.id}`, owner.accessToken)).body.error.code).toBe('LAST_OWNER');
  });

  it('hides the organisation from people outside it on every endpoint', async () => {
    const stranger = await register(server.url, 'Stranger');
    const other = await http.post<OrganizationDto>('/api/organizations', { name: 'Another Association' }, stranger.accessToken);
    expect(other.status).toBe(201);
    const o = `/api/organizations/${org.id}`;
    const i = `${o}/institutions/${library.id}`;
    const calls: [string, string, unknown?][] = [
      ['GET', o],
      ['GET', `${o}/members`],
      ['PATCH', `${o}/members/${owner.user.id}`, { role: 'member' }],
      ['DELETE', `${o}/members/${owner.user.id}`],
      ['GET', `${o}/institutions`],
      ['POST', `${o}/institutions`, { name: 'Sneaky', country: 'ZZ' }],
      ['PATCH', i, { voteWeight: 999 }],
      ['DELETE', i],
      ['POST', `${i}/delegates`, { userId: stranger.user.id }],
      ['DELETE', `${i}/delegates/${owner.user.id}`],
      ['POST', `${o}/invitations`, {}],
    ];
    for (const [method, path, body] of calls) {
      const res = await http.call(method, path, body, stranger.accessToken);
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 404, code: 'NOT_FOUND' });
    }
    // Nothing changed.
    const insts = await http.get<InstitutionDto[]>(`${o}/institutions`, owner.accessToken);
    expect(insts.body.find((x) => x.id === library.id)!.voteWeight).toBe(3);
    expect(insts.body.map((x) => x.name)).not.toContain('Sneaky');
  });

  it('answers a malformed id with INVALID_PAYLOAD', async () => {
    const res = await http.get(`/api/organizations/not-a-uuid`, owner.accessToken);
    expect([res.status, res.body.error.code]).toEqual([400, 'INVALID_PAYLOAD']);
  });

  it('documents the API with OpenAPI at /api/docs', async () => {
    const doc = await http.get('/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/auth/register', '/api/organizations/{orgId}/institutions', '/api/invitations/{token}/accept']));
    const body = doc.body.paths['/api/organizations/{orgId}/institutions'].post.requestBody.content['application/json'].schema;
    expect(body.properties.country).toBeDefined();
    expect((await http.get('/api/docs')).status).toBe(200);
  });
});
