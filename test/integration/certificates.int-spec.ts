import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import jsQR from 'jsqr';
import { Client } from 'pg';
import type { CpdOverviewDto, IssuedCertificateDto, MyCpdDto, VerificationDto } from '../../server/src/contract';
import { api, register, type TestSession } from '../helpers/api';
import { artifact, flipAt, pdfPagePixels, pdftotext, verifyCertificateCli } from '../helpers/certificates';
import { addSession, createEvent, registerFor, utcWall } from '../helpers/events';
import { createRoom, orgWithMembers } from '../helpers/room';
import { freePort, type StartedServer, startServer } from '../helpers/server-process';

/**
 * Certificates of attendance against the real app and PostgreSQL. Attendance traces are generated
 * (devices overlapping, rejoins, a room that went down and came back, sessions cut short) and written
 * as the rooms' recorder writes them; each person then asks for a certificate, and gets one exactly
 * when a second-by-second count made here, independently of the server's measure, reaches the
 * threshold. Then the credential: verified by the server and by `npm run verify-certificate`, every
 * changed character refused, revocation shown, forged ids and bad input answered with stable codes,
 * and the PDF read back (Arabic and Chinese names, the QR code's link).
 */
jest.setTimeout(300_000);

const MIN = 60_000;
const THRESHOLD = 30;

/** A compact JWS signed by `key` (Ed25519), as a forger with their own key would make it. */
function signCompact(header: object, claims: object, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** A small deterministic generator, so a failing trace can be replayed. */
function generator(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
}

interface Trace {
  person: TestSession;
  visits: { from: number; to: number | null }[];
}

/** Seconds a person was in the room while it was live and the session was on: counted one second at a time. */
function countSeconds(visits: Trace['visits'], live: [number, number][], slot: [number, number], now: number): number {
  let n = 0;
  for (let t = slot[0]; t < Math.min(slot[1], now); t += 1000) {
    const mid = t + 500;
    if (!live.some(([a, b]) => mid >= a && mid < b)) continue;
    if (visits.some((v) => mid >= v.from && mid < (v.to ?? now))) n++;
  }
  return n;
}

describe('CPD certificates', () => {
  let server: StartedServer;
  let http: ReturnType<typeof api>;
  let db: Client;
  let owner: TestSession;
  let admin: TestSession;
  let orgId: string;
  let eventId: string;
  let roomId: string;
  const traces: Trace[] = [];
  let slot: [number, number];
  let live: [number, number][];
  let stranger: TestSession;
  let arabic: TestSession;
  let chinese: TestSession;

  const as = <T = any>(who: TestSession, method: string, path: string, body?: unknown) => http.call<T>(method, path, body, who.accessToken);
  const liveRoomSession = async (room: string, from: number, to: number) =>
    (await db.query<{ id: string }>(`INSERT INTO room_sessions (room_id, started_at, ended_at) VALUES ($1, $2, $3) RETURNING id`, [room, new Date(from), new Date(to)])).rows[0]!.id;
  const visit = (sessionId: string, room: string, who: TestSession, from: number, to: number | null) =>
    db.query(`INSERT INTO attendance (session_id, room_id, user_id, display_name, joined_at, left_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      sessionId,
      room,
      who.user.id,
      who.user.displayName,
      new Date(from),
      to === null ? null : new Date(to),
    ]);

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer({ env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    http = api(server.url);
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    const setup = await orgWithMembers(server.url, 0, 'Asociación de Bibliotecas');
    owner = setup.owner;
    orgId = setup.org.id;
    const adminInvite = (await http.post(`/api/organizations/${orgId}/invitations`, { role: 'admin' }, owner.accessToken)).body;
    admin = await register(server.url, 'Admin Person');
    await http.post(`/api/invitations/${adminInvite.token}/accept`, undefined, admin.accessToken);
    const invite = (await http.post(`/api/organizations/${orgId}/invitations`, {}, owner.accessToken)).body;
    const join = async (name: string) => {
      const s = await register(server.url, name);
      await http.post(`/api/invitations/${invite.token}/accept`, undefined, s.accessToken);
      return s;
    };

    roomId = (await createRoom(server.url, owner.accessToken, orgId, { name: 'Main hall' })).id;
    const event = await createEvent(server.url, owner.accessToken, orgId, { title: 'Forum 2026', timeZone: 'UTC' });
    eventId = event.id;
    const now = Date.now();
    // A two-hour session that ended an hour ago, whose room went down after 50 minutes, came back at 55 and closed at 100.
    const start = Math.floor((now - 180 * MIN) / MIN) * MIN;
    slot = [start, start + 120 * MIN];
    await addSession(server.url, owner.accessToken, eventId, { title: 'Plenary', startsAt: utcWall(new Date(slot[0])), endsAt: utcWall(new Date(slot[1])), roomId });
    live = [
      [start - 10 * MIN, start + 50 * MIN],
      [start + 55 * MIN, start + 100 * MIN],
    ];
    const roomSessions = [await liveRoomSession(roomId, ...live[0]!), await liveRoomSession(roomId, ...live[1]!)];

    const rnd = generator(2026);
    const people: { name: string; visits: Trace['visits'] }[] = [];
    for (let i = 0; i < 12; i++) {
      // 1 to 3 visits (devices and rejoins), joined anywhere from before the slot to its end, seconds apart.
      const visits = Array.from({ length: 1 + rnd(3) }, () => {
        const from = start - 15 * MIN + rnd(125 * 60) * 1000;
        return { from, to: rnd(8) === 0 ? null : from + (60 + rnd(30 * 60)) * 1000 };
      });
      people.push({ name: `Member ${i + 1}`, visits });
    }
    // At the boundary: exactly 30 minutes on two overlapping devices, and one second short of it.
    people.push({ name: 'سعيد حداد', visits: [{ from: start, to: start + 20 * MIN }, { from: start + 10 * MIN, to: start + 30 * MIN }] });
    people.push({ name: '李明华', visits: [{ from: start + 40 * MIN, to: start + 50 * MIN }, { from: start + 55 * MIN, to: start + 75 * MIN }] });
    people.push({ name: 'One Second Short', visits: [{ from: start + 20 * MIN, to: start + 50 * MIN - 1000 }] });
    // Present only while the room was down, and before and after the slot: nothing counts.
    people.push({ name: 'Outside Times', visits: [{ from: start - 15 * MIN, to: start }, { from: start + 50 * MIN, to: start + 55 * MIN }, { from: start + 100 * MIN, to: start + 140 * MIN }] });

    for (const p of people) {
      const who = await join(p.name);
      expect((await registerFor(server.url, who.accessToken, eventId)).body.status).toBe('confirmed');
      for (const v of p.visits) await visit(v.from < live[1]![0] ? roomSessions[0]! : roomSessions[1]!, roomId, who, v.from, v.to);
      traces.push({ person: who, visits: p.visits });
    }
    arabic = traces.find((t) => t.person.user.displayName === 'سعيد حداد')!.person;
    chinese = traces.find((t) => t.person.user.displayName === '李明华')!.person;
    // Attended plenty, never registered for an event that takes registrations.
    stranger = await join('Not Registered');
    await visit(roomSessions[0]!, roomId, stranger, start, start + 50 * MIN);
  }, 280_000);

  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  it('refuses thresholds out of range, and certificates before a threshold is set', async () => {
    const who = traces[0]!.person;
    expect((await as(who, 'POST', `/api/events/${eventId}/certificates/mine`)).body.error.code).toBe('CPD_NOT_CONFIGURED');
    for (const threshold of [
      { mode: 'percent', value: -1 },
      { mode: 'percent', value: 0 },
      { mode: 'percent', value: 100.5 },
      { mode: 'percent', value: 101 },
      { mode: 'minutes', value: -5 },
      { mode: 'minutes', value: 0 },
      { mode: 'minutes', value: 1.5 },
      { mode: 'minutes', value: 10_000_000 },
    ]) {
      const res = await as(owner, 'PUT', `/api/events/${eventId}/cpd`, { threshold });
      expect([threshold, res.status, res.body.error?.code]).toEqual([threshold, 400, 'INVALID_CPD_THRESHOLD']);
    }
    expect((await as(owner, 'PUT', `/api/events/${eventId}/cpd`, { threshold: { mode: 'hours', value: 1 } })).body.error.code).toBe('INVALID_PAYLOAD');
    expect((await as(owner, 'PUT', `/api/events/${eventId}/cpd`, { threshold: { mode: 'percent', value: 'ten' } })).body.error.code).toBe('INVALID_PAYLOAD');
    // Only the organisers set it.
    expect((await as(who, 'PUT', `/api/events/${eventId}/cpd`, { threshold: { mode: 'minutes', value: 1 } })).body.error.code).toBe('FORBIDDEN');
    const set = await as<CpdOverviewDto>(owner, 'PUT', `/api/events/${eventId}/cpd`, { threshold: { mode: 'minutes', value: THRESHOLD } });
    expect(set.status).toBe(200);
    expect(set.body.threshold).toEqual({ mode: 'minutes', value: THRESHOLD });
  });

  it('issues a certificate exactly to those whose measured minutes meet the threshold', async () => {
    const now = Date.now();
    const outcomes = { eligible: 0, not: 0 };
    for (const { person, visits } of traces) {
      const seconds = countSeconds(visits, live, slot, now);
      const mine = await as<MyCpdDto>(person, 'GET', `/api/events/${eventId}/cpd/mine`);
      expect([person.user.displayName, mine.body.totalMinutes]).toEqual([person.user.displayName, Math.floor(seconds / 60)]);
      const res = await as(person, 'POST', `/api/events/${eventId}/certificates/mine`);
      const eligible = seconds >= THRESHOLD * 60;
      expect([person.user.displayName, seconds, res.status, res.body.error?.code ?? 'issued']).toEqual([
        person.user.displayName,
        seconds,
        eligible ? 200 : 403,
        eligible ? 'issued' : 'CPD_NOT_MET',
      ]);
      outcomes[eligible ? 'eligible' : 'not']++;
      if (eligible) expect(res.body).toMatchObject({ holderName: person.user.displayName, totalMinutes: Math.floor(seconds / 60), status: 'valid', issuerName: 'Asociación de Bibliotecas' });
    }
    // The generated traces fall on both sides of the threshold.
    expect(outcomes.eligible).toBeGreaterThanOrEqual(4);
    expect(outcomes.not).toBeGreaterThanOrEqual(4);
    expect((await as(arabic, 'GET', `/api/events/${eventId}/cpd/mine`)).body).toMatchObject({ totalMinutes: 30, eligible: true });
    const short = traces.find((t) => t.person.user.displayName === 'One Second Short')!.person;
    expect((await as(short, 'GET', `/api/events/${eventId}/cpd/mine`)).body).toMatchObject({ totalMinutes: 29, eligible: false, certificate: null });
    const outside = traces.find((t) => t.person.user.displayName === 'Outside Times')!.person;
    expect((await as(outside, 'GET', `/api/events/${eventId}/cpd/mine`)).body.totalMinutes).toBe(0);
  });

  it('gives a certificate only to confirmed registrants of an event that takes registrations', async () => {
    expect((await as<MyCpdDto>(stranger, 'GET', `/api/events/${eventId}/cpd/mine`)).body).toMatchObject({ totalMinutes: 50, eligible: false });
    const res = await as(stranger, 'POST', `/api/events/${eventId}/certificates/mine`);
    expect([res.status, res.body.error.code, res.body.error.details]).toEqual([403, 'CPD_NOT_MET', { registered: false }]);
  });

  it('issues once: a repeated or concurrent request gives the same certificate', async () => {
    const first = await as<IssuedCertificateDto>(arabic, 'POST', `/api/events/${eventId}/certificates/mine`);
    const again = await Promise.all(Array.from({ length: 6 }, () => as<IssuedCertificateDto>(arabic, 'POST', `/api/events/${eventId}/certificates/mine`)));
    expect(new Set(again.map((r) => r.body.id))).toEqual(new Set([first.body.id]));
    expect(again.every((r) => r.body.credential === first.body.credential)).toBe(true);
    const rows = await db.query(`SELECT count(*)::int AS n FROM certificates WHERE user_id = $1`, [arabic.user.id]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('shows the organisers who is eligible and issued, and issues to the rest of the eligible at once', async () => {
    // A newcomer becomes eligible after the others asked: the organisers' issue reaches them.
    const late = await register(server.url, 'Late Comer');
    const invite = (await http.post(`/api/organizations/${orgId}/invitations`, {}, owner.accessToken)).body;
    await http.post(`/api/invitations/${invite.token}/accept`, undefined, late.accessToken);
    await registerFor(server.url, late.accessToken, eventId);
    const rs = (await db.query(`SELECT id FROM room_sessions WHERE room_id = $1 ORDER BY started_at LIMIT 1`, [roomId])).rows[0].id;
    await visit(rs, roomId, late, slot[0], slot[0] + 45 * MIN);
    const before = (await as<CpdOverviewDto>(admin, 'GET', `/api/events/${eventId}/cpd`)).body;
    expect(before.people.find((p) => p.userId === late.user.id)).toMatchObject({ eligible: true, certificate: null, totalMinutes: 45 });
    expect(before.people.find((p) => p.userId === stranger.user.id)).toMatchObject({ eligible: false, certificate: null });
    const after = (await as<CpdOverviewDto>(admin, 'POST', `/api/events/${eventId}/certificates`)).body;
    const issued = after.people.filter((p) => p.certificate);
    expect(issued.map((p) => p.userId).sort()).toEqual(after.people.filter((p) => p.eligible).map((p) => p.userId).sort());
    expect(after.people.find((p) => p.userId === late.user.id)!.certificate!.status).toBe('valid');
    // Again: nothing new.
    const twice = (await as<CpdOverviewDto>(admin, 'POST', `/api/events/${eventId}/certificates`)).body;
    expect(twice.people.filter((p) => p.certificate).map((p) => p.certificate!.id).sort()).toEqual(issued.map((p) => p.certificate!.id).sort());
    // Members do not see the list.
    expect((await as(traces[0]!.person, 'GET', `/api/events/${eventId}/cpd`)).body.error.code).toBe('FORBIDDEN');
    expect((await as(traces[0]!.person, 'POST', `/api/events/${eventId}/certificates`)).body.error.code).toBe('FORBIDDEN');
  });

  it('measures a percent of each session’s live time, for a session cut short', async () => {
    const room2 = (await createRoom(server.url, owner.accessToken, orgId, { name: 'Side room' })).id;
    const event2 = await createEvent(server.url, owner.accessToken, orgId, { title: 'Workshop day', timeZone: 'UTC', registration: 'none' });
    const s2 = Math.floor((Date.now() - 100 * MIN) / MIN) * MIN;
    await addSession(server.url, owner.accessToken, event2.id, { title: 'Cataloguing workshop', startsAt: utcWall(new Date(s2)), endsAt: utcWall(new Date(s2 + 60 * MIN)), roomId: room2 });
    // The room was live 30 of the session's 60 minutes.
    const rs = await liveRoomSession(room2, s2 + 5 * MIN, s2 + 35 * MIN);
    const [half, less, after] = traces.slice(0, 3).map((t) => t.person);
    await visit(rs, room2, half!, s2, s2 + 20 * MIN); // 15 of 30 live minutes: 50 %
    await visit(rs, room2, less!, s2 + 10 * MIN, s2 + 24 * MIN); // 14 of 30
    await visit(rs, room2, after!, s2 + 35 * MIN, s2 + 60 * MIN); // all after the room closed
    expect((await as(owner, 'PUT', `/api/events/${event2.id}/cpd`, { threshold: { mode: 'percent', value: 50 } })).status).toBe(200);
    const got = await Promise.all([half, less, after].map((p) => as(p!, 'POST', `/api/events/${event2.id}/certificates/mine`)));
    expect(got.map((r) => r.body.error?.code ?? r.status)).toEqual([200, 'CPD_NOT_MET', 'CPD_NOT_MET']);
    const mine = (await as<MyCpdDto>(less!, 'GET', `/api/events/${event2.id}/cpd/mine`)).body;
    expect(mine.sessions[0]).toMatchObject({ liveMinutes: 30, attendedMinutes: 14, met: false });
    expect(mine.sessions[0]!.percent).toBeCloseTo(46.6, 1);
  });

  describe('the signed credential', () => {
    let cert: IssuedCertificateDto;
    let jwksFile: string;

    beforeAll(async () => {
      cert = (await as<IssuedCertificateDto>(chinese, 'POST', `/api/events/${eventId}/certificates/mine`)).body;
      const jwks = await http.get('/.well-known/jwks.json');
      expect(jwks.body.keys).toHaveLength(1);
      expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(jwks.body.keys[0].d).toBeUndefined();
      jwksFile = artifact('jwks.json', JSON.stringify(jwks.body));
    });

    it('is an Open Badges 3.0 VC-JWT signed with EdDSA, whose status and verification page it names', async () => {
      const [h, p] = cert.credential.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x!, 'base64url').toString('utf8')));
      expect(h).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt' });
      expect(p.vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
      expect(p.vc.credentialSubject.identifier[0].identityHash).toBe('李明华');
      expect(p.vc.issuer.name).toBe('Asociación de Bibliotecas');
      expect(p.jti).toBe(`urn:uuid:${cert.id}`);
      expect((await http.get(new URL(p.vc.credentialStatus.id).pathname)).body).toMatchObject({ id: cert.id, status: 'valid' });
      expect(cert.verifyUrl).toBe(`${server.url}/certificates/verify?id=${cert.id}`);
    });

    it('verifies, by id and by credential, on the server and with the independent script', async () => {
      expect((await http.get<VerificationDto>(`/api/certificates/${cert.id}/verification`)).body).toMatchObject({ result: 'valid', certificate: { holderName: '李明华', totalMinutes: 30 } });
      expect((await http.post<VerificationDto>('/api/certificates/verify', { credential: cert.credential })).body.result).toBe('valid');
      const file = artifact('good.jwt', cert.credential);
      const byFile = await verifyCertificateCli([file, '--public-key', jwksFile]);
      expect([byFile.status, byFile.out]).toEqual([0, expect.stringContaining(`OK urn:uuid:${cert.id}`)]);
      // The key set fetched from the issuer's site, as named by the credential.
      const byUrl = await verifyCertificateCli([file]);
      expect([byUrl.status, byUrl.out]).toEqual([0, expect.stringContaining('holder: 李明华')]);
    });

    it('fails verification for every changed character, on the server', async () => {
      expect(cert.credential.length).toBeGreaterThan(500);
      const t = cert.credential;
      const codes = new Map<string, number>();
      // Every character changed to its neighbour in the alphabet; every tenth also bit-flipped (leaving the alphabet at times).
      const bitFlip = (i: number) => t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ 1) + t.slice(i + 1);
      const changes = [...t].flatMap((_, i) => (i % 10 ? [[i, flipAt(t, i)] as const] : [[i, flipAt(t, i)] as const, [i, bitFlip(i)] as const]));
      for (let k = 0; k < changes.length; k += 4) {
        await Promise.all(
          changes.slice(k, k + 4).map(async ([i, changed]) => {
            const res = await http.post<VerificationDto>('/api/certificates/verify', { credential: changed });
            expect([i, res.status, res.body.result]).toEqual([i, 200, 'invalid']);
            if (res.body.result === 'invalid') codes.set(res.body.code, (codes.get(res.body.code) ?? 0) + 1);
          }),
        );
      }
      // A changed signature or claim is a bad signature; a changed header names no key of ours or does not parse.
      expect(codes.get('CREDENTIAL_SIGNATURE_INVALID')).toBeGreaterThan(t.length / 2);
      expect([...codes.keys()].every((c) => ['CREDENTIAL_SIGNATURE_INVALID', 'CREDENTIAL_MALFORMED', 'CREDENTIAL_UNKNOWN_KEY'].includes(c))).toBe(true);
    });

    it('fails with the script for changed characters in the header, the claims and the signature', async () => {
      const t = cert.credential;
      const [h, p] = t.split('.');
      // Each part's first, middle and last character (the last carries spare bits), and a sample besides.
      const positions = [0, h!.length >> 1, h!.length - 1, h!.length + 1, h!.length + 1 + (p!.length >> 1), h!.length + p!.length, h!.length + p!.length + 2, t.length - 2, t.length - 1];
      positions.push(Math.floor(t.length / 3), Math.floor((2 * t.length) / 3));
      for (const i of positions) {
        const r = await verifyCertificateCli([artifact(`flip-${i}.jwt`, flipAt(t, i)), '--public-key', jwksFile, '--offline']);
        expect([i, r.status, r.out.startsWith('FAIL')]).toEqual([i, 1, true]);
      }
    });

    it('refuses malformed and foreign credentials with stable codes', async () => {
      const check = async (credential: string) => {
        const r = (await http.post<VerificationDto>('/api/certificates/verify', { credential })).body;
        return r.result === 'invalid' ? r.code : r.result;
      };
      expect(await check('')).toBe('CREDENTIAL_MALFORMED');
      expect(await check('not a token')).toBe('CREDENTIAL_MALFORMED');
      expect(await check('a.b.c')).toBe('CREDENTIAL_MALFORMED');
      expect(await check(`${cert.credential}.${cert.credential}`)).toBe('CREDENTIAL_MALFORMED');
      const [, payload] = cert.credential.split('.');
      expect(await check(`${Buffer.from(JSON.stringify({ alg: 'none', typ: 'vc+jwt' })).toString('base64url')}.${payload}.`)).toBe('CREDENTIAL_MALFORMED');
      // The same claims signed by another key, once under our key's id and once under its own.
      const key = generateKeyPairSync('ed25519').privateKey;
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      const ourKid = JSON.parse(Buffer.from(cert.credential.split('.')[0]!, 'base64url').toString('utf8')).kid;
      expect(await check(signCompact({ alg: 'EdDSA', typ: 'vc+jwt', kid: ourKid }, claims, key))).toBe('CREDENTIAL_SIGNATURE_INVALID');
      expect(await check(signCompact({ alg: 'EdDSA', typ: 'vc+jwt', kid: 'someone-else' }, claims, key))).toBe('CREDENTIAL_UNKNOWN_KEY');
      const forged = await verifyCertificateCli([artifact('forged.jwt', signCompact({ alg: 'EdDSA', typ: 'vc+jwt', kid: ourKid }, claims, key)), '--public-key', jwksFile]);
      expect([forged.status, forged.out]).toEqual([1, expect.stringContaining('FAIL CREDENTIAL_SIGNATURE_INVALID')]);
      const garbage = await verifyCertificateCli([artifact('garbage.jwt', 'hello')]);
      expect([garbage.status, garbage.out]).toEqual([1, expect.stringContaining('FAIL CREDENTIAL_MALFORMED')]);
      expect((await http.post('/api/certificates/verify', { credential: 'x'.repeat(40_000) })).body.error.code).toBe('INVALID_PAYLOAD');
    });

    it('answers forged certificate ids with CERTIFICATE_NOT_FOUND', async () => {
      for (const id of [randomUUID(), '00000000-0000-0000-0000-000000000000', 'abc', `${cert.id}x`, "1' OR '1'='1", cert.id.toUpperCase().replace(/[0-9]/, 'Z')]) {
        const res = await http.get<VerificationDto>(`/api/certificates/${encodeURIComponent(id)}/verification`);
        // An id of the right shape is answered "invalid"; one that cannot be an id is refused as a bad request for one.
        if (/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(id)) expect([id, res.status, res.body]).toEqual([id, 200, expect.objectContaining({ result: 'invalid', code: 'CERTIFICATE_NOT_FOUND' })]);
        else expect([id, res.status, (res.body as unknown as { error: { code: string } }).error.code]).toEqual([id, 404, 'CERTIFICATE_NOT_FOUND']);
        expect((await http.get(`/api/certificates/${encodeURIComponent(id)}/status`)).body.error.code).toBe('CERTIFICATE_NOT_FOUND');
      }
      // Someone else's certificate is not theirs to download.
      expect((await as(traces[0]!.person, 'GET', `/api/certificates/${cert.id}`)).body.error.code).toBe('CERTIFICATE_NOT_FOUND');
      expect((await as(traces[0]!.person, 'GET', `/api/certificates/${cert.id}/certificate.pdf`)).body.error.code).toBe('CERTIFICATE_NOT_FOUND');
    });

    it('renders Arabic and Chinese names in the PDF, with a QR code to the verification page', async () => {
      const zh = await fetch(`${server.url}/api/certificates/${cert.id}/certificate.pdf`, { headers: { authorization: `Bearer ${chinese.accessToken}` } });
      expect(zh.headers.get('content-type')).toMatch(/^application\/pdf/);
      const zhPdf = Buffer.from(await zh.arrayBuffer());
      const zhText = await pdftotext(zhPdf);
      for (const expected of ['李明华', 'Forum 2026', 'Asociación de Bibliotecas', 'Plenary', cert.id, 'CERTIFICATE OF ATTENDANCE']) expect(zhText).toContain(expected);
      const page = await pdfPagePixels(zhPdf);
      expect(jsQR(page.data, page.width, page.height)?.data).toBe(cert.verifyUrl);

      const arCert = (await as<IssuedCertificateDto>(arabic, 'POST', `/api/events/${eventId}/certificates/mine`)).body;
      const ar = await fetch(`${server.url}/api/certificates/${arCert.id}/certificate.pdf`, { headers: { authorization: `Bearer ${arabic.accessToken}` } });
      expect(await pdftotext(Buffer.from(await ar.arrayBuffer()))).toContain('سعيد حداد');
    });

    it('is revoked by the organisers with a reason, and then verifies as revoked', async () => {
      const path = `/api/certificates/${cert.id}/revoke`;
      expect((await as(chinese, 'POST', path, { reason: 'I would like to' })).body.error.code).toBe('FORBIDDEN');
      expect((await as(traces[0]!.person, 'POST', path, { reason: 'Not mine' })).body.error.code).toBe('FORBIDDEN');
      const outsider = await register(server.url, 'Outsider');
      expect((await as(outsider, 'POST', path, { reason: 'Not mine' })).body.error.code).toBe('NOT_FOUND');
      expect((await as(admin, 'POST', path, { reason: '' })).body.error.code).toBe('INVALID_PAYLOAD');
      expect((await as(admin, 'POST', `/api/certificates/${randomUUID()}/revoke`, { reason: 'Attendance was shared' })).body.error.code).toBe('CERTIFICATE_NOT_FOUND');
      const revoked = await as(admin, 'POST', path, { reason: 'Attendance was shared with another person' });
      expect(revoked.body).toMatchObject({ status: 'revoked', revocationReason: 'Attendance was shared with another person' });
      // A second revocation keeps the first one's reason.
      expect((await as(owner, 'POST', path, { reason: 'Another reason' })).body.revocationReason).toBe('Attendance was shared with another person');

      expect((await http.get<VerificationDto>(`/api/certificates/${cert.id}/verification`)).body).toMatchObject({ result: 'revoked', certificate: { revocationReason: 'Attendance was shared with another person' } });
      expect((await http.post<VerificationDto>('/api/certificates/verify', { credential: cert.credential })).body.result).toBe('revoked');
      expect((await http.get(`/api/certificates/${cert.id}/status`)).body).toMatchObject({ status: 'revoked' });
      const cli = await verifyCertificateCli([artifact('revoked.jwt', cert.credential), '--public-key', jwksFile]);
      expect([cli.status, cli.out]).toEqual([1, expect.stringContaining('FAIL CERTIFICATE_REVOKED')]);
      // The holder asking again gets the revoked one, not a fresh certificate.
      const again = await as<IssuedCertificateDto>(chinese, 'POST', `/api/events/${eventId}/certificates/mine`);
      expect([again.body.id, again.body.status]).toEqual([cert.id, 'revoked']);
    });
  });
});
