import type { DublinCoreDto } from '../../contract';

/**
 * A recording's description in Dublin Core: the defaults it gets when it is ready, and its oai_dc XML
 * record (what OAI-PMH harvesters and catalogues read, and what the preservation package carries). Pure.
 */

/** What the defaults are made from, as the database has it. */
export interface DefaultsSource {
  organizationName: string;
  roomName: string;
  meetingTitle: string | null;
  eventSessionTitle: string | null;
  startedAt: Date;
  /** The meeting's language, else the room's floor language (what its interpreters interpret from). */
  language: string | null;
}

/** The stored description, where a field never filled is null (subject: empty). */
export type StoredDublinCore = { [K in keyof DublinCoreDto]: K extends 'subject' ? string[] : DublinCoreDto[K] | null };

/** An instant in W3CDTF, to the second, in UTC. */
export const w3cdtfInstant = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

/**
 * Fills what is empty and keeps what is set: the title from the event's session, the meeting or the
 * room; the organisation as creator; the start of the recording as its date; the meeting's or room's
 * language. Description, rights and subjects have no default: they are the organisers' to write.
 */
export function withDefaults(stored: StoredDublinCore, from: DefaultsSource): StoredDublinCore {
  const blank = (v: string | null | undefined) => v === null || v === undefined || v.trim() === '';
  return {
    title: blank(stored.title) ? (from.eventSessionTitle ?? from.meetingTitle ?? from.roomName) : stored.title,
    creator: blank(stored.creator) ? from.organizationName : stored.creator,
    subject: stored.subject,
    description: stored.description,
    language: blank(stored.language) ? from.language : stored.language,
    rights: stored.rights,
    date: blank(stored.date) ? w3cdtfInstant(from.startedAt) : stored.date,
  };
}

/** As the API shows it: empty strings for what was never written. */
export const toDublinCoreDto = (s: StoredDublinCore): DublinCoreDto => ({
  title: s.title ?? '',
  creator: s.creator ?? '',
  subject: s.subject,
  description: s.description ?? '',
  language: s.language,
  rights: s.rights ?? '',
  date: s.date ?? '',
});

/**
 * Text as XML 1.0 character data or an attribute value: the five markup characters escaped, and
 * characters XML 1.0 cannot carry at all (C0 controls other than tab and newlines, lone surrogates,
 * U+FFFE and U+FFFF) replaced by U+FFFD, so the record always parses.
 */
export function xmlText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    // XML 1.0's Char production; iterating by code point leaves a lone surrogate on its own, outside it.
    const legal = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    out += !legal
      ? '\ufffd'
      : ch === '&'
        ? '&amp;'
        : ch === '<'
          ? '&lt;'
          : ch === '>'
            ? '&gt;'
            : ch === '"'
              ? '&quot;'
              : ch === "'"
                ? '&apos;'
                : ch === '\r'
                  ? '&#13;'
                  : ch;
  }
  return out;
}

export interface OaiDcRecord {
  dc: DublinCoreDto;
  /** `urn:uuid:…` and the recording's page. */
  identifiers: string[];
  publisher: string;
  /** Media types of what the recording is made of. */
  formats: string[];
  /** What the recording belongs to: the meeting's or the event's page. */
  relations: string[];
}

/** The record as an oai_dc document (http://www.openarchives.org/OAI/2.0/oai_dc/). */
export function oaiDcXml(r: OaiDcRecord): string {
  const lang = r.dc.language ? ` xml:lang="${xmlText(r.dc.language)}"` : '';
  const el = (name: string, value: string, withLang = false) =>
    value.trim() === '' ? [] : [`  <dc:${name}${withLang ? lang : ''}>${xmlText(value)}</dc:${name}>`];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '  xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">',
    ...el('title', r.dc.title, true),
    ...el('creator', r.dc.creator),
    ...r.dc.subject.flatMap((s) => el('subject', s, true)),
    ...el('description', r.dc.description, true),
    ...el('publisher', r.publisher),
    ...el('date', r.dc.date),
    // The DCMI Type Vocabulary's term for video (and sound) recordings.
    ...el('type', 'MovingImage'),
    ...[...new Set(r.formats)].flatMap((f) => el('format', f)),
    ...r.identifiers.flatMap((i) => el('identifier', i)),
    ...el('language', r.dc.language ?? ''),
    ...r.relations.flatMap((x) => el('relation', x)),
    ...el('rights', r.dc.rights, true),
    '</oai_dc:dc>',
    '',
  ];
  return lines.join('\n');
}
