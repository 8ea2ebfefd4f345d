/// <reference types="node" />
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../../server/src/contract/errors';
import { LANGUAGES, type Language } from '../../../server/src/contract/languages';

/**
 * Every language of the contract's list has its file here, with every key of the English one in the
 * same order, every plural form its language needs, every placeholder, and no English left behind.
 * The languages come from the list: a language added there is checked here without editing this file.
 */

type Tree = { [key: string]: string | Tree };

const read = (code: string): Tree => JSON.parse(readFileSync(path.join(__dirname, `${code}.json`), 'utf8')) as Tree;
const en = read('en');
const locales = LANGUAGES.map((l) => [l.code, read(l.code)] as const);

const keys = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

const lookup = (tree: Tree, key: string) =>
  key.split('.').reduce<string | Tree | undefined>((node, k) => (typeof node === 'object' ? node[k] : undefined), tree);

/** i18next plural keys end in a CLDR category (`_one`, `_few`…); each language has its own set. */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseKey = (key: string) => key.replace(PLURAL, '');
const baseKeys = (tree: Tree) => [...new Set(keys(tree).map(baseKey))];
const pluralBases = (tree: Tree) => new Set(keys(tree).filter((k) => PLURAL.test(k)).map(baseKey));
/** A key's text, or for a plural key its "other" form. */
const text = (tree: Tree, key: string) => String(lookup(tree, key) ?? lookup(tree, `${key}_other`));

/**
 * Words that are the same in English and in a language, written the same way by its speakers: product
 * names and codes for all, and per language the few words it shares with English. A value made only of
 * these (and of placeholders, digits and punctuation) may equal the English one. Keep it short: a word
 * here is never caught as untranslated in that language.
 */
const SAME_IN_EVERY_LANGUAGE = ['Quorum', 'CSV', 'PDF', 'JSON', 'ICS', 'OK'];
const SAME_AS_ENGLISH: Partial<Record<Language, string[]>> = {
  es: ['Chat', 'No'],
  fr: ['Participants', 'Programme', 'Surprise'],
  pt: ['Webinar'],
};

const words = (value: string) => value.replace(/{{\s*\w+\s*}}/g, ' ').match(/\p{L}+/gu) ?? [];

function untranslated(lang: Language, locale: Tree): string[] {
  const allowed = new Set([...SAME_IN_EVERY_LANGUAGE, ...(SAME_AS_ENGLISH[lang] ?? [])]);
  return keys(locale).filter((key) => {
    const value = lookup(locale, key);
    // A form English lacks (`_few`, `_many`) is compared with English's "other".
    const english = lookup(en, key) ?? (PLURAL.test(key) ? lookup(en, `${baseKey(key)}_other`) : undefined);
    return typeof value === 'string' && value === english && !words(value).every((w) => allowed.has(w));
  });
}

/** Names of protocols, kept in Latin letters in every language (as administrators meet them in their tools). */
const PROTOCOL_NAMES = /\bOpenID Connect\b/g;
/** Runs of English words in a language written in another script: half-translated sentences. */
const LATIN_RUN = /\b[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){1,}\b/g;
const writtenInLatin = (locale: Tree) => /\p{Script=Latin}/u.test(String(lookup(locale, 'app.language')));

describe.each(locales)('the %s translation', (lang, locale) => {
  it('has exactly the keys of the English one, in the same order', () => {
    expect(baseKeys(locale)).toEqual(baseKeys(en));
  });

  it('has every plural form its language needs, and only those', () => {
    const categories = [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
    for (const base of pluralBases(en)) {
      const forms = keys(locale)
        .filter((k) => baseKey(k) === base && PLURAL.test(k))
        .map((k) => PLURAL.exec(k)![1])
        .sort();
      expect([base, categories.filter((c) => !forms.includes(c))]).toEqual([base, []]);
      expect([base, forms.filter((f) => !categories.includes(f as Intl.LDMLPluralRule))]).toEqual([base, []]);
    }
  });

  it('keeps every interpolation placeholder, in every plural form', () => {
    for (const key of baseKeys(en)) {
      expect([key, placeholders(text(locale, key))]).toEqual([key, placeholders(text(en, key))]);
    }
    // A form for one or two may spell its number out ("ورقتان"); every other placeholder stays.
    for (const key of keys(locale).filter((k) => PLURAL.test(k))) {
      const others = placeholders(text(en, baseKey(key))).filter((p) => p !== 'count');
      expect([key, placeholders(String(lookup(locale, key))).filter((p) => p !== 'count')]).toEqual([key, others]);
    }
  });

  if (lang !== 'en') {
    it('leaves no English text untranslated', () => {
      expect(untranslated(lang, locale)).toEqual([]);
    });
  }

  if (!writtenInLatin(locale)) {
    it('has no run of English words in its own script', () => {
      const leftovers = keys(locale)
        .map((key) => [key, String(lookup(locale, key)).replace(/{{\s*\w+\s*}}/g, ' ').replace(PROTOCOL_NAMES, ' ').match(LATIN_RUN)] as const)
        .filter(([, runs]) => runs);
      expect(leftovers).toEqual([]);
    });
  }
});

describe('the language list', () => {
  it('has a translation file for every language and no file for a language it lacks', () => {
    const files = readdirSync(__dirname)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(LANGUAGES.map((l) => l.code).sort());
  });

  it('names each language in itself and gives its direction', () => {
    for (const l of LANGUAGES) {
      expect(new Intl.Locale(l.htmlLang).language).toBe(l.code);
      expect(l.dir).toBe(['ar', 'he', 'fa', 'ur'].includes(l.code) ? 'rtl' : 'ltr');
    }
  });
});

describe('the untranslated-text check', () => {
  it('catches a value left in English, in a plural form English lacks too, and lets allowed words through', () => {
    const ru = read('ru');
    const tampered: Tree = { ...ru, common: { retry: 'Try again', working: 'Выполняется…' } };
    const result = (tampered.governance as Tree).result as Tree;
    (tampered.governance as Tree).result = { ...result, votesCast_many: '{{count}} votes cast' };
    expect(untranslated('ru', tampered)).toEqual(['common.retry', 'governance.result.votesCast_many']);
    const fr: Tree = { app: { name: 'Quorum' }, events: { programme: 'Programme' }, governance: { result: { join: '{{a}}, {{b}}' } } };
    expect(untranslated('fr', fr)).toEqual([]);
    expect(untranslated('fr', { ...fr, notFound: { title: 'Page not found' } })).toEqual(['notFound.title']);
    // Allowed for French, not for Spanish.
    expect(untranslated('es', { events: { programme: 'Programme' } })).toEqual(['events.programme']);
  });
});

describe('error messages', () => {
  it.each(ERROR_CODES)('translates %s in every language', (code) => {
    for (const [, locale] of locales) expect(lookup(locale, `errors.${code}`)).toMatch(/\S/);
  });
});

describe('connection problems', () => {
  // "Quorum" is also the governance word (enough members present), so "Quorum cannot be reached"
  // reads as a statement about attendance: the message names the server instead.
  const SERVER: Partial<Record<Language, RegExp>> = {
    en: /server/i,
    zh: /服务器/,
    ar: /الخادم/,
    ru: /сервер/i,
    es: /servidor/i,
    fr: /serveur/i,
    pt: /servidor/i,
  };
  it.each(locales)('names the server, not the product, when it cannot be reached (%s)', (lang, locale) => {
    expect(lookup(locale, 'errors.UNAVAILABLE')).toMatch(SERVER[lang] ?? /\S/);
    expect(lookup(locale, 'errors.UNAVAILABLE')).not.toMatch(/quorum/i);
  });
});
