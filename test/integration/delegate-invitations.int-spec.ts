/**
 * A delegate's invitation is personal: single-use by default, bound to the invitee's e-mail address
 * when one is given, labelled with the institution and the invitee, listed and revocable.
 */
import type { InstitutionDto, InvitationDto, InvitationSummaryDto, OrganizationDto, SessionDto } from '../../server/src/contract';
import { api, register, registerAs } from '../helpers/api';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(60_000);

describe('personal delegate invitations', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let owner: SessionDto;
  let org: OrganizationDto;
  let bnf: InstitutionDto;
  let kb: InstitutionDto;

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    owner = await register(server.url, 'Secretary');
    org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Library Association' }, owner.accessToken)).body;
    bnf = (await http.post<InstitutionDto>(`/api/organizations/${org.id}/institutions`, { name: 'National Library', country: 'FR' }, owner.accessToken)).body;
    kb = (await http.post<InstitutionDto>(`/api/organizations/${org.id}/institutions`, { name: 'Royal Library', country: 'NL' }, owner.accessToken)).body;
  });
  afterAll(() => server?.stop());

  const invite = (body: object) => http.post<InvitationDto>(`/api/organizations/${org.id}/invitations`, body, owner.accessToken);
  const list = async () => (await http.get<InvitationSummaryDto[]>(`/api/organizations/${org.id}/invitations`, owner.accessToken)).body;
  const accept = (token: string, who: SessionDto) => http.post(`/api/invitations/${token}/accept`, undefined, who.accessToken);

  it('makes a delegate link single-use by default: a forwarded copy is refused with INVITE_USED_UP', async () => {
    const link = (await invite({ institutionId: bnf.id })).body;
    expect(link).toMatchObject({ maxUses: 1, institutionName: 'National Library' });
    const first = await register(server.url, 'First Delegate');
    const forwarded = await register(server.url, 'Forwarded To');
    expect((await accept(link.token, first)).status).toBe(200);
    const second = await accept(link.token, forwarded);
    expect(second.status).toBe(410);
    expect(second.body.error.code).toBe('INVITE_USED_UP');
    const institutions = (await http.get<InstitutionDto[]>(`/api/organizations/${org.id}/institutions`, owner.accessToken)).body;
    expect(institutions.find((i) => i.id === bnf.id)!.delegates.map((d) => d.displayName)).toEqual(['First Delegate']);
    expect((await list()).find((i) => i.id === link.id)).toMatchObject({ status: 'used', uses: 1, usedBy: { displayName: 'First Delegate' } });
  });

  it('binds a link to the invitee’s address: another account is refused, the invitee gets in', async () => {
    const email = `delegate.${Date.now()}@royal.example`;
    const link = (await invite({ institutionId: kb.id, inviteeEmail: email.toUpperCase(), inviteeName: 'Anna de Vries' })).body;
    expect(link).toMatchObject({ inviteeEmail: email, inviteeName: 'Anna de Vries', maxUses: 1 });
    const preview = (await http.get(`/api/invitations/${link.token}`)).body;
    expect(preview).toMatchObject({ personal: true, inviteeName: 'Anna de Vries', institutionName: 'Royal Library' });
    expect(JSON.stringify(preview)).not.toContain(email);

    const colleague = await register(server.url, 'Colleague');
    const wrong = await accept(link.token, colleague);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('INVITE_NOT_FOR_YOU');
    expect((await http.get<OrganizationDto[]>('/api/organizations', colleague.accessToken)).body).toEqual([]);

    const anna = await registerAs(server.url, { email, password: 'a long enough password', displayName: 'Anna' });
    expect((await accept(link.token, anna)).status).toBe(200);
    expect((await list()).find((i) => i.id === link.id)).toMatchObject({ status: 'used', usedBy: { userId: anna.user.id } });
  });

  it('refuses a personal link with room for more than one person', async () => {
    const res = await http.post(`/api/organizations/${org.id}/invitations`, { inviteeEmail: 'one@example.org', maxUses: 5 }, owner.accessToken);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PAYLOAD');
  });

  it('lists links with their institution, invitee and status, and revokes one (INVITE_REVOKED)', async () => {
    const a = (await invite({ institutionId: bnf.id, inviteeName: 'Jean Martin', inviteeEmail: 'jean@bnf.example' })).body;
    const b = (await invite({ institutionId: kb.id, inviteeName: 'Pieter Bakker' })).body;
    const member = (await invite({})).body;
    expect(member.maxUses).toBeNull();

    const before = await list();
    expect(before.find((i) => i.id === a.id)).toMatchObject({
      status: 'pending',
      institutionName: 'National Library',
      inviteeName: 'Jean Martin',
      inviteeEmail: 'jean@bnf.example',
      usedBy: null,
    });
    expect(before.find((i) => i.id === b.id)).toMatchObject({ status: 'pending', institutionName: 'Royal Library', inviteeName: 'Pieter Bakker' });
    expect(JSON.stringify(before)).not.toContain(a.token);

    expect((await http.del(`/api/organizations/${org.id}/invitations/${a.id}`, owner.accessToken)).status).toBe(204);
    const jean = await registerAs(server.url, { email: 'jean@bnf.example', password: 'a long enough password', displayName: 'Jean' });
    const refused = await accept(a.token, jean);
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe('INVITE_REVOKED');
    expect((await list()).find((i) => i.id === a.id)!.status).toBe('revoked');

    // Members (and the delegates who came in) can neither see nor revoke links.
    expect((await http.get(`/api/organizations/${org.id}/invitations`, jean.accessToken)).status).toBe(404);
    const pieter = await register(server.url, 'Pieter');
    expect((await accept(b.token, pieter)).status).toBe(200);
    expect((await http.get(`/api/organizations/${org.id}/invitations`, pieter.accessToken)).status).toBe(403);
    expect((await http.del(`/api/organizations/${org.id}/invitations/${member.id}`, pieter.accessToken)).status).toBe(403);
  });
});
