import { useTranslation } from 'react-i18next';

/** Locale-aware formatters bound to the current language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const regions = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
  return {
    dateTime: (iso: string) => dateTime.format(new Date(iso)),
    date: (iso: string) => date.format(new Date(iso)),
    country: (code: string) => regions.of(code) ?? code,
    number: (n: number) => n.toLocaleString(locale),
  };
}

/** Wraps user-written text interpolated into a sentence so its direction cannot scramble the sentence. */
export const isolate = (text: string): string => `\u2068${text}\u2069`;
