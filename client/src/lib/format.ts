import { useTranslation } from 'react-i18next';

/**
 * Every date and time is Gregorian, whatever calendar the language would choose by itself (Arabic as
 * written in Saudi Arabia defaults to the Islamic calendar): a meeting held on one day must read as that
 * day to every member. A document (a receipt, anything saved or printed) also keeps Latin digits so
 * it reads the same wherever it is checked.
 */
const GREGORIAN = { calendar: 'gregory' } as const;
const DOCUMENT = { calendar: 'gregory', numberingSystem: 'latn' } as const;

/** Date and time formatters for a locale; `document` for text that is saved or printed. Pure. */
export function dateFormats(locale: string, { document = false }: { document?: boolean } = {}) {
  const base = document ? DOCUMENT : GREGORIAN;
  const dateTime = new Intl.DateTimeFormat(locale, { ...base, dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { ...base, dateStyle: 'medium' });
  const weekdayDate = new Intl.DateTimeFormat(locale, { ...base, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  const time = new Intl.DateTimeFormat(locale, { ...base, timeStyle: 'short' });
  const at = (d: string | Date) => (typeof d === 'string' ? new Date(d) : d);
  return {
    dateTime: (d: string | Date) => dateTime.format(at(d)),
    date: (d: string | Date) => date.format(at(d)),
    /** "Tue, 1 Dec 2026": a day in a list of meetings. */
    weekdayDate: (d: string | Date) => weekdayDate.format(at(d)),
    time: (d: string | Date) => time.format(at(d)),
  };
}

/** Locale-aware formatters bound to the current language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  const regions = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
  return {
    ...dateFormats(locale),
    /** For text that is saved or printed: the reader's words, Latin digits. */
    document: dateFormats(locale, { document: true }),
    country: (code: string) => regions.of(code) ?? code,
    number: (n: number) => n.toLocaleString(locale),
  };
}

/** Wraps user-written text interpolated into a sentence so its direction cannot scramble the sentence. */
export const isolate = (text: string): string => `\u2068${text}\u2069`;
