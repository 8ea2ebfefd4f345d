import { agendaChapters, programmeChapters } from './chapters';

const T0 = new Date('2026-03-29T09:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);
const rec = (startMinutes: number, durationMinutes: number) => ({ startedAt: at(startMinutes), durationSeconds: durationMinutes * 60 });

const items = [
  { id: 'welcome', position: 1, title: 'Welcome' },
  { id: 'budget', position: 2, title: 'Budget 2027' },
  { id: 'board', position: 3, title: 'Election of the board' },
  { id: 'aob', position: 4, title: 'Any other business' },
];

describe('chapters from the agenda', () => {
  it('starts each item at its first business and ends it where the next begins, relative to the recording', () => {
    const business = [
      { agendaItemId: 'budget', at: at(10) },
      { agendaItemId: 'budget', at: at(14) },
      { agendaItemId: 'board', at: at(30, 30) },
      { agendaItemId: 'budget', at: at(12) },
    ];
    expect(agendaChapters(items, business, rec(5, 60))).toEqual([
      { title: 'Budget 2027', ref: '2', source: 'agenda', startSeconds: 300, endSeconds: 1530 },
      { title: 'Election of the board', ref: '3', source: 'agenda', startSeconds: 1530, endSeconds: 3600 },
    ]);
  });

  it('skips items with no business, and items wholly before or after the recording', () => {
    const business = [
      { agendaItemId: 'welcome', at: at(0) },
      { agendaItemId: 'budget', at: at(20) },
      { agendaItemId: 'board', at: at(40) },
      { agendaItemId: 'aob', at: at(90) },
    ];
    // Recording 25..50: welcome ended at 20 (before it), budget runs into it, aob starts after it.
    expect(agendaChapters(items, business, rec(25, 25)).map((c) => [c.ref, c.startSeconds, c.endSeconds])).toEqual([
      ['2', 0, 900],
      ['3', 900, 1500],
    ]);
    expect(agendaChapters(items, [], rec(0, 60))).toEqual([]);
  });

  it('orders by time, not by agenda position, when the meeting took items out of order', () => {
    const business = [
      { agendaItemId: 'board', at: at(1) },
      { agendaItemId: 'budget', at: at(3) },
    ];
    expect(agendaChapters(items, business, rec(0, 5)).map((c) => c.title)).toEqual(['Election of the board', 'Budget 2027']);
  });

  it('keeps milliseconds and ignores business on items not in the agenda', () => {
    const business = [
      { agendaItemId: 'budget', at: new Date(T0.getTime() + 1234) },
      { agendaItemId: 'gone', at: at(0) },
    ];
    expect(agendaChapters(items, business, rec(0, 1))).toEqual([
      { title: 'Budget 2027', ref: '2', source: 'agenda', startSeconds: 1.234, endSeconds: 60 },
    ]);
  });
});

describe('chapters from the programme', () => {
  const sessions = [
    { id: 's-keynote', title: 'Keynote', startsAt: at(0), endsAt: at(45) },
    { id: 's-panel', title: 'Panel: open access', startsAt: at(60), endsAt: at(120) },
    { id: 's-early', title: 'Breakfast', startsAt: at(-120), endsAt: at(-60) },
    { id: 's-late', title: 'Closing', startsAt: at(300), endsAt: at(330) },
  ];

  it('clamps each session to the recording and drops those outside it', () => {
    expect(programmeChapters(sessions, rec(30, 60))).toEqual([
      { title: 'Keynote', ref: 's-keynote', source: 'programme', startSeconds: 0, endSeconds: 900 },
      { title: 'Panel: open access', ref: 's-panel', source: 'programme', startSeconds: 1800, endSeconds: 3600 },
    ]);
  });

  it('gives nothing for a recording of no length', () => {
    expect(programmeChapters(sessions, rec(30, 0))).toEqual([]);
  });
});
