import { MAIL_LANGUAGES } from '../../contract';
import { eventMail, type EventMailKind } from './event-mail';

const KINDS: EventMailKind[] = ['registered', 'promoted', 'declined', 'changed', 'cancelled', 'reminder'];

describe('event mail', () => {
  it.each(MAIL_LANGUAGES.flatMap((l) => KINDS.map((k) => [l, k] as const)))(
    'writes the %s %s mail with the link and both labelled times',
    (language, kind) => {
      const m = eventMail({
        kind,
        language,
        name: 'Ada',
        event: { title: 'Alliance Forum', timeZone: 'Asia/Tehran', url: 'https://q.example/events/1' },
        sessions: [{ title: 'Opening', startsAt: new Date('2025-03-21T06:30:00Z'), status: 'scheduled' }],
        status: 'waitlisted',
        waitlistPosition: 7,
        timeZone: 'America/Sao_Paulo',
      });
      expect(m.subject).toContain('Alliance Forum');
      expect(m.text).toContain('https://q.example/events/1');
      expect(m.text).toContain('Ada');
      expect(m.text).toContain('(Asia/Tehran, UTC+03:30)');
      expect(m.text).toContain('(America/Sao_Paulo, UTC-03:00)');
      if (kind === 'registered') expect(m.text).toContain('7');
    },
  );
});
