import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { BallotView, ErrorCode, InstitutionDto, MeetingView, MotionView, OrganizationDto, OrgRole, RoomDto, SessionDto } from '../../server/src/contract';
import { PROTOCOL_VERSION, SOCKET_PATH } from '../../server/src/contract';
import { ORG_PERMISSIONS, type OrgAction } from '../../server/src/modules/organizations/org-permissions';
import { api, command, connectSocket, refreshCookie, register, type Res, signIn, withRefreshCookie } from '../helpers/api';
import { rawHttp } from '../helpers/fuzz';
import { requestId } from '../helpers/governance';
import { seedRecording } from '../helpers/recordings';
import { createRoom, enter } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/**
 * Who may call which REST route. Org-scoped routes take their rule from the declared table
 * (ORG_PERMISSIONS); meeting routes add the meeting's officers. A route the API documents without a
 * rule here fails the coverage test, and a change of the table changes the expectations below.
 */
type Rule = {
  /** Allowed to the org roles the table gives this action. */
  org?: OrgAction;
  /** Allowed to these officers of the meeting (plain members of the organisation). */
  meeting?: ('chair' | 'secretary')[];
  /** What an outsider gets, when not the default NOT_FOUND (and why). */
  outsider?: ErrorCode;
};

const RULES = {
  'GET /api/organizations/{orgId}': { org: 'org.view' },
  'GET /api/organizations/{orgId}/members': { org: 'members.view' },
  'PATCH /api/organizations/{orgId}/members/{userId}': { org: 'members.changeRole' },
  'DELETE /api/organizations/{orgId}/members/{userId}': { org: 'members.remove' },
  'GET /api/organizations/{orgId}/institutions': { org: 'institutions.view' },
  'POST /api/organizations/{orgId}/institutions': { org: 'institutions.manage' },
  'PATCH /api/organizations/{orgId}/institutions/{institutionId}': { org: 'institutions.manage' },
  'DELETE /api/organizations/{orgId}/institutions/{institutionId}': { org: 'institutions.manage' },
  'POST /api/organizations/{orgId}/institutions/{institutionId}/delegates': { org: 'delegates.manage' },
  'DELETE /api/organizations/{orgId}/institutions/{institutionId}/delegates/{userId}': { org: 'delegates.manage' },
  'POST /api/organizations/{orgId}/invitations': { org: 'invitations.manage' },
  'GET /api/organizations/{orgId}/invitations': { org: 'invitations.manage' },
  'DELETE /api/organizations/{orgId}/invitations/{invitationId}': { org: 'invitations.manage' },
  // The organisation's identity provider (test/integration/institutional-sign-in.int-spec.ts).
  'GET /api/organizations/{orgId}/sign-in-provider': { org: 'signIn.manage' },
  'PUT /api/organizations/{orgId}/sign-in-provider': { org: 'signIn.manage' },
  'DELETE /api/organizations/{orgId}/sign-in-provider': { org: 'signIn.manage' },

  'GET /api/organizations/{orgId}/rooms': { org: 'rooms.view' },
  'POST /api/organizations/{orgId}/rooms': { org: 'rooms.manage' },
  // Rooms are reached by their address: a stranger holding the link learns they need an invitation
  // (the pre-join screen says so), never the room's or organisation's name.
  'GET /api/rooms/{roomId}': { org: 'rooms.view' },
  'PATCH /api/rooms/{roomId}': { org: 'rooms.manage' },
  'DELETE /api/rooms/{roomId}': { org: 'rooms.manage' },
  'POST /api/rooms/{roomId}/invites': { org: 'rooms.manage' },
  'GET /api/rooms/{roomId}/invites': { org: 'rooms.manage' },
  'DELETE /api/rooms/{roomId}/invites/{inviteId}': { org: 'rooms.manage' },
  // Reports are for the room's organisers: its creator and whoever hosts by org role (those who manage rooms).
  'GET /api/rooms/{roomId}/sessions': { org: 'rooms.manage' },
  'GET /api/rooms/{roomId}/attendance': { org: 'rooms.manage' },
  'GET /api/rooms/{roomId}/polls/{pollId}/results.csv': { org: 'rooms.manage' },
  // Past sessions with captions: members see those they attended (none here), organisers all.
  'GET /api/rooms/{roomId}/captions': { org: 'rooms.view' },

  'POST /api/organizations/{orgId}/meetings': { org: 'meetings.manage' },
  'GET /api/organizations/{orgId}/meetings': { org: 'org.view' },
  // Every member of the organisation takes part in its meetings.
  'GET /api/meetings/{meetingId}': { org: 'org.view' },
  'POST /api/meetings/{meetingId}/agenda': { meeting: ['chair', 'secretary'] },
  'POST /api/meetings/{meetingId}/motions': { org: 'org.view' },
  /** Probed with `debate`: the chair's move (submit/withdraw belong to the mover, second to anyone else). */
  'POST /api/meetings/{meetingId}/motions/{motionId}/transition': { meeting: ['chair'] },
  'POST /api/meetings/{meetingId}/check-in': { org: 'org.view' },
  'POST /api/meetings/{meetingId}/check-out': { org: 'org.view' },
  /** Everyone holds their own seat in a meeting of members, and may give it to another member. */
  'POST /api/meetings/{meetingId}/proxies': { org: 'org.view' },
  'POST /api/meetings/{meetingId}/ballots': { meeting: ['chair'] },
  'GET /api/meetings/{meetingId}/export': { meeting: ['chair', 'secretary'], org: 'meetings.manage' },
  'GET /api/meetings/{meetingId}/minutes.pdf': { meeting: ['chair', 'secretary'], org: 'meetings.manage' },
  'GET /api/meetings/{meetingId}/minutes.csv': { meeting: ['chair', 'secretary'], org: 'meetings.manage' },
  'GET /api/ballots/{ballotId}': { org: 'org.view' },
  'POST /api/ballots/{ballotId}/open': { meeting: ['chair'] },
  'POST /api/ballots/{ballotId}/close': { meeting: ['chair'] },
  'POST /api/ballots/{ballotId}/publish': { meeting: ['chair'] },
  'GET /api/ballots/{ballotId}/bulletin': { org: 'org.view' },
  // Naming a meeting's tellers, and reading their public keys to make a ballot's key, belong to the chair.
  'PUT /api/meetings/{meetingId}/tellers': { meeting: ['chair'] },
  'GET /api/ballots/{ballotId}/key-plan': { meeting: ['chair'] },

  // Events, probed on a members-only event (a public one is readable by anyone: test/integration/events.int-spec.ts).
  'GET /api/organizations/{orgId}/events': { org: 'events.view' },
  'POST /api/organizations/{orgId}/events': { org: 'events.manage' },
  'GET /api/events/{eventId}': { org: 'events.view' },
  'PATCH /api/events/{eventId}': { org: 'events.manage' },
  'POST /api/events/{eventId}/cancel': { org: 'events.manage' },
  'POST /api/events/{eventId}/sessions': { org: 'events.manage' },
  'PATCH /api/event-sessions/{eventSessionId}': { org: 'events.manage' },
  'POST /api/event-sessions/{eventSessionId}/cancel': { org: 'events.manage' },
  'GET /api/events/{eventId}/calendar.ics': { org: 'events.view' },
  'GET /api/events/{eventId}/sessions/{eventSessionId}/calendar.ics': { org: 'events.view' },
  'POST /api/events/{eventId}/registrations': { org: 'events.view' },
  'DELETE /api/events/{eventId}/registrations/mine': { org: 'events.view' },
  'GET /api/events/{eventId}/registrations': { org: 'events.manage' },
  'GET /api/events/{eventId}/registrations.csv': { org: 'events.manage' },
  'POST /api/event-registrations/{registrationId}/decision': { org: 'events.manage' },
  // CPD certificates: the organisers' threshold and list; one's own progress (test/integration/certificates.int-spec.ts).
  'GET /api/events/{eventId}/cpd': { org: 'events.manage' },
  'PUT /api/events/{eventId}/cpd': { org: 'events.manage' },
  'POST /api/events/{eventId}/certificates': { org: 'events.manage' },
  'GET /api/events/{eventId}/cpd/mine': { org: 'events.view' },

  // The archive: the organisation's defaults for new recordings, and a recording's description, access and
  // retention (probed on one still being recorded, so hosts only; an outsider is told it does not exist).
  'GET /api/organizations/{orgId}/archive-policy': { org: 'recordings.manage' },
  'PUT /api/organizations/{orgId}/archive-policy': { org: 'recordings.manage' },
  'PATCH /api/recordings/{recordingId}': { org: 'recordings.manage', outsider: 'RECORDING_NOT_FOUND' },
} as const satisfies Record<string, Rule>;
type Route = keyof typeof RULES;

/** Routes not governed by an organisation role, each checked on its own below. */
const NOT_ORG_SCOPED = [
  'GET /health',
  // Guests' way into a public webinar: no account, so no organisation role (test/integration/guests.int-spec.ts).
  'GET /api/rooms/{roomId}/guest-preview',
  'POST /api/rooms/{roomId}/guests',
  'POST /api/auth/register',
  'POST /api/auth/sign-in',
  'POST /api/auth/refresh',
  'POST /api/auth/sign-out',
  // Anyone may ask for a reset link or use one (test/integration/password-reset.int-spec.ts).
  'POST /api/auth/password-reset',
  'POST /api/auth/password-reset/confirm',
  // Institutional sign-in: the list of organisations to sign in with, and the OpenID Connect round trip
  // (test/integration/institutional-sign-in.int-spec.ts).
  'GET /api/auth/institutions',
  'GET /api/auth/oidc/{slug}/start',
  'GET /api/auth/oidc/callback',
  'GET /api/me',
  'POST /api/me/password',
  // One's own teller key; a ballot's key shares go to its tellers only (test/integration/ballot-tellers.int-spec.ts).
  'GET /api/me/teller-key',
  'PUT /api/me/teller-key',
  'GET /api/ballots/{ballotId}/key-share',
  'POST /api/ballots/{ballotId}/key-share',
  'GET /api/organizations',
  'POST /api/organizations',
  'GET /api/invitations/{token}',
  'POST /api/invitations/{token}/accept',
  // Public: the key that signs meeting records (test/integration/verify.int-spec.ts uses it).
  'GET /.well-known/quorum-record-key',
  // Public: the directory of upcoming public events, no sign-in (test/integration/events.int-spec.ts).
  'GET /api/events',
  // One's own registrations, of any organisation.
  'GET /api/me/event-registrations',
  // A certificate is the holder's and the event's organisers' (CERTIFICATE_NOT_FOUND to anyone else); issuing one
  // depends on attendance, revoking one on the event's organisers: test/integration/certificates.int-spec.ts.
  'POST /api/events/{eventId}/certificates/mine',
  'GET /api/certificates/{certificateId}',
  'GET /api/certificates/{certificateId}/certificate.pdf',
  'GET /api/certificates/{certificateId}/credential.jwt',
  'POST /api/certificates/{certificateId}/revoke',
  // Public: verification without an account, the status a credential names, the key set that signs credentials.
  'GET /api/certificates/{certificateId}/verification',
  'POST /api/certificates/verify',
  'GET /api/certificates/{certificateId}/status',
  'GET /.well-known/jwks.json',
  // A session's captions are for those who attended it and the organisers (FORBIDDEN to other members,
  // NOT_FOUND to outsiders): test/integration/captions.int-spec.ts.
  'GET /api/rooms/{roomId}/sessions/{sessionId}/captions/{language}',
  // The archive's lists, records, files and packages follow each recording's access level (public, members,
  // hosts), and deletion needs a finished recording: the whole matrix is test/integration/archive.int-spec.ts.
  'GET /api/organizations/{orgId}/recordings',
  'GET /api/events/{eventId}/recordings',
  'GET /api/rooms/{roomId}/recordings',
  'GET /api/recordings/{recordingId}',
  'GET /api/recordings/{recordingId}/dublin-core.xml',
  'GET /api/recordings/{recordingId}/files/{fileId}',
  'GET /api/recordings/{recordingId}/package',
  'POST /api/recordings/{recordingId}/delete',
];

const ROLES = ['outsider', 'member', 'admin', 'owner', 'chair', 'secretary'] as const;
type Role = (typeof ROLES)[number];
const ORG_ROLE: Record<Role, OrgRole | null> = { outsider: null, member: 'member', admin: 'admin', owner: 'owner', chair: 'member', secretary: 'member' };

function expected(rule: Rule, role: Role): 'ok' | ErrorCode {
  const orgRole = ORG_ROLE[role];
  if (!orgRole) return rule.outsider ?? 'NOT_FOUND';
  const byOrg = !!rule.org && ORG_PERMISSIONS[rule.org].includes(orgRole);
  const byMeeting = !!rule.meeting && (rule.meeting as readonly string[]).includes(role);
  return byOrg || byMeeting ? 'ok' : 'FORBIDDEN';
}

/** Names only members may learn. */
const SECRET_NAMES = ['Zeta Conference', 'Zeta Secret Association', 'Zeta Hidden Room', 'Zeta Library', 'Zeta Assembly', 'Zeta Budget Motion', 'Zeta Owner', 'Zeta Member'];

interface Fixture {
  meeting: MeetingView;
  ballotId: string;
  publishedBallotId: string;
}

describe('the REST permission matrix, derived from the declared tables', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  const people = {} as Record<Role, SessionDto>;
  let org: OrganizationDto;
  let room: RoomDto;
  let pollId: string;
  /** One meeting per role, so the roles' probes can run side by side without sharing a meeting's lock. */
  const fixtures = {} as Record<Role, Fixture>;
  let inviteToken: string;
  let n = 0;
  let event: { id: string };
  let eventSessionId: string;
  let approvalEvent: { id: string };

  const as = <T = any>(method: string, path: string, who: SessionDto, body?: unknown): Promise<Res<T>> => http.call<T>(method, path, body, who.accessToken);
  const ownerDoes = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await as<T>(method, path, people.owner, body);
    if (res.status >= 300) throw new Error(`setup ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const chairDoes = async <T = any>(method: string, path: string, body?: unknown, who: SessionDto = people.chair): Promise<T> => {
    const res = await as<T>(method, path, who, body);
    if (res.status >= 300) throw new Error(`setup ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const freshMember = async () => {
    const s = await register(server.url, `Target ${n++}`);
    expect((await http.post(`/api/invitations/${inviteToken}/accept`, undefined, s.accessToken)).status).toBe(200);
    return s;
  };
  const freshInstitution = () => ownerDoes<InstitutionDto>('POST', `/api/organizations/${org.id}/institutions`, { name: `Zeta Library ${n++}`, country: 'FR' });
  const freshRoom = () => createRoom(server.url, people.owner.accessToken, org.id, { name: `Zeta Hidden Room ${n++}` });
  const freshMotion = async ({ meeting }: Fixture): Promise<MotionView> => {
    const m = await chairDoes<MotionView>('POST', `/api/meetings/${meeting.id}/motions`, { title: `Zeta Budget Motion ${n++}`, text: 'The assembly adopts the budget.' }, people.secretary);
    await chairDoes('POST', `/api/meetings/${meeting.id}/motions/${m.id}/transition`, { event: 'submit' }, people.secretary);
    await chairDoes('POST', `/api/meetings/${meeting.id}/motions/${m.id}/transition`, { event: 'second' }, people.owner);
    return m;
  };
  const freshBallot = async ({ meeting }: Pick<Fixture, 'meeting'>, status: 'draft' | 'open' | 'closed' | 'published'): Promise<string> => {
    const b = await chairDoes<BallotView>('POST', `/api/meetings/${meeting.id}/ballots`, { election: { title: `Zeta board ${n++}`, candidates: ['Ada', 'Grace'], seats: 1, maxChoices: 1 } });
    if (status !== 'draft') await chairDoes('POST', `/api/ballots/${b.id}/open`, { overrideQuorumReason: 'permission matrix' });
    if (status === 'closed' || status === 'published') await chairDoes('POST', `/api/ballots/${b.id}/close`);
    if (status === 'published') await chairDoes('POST', `/api/ballots/${b.id}/publish`);
    return b.id;
  };

  const freshEvent = () => ownerDoes<{ id: string }>('POST', `/api/organizations/${org.id}/events`, { title: `Zeta Conference ${n++}`, timeZone: 'Europe/Warsaw' });
  const freshSession = (eventId = event.id) =>
    ownerDoes<{ id: string }>('POST', `/api/events/${eventId}/sessions`, { title: `Zeta Conference talk ${n++}`, startsAt: '2031-05-04T10:00', endsAt: '2031-05-04T11:00' });
  const pendingRegistration = async () => {
    const s = await freshMember();
    const r = await as<{ id: string }>('POST', `/api/events/${approvalEvent.id}/registrations`, s, { clientRequestId: randomUUID() });
    if (r.status !== 201) throw new Error(`setup registration: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  };

  /** One real request per route, made by `who` against objects prepared for it, so only the role can make it fail. */
  const PROBES: Record<Route, (who: SessionDto, f: Fixture) => Promise<Res>> = {
    'GET /api/organizations/{orgId}': (w) => as('GET', `/api/organizations/${org.id}`, w),
    'GET /api/organizations/{orgId}/members': (w) => as('GET', `/api/organizations/${org.id}/members`, w),
    'PATCH /api/organizations/{orgId}/members/{userId}': async (w) => as('PATCH', `/api/organizations/${org.id}/members/${(await freshMember()).user.id}`, w, { role: 'admin' }),
    'DELETE /api/organizations/{orgId}/members/{userId}': async (w) => as('DELETE', `/api/organizations/${org.id}/members/${(await freshMember()).user.id}`, w),
    'GET /api/organizations/{orgId}/institutions': (w) => as('GET', `/api/organizations/${org.id}/institutions`, w),
    'POST /api/organizations/{orgId}/institutions': (w) => as('POST', `/api/organizations/${org.id}/institutions`, w, { name: `Zeta Library ${n++}`, country: 'FR' }),
    'PATCH /api/organizations/{orgId}/institutions/{institutionId}': async (w) => as('PATCH', `/api/organizations/${org.id}/institutions/${(await freshInstitution()).id}`, w, { voteWeight: 2 }),
    'DELETE /api/organizations/{orgId}/institutions/{institutionId}': async (w) => as('DELETE', `/api/organizations/${org.id}/institutions/${(await freshInstitution()).id}`, w),
    'POST /api/organizations/{orgId}/institutions/{institutionId}/delegates': async (w) =>
      as('POST', `/api/organizations/${org.id}/institutions/${(await freshInstitution()).id}/delegates`, w, { userId: people.member.user.id }),
    'DELETE /api/organizations/{orgId}/institutions/{institutionId}/delegates/{userId}': async (w) => {
      const inst = await freshInstitution();
      await ownerDoes('POST', `/api/organizations/${org.id}/institutions/${inst.id}/delegates`, { userId: people.member.user.id });
      return as('DELETE', `/api/organizations/${org.id}/institutions/${inst.id}/delegates/${people.member.user.id}`, w);
    },
    'POST /api/organizations/{orgId}/invitations': (w) => as('POST', `/api/organizations/${org.id}/invitations`, w, {}),
    'GET /api/organizations/{orgId}/invitations': (w) => as('GET', `/api/organizations/${org.id}/invitations`, w),
    'DELETE /api/organizations/{orgId}/invitations/{invitationId}': async (w) => {
      const inv = await ownerDoes<{ id: string }>('POST', `/api/organizations/${org.id}/invitations`, {});
      return as('DELETE', `/api/organizations/${org.id}/invitations/${inv.id}`, w);
    },
    'GET /api/organizations/{orgId}/sign-in-provider': (w) => as('GET', `/api/organizations/${org.id}/sign-in-provider`, w),
    'PUT /api/organizations/{orgId}/sign-in-provider': (w) =>
      as('PUT', `/api/organizations/${org.id}/sign-in-provider`, w, { slug: 'zeta', issuer: 'https://idp.zeta.example', clientId: 'quorum', clientSecret: `s${n++}` }),
    'DELETE /api/organizations/{orgId}/sign-in-provider': (w) => as('DELETE', `/api/organizations/${org.id}/sign-in-provider`, w),

    'GET /api/organizations/{orgId}/rooms': (w) => as('GET', `/api/organizations/${org.id}/rooms`, w),
    'POST /api/organizations/{orgId}/rooms': (w) => as('POST', `/api/organizations/${org.id}/rooms`, w, { name: `Zeta Hidden Room ${n++}` }),
    'GET /api/rooms/{roomId}': (w) => as('GET', `/api/rooms/${room.id}`, w),
    'PATCH /api/rooms/{roomId}': async (w) => as('PATCH', `/api/rooms/${(await freshRoom()).id}`, w, { capacity: 50 }),
    'DELETE /api/rooms/{roomId}': async (w) => as('DELETE', `/api/rooms/${(await freshRoom()).id}`, w),
    'POST /api/rooms/{roomId}/invites': (w) => as('POST', `/api/rooms/${room.id}/invites`, w, {}),
    'GET /api/rooms/{roomId}/invites': (w) => as('GET', `/api/rooms/${room.id}/invites`, w),
    'DELETE /api/rooms/{roomId}/invites/{inviteId}': async (w) => {
      const inv = await ownerDoes<{ id: string }>('POST', `/api/rooms/${room.id}/invites`, {});
      return as('DELETE', `/api/rooms/${room.id}/invites/${inv.id}`, w);
    },
    'GET /api/rooms/{roomId}/sessions': (w) => as('GET', `/api/rooms/${room.id}/sessions`, w),
    'GET /api/rooms/{roomId}/attendance': (w) => as('GET', `/api/rooms/${room.id}/attendance`, w),
    'GET /api/rooms/{roomId}/captions': (w) => as('GET', `/api/rooms/${room.id}/captions`, w),
    'GET /api/rooms/{roomId}/polls/{pollId}/results.csv': (w) => as('GET', `/api/rooms/${room.id}/polls/${pollId}/results.csv`, w),

    'POST /api/organizations/{orgId}/meetings': (w) => as('POST', `/api/organizations/${org.id}/meetings`, w, { title: `Zeta Assembly ${n++}`, scheduledAt: new Date().toISOString(), voterBasis: 'members' }),
    'GET /api/organizations/{orgId}/meetings': (w) => as('GET', `/api/organizations/${org.id}/meetings`, w),
    'GET /api/meetings/{meetingId}': (w, f) => as('GET', `/api/meetings/${f.meeting.id}`, w),
    'POST /api/meetings/{meetingId}/agenda': (w, f) => as('POST', `/api/meetings/${f.meeting.id}/agenda`, w, { title: `Item ${n++}` }),
    'POST /api/meetings/{meetingId}/motions': (w, f) => as('POST', `/api/meetings/${f.meeting.id}/motions`, w, { title: `Zeta Budget Motion ${n++}`, text: 'Adopt it.' }),
    'POST /api/meetings/{meetingId}/motions/{motionId}/transition': async (w, f) => as('POST', `/api/meetings/${f.meeting.id}/motions/${(await freshMotion(f)).id}/transition`, w, { event: 'debate' }),
    'POST /api/meetings/{meetingId}/check-in': (w, f) => as('POST', `/api/meetings/${f.meeting.id}/check-in`, w),
    'POST /api/meetings/{meetingId}/check-out': (w, f) => as('POST', `/api/meetings/${f.meeting.id}/check-out`, w),
    'POST /api/meetings/{meetingId}/proxies': (w, f) =>
      as('POST', `/api/meetings/${f.meeting.id}/proxies`, w, { seatId: w.user.id, holderId: (w === people.member ? people.owner : people.member).user.id }),
    'POST /api/meetings/{meetingId}/ballots': (w, f) => as('POST', `/api/meetings/${f.meeting.id}/ballots`, w, { election: { title: 'Zeta board', candidates: ['Ada', 'Grace'], seats: 1, maxChoices: 1 } }),
    'GET /api/meetings/{meetingId}/export': (w, f) => as('GET', `/api/meetings/${f.meeting.id}/export`, w),
    'GET /api/meetings/{meetingId}/minutes.pdf': (w, f) => as('GET', `/api/meetings/${f.meeting.id}/minutes.pdf?tz=Europe/Warsaw`, w),
    'GET /api/meetings/{meetingId}/minutes.csv': (w, f) => as('GET', `/api/meetings/${f.meeting.id}/minutes.csv`, w),
    'GET /api/ballots/{ballotId}': (w, f) => as('GET', `/api/ballots/${f.ballotId}`, w),
    'POST /api/ballots/{ballotId}/open': async (w, f) => as('POST', `/api/ballots/${await freshBallot(f, 'draft')}/open`, w, { overrideQuorumReason: 'permission matrix' }),
    'POST /api/ballots/{ballotId}/close': async (w, f) => as('POST', `/api/ballots/${await freshBallot(f, 'open')}/close`, w),
    'POST /api/ballots/{ballotId}/publish': async (w, f) => as('POST', `/api/ballots/${await freshBallot(f, 'closed')}/publish`, w),
    'GET /api/ballots/{ballotId}/bulletin': (w, f) => as('GET', `/api/ballots/${f.publishedBallotId}/bulletin`, w),
    'PUT /api/meetings/{meetingId}/tellers': (w, f) => as('PUT', `/api/meetings/${f.meeting.id}/tellers`, w, { tellers: [people.member.user.id], threshold: 1 }),
    'GET /api/ballots/{ballotId}/key-plan': async (w, f) => as('GET', `/api/ballots/${await freshBallot(f, 'draft')}/key-plan`, w),

    'GET /api/organizations/{orgId}/events': (w) => as('GET', `/api/organizations/${org.id}/events`, w),
    'POST /api/organizations/{orgId}/events': (w) => as('POST', `/api/organizations/${org.id}/events`, w, { title: `Zeta Conference ${n++}`, timeZone: 'Asia/Almaty' }),
    'GET /api/events/{eventId}': (w) => as('GET', `/api/events/${event.id}`, w),
    'PATCH /api/events/{eventId}': (w) => as('PATCH', `/api/events/${event.id}`, w, { description: `Updated ${n++}` }),
    'POST /api/events/{eventId}/cancel': async (w) => as('POST', `/api/events/${(await freshEvent()).id}/cancel`, w),
    'POST /api/events/{eventId}/sessions': (w) => as('POST', `/api/events/${event.id}/sessions`, w, { title: `Zeta Conference talk ${n++}`, startsAt: '2031-05-05T10:00', endsAt: '2031-05-05T11:00' }),
    'PATCH /api/event-sessions/{eventSessionId}': async (w) => as('PATCH', `/api/event-sessions/${(await freshSession()).id}`, w, { title: `Moved ${n++}` }),
    'POST /api/event-sessions/{eventSessionId}/cancel': async (w) => as('POST', `/api/event-sessions/${(await freshSession()).id}/cancel`, w),
    'GET /api/events/{eventId}/calendar.ics': (w) => as('GET', `/api/events/${event.id}/calendar.ics`, w),
    'GET /api/events/{eventId}/sessions/{eventSessionId}/calendar.ics': (w) => as('GET', `/api/events/${event.id}/sessions/${eventSessionId}/calendar.ics`, w),
    'POST /api/events/{eventId}/registrations': (w) => as('POST', `/api/events/${event.id}/registrations`, w, { clientRequestId: randomUUID() }),
    'DELETE /api/events/{eventId}/registrations/mine': async (w) => {
      const e = await freshEvent();
      await as('POST', `/api/events/${e.id}/registrations`, w, { clientRequestId: randomUUID() });
      return as('DELETE', `/api/events/${e.id}/registrations/mine`, w);
    },
    'GET /api/events/{eventId}/registrations': (w) => as('GET', `/api/events/${event.id}/registrations`, w),
    'GET /api/events/{eventId}/registrations.csv': (w) => as('GET', `/api/events/${event.id}/registrations.csv`, w),
    'GET /api/events/{eventId}/cpd': (w) => as('GET', `/api/events/${event.id}/cpd`, w),
    'PUT /api/events/{eventId}/cpd': (w) => as('PUT', `/api/events/${event.id}/cpd`, w, { threshold: { mode: 'minutes', value: 30 + n++ } }),
    'POST /api/events/{eventId}/certificates': async (w) => {
      await ownerDoes('PUT', `/api/events/${event.id}/cpd`, { threshold: { mode: 'percent', value: 75 } });
      return as('POST', `/api/events/${event.id}/certificates`, w);
    },
    'GET /api/events/{eventId}/cpd/mine': (w) => as('GET', `/api/events/${event.id}/cpd/mine`, w),
    'POST /api/event-registrations/{registrationId}/decision': async (w) => as('POST', `/api/event-registrations/${await pendingRegistration()}/decision`, w, { decision: 'approve' }),

    'GET /api/organizations/{orgId}/archive-policy': (w) => as('GET', `/api/organizations/${org.id}/archive-policy`, w),
    'PUT /api/organizations/{orgId}/archive-policy': (w) => as('PUT', `/api/organizations/${org.id}/archive-policy`, w, { defaultAccess: 'members', retentionDays: 365 }),
    'PATCH /api/recordings/{recordingId}': async (w) => {
      // A room records once at a time: each probe's recording is in a room of its own.
      const rec = await seedRecording({ databaseUrl: server.databaseUrl, dataDir: '' }, { organizationId: org.id, roomId: (await freshRoom()).id, status: 'recording' });
      return as('PATCH', `/api/recordings/${rec.id}`, w, { title: `Zeta recording ${n++}` });
    },
  };

  beforeAll(async () => {
    server = await startServer();
    http = api(server.url);
    const names: Record<Role, string> = { outsider: 'Outsider', member: 'Zeta Member', admin: 'Zeta Admin', owner: 'Zeta Owner', chair: 'Zeta Chair', secretary: 'Zeta Secretary' };
    for (const role of ROLES) people[role] = await register(server.url, names[role]);
    org = await ownerDoes<OrganizationDto>('POST', '/api/organizations', { name: 'Zeta Secret Association' });
    expect((await as('POST', '/api/organizations', people.outsider, { name: 'Another Association' })).status).toBe(201);
    inviteToken = (await ownerDoes('POST', `/api/organizations/${org.id}/invitations`, {})).token;
    const adminInvite = (await ownerDoes('POST', `/api/organizations/${org.id}/invitations`, { role: 'admin' })).token;
    for (const role of ['member', 'chair', 'secretary', 'admin'] as const) {
      expect((await as('POST', `/api/invitations/${role === 'admin' ? adminInvite : inviteToken}/accept`, people[role])).status).toBe(200);
    }
    await freshInstitution();

    // A members-only event with a session, and one that takes registrations on approval.
    event = await freshEvent();
    eventSessionId = (await freshSession(event.id)).id;
    approvalEvent = await ownerDoes('POST', `/api/organizations/${org.id}/events`, { title: 'Zeta Conference (approval)', timeZone: 'UTC', registration: 'approval' });

    // A room with a finished session and a poll, for the reports.
    room = await freshRoom();
    const host = await enter(server.url, people.owner.accessToken, room.id);
    const poll = await command(host.socket, 'poll:create', { clientRequestId: requestId(), question: 'Zeta?', options: ['Yes', 'No'] });
    if (!poll.ok) throw new Error(poll.error.code);
    pollId = poll.data.id;
    host.socket.close();

    await Promise.all(
      ROLES.map(async (role) => {
        const meeting = await ownerDoes<MeetingView>('POST', `/api/organizations/${org.id}/meetings`, {
          title: 'Zeta Assembly',
          scheduledAt: new Date().toISOString(),
          voterBasis: 'members',
          chairId: people.chair.user.id,
          secretaryId: people.secretary.user.id,
        });
        fixtures[role] = { meeting, ballotId: await freshBallot({ meeting }, 'draft'), publishedBallotId: await freshBallot({ meeting }, 'published') };
      }),
    );
  }, 60_000);
  afterAll(() => server?.stop());

  it('has a rule and a probe for every org, room, meeting and ballot route the API documents', async () => {
    const doc = await http.get('/api/docs/openapi.json');
    const documented = Object.entries(doc.body.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.filter((r) => !(r in RULES) && !NOT_ORG_SCOPED.includes(r))).toEqual([]);
    expect([...Object.keys(RULES), ...NOT_ORG_SCOPED].filter((r) => !documented.includes(r))).toEqual([]);
    expect(Object.keys(PROBES).sort()).toEqual(Object.keys(RULES).sort());
  });

  it('lets exactly the roles the tables allow call each route; outsiders learn nothing', async () => {
    const observed: Record<string, Record<Role, string>> = {};
    const wanted: Record<string, Record<Role, string>> = {};
    const leaks: string[] = [];
    for (const route of Object.keys(RULES) as Route[]) {
      observed[route] = {} as Record<Role, string>;
      wanted[route] = {} as Record<Role, string>;
      // The roles of one route run side by side: each probe prepares its own objects.
      await Promise.all(
        ROLES.map(async (role) => {
          const res = await PROBES[route](people[role], fixtures[role]);
          observed[route]![role] = res.status < 300 ? 'ok' : (res.body?.error?.code ?? `status ${res.status}`);
          wanted[route]![role] = expected(RULES[route], role);
          if (role === 'outsider') {
            const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
            for (const name of SECRET_NAMES) if (text.includes(name)) leaks.push(`${route} shows "${name}"`);
          }
        }),
      );
    }
    expect(observed).toEqual(wanted);
    expect(leaks).toEqual([]);
  });

  it('lists an organisation only to its members, and lets anyone with the link join it', async () => {
    const list = (who: SessionDto) => as<OrganizationDto[]>('GET', '/api/organizations', who).then((r) => r.body.map((o) => o.name));
    expect(await list(people.outsider)).toEqual(['Another Association']);
    expect(await list(people.member)).toContain('Zeta Secret Association');
    // The link itself names the organisation: that is what an invitation is for.
    expect((await http.get(`/api/invitations/${inviteToken}`)).body).toMatchObject({ organizationName: 'Zeta Secret Association', role: 'member' });
    expect((await as('POST', `/api/invitations/${inviteToken}/accept`, people.member)).body.error.code).toBe('ALREADY_MEMBER');
    const newcomer = await register(server.url, 'Newcomer');
    expect((await as('POST', `/api/invitations/${inviteToken}/accept`, newcomer)).status).toBe(200);
    expect((await as('GET', `/api/organizations/${org.id}`, newcomer)).body.myRole).toBe('member');
  });
});

describe('secrets stay out of the log', () => {
  let server: StartedServer;
  const JWT_SECRET = `jwt-secret-${Date.now()}-must-never-be-logged`;
  beforeAll(async () => {
    // Debug level: whatever a verbose production log would hold.
    server = await startServer({ env: { LOG_LEVEL: 'debug', JWT_SECRET } });
  });
  afterAll(() => server?.stop());

  it('never logs passwords or tokens: sign-in, refresh, sign-out, invitations, room links and socket handshakes', async () => {
    const http = api(server.url);
    const secrets: [string, string][] = [['JWT secret', JWT_SECRET]];
    const keep = (label: string, ...values: string[]) => values.forEach((v, i) => secrets.push([values.length > 1 ? `${label} #${i + 1}` : label, v]));
    const password = `Pa55word-${Date.now()}-never-logged`;
    const email = `secret.${Date.now()}@example.org`;
    const reg = await http.post('/api/auth/register', { email, password, displayName: 'Keeper' });
    expect(reg.status).toBe(202);
    // The same address again: answered alike, and the attempt is logged without the password.
    expect((await http.post('/api/auth/register', { email, password: `${password}-again`, displayName: 'Keeper' })).status).toBe(202);
    keep('password', password, `${password}-again`);

    // Failed sign-ins, in every shape.
    const wrong = `Wrong-${password}`;
    keep('wrong password', wrong);
    expect((await http.post('/api/auth/sign-in', { email, password: wrong })).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email: `nobody.${email}`, password: wrong })).status).toBe(401);
    expect((await http.post('/api/auth/sign-in', { email, password: wrong, remember: wrong })).status).toBe(400);
    expect((await http.post('/api/auth/sign-in', { email: wrong, password })).status).toBe(400);
    expect((await http.post('/api/auth/sign-in', { email, password: `${wrong}${'x'.repeat(300)}` })).status).toBe(400);
    const signedIn = await signIn(server.url, email, password);
    keep('sign-in tokens', signedIn.accessToken, signedIn.refreshToken);

    // Refresh: the new pair, a replay of the old token, a well-formed stranger.
    const refreshed = await withRefreshCookie(server.url, '/api/auth/refresh', signedIn.refreshToken);
    expect(refreshed.status).toBe(200);
    keep('refreshed tokens', refreshed.body.accessToken, refreshCookie(refreshed)!);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', signedIn.refreshToken)).status).toBe(401);
    const stranger = `unknown-refresh-token-${Date.now()}-abcdefgh`;
    keep('unknown refresh token', stranger);
    expect((await withRefreshCookie(server.url, '/api/auth/refresh', stranger)).status).toBe(401);

    // Sign-out.
    const other = await register(server.url, 'Leaver');
    keep('signed-out tokens', other.accessToken, other.refreshToken);
    expect((await withRefreshCookie(server.url, '/api/auth/sign-out', other.refreshToken)).status).toBe(204);

    // Invitation tokens (in paths) and room invite tokens (in the query string), also on failing requests.
    const owner = (await signIn(server.url, email, password)) as SessionDto;
    const org = (await http.post<OrganizationDto>('/api/organizations', { name: 'Log Org' }, owner.accessToken)).body;
    const invitation = (await http.post(`/api/organizations/${org.id}/invitations`, {}, owner.accessToken)).body.token as string;
    keep('organisation invitation token', invitation);
    expect((await http.get(`/api/invitations/${invitation}`)).status).toBe(200);
    const guest = await register(server.url, 'Guest');
    keep('guest tokens', guest.accessToken, guest.refreshToken);
    expect((await http.post(`/api/invitations/${invitation}/accept`, undefined, guest.accessToken)).status).toBe(200);
    await rawHttp(server.url, { method: 'POST', path: `/api/invitations/${invitation}/accept`, headers: { authorization: `Bearer ${guest.accessToken}`, 'content-type': 'application/json; charset=latin1' }, body: '{}' });
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Log room' });
    const roomInvite = (await http.post(`/api/rooms/${room.id}/invites`, {}, owner.accessToken)).body.token as string;
    keep('room invite token', roomInvite);
    const outsider = await register(server.url, 'Link holder');
    keep('link holder tokens', outsider.accessToken, outsider.refreshToken);
    expect((await http.get(`/api/rooms/${room.id}?invite=${roomInvite}`, outsider.accessToken)).status).toBe(200);

    // Socket handshakes: good and bad tokens, in the auth payload and (wrongly) in the query string, over both transports.
    const bad = `not-a-real-token-${Date.now()}-secret`;
    keep('bad handshake token', bad);
    // (The sign-in's session ended with the replay above; the second one, `owner`, is still good.)
    const s = await connectSocket(server.url, { token: owner.accessToken });
    s.close();
    await connectSocket(server.url, { token: signedIn.accessToken }).then((x) => x.close(), () => undefined);
    await connectSocket(server.url, { token: bad }).then((x) => x.close(), () => undefined);
    await connectSocket(server.url, { token: other.accessToken }).then((x) => x.close(), () => undefined);
    for (const transports of [['polling'], ['websocket']]) {
      const q = io(server.url, {
        path: SOCKET_PATH,
        transports,
        auth: { token: owner.accessToken, protocol: PROTOCOL_VERSION },
        query: { token: owner.accessToken },
        reconnection: false,
        forceNew: true,
      });
      await new Promise((r) => q.once('connect', () => r(undefined)).once('connect_error', r));
      q.close();
    }
    await new Promise((r) => setTimeout(r, 300));

    const logs = server.logs();
    // The requests were logged (so the absence below means something)...
    expect(logs).toContain('/api/auth/sign-in');
    expect(logs).toContain('/api/auth/refresh');
    expect(logs).toContain('socket connected');
    // ...without a single secret.
    const where = (x: string) => logs.split('\n').find((l) => l.includes(x))!.replace(x, '<SECRET>').replace(/.*?("(?:url|msg|err)")/, '$1').slice(0, 160);
    expect(secrets.filter(([, x]) => logs.includes(x)).map(([label, x]) => `${label}: ${where(x)}`)).toEqual([]);
    // Nor the signature of any token (what makes it usable).
    expect(secrets.filter(([, x]) => x.split('.').length === 3 && logs.includes(x.split('.')[2]!)).map(([label]) => label)).toEqual([]);
  });
});
