/**
 * The languages Quorum speaks: the one list the web client's translations, its language picker, the
 * languages the API accepts (a meeting's language, a mail's language) and the server's own texts
 * (mail, minutes) are all read from. Adding a language starts here; CONTRIBUTING.md says what follows.
 *
 * `htmlLang` is the BCP 47 tag written on the page and handed to Intl; `dir` is the writing direction.
 */
export const LANGUAGES = [
  { code: 'en', name: 'English', dir: 'ltr', htmlLang: 'en' },
  { code: 'zh', name: '简体中文', dir: 'ltr', htmlLang: 'zh-Hans' },
  { code: 'ar', name: 'العربية', dir: 'rtl', htmlLang: 'ar' },
  { code: 'ru', name: 'Русский', dir: 'ltr', htmlLang: 'ru' },
  { code: 'es', name: 'Español', dir: 'ltr', htmlLang: 'es' },
  { code: 'fr', name: 'Français', dir: 'ltr', htmlLang: 'fr' },
  // Brazilian wording; the picker shows the name alone, as it is the only Portuguese offered.
  { code: 'pt', name: 'Português', dir: 'ltr', htmlLang: 'pt-BR' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];
export type LanguageInfo = (typeof LANGUAGES)[number];

/** The codes alone, in the list's order, as a non-empty tuple (what `z.enum` takes). */
export const LANGUAGE_CODES = LANGUAGES.map((l) => l.code) as [Language, ...Language[]];

export const isLanguage = (value: unknown): value is Language => LANGUAGES.some((l) => l.code === value);

export const languageInfo = (code: Language): LanguageInfo => LANGUAGES.find((l) => l.code === code) ?? LANGUAGES[0];
