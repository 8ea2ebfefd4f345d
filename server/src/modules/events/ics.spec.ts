import { programmeIcs } from './ics';

const session = (over: Partial<Parameters<typeof programmeIcs>[0]['sessions'][number]> = {}) => ({
  id: '3f0e1c9a-0000-4000-8000-000000000001',
  title: 'Open access in the Global South: what the alliance learned after ten years of shared repositories',
  description: '图书馆联盟的开放获取 — المكتبات والوصول المفتوح; commas, semicolons\nand new lines',
  startsAt: new Date('2025-03-30T06:00:00Z'),
  endsAt: new Date('2025-03-30T07:30:00Z'),
  status: 'scheduled' as const,
  sequence: 0,
  speakers: [{ name: 'Ада Лавлейс', affiliation: 'Biblioteca Nacional' }],
  ...over,
});
const input = (over: Partial<Parameters<typeof programmeIcs>[0]> = {}) => ({
  event: { id: 'e', title: 'Alliance Forum', sequence: 0, status: 'scheduled' as const, timeZone: 'Europe/Moscow' },
  sessions: [session()],
  method: 'REQUEST' as const,
  host: 'quorum.example.org',
  organizer: { name: 'Library Alliance', email: 'no-reply@quorum.example.org' },
  url: 'https://quorum.example.org/events/e',
  ...over,
});

describe('programme ICS', () => {
  it('writes UTC times, a stable UID and SEQUENCE, and folds every line to 75 octets', () => {
    const ics = programmeIcs(input());
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('DTSTART:20250330T060000Z');
    expect(ics).toContain('UID:session-3f0e1c9a-0000-4000-8000-000000000001@quorum.example.org');
    expect(ics).toContain('SEQUENCE:0');
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  });

  it('raises SEQUENCE with a change of the session or the event', () => {
    expect(programmeIcs(input({ sessions: [session({ sequence: 2 })] }))).toContain('SEQUENCE:2');
    expect(programmeIcs(input({ event: { ...input().event, sequence: 1 }, sessions: [session({ sequence: 2 })] }))).toContain('SEQUENCE:3');
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED', () => {
    const ics = programmeIcs(input({ method: 'CANCEL' }));
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
  });
});
