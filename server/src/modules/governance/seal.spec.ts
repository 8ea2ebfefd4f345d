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

describe('Sealer padding', () => {
  it('gives the same size for values of different lengths', () => {
    const s = new Sealer(randomBytes(32));
    const sizes = new Set(['no', 'yes', 'abstain', { instruction: 'free', salt: 'x'.repeat(43) }].map((v) => s.seal(v).length));
    expect(sizes.size).toBe(1);
    expect(s.open(s.seal({ instruction: 'abstain' }))).toEqual({ instruction: 'abstain' });
  });
});
