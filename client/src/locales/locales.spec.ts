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

describe.each([
  ['zh', zh],
  ['ar', ar],
])('the %s translation', (_, locale) => {
  it('has exactly the keys of the English one', () => {
    expect(keys(locale).sort()).toEqual(keys(en).sort());
  });

  it('keeps every interpolation placeholder', () => {
    for (const key of keys(en)) {
      expect([key, placeholders(String(lookup(locale, key)))]).toEqual([key, placeholders(String(lookup(en, key)))]);
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
