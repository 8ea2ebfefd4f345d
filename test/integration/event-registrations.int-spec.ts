/**
 * Registration under load, through the real app and a real SMTP server: 500 people register at once
 * for 100 places (each of 50 also sends a retry and a second request at the same moment); exactly
 * 100 are confirmed and 400 waitlisted, in arrival order, with one registration per person. Ten
 * cancellations promote the next ten on the waitlist, in order, and each of them gets a mail.
 */
import { randomUUID } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { Client } from 'pg';
import type { RegistrantDto } from '../../server/src/contract';
import { api, register, type TestSession } from '../helpers/api';
import { addSession, createEvent, registerFor } from '../helpers/events';
import { type StartedServer, startServer } from '../helpers/server-process';
import { mailTo, startSmtp } from '../helpers/smtp';

jest.setTimeout(600_000);

const PEOPLE = 500;
const PLACES = 100;

describe('registration for a full event', () => {
  let server: StartedServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const inbox: ParsedMail[] = [];
  let collecting = true;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url, AUTH_RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_ACCOUNT: '1000' } });
    void (async () => {
      while (collecting) inbox.push(await smtp.next());
    })();
  });
  afterAll(async () => {
    collecting = false;
    await server?.stop();
    await smtp?.close();
  });

  /** Waits until `n` mails match. */
  const mailsWhere = async (match: (m: ParsedMail) => boolean, n: number, timeoutMs = 120_000): Promise<ParsedMail[]> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = inbox.filter(match);
      if (found.length >= n) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`only ${inbox.filter(match).length} of ${n} mails arrived`);
  };

  it('confirms exactly the first 100, waitlists 400 in order, and promotes in order on cancellation', async () => {
    const http = api(server.url);
    const owner = await register(server.url, 'Organiser');
    const org = (await http.post('/api/organizations', { name: 'Big Conference Association' }, owner.accessToken)).body;
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Annual Conference',
      timeZone: 'Africa/Cairo',
      visibility: 'public',
      capacity: PLACES,
    });
    await addSession(server.url, owner.accessToken, event.id, {
      title: 'Keynote',
      startsAt: '2031-04-24T09:00',
      endsAt: '2031-04-24T10:00',
    });

    const people: TestSession[] = [];
    for (let i = 0; i < PEOPLE; i += 10)
      people.push(
        ...(await Promise.all(Array.from({ length: Math.min(10, PEOPLE - i) }, (_, k) => register(server.url, `Attendee ${i + k + 1}`)))),
      );

    // Everyone at once; the first 50 also retry with the same request id and send another request.
    const answers = await Promise.all(
      people.flatMap((p, i) => {
        const id = randomUUID();
        const one = registerFor(server.url, p.accessToken, event.id, { clientRequestId: id });
        return i < 50
          ? [
              one,
              registerFor(server.url, p.accessToken, event.id, { clientRequestId: id }),
              registerFor(server.url, p.accessToken, event.id),
            ]
          : [one];
      }),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);

    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number; people: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS people FROM event_registrations WHERE event_id = $1',
        [event.id],
      );
      expect(rows[0]).toEqual({ n: PEOPLE, people: PEOPLE });
    } finally {
      await db.end();
    }

    const list = (await http.get<RegistrantDto[]>(`/api/events/${event.id}/registrations`, owner.accessToken)).body;
    expect(list).toHaveLength(PEOPLE);
    // The list is in arrival order: the first 100 hold the places, the rest wait numbered 1..400.
    expect(list.slice(0, PLACES).every((r) => r.status === 'confirmed')).toBe(true);
    expect(list.slice(PLACES).map((r) => r.status)).toEqual(Array(PEOPLE - PLACES).fill('waitlisted'));
    expect(list.slice(PLACES).map((r) => r.waitlistPosition)).toEqual(Array.from({ length: PEOPLE - PLACES }, (_, i) => i + 1));
    const times = list.map((r) => Date.parse(r.registeredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The doubled requests got the same registration as the first.
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(PEOPLE);
    expect(answers.every((a) => a.body.status === list.find((r) => r.id === a.body.id)!.status)).toBe(true);

    // Every registrant was written to once.
    await mailsWhere((m) => /^Your registration: /.test(m.subject ?? ''), PEOPLE);

    // Ten confirmed people cancel, one after another: the first ten on the waitlist move up, in order.
    const waiting = list.slice(PLACES, PLACES + 10);
    const sessionOf = new Map(people.map((p) => [p.user.id, p]));
    for (const r of list.slice(0, 10)) {
      const res = await http.del(`/api/events/${event.id}/registrations/mine`, sessionOf.get(r.userId)!.accessToken);
      expect(res.body.status).toBe('cancelled');
    }
    const after = (await http.get<RegistrantDto[]>(`/api/events/${event.id}/registrations`, owner.accessToken)).body;
    const status = new Map(after.map((r) => [r.id, r]));
    expect(waiting.map((r) => status.get(r.id)!.status)).toEqual(Array(10).fill('confirmed'));
    expect(after.filter((r) => r.status === 'confirmed')).toHaveLength(PLACES);
    expect(status.get(list[PLACES + 10]!.id)!.waitlistPosition).toBe(1);

    const promoted = await mailsWhere((m) => /^A place is yours: /.test(m.subject ?? ''), 10);
    expect(promoted.map(mailTo).sort()).toEqual(waiting.map((r) => r.email).sort());
    expect(promoted[0]!.text).toContain('Keynote');
    // Nobody else was promoted.
    await new Promise((r) => setTimeout(r, 1000));
    expect(inbox.filter((m) => /^A place is yours: /.test(m.subject ?? ''))).toHaveLength(10);
  });
});
