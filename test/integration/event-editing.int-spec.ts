/**
 * An organiser edits an event after creating it, through REST: a session's title, time, room and
 * speakers; the event's tracks and registration questions. Each change a registrant must know of
 * raises the session's calendar SEQUENCE and mails them (a new time or title); bad edits get their own codes and change
 * nothing.
 */
import type { EventDto, EventSessionDto } from '../../server/src/contract';
import { register } from '../helpers/api';
import { addSession, createEvent, registerFor } from '../helpers/events';
import { createRoom, orgWithMembers } from '../helpers/room';
import { type StartedServer, startServer } from '../helpers/server-process';
import { startSmtp } from '../helpers/smtp';

jest.setTimeout(120_000);

describe('editing an event after its creation', () => {
  let server: StartedServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  const nextMail = () =>
    Promise.race([
      smtp.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no mail; server log:\n${server.logs().split('\n').slice(-15).join('\n')}`)), 30_000),
      ),
    ]);
  const calendarOf = (mail: Awaited<ReturnType<typeof nextMail>>) =>
    mail.attachments.find((a) => a.contentType.startsWith('text/calendar'))?.content.toString('utf8') ?? '';
  const codeOf = (res: { status: number; body: unknown }) =>
    `${res.status} ${(res.body as { error?: { code: string } }).error?.code ?? 'ok'}`;

  it('edits a session’s title, time, room and speakers; registrants get the change with a raised SEQUENCE', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Editing Alliance');
    const hall = await createRoom(server.url, owner.accessToken, org.id, { name: 'Main hall' });
    const annex = await createRoom(server.url, owner.accessToken, org.id, { name: 'Annex' });
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      title: 'Cataloguing Summit',
      timeZone: 'Europe/Warsaw',
      visibility: 'public',
      tracks: ['Metadata'],
    });
    const talk = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Linked data',
      startsAt: '2031-06-02T10:00',
      endsAt: '2031-06-02T11:00',
      roomId: hall.id,
      speakers: [{ name: 'Ada', affiliation: 'National Library' }],
    });
    const reader = await register(server.url, 'Reader');
    expect((await registerFor(server.url, reader.accessToken, event.id)).body.status).toBe('confirmed');
    await nextMail(); // the confirmation

    const edited = await http.patch<EventSessionDto>(
      `/api/event-sessions/${talk.id}`,
      {
        title: 'Linked open data',
        startsAt: '2031-06-02T14:00',
        endsAt: '2031-06-02T15:30',
        speakers: [{ name: 'Grace', affiliation: 'University Library' }],
      },
      owner.accessToken,
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      title: 'Linked open data',
      localStartsAt: '2031-06-02T14:00',
      localEndsAt: '2031-06-02T15:30',
      roomId: hall.id,
      sequence: 1,
    });
    expect(edited.body.speakers).toEqual([{ name: 'Grace', affiliation: 'University Library' }]);
    const change = await nextMail();
    expect(change.text).toContain('Linked open data');
    expect(change.text).toContain('14:00');
    expect(calendarOf(change)).toMatch(/SEQUENCE:1\r\n/);

    // Another room: the calendar entry's SEQUENCE rises with it.
    const moved = await http.patch<EventSessionDto>(`/api/event-sessions/${talk.id}`, { roomId: annex.id }, owner.accessToken);
    expect(moved.body).toMatchObject({ roomId: annex.id, sequence: 2 });
    const ics = await http.get<string>(`/api/events/${event.id}/sessions/${talk.id}/calendar.ics`, owner.accessToken);
    expect(ics.body).toMatch(/SEQUENCE:2\r\n/);
  });

  it('refuses an edit that ends before it starts, or that overlaps another session in the same room, and changes nothing', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Overlap Alliance');
    const hall = await createRoom(server.url, owner.accessToken, org.id, { name: 'Hall' });
    const event = await createEvent(server.url, owner.accessToken, org.id, { timeZone: 'America/Sao_Paulo' });
    const first = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Opening',
      startsAt: '2031-06-02T09:00',
      endsAt: '2031-06-02T10:00',
      roomId: hall.id,
    });
    const second = await addSession(server.url, owner.accessToken, event.id, {
      title: 'Keynote',
      startsAt: '2031-06-02T10:00',
      endsAt: '2031-06-02T11:00',
      roomId: hall.id,
    });

    expect(
      codeOf(
        await http.patch(
          `/api/event-sessions/${second.id}`,
          { startsAt: '2031-06-02T12:00', endsAt: '2031-06-02T11:30' },
          owner.accessToken,
        ),
      ),
    ).toBe('400 INVALID_TIME_RANGE');
    // Only the end moved, before the unchanged start.
    expect(codeOf(await http.patch(`/api/event-sessions/${second.id}`, { endsAt: '2031-06-02T09:30' }, owner.accessToken))).toBe(
      '400 INVALID_TIME_RANGE',
    );
    expect(codeOf(await http.patch(`/api/event-sessions/${second.id}`, { startsAt: '2031-06-02T09:30' }, owner.accessToken))).toBe(
      '409 SESSION_OVERLAP',
    );
    expect(codeOf(await http.patch(`/api/event-sessions/${second.id}`, { startsAt: '2031-06-02T25:00' }, owner.accessToken))).toBe(
      '400 INVALID_PAYLOAD',
    );
    const after = (await http.get<EventDto>(`/api/events/${event.id}`, owner.accessToken)).body;
    expect(after.sessions.map((s) => [s.title, s.localStartsAt, s.localEndsAt, s.sequence])).toEqual([
      ['Opening', '2031-06-02T09:00', '2031-06-02T10:00', 0],
      ['Keynote', '2031-06-02T10:00', '2031-06-02T11:00', 0],
    ]);
    // Moved to a free slot, it is accepted.
    expect(
      (await http.patch(`/api/event-sessions/${first.id}`, { startsAt: '2031-06-02T08:00', endsAt: '2031-06-02T09:00' }, owner.accessToken))
        .status,
    ).toBe(200);
    // An event in a zone that does not exist is refused by name.
    expect(
      codeOf(
        await http.post(`/api/organizations/${org.id}/events`, { title: 'Nowhere', timeZone: 'Mars/Olympus_Mons' }, owner.accessToken),
      ),
    ).toBe('400 UNKNOWN_TIME_ZONE');
  });

  it('edits the tracks and the registration questions, which registrations then follow', async () => {
    const { http, owner, org } = await orgWithMembers(server.url, 0, 'Questions Alliance');
    const event = await createEvent(server.url, owner.accessToken, org.id, {
      visibility: 'public',
      tracks: ['Metadata'],
      questions: [{ id: 'diet', label: 'Dietary needs' }],
    });
    const updated = await http.patch<EventDto>(
      `/api/events/${event.id}`,
      {
        tracks: ['Metadata', 'Preservation'],
        questions: [
          { id: 'diet', label: 'Dietary needs' },
          { id: 'library', label: 'Your library', required: true },
          { id: 'lunch', label: 'Lunch', type: 'choice', options: ['Yes', 'No'] },
        ],
      },
      owner.accessToken,
    );
    expect(updated.status).toBe(200);
    expect(updated.body.tracks).toEqual(['Metadata', 'Preservation']);
    expect(updated.body.questions.map((q) => [q.id, q.required])).toEqual([
      ['diet', false],
      ['library', true],
      ['lunch', false],
    ]);
    const reader = await register(server.url, 'Asker');
    expect(codeOf(await registerFor(server.url, reader.accessToken, event.id))).toBe('400 ANSWER_REQUIRED');
    expect(
      (await registerFor(server.url, reader.accessToken, event.id, { answers: { library: 'City Library', lunch: 'Yes' } })).status,
    ).toBe(201);
    expect(codeOf(await http.patch(`/api/events/${event.id}`, { tracks: [''] }, owner.accessToken))).toBe('400 INVALID_PAYLOAD');
  });
});
