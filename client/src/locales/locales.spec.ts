import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES } from '../../../server/src/contract/errors';
import ar from './ar.json';
import en from './en.json';
import zh from './zh.json';

type Tree = { [key: string]: string | Tree };

const keys = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

const lookup = (tree: Tree, key: string) =>
  key.split('.').reduce<string | Tree | undefined>((node, k) => (typeof node === 'object' ? node[k] : undefined), tree);

/** i18next plural keys end in a CLDR category (`_one`, `_few`…); each language has its own set. */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseKeys = (tree: Tree) => [...new Set(keys(tree).map((k) => k.replace(PLURAL, '')))].sort();
const pluralBases = (tree: Tree) => new Set(keys(tree).filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
/** A key's text, or for a plural key its "other" form. */
const text = (tree: Tree, key: string) => String(lookup(tree, key) ?? lookup(tree, `${key}_other`));

describe.each([
  ['en', en],
  ['zh', zh],
  ['ar', ar],
])('the %s translation', (lang, locale) => {
  it('has exactly the keys of the English one', () => {
    expect(baseKeys(locale)).toEqual(baseKeys(en));
  });

  it('has every plural form its language needs, and only those', () => {
    const categories = [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
    for (const base of pluralBases(en)) {
      const forms = keys(locale)
        .filter((k) => k.replace(PLURAL, '') === base && PLURAL.test(k))
        .map((k) => PLURAL.exec(k)![1])
        .sort();
      expect([base, categories.filter((c) => !forms.includes(c))]).toEqual([base, []]);
      expect([base, forms.filter((f) => !categories.includes(f as Intl.LDMLPluralRule))]).toEqual([base, []]);
    }
  });

  it('keeps every interpolation placeholder', () => {
    for (const key of baseKeys(en)) {
      expect([key, placeholders(text(locale, key))]).toEqual([key, placeholders(text(en, key))]);
    }
  });
});

describe('error messages', () => {
  it.each(ERROR_CODES)('translates %s in every language', (code) => {
    for (const locale of [en, zh, ar]) expect(locale.errors[code]).toMatch(/\S/);
  });
});

describe('connection problems', () => {
  // "Quorum" is also the governance word (enough members present), so "Quorum cannot be reached"
  // reads as a statement about attendance: the message names the server instead.
  it.each([
    ['en', en, /server/i],
    ['zh', zh, /服务器/],
    ['ar', ar, /الخادم/],
  ])('names the server, not the product, when it cannot be reached (%s)', (_, locale, server) => {
    expect(locale.errors.UNAVAILABLE).toMatch(server);
    expect(locale.errors.UNAVAILABLE).not.toMatch(/quorum/i);
  });
});
