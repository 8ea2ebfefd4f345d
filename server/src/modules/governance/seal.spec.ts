import { randomBytes } from 'node:crypto';
import { Sealer } from './seal';

describe('Sealer', () => {
  it('round-trips and never produces the same bytes twice', () => {
    const s = new Sealer(randomBytes(32));
    const a = s.seal({ choice: 'yes', weight: 3 });
    const b = s.seal({ choice: 'yes', weight: 3 });
    expect(a.equals(b)).toBe(false);
    expect(s.open(a)).toEqual({ choice: 'yes', weight: 3 });
    expect(a.toString('utf8')).not.toContain('yes');
  });

  it('refuses tampered data and the wrong key', () => {
    const s = new Sealer(randomBytes(32));
    const sealed = s.seal('no');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => s.open(tampered)).toThrow();
    expect(() => new Sealer(randomBytes(32)).open(sealed)).toThrow();
  });
});
