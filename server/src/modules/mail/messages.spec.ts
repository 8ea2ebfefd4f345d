import { MAIL_LANGUAGES, mailText } from './messages';

describe('mail messages', () => {
  it.each(MAIL_LANGUAGES)('writes the password-reset mail in %s with the link, the name and the lifetime', (language) => {
    const link = 'http://localhost:3000/reset-password#abc_DEF-123';
    const m = mailText(language, 'passwordReset', { name: 'Ada', link, minutes: 30 });
    expect(m.subject.length).toBeGreaterThan(5);
    expect(m.text).toContain(link);
    expect(m.text).toContain('Ada');
    expect(m.text).toContain('30');
  });

  it('falls back to English', () => {
    expect(mailText(undefined, 'passwordReset', { name: 'A', link: 'x', minutes: 1 }).subject).toBe('Reset your Quorum password');
  });
});
