import { describe, expect, it } from '@jest/globals';
import { dateFormats } from './format';

// 1 December 2026 at midday UTC: 21 or 22 Jumada al-Thani 1448 in the Islamic calendars, 10 Azar 1405 in
// the Persian one, 2569 in the Buddhist one.
const day = new Date(Date.UTC(2026, 11, 1, 12, 0));
/** Arabic-Indic and Persian digits read as Latin ones, to compare years across scripts. */
const latin = (s: string) => s.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));

// Locales whose own calendar is not the Gregorian one, or that ask for another outright.
const locales = ['ar', 'ar-SA', 'ar-SA-u-ca-islamic-umalqura', 'ar-u-ca-islamic', 'fa', 'th', 'zh', 'en'];

describe('dates in the interface and in documents', () => {
  it.each(locales)('gives the Gregorian year and month in %s', (locale) => {
    const f = dateFormats(locale);
    for (const text of [f.date(day), f.dateTime(day), f.weekdayDate(day)].map(latin)) {
      expect(text).toContain('2026');
      expect(text).not.toMatch(/1448|1405|2569/);
    }
  });

  it('keeps the Gregorian calendar when the locale names the Islamic one', () => {
    // The same day, month-numbered: 1/12/2026 (the Islamic date would be in month 6 of 1448).
    expect(latin(dateFormats('ar-SA-u-ca-islamic-umalqura').date(day))).toMatch(/0?1\D+12\D+2026/);
  });

  it('keeps the reader’s digits in the interface and Latin digits in a document', () => {
    expect(dateFormats('ar-SA').date(day)).toMatch(/[\u0660-\u0669]/);
    const doc = dateFormats('ar-SA-u-ca-islamic-umalqura', { document: true });
    for (const text of [doc.date(day), doc.dateTime(day), doc.time(day), doc.weekdayDate(day)]) {
      expect(text).not.toMatch(/[\u0660-\u0669\u06f0-\u06f9]/);
    }
    expect(doc.date(day)).toContain('2026');
  });

  it('takes an ISO string as well as a date', () => {
    expect(dateFormats('en').date(day.toISOString())).toBe(dateFormats('en').date(day));
  });
});
