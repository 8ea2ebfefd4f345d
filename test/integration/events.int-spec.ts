/**
 * Events end to end: a programme's times in 23 time zones (DST changes during the event included)
 * agree between the database, the API, the calendar file (parsed back with node-ical) and the mail;
 * calendar files are valid RFC 5545 (75-octet lines, SEQUENCE raised on change, METHOD:CANCEL);
 * bad input gets its own error code; a registration-only session's room lets in only the registered.
 */
import { randomUUID } from 'node:crypto';
import ical from 'node-ical';
import { Client } from 'pg';
import type { EventDto, EventSummaryDto } from '../../server/src/contract';
import { register } from '../helpers/api';
import { addSession, createEvent, registerFor, utcWall } from '../helpers/events';
import { createRoom, enter, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';
import { startSmtp } from '../helpers/smtp';

jest.setTimeout(180_000);

/** Zones with the first day of an event whose second day begins with a change of UTC offset (DST or a new standard time). */
const ZONES: [string, string][] = [
  ['America/Sao_Paulo', '2018-11-03'],
  ['Europe/Moscow', '2014-10-25'],
  ['Asia/Almaty', '2024-02-29'],
  ['Africa/Cairo', '2023-04-27'],
  ['Asia/Tehran', '2022-03-21'],
  ['Europe/London', '2025-03-29'],
  ['Europe/Berlin', '2025-10-25'],
  ['America/New_York', '2025-03-08'],
  ['America/Los_Angeles', '2025-11-01'],
  ['Australia/Sydney', '2025-04-05'],
  ['Pacific/Auckland', '2025-09-27'],
  ['America/Santiago', '2025-04-05'],
  ['America/Mexico_City', '2022-10-29'],
  ['Australia/Lord_Howe', '2025-04-05'],
  ['America/St_Johns', '2025-03-08'],
  ['Pacific/Chatham', '2025-04-05'],
  ['Europe/Dublin', '2025-03-29'],
  ['Asia/Kolkata', '2025-06-01'],
  ['Asia/Kathmandu', '2025-06-01'],
  ['Asia/Shanghai', '2025-06-01'],
  ['Asia/Tokyo', '2025-06-01'],
  ['Africa/Nairobi', '2025-06-01'],
  ['Asia/Riyadh', '2025-06-01'],
];

const nextDay = (d: string) => new Date(Date.parse(`${d}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const ics = (text: string) => Object.values(ical.sync.parseICS(text)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
/** The wall clock and UTC offset Intl gives for an instant in a zone, as an independent reading. */
function reading(iso: string, tz: string): { wall: string; offset: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? 'UTC+00:00' : parts.timeZoneName!.replace('GMT', 'UTC');
  return { wall: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`, offset };
}

describe('events', () => {
  let server: StartedServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let db: Client;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url } });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
    await smtp?.close();
  });

  it('shows each session at the same instant in the database, the API, the ICS and the mail, in 23 zones', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Time Zone Alliance');
    const ada = await register(server.url, 'Ada');
    const problems: string[] = [];
    for (const [tz, day] of ZONES) {
      const event = await createEvent(server.url, owner.accessToken, org.id, { title: `Forum ${tz}`, timeZone: tz, visibility: 'public' });
      // 09:00 on both days: the second is after the change, so a fixed offset would move it.
      const first = await addSession(server.url, owner.accessToken, event.id, {
        title: `Day one ${tz}`,
        startsAt: `${day}T09:00`,
        endsAt: `${day}T10:30`,
      });
      const second = await addSession(server.url, owner.accessToken, event.id, {
        title: `Day two ${tz}`,
        startsAt: `${nextDay(day)}T09:00`,
        endsAt: `${nextDay(day)}T10:30`,
      });

      const { rows } = await db.query<{ id: string; starts_at: Date }>('SELECT id, starts_at FROM event_sessions WHERE event_id = $1', [
        event.id,
      ]);
      const stored = new Map(rows.map((r) => [r.id, r.starts_at.toISOString()]));
      const page = (await http.get<EventDto>(`/api/events/${event.id}`)).body;
      const file = await http.call<string>('GET', `/api/events/${event.id}/calendar.ics`);
      const vevents = ics(String(file.body));

      for (const s of [first, second]) {
        const instant = stored.get(s.id)!;
        const api = page.sessions.find((x) => x.id === s.id)!;
        const vevent = vevents.find((v) => v.uid.startsWith(`session-${s.id}@`));
        const r = reading(instant, tz);
        if (r.wall !== s.localStartsAt || !r.wall.endsWith('T09:00'))
          problems.push(`${tz}: stored ${instant} reads ${r.wall}, asked for ${s.localStartsAt}`);
        if (api.startsAt !== instant) problems.push(`${tz}: API ${api.startsAt} vs database ${instant}`);
        if (vevent?.start.toISOString() !== instant) problems.push(`${tz}: ICS ${vevent?.start.toISOString()} vs database ${instant}`);
      }

      // The confirmation mail lists both sessions with the wall clock and offset of that instant.
      expect((await registerFor(server.url, ada.accessToken, event.id, { timeZone: 'Asia/Kathmandu' })).status).toBe(201);
      const mail = await smtp.next();
      for (const s of [first, second]) {
        const r = reading(stored.get(s.id)!, tz);
        const block = mail.text!.slice(mail.text!.indexOf(s.title));
        const line = block.split('\n')[1] ?? '';
        if (!line.includes(`(${tz}, ${r.offset})`) || !line.includes(r.wall.slice(11)))
          problems.push(`${tz}: mail says "${line.trim()}", expected ${r.wall.slice(11)} ${r.offset}`);
        const own = reading(stored.get(s.id)!, 'Asia/Kathmandu');
        const ownLine = block.split('\n')[2] ?? '';
        if (tz !== 'Asia/Kathmandu' && !(ownLine.includes(`(Asia/Kathmandu, ${own.offset})`) && ownLine.includes(own.wall.slice(11))))
          problems.push(`${tz}: no registrant time in mail`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('writes calendar files an independent parser reads, with folded lines, SEQUENCE and METHOD', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Calendar Alliance');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Main hall' });
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Библиотеки 图书馆 المكتبات — a long multilingual title that needs folding',
      timeZone: 'Asia/Almaty',
      visibility: 'public',
    });
    const s = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Open access: what ten years of shared repositories taught the alliance',
      description: 'Speakers from three continents; 中文 و عربي; commas, semicolons and "quotes".',
      startsAt: '2030-03-01T09:00',
      endsAt: '2030-03-01T10:00',
      roomId: room.id,
      speakers: [{ name: 'Ngozi Okafor', affiliation: 'University of Lagos Library' }],
    });
    const get = async (path: string) => {
      const res = await http.call<string>('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/calendar');
      return String(res.body);
    };
    const first = await get(`/api/events/${event.id}/sessions/${s.id}/calendar.ics`);
    for (const line of first.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(first).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(first).toContain('METHOD:REQUEST');
    const [v1] = ics(first);
    expect(v1!.uid).toBe(`session-${s.id}@localhost`);
    expect(v1!.start.toISOString()).toBe('2030-03-01T04:00:00.000Z');
    expect(v1!.summary).toContain('Open access');
    expect(String(v1!.description)).toContain('中文 و عربي; commas');
    const seq = (t: string) => Number(/SEQUENCE:(\d+)/.exec(t)![1]);

    // A change keeps the UID and raises SEQUENCE.
    expect(
      (await http.patch(`/api/event-sessions/${s.id}`, { startsAt: '2030-03-01T11:00', endsAt: '2030-03-01T12:00' }, owner.accessToken))
        .status,
    ).toBe(200);
    const second = await get(`/api/events/${event.id}/sessions/${s.id}/calendar.ics`);
    expect(ics(second)[0]!.uid).toBe(v1!.uid);
    expect(seq(second)).toBeGreaterThan(seq(first));
    expect(ics(second)[0]!.start.toISOString()).toBe('2030-03-01T06:00:00.000Z');

    // A cancelled session: METHOD:CANCEL, higher SEQUENCE still.
    expect((await http.post(`/api/event-sessions/${s.id}/cancel`, undefined, owner.accessToken)).status).toBe(200);
    const third = await get(`/api/events/${event.id}/sessions/${s.id}/calendar.ics`);
    expect(third).toContain('METHOD:CANCEL');
    expect(ics(third)[0]!.status).toBe('CANCELLED');
    expect(seq(third)).toBeGreaterThan(seq(second));
  });

  it('refuses bad input with its own error code', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 1, 'Careful Alliance');
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Hall' });
    const errorOf = (r: { status: number; body: any }) => `${r.status} ${r.body?.error?.code}`;
    const post = (path: string, body: unknown) => http.post(path, body, owner.accessToken);
    expect(errorOf(await post(`/api/organizations/${org.id}/events`, { title: 'X event', timeZone: 'Mars/Olympus_Mons' }))).toBe(
      '400 UNKNOWN_TIME_ZONE',
    );
    expect(errorOf(await post(`/api/organizations/${org.id}/events`, { title: 'X event', timeZone: 'UTC', capacity: 0 }))).toBe(
      '400 INVALID_CAPACITY',
    );
    expect(errorOf(await post(`/api/organizations/${org.id}/events`, { title: 'X event', timeZone: 'UTC', surprise: 1 }))).toBe(
      '400 INVALID_PAYLOAD',
    );
    const event = await createEvent(server.url, owner.accessToken, org.id, { timeZone: 'UTC', registrationClosesAt: '2020-01-01T00:00' });
    expect(errorOf(await http.patch(`/api/events/${event.id}`, { capacity: 0 }, owner.accessToken))).toBe('400 INVALID_CAPACITY');
    const s = (body: object) => post(`/api/events/${event.id}/sessions`, { title: 'Talk', ...body });
    expect(errorOf(await s({ startsAt: '2030-01-01T10:00', endsAt: '2030-01-01T09:00' }))).toBe('400 INVALID_TIME_RANGE');
    expect(errorOf(await s({ startsAt: '2030-01-01T10:00', endsAt: '2030-01-01T10:00' }))).toBe('400 INVALID_TIME_RANGE');
    expect(errorOf(await s({ startsAt: '2030-02-30T10:00', endsAt: '2030-02-30T11:00' }))).toBe('400 INVALID_PAYLOAD');
    expect(errorOf(await s({ startsAt: '2030-01-01 10:00', endsAt: '2030-01-01T11:00' }))).toBe('400 INVALID_PAYLOAD');
    expect((await s({ startsAt: '2030-01-01T10:00', endsAt: '2030-01-01T11:00', roomId: room.id })).status).toBe(201);
    const overlap = await s({ startsAt: '2030-01-01T10:30', endsAt: '2030-01-01T11:30', roomId: room.id });
    expect(errorOf(overlap)).toBe('409 SESSION_OVERLAP');
    // Back to back is not an overlap; another room is not either.
    expect((await s({ startsAt: '2030-01-01T11:00', endsAt: '2030-01-01T12:00', roomId: room.id })).status).toBe(201);
    expect((await s({ startsAt: '2030-01-01T10:30', endsAt: '2030-01-01T11:30' })).status).toBe(201);
    // Two organisers booking one slot at once: one wins.
    const race = await Promise.all([0, 1, 2].map(() => s({ startsAt: '2030-01-02T10:00', endsAt: '2030-01-02T11:00', roomId: room.id })));
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(errorOf(await registerFor(server.url, owner.accessToken, event.id))).toBe('409 REGISTRATION_CLOSED');
    expect(errorOf(await registerFor(server.url, owner.accessToken, event.id, { timeZone: 'Nowhere/Land' }))).toBe('400 UNKNOWN_TIME_ZONE');
    // A required question.
    const asked = await createEvent(server.url, owner.accessToken, org.id, {
      timeZone: 'UTC',
      questions: [{ id: 'library', label: 'Your library', required: true }],
    });
    expect(errorOf(await registerFor(server.url, owner.accessToken, asked.id))).toBe('400 ANSWER_REQUIRED');
    expect((await registerFor(server.url, owner.accessToken, asked.id, { answers: { library: '=HYPERLINK("x")' } })).status).toBe(201);
    const csv = await http.call<string>('GET', `/api/events/${asked.id}/registrations.csv`, undefined, owner.accessToken);
    expect(String(csv.body)).toContain(`'=HYPERLINK`);
  });

  it('lets only confirmed registrants into the room of a registration-only session, and lists public events to anyone', async () => {
    const { http, owner, org, people } = await orgWithMembers(server.url, 2, 'Door Alliance');
    const [member, other] = people as [(typeof people)[0], (typeof people)[0]];
    const room = await createRoom(server.url, owner.accessToken, org.id, { name: 'Session room' });
    const event = await createEvent(server.url, owner.accessToken, org.id, { title: 'Members Forum', timeZone: 'UTC', capacity: 1 });
    const now = Date.now();
    await addSession(server.url, owner.accessToken, event.id, {
      startsAt: utcWall(new Date(now - 10 * 60_000)),
      endsAt: utcWall(new Date(now + 60 * 60_000)),
      roomId: room.id,
    });

    const refused = await enter(server.url, member.accessToken, room.id).catch((e: { code: string }) => e.code);
    expect(refused).toBe('REGISTRATION_REQUIRED');
    expect((await registerFor(server.url, member.accessToken, event.id)).body.status).toBe('confirmed');
    const seated = await enter(server.url, member.accessToken, room.id);
    expect(seated.joined.roomId).toBe(room.id);
    seated.socket.close();
    // Waitlisted is not registered enough.
    expect((await registerFor(server.url, other.accessToken, event.id)).body.status).toBe('waitlisted');
    expect(await enter(server.url, other.accessToken, room.id).catch((e: { code: string }) => e.code)).toBe('REGISTRATION_REQUIRED');
    // Organisers host without registering.
    const host = await enter(server.url, owner.accessToken, room.id);
    host.socket.close();

    // The directory: public and upcoming only, no sign-in needed; a members event is NOT_FOUND to strangers.
    const pub = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Open Webinar Series',
      kind: 'series',
      timeZone: 'UTC',
      visibility: 'public',
    });
    await addSession(server.url, owner.accessToken, pub.id, { startsAt: '2031-01-01T10:00', endsAt: '2031-01-01T11:00', kind: 'webinar' });
    const dir = await http.get<EventSummaryDto[]>('/api/events');
    expect(dir.status).toBe(200);
    expect(dir.body.map((e) => e.title)).toContain('Open Webinar Series');
    expect(dir.body.map((e) => e.title)).not.toContain('Members Forum');
    expect((await http.get(`/api/events/${pub.id}`)).status).toBe(200);
    expect((await http.get(`/api/events/${event.id}`)).body.error.code).toBe('NOT_FOUND');
    const stranger = await register(server.url, 'Stranger');
    expect((await http.get(`/api/events/${event.id}`, stranger.accessToken)).body.error.code).toBe('NOT_FOUND');
    expect(((await registerFor(server.url, stranger.accessToken, event.id)).body as any).error.code).toBe('NOT_FOUND');
    // A member who retries with the same request id, or twice at once, has one registration.
    const id = randomUUID();
    const twice = await Promise.all([
      registerFor(server.url, member.accessToken, pub.id, { clientRequestId: id }),
      registerFor(server.url, member.accessToken, pub.id, { clientRequestId: id }),
    ]);
    expect(twice[0].body.id).toBe(twice[1].body.id);
  });
});

describe('event mail: reminders, changes and cancellations', () => {
  let server: StartedServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url, EVENT_REMINDER_CHECK_SECONDS: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  /** The next mail, or a failure naming what the server logged instead. */
  const nextMail = () =>
    Promise.race([
      smtp.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no mail; server log:\n${server.logs().split('\n').slice(-15).join('\n')}`)), 30_000),
      ),
    ]);

  const calendarOf = (mail: Awaited<ReturnType<typeof nextMail>>) => {
    const part = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    return part ? part.content.toString('utf8') : null;
  };

  it('reminds once before a session, in the registrant’s language, and sends updates and a cancellation with their calendar entries', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Reminder Alliance');
    const reader = await register(server.url, 'Li Wei');
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Webinar Series',
      kind: 'series',
      timeZone: 'Asia/Shanghai',
      visibility: 'public',
      reminderMinutes: [60],
    });
    const soon = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Cataloguing today',
      kind: 'webinar',
      startsAt: utcWall(new Date(Date.now() + 8 * 3_600_000 + 30 * 60_000)),
      endsAt: utcWall(new Date(Date.now() + 9 * 3_600_000 + 30 * 60_000)),
    });
    const later = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Digital preservation',
      kind: 'webinar',
      startsAt: '2031-03-01T20:00',
      endsAt: '2031-03-01T21:00',
    });

    expect((await registerFor(server.url, reader.accessToken, event.id, { language: 'zh' })).body.status).toBe('confirmed');
    const confirmation = await nextMail();
    expect(confirmation.subject).toBe('您的报名：Webinar Series');
    const invite = calendarOf(confirmation)!;
    expect(invite).toContain('METHOD:REQUEST');
    expect(invite).toContain(`UID:session-${soon.id}@`);

    // The session is 30 minutes away: its 60-minute reminder is due at once, and goes once.
    const reminder = await nextMail();
    expect(reminder.subject).toBe('即将开始：Webinar Series');
    expect(reminder.text).toContain('Cataloguing today');
    expect(reminder.text).not.toContain('Digital preservation');
    await new Promise((r) => setTimeout(r, 3_000));

    // A change: a mail with the new time and the entry's SEQUENCE raised.
    expect(
      (await http.patch(`/api/event-sessions/${later.id}`, { startsAt: '2031-03-01T21:00', endsAt: '2031-03-01T22:00' }, owner.accessToken))
        .status,
    ).toBe(200);
    const change = await nextMail();
    expect(change.subject).toBe('日程变更：Webinar Series');
    expect(change.text).toContain('(Asia/Shanghai, UTC+08:00)');
    expect(change.text).toContain('21:00');
    const updated = calendarOf(change)!;
    expect(updated).toContain('METHOD:REQUEST');
    expect(updated).toMatch(/SEQUENCE:1\r\n/);

    // The whole event cancelled: METHOD:CANCEL for every session.
    expect((await http.post(`/api/events/${event.id}/cancel`, undefined, owner.accessToken)).status).toBe(200);
    const cancelled = await nextMail();
    expect(cancelled.subject).toBe('已取消：Webinar Series');
    const withdrawn = calendarOf(cancelled)!;
    expect(withdrawn).toContain('METHOD:CANCEL');
    expect(ics(withdrawn).map((v) => v.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const late = await register(server.url, 'Late Comer');
    expect(((await registerFor(server.url, late.accessToken, event.id)).body as any).error.code).toBe('EVENT_CANCELLED');
  });
});
