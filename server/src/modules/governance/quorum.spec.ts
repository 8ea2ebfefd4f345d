import { quorum, requiredSeats } from './quorum';

const seats = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);

describe('quorum', () => {
  it.each([
    ['majority of 10 needs 6', { kind: 'majority-of-entitled' as const }, 10, 6],
    ['majority of 9 needs 5', { kind: 'majority-of-entitled' as const }, 9, 5],
    ['majority of 1 needs 1', { kind: 'majority-of-entitled' as const }, 1, 1],
    ['at least 4', { kind: 'at-least' as const, seats: 4 }, 50, 4],
    ['one third of 10 needs 4', { kind: 'fraction' as const, numerator: 1, denominator: 3 }, 10, 4],
    ['two thirds of 9 needs 6', { kind: 'fraction' as const, numerator: 2, denominator: 3 }, 9, 6],
  ])('%s', (_, rule, entitled, required) => {
    expect(requiredSeats(rule, entitled)).toBe(required);
  });

  it('counts seats present and represented by proxy, each once', () => {
    const q = quorum({ rule: { kind: 'majority-of-entitled' }, entitled: seats(10), present: ['s0', 's1', 's2', 's3'], represented: ['s3', 's4', 's5'] });
    expect(q).toEqual({ entitled: 10, present: 4, represented: 2, counted: 6, required: 6, met: true });
  });

  it('is not met one seat short', () => {
    expect(quorum({ rule: { kind: 'majority-of-entitled' }, entitled: seats(10), present: seats(5), represented: [] }).met).toBe(false);
  });

  it('ignores seats that are not on the roll', () => {
    const q = quorum({ rule: { kind: 'at-least', seats: 2 }, entitled: ['a', 'b'], present: ['a', 'x'], represented: ['y'] });
    expect(q).toMatchObject({ counted: 1, met: false });
  });
});
