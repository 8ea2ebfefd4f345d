import { RateLimits } from './rate-limits';

describe('RateLimits', () => {
  it('allows a burst per key, then refills over time', () => {
    let t = 0;
    const limits = new RateLimits(5, 1, () => t);
    expect(Array.from({ length: 6 }, () => limits.take('ann'))).toEqual([true, true, true, true, true, false]);
    expect(limits.take('bob')).toBe(true);
    t = 1000;
    expect(limits.take('ann')).toBe(true);
    expect(limits.take('ann')).toBe(false);
  });

  it('forgets keys idle long enough to have refilled', () => {
    let t = 0;
    const limits = new RateLimits(3, 1.5, () => t);
    for (let i = 0; i < 100; i++) limits.take(`peer-${i}`);
    expect(limits.size).toBe(100);
    t = 20_000;
    limits.take('late');
    expect(limits.size).toBe(1);
  });
});
