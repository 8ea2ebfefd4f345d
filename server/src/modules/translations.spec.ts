import { LANGUAGES, type Language } from '../contract';
import { WORDS as EVENT_MAIL } from './events/event-mail';
import { MINUTES_TEXT, plural } from './governance/minutes-text';
import { MESSAGES } from './mail/messages';

/**
 * The server's own texts (mail, event mail, minutes) in every language of the contract's list: each
 * text, rendered with sample values, keeps those values, and differs from the English one unless it
 * is made only of words the two languages share. Its counts cover every plural form of the language.
 */

type Args = unknown[];
/** Sample arguments for each text that is a function, by its path; a new function needs its line here. */
const PROBES: Record<string, Args[]> = {
  // mail
  passwordReset: [[{ name: 'Ada Lovelace', link: 'https://q.example/reset#tok_123', minutes: 30 }]],
  // event mail
  'subject.registered': [['Alliance Forum']],
  'subject.promoted': [['Alliance Forum']],
  'subject.declined': [['Alliance Forum']],
  'subject.changed': [['Alliance Forum']],
  'subject.cancelled': [['Alliance Forum']],
  'subject.reminder': [['Alliance Forum']],
  hello: [['Ada Lovelace']],
  'status.confirmed': [[null]],
  'status.waitlisted': [[7], [null]],
  'status.pending': [[null]],
  // minutes
  quorumRule: [[{ kind: 'majority-of-entitled' }], [{ kind: 'at-least', seats: 7 }], [{ kind: 'at-least', seats: 21 }], [{ kind: 'fraction', numerator: 2, denominator: 3 }]],
  electionRule: [[1, 1], [3, 2], [7, 5], [21, 21], [1_000_000, 3]],
  motionResult: [['OUTCOME', 11, 5, 3, 9, 16]],
  tiedForLast: [['Ada, Bo', null], ['Ada, Bo', 'Ada']],
  elected: [['Ada, Bo']],
  overrideRuling: [['B7', 'Budget 2027', 4, 9], ['B7', 'Budget 2027', null, null]],
  referredRuling: [['M3', 'Budget 2027']],
  withdrewRuling: [['M3', 'Budget 2027']],
  'pdf.attended': [[1], [2], [5], [11], [21], [102]],
  'pdf.quorumNote': [['RULE']],
  'pdf.countedOf': [[4, 9, 17]],
  'pdf.overrideNote': [['B7', 'Ada', 'REASON']],
  'pdf.amendmentTo': [['M3']],
  'pdf.agendaItem': [['4']],
  'pdf.movedBy': [['Ada', 'Bo', 'OUTCOME'], ['Ada', null, 'OUTCOME']],
  'pdf.onMotion': [['M3']],
  'pdf.abstentions': [[true], [false]],
  'pdf.opened': [['2027-03-04 10:00']],
  'pdf.closed': [['2027-03-04 10:00', 'Ada'], ['2027-03-04 10:00', null]],
  'pdf.announced': [['2027-03-04 10:00']],
  'pdf.status': [['LABEL']],
  'pdf.roll': [[7, 12, 5, 4], [7, null, 5, 4], [1, null, 1, 1], [21, null, 11, 3], [25, null, 22, 23]],
  'pdf.result': [[true], [false]],
  'pdf.weight': [[7]],
  'pdf.certification': [
    [{ at: '2027-03-04 10:00', tz: 'Europe/Paris', by: 'Ada', seq: 41, hash: 'abc123', keyId: 'k1' }],
    [{ at: '2027-03-04 10:00', tz: 'Europe/Paris', by: 'Ada', seq: 41, hash: null, keyId: null }],
  ],
  'pdf.page': [[3, 9]],
  'recordings.span': [['2027-03-04 10:00', '2027-03-04 11:30'], ['2027-03-04 10:00', null]],
  'recordings.deleted': [['2027-03-05 09:00', 'REASON']],
  'recordings.files': [[1], [2], [5], [11], [21], [102]],
  'recordings.segments': [[1], [2], [5], [11], [21], [102]],
};
/** Fields that are not text. */
const NOT_TEXT = new Set(['locale', 'rtl']);

/** Every text of a table as [path#probe, rendered text, the sample values it was given]. */
function texts(node: unknown, path = ''): [string, string, Args][] {
  if (typeof node === 'string') return [[path, node, []]];
  if (typeof node === 'function') {
    const probes = PROBES[path];
    if (!probes) throw new Error(`no sample arguments for the text function ${path}: add them to PROBES`);
    return probes.flatMap((args, i) =>
      texts((node as (...a: Args) => unknown)(...args), `${path}#${i}`).map(([p, t]) => [p, t, args] as [string, string, Args]),
    );
  }
  if (Array.isArray(node)) return node.flatMap((v, i) => texts(v, `${path}[${i}]`));
  if (node && typeof node === 'object')
    return Object.entries(node)
      .filter(([k]) => !NOT_TEXT.has(k))
      .flatMap(([k, v]) => texts(v, path ? `${path}.${k}` : k));
  return [];
}

/** Sample values a text must show: strings and numbers (not 1 or 2, which a language may spell out; not a rule's kind). */
const shown = (args: Args): string[] =>
  args.flatMap((a) =>
    typeof a === 'string' ? [a] : typeof a === 'number' && a > 2 ? [String(a)] : a && typeof a === 'object' ? shown(Object.entries(a).flatMap(([k, v]) => (k === 'kind' || v === null ? [] : [v]))) : [],
  );

const SAME_IN_EVERY_LANGUAGE = ['Quorum', 'SHA', 'PDF'];
/** Words a language writes as English does (see the client's locales.spec.ts). */
const SAME_AS_ENGLISH: Partial<Record<Language, string[]>> = { es: ['No'], fr: ['Abstentions'] };

const TABLES: [string, Record<Language, unknown>][] = [
  ['mail', MESSAGES],
  ['event mail', EVENT_MAIL],
  ['minutes', MINUTES_TEXT],
];

describe.each(TABLES)('the %s texts', (_, table) => {
  const english = new Map(texts(table.en).map(([p, t, args]) => [p, { t, args }]));

  it.each(LANGUAGES.map((l) => l.code))('in %s: every text, each showing the values it is given', (lang) => {
    const own = texts(table[lang]);
    expect(own.map(([p]) => p)).toEqual([...english.keys()]);
    // A probe's texts together (a mail's subject and body) show each value.
    const byProbe = new Map<string, { t: string; args: Args }>();
    for (const [p, t, args] of own) {
      const probe = p.replace(/(#\d+).*$/, '$1');
      byProbe.set(probe, { t: `${byProbe.get(probe)?.t ?? ''}\n${t}`, args });
    }
    for (const [p, { t, args }] of byProbe) expect([p, shown(args).filter((v) => !t.includes(v))]).toEqual([p, []]);
  });

  it.each(LANGUAGES.filter((l) => l.code !== 'en').map((l) => l.code))('in %s: nothing left in English', (lang) => {
    const allowed = new Set([...SAME_IN_EVERY_LANGUAGE, ...(SAME_AS_ENGLISH[lang] ?? [])]);
    const same = texts(table[lang]).filter(([p, t, args]) => {
      if (t !== english.get(p)?.t) return false;
      const rest = shown(args).reduce((s, v) => s.split(v).join(' '), t);
      return !(rest.match(/\p{L}+/gu) ?? []).every((w) => allowed.has(w));
    });
    expect(same.map(([p, t]) => `${p}: ${t}`)).toEqual([]);
  });
});

describe('plural forms of the minutes', () => {
  it('refuses a table missing a form its language needs', () => {
    expect(() => plural('ru', { one: '{n} место', few: '{n} места', other: '{n} места' })).toThrow(/many/);
    expect(() => plural('fr', { one: '{n} siège', other: '{n} sièges' })).toThrow(/many/);
  });

  it.each([
    ['ru', [1, 3, 5, 21, 22, 25, 111], ['1 место', '3 места', '5 мест', '21 место', '22 места', '25 мест', '111 мест']],
    ['fr', [0, 1, 2, 1_000_000], ['0 siège', '1 siège', '2 sièges', '1000000 de sièges']],
    ['es', [1, 2, 1_000_000], ['1 escaño', '2 escaños', '1000000 de escaños']],
    ['pt', [0, 1, 2], ['0 assento', '1 assento', '2 assentos']],
  ] as const)('counts seats in %s with the right form', (lang, counts, expected) => {
    const roll = MINUTES_TEXT[lang].pdf.roll;
    counts.forEach((n, i) => expect(roll(n, null, 0, 0)).toContain(expected[i]));
  });
});
