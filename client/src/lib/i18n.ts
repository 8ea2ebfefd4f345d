import { isLanguage, LANGUAGES, languageInfo, type Language } from '@contract';
import i18n, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { keep, readKept } from './storage';

export { LANGUAGES, type Language };

/**
 * Every `locales/<code>.json` of a language in the contract's list. The list decides which languages
 * exist; a language in it without its file fails here at start-up (and in locales.spec.ts before).
 */
const files = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*.json', { eager: true });
const resources: Resource = Object.fromEntries(
  LANGUAGES.map(({ code }) => {
    const file = files[`../locales/${code}.json`];
    if (!file) throw new Error(`client/src/locales/${code}.json is missing`);
    return [code, { translation: file.default }];
  }),
);

const STORAGE_KEY = 'quorum.language';

export function detectLanguage(): Language {
  const stored = readKept(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

export function setLanguage(language: Language): void {
  keep(STORAGE_KEY, language);
  void i18n.changeLanguage(language);
}

export const currentLanguage = (): Language => (isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en');

i18n.on('languageChanged', (lng) => {
  const language = languageInfo(isLanguage(lng) ? lng : 'en');
  document.documentElement.lang = language.htmlLang;
  document.documentElement.dir = language.dir;
});

void i18n.use(initReactI18next).init({
  resources,
  lng: detectLanguage(),
  fallbackLng: 'en',
  supportedLngs: LANGUAGES.map((l) => l.code),
  interpolation: { escapeValue: false },
});

export default i18n;
