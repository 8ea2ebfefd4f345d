import { RevocationList } from './revocations';

describe('RevocationList', () => {
  it('refuses a revoked session at once, and asks again for a session checked too long ago', () => {
    let now = 0;
    const list = new RevocationList(5_000, () => now);
    expect(list.status('a')).toBe('stale');
    list.markVerified('a');
    expect(list.status('a')).toBe('fresh');
    now = 4_999;
    expect(list.status('a')).toBe('fresh');
    now = 5_000;
    expect(list.status('a')).toBe('stale');
    list.markVerified('a');
    list.revoke(['a']);
    expect(list.status('a')).toBe('revoked');
    list.markVerified('a');
    expect(list.status('a')).toBe('revoked');
  });
});
