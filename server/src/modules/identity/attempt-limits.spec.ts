import { AttemptCounter, takeAttempt } from './attempt-limits';

describe('AttemptCounter', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => (t = 1_000_000));

  it('allows `limit` attempts per window, then refuses with the time left', () => {
    const c = new AttemptCounter({ limit: 3, windowMs: 60_000 }, clock);
    expect([1, 2, 3, 4].map(() => c.take('k').ok)).toEqual([true, true, true, false]);
    t += 20_000;
    expect(c.take('k')).toEqual({ ok: false, retryAfterMs: 40_000 });
  });

  it('opens a new window once the old one has passed', () => {
    const c = new AttemptCounter({ limit: 1, windowMs: 60_000 }, clock);
    expect(c.take('k').ok).toBe(true);
    expect(c.take('k').ok).toBe(false);
    t += 60_000;
    expect(c.take('k').ok).toBe(true);
  });

  it('counts keys apart', () => {
    const c = new AttemptCounter({ limit: 1, windowMs: 60_000 }, clock);
    expect([c.take('a').ok, c.take('b').ok, c.take('a').ok]).toEqual([true, true, false]);
  });

  it('peek does not spend', () => {
    const c = new AttemptCounter({ limit: 1, windowMs: 60_000 }, clock);
    expect([c.peek('k').ok, c.peek('k').ok, c.take('k').ok, c.peek('k').ok]).toEqual([true, true, true, false]);
  });

  it('forgets ended windows when it grows, so memory stays bounded', () => {
    const c = new AttemptCounter({ limit: 1, windowMs: 1_000 }, clock, 100);
    for (let i = 0; i < 100; i++) c.take(`k${i}`);
    t += 1_000;
    c.take('new');
    expect(c.size).toBe(1);
  });
});

describe('takeAttempt', () => {
  const make = (limit: number) => new AttemptCounter({ limit, windowMs: 60_000 }, () => 0);

  it('refuses an account past its allowance whatever the address', () => {
    const ip = make(100);
    const account = make(2);
    const verdicts = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => takeAttempt(ip, account, a, 'ada@example.org').ok);
    expect(verdicts).toEqual([true, true, false, false]);
  });

  it('refuses an address past its allowance whatever the account', () => {
    const ip = make(2);
    const account = make(100);
    const verdicts = ['a', 'b', 'c'].map((who) => takeAttempt(ip, account, '10.0.0.1', `${who}@example.org`).ok);
    expect(verdicts).toEqual([true, true, false]);
  });

  it('does not spend the address allowance on a locked account', () => {
    const ip = make(3);
    const account = make(1);
    takeAttempt(ip, account, '10.0.0.1', 'locked@example.org');
    for (let i = 0; i < 5; i++) expect(takeAttempt(ip, account, '10.0.0.1', 'locked@example.org').ok).toBe(false);
    expect(takeAttempt(ip, account, '10.0.0.1', 'other@example.org').ok).toBe(true);
    expect(takeAttempt(ip, account, '10.0.0.1', 'third@example.org').ok).toBe(true);
    expect(takeAttempt(ip, account, '10.0.0.1', 'fourth@example.org').ok).toBe(false);
  });

  it('charges only the address when no account is named', () => {
    const ip = make(1);
    const account = make(1);
    expect(takeAttempt(ip, account, '10.0.0.1', null).ok).toBe(true);
    expect(takeAttempt(ip, account, '10.0.0.2', 'x@example.org').ok).toBe(true);
  });
});
