import { admit, approve, canBecome, promotions, type Seat, waitlistPositions } from './waitlist';

const seats = (spec: string): Seat[] =>
  [...spec].map((c, i) => ({
    id: `r${i}`,
    order: i,
    status: ({ C: 'confirmed', W: 'waitlisted', X: 'cancelled', P: 'pending' } as const)[c as 'C'],
  }));

describe('waitlist', () => {
  it.each([
    ['open', 2, 0, 'confirmed'],
    ['open', 2, 1, 'confirmed'],
    ['open', 2, 2, 'waitlisted'],
    ['open', null, 10_000, 'confirmed'],
    ['approval', 2, 0, 'pending'],
  ] as const)('admits to a %s event of %s places with %s confirmed as %s', (mode, capacity, confirmed, status) => {
    expect(admit(mode, capacity, confirmed)).toBe(status);
  });

  it('approves into a free place, or onto the waitlist', () => {
    expect(approve(3, 2)).toBe('confirmed');
    expect(approve(3, 3)).toBe('waitlisted');
    expect(approve(null, 3)).toBe('confirmed');
  });

  it('promotes the earliest arrivals first, as many as there are free places', () => {
    const s = seats('CXCWWWW');
    // Shuffled storage order must not matter: arrival order decides.
    const shuffled = [...s].reverse();
    expect(promotions(shuffled, 3)).toEqual(['r3']);
    expect(promotions(shuffled, 5)).toEqual(['r3', 'r4', 'r5']);
    expect(promotions(shuffled, 2)).toEqual([]);
    expect(promotions(shuffled, null)).toEqual(['r3', 'r4', 'r5', 'r6']);
    expect(promotions(seats('CCWW'), 1)).toEqual([]);
  });

  it('numbers the waitlist from 1 in arrival order', () => {
    expect([...waitlistPositions(seats('WCXW').reverse())]).toEqual([
      ['r0', 1],
      ['r3', 2],
    ]);
  });

  it('allows only the declared status changes', () => {
    expect(canBecome('waitlisted', 'confirmed')).toBe(true);
    expect(canBecome('confirmed', 'waitlisted')).toBe(false);
    expect(canBecome('declined', 'confirmed')).toBe(false);
    expect(canBecome('cancelled', 'confirmed')).toBe(true);
  });
});
