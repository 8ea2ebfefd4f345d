import { passwordWeakness } from './password-strength';

describe('passwordWeakness', () => {
  it.each(['aaaaaaaaaa', 'password12', '1234567890', 'qwertyuiop1', 'abababababab', 'Password123'])('refuses %s', (p) => {
    expect(passwordWeakness(p)).not.toBeNull();
  });

  it.each(['a long enough password', 'correct horse battery', 'Correct horse battery staple 42', 'tulip-granite-87-oboe'])('accepts %s', (p) => {
    expect(passwordWeakness(p)).toBeNull();
  });
});
