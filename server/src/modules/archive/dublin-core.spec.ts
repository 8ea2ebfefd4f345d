import { oaiDcXml, withDefaults, w3cdtfInstant, xmlText } from './dublin-core';

const empty = { title: null, creator: null, subject: [], description: null, language: null, rights: null, date: null };
const source = {
  organizationName: 'IFLA 国际图联',
  roomName: 'Main hall',
  meetingTitle: 'General assembly 2026',
  eventSessionTitle: null,
  startedAt: new Date('2026-03-29T09:00:05.250Z'),
  language: 'zh',
};

describe('Dublin Core defaults', () => {
  it('fills every empty field from the meeting, the organisation and the start', () => {
    expect(withDefaults(empty, source)).toEqual({
      title: 'General assembly 2026',
      creator: 'IFLA 国际图联',
      subject: [],
      description: null,
      language: 'zh',
      rights: null,
      date: '2026-03-29T09:00:05Z',
    });
  });

  it('prefers the event session’s title, then the meeting’s, then the room’s', () => {
    expect(withDefaults(empty, { ...source, eventSessionTitle: 'Keynote' }).title).toBe('Keynote');
    expect(withDefaults(empty, { ...source, meetingTitle: null }).title).toBe('Main hall');
  });

  it('keeps what the organisers wrote, and treats blank as empty', () => {
    const written = { ...empty, title: 'مكتبات المستقبل', creator: '  ', language: 'ar', date: '2026' };
    expect(withDefaults(written, source)).toMatchObject({
      title: 'مكتبات المستقبل',
      creator: 'IFLA 国际图联',
      language: 'ar',
      date: '2026',
    });
  });

  it('writes instants to the second in UTC', () => {
    expect(w3cdtfInstant(new Date('2026-12-31T23:59:59.999+00:00'))).toBe('2026-12-31T23:59:59Z');
  });
});

describe('oai_dc XML', () => {
  it('escapes markup and replaces what XML 1.0 cannot carry', () => {
    expect(xmlText(`<b>"Tom" & 'Jerry'</b>`)).toBe('&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;');
    expect(xmlText('a\u0000b\u0007c\ud800d\tline\nnext\r')).toBe('a\ufffdb\ufffdc\ufffdd\tline\nnext&#13;');
    // Pairs and scripts pass untouched.
    expect(xmlText('图书馆 مكتبة 📚')).toBe('图书馆 مكتبة 📚');
    // Escaping is not done twice.
    expect(xmlText('&amp;')).toBe('&amp;amp;');
  });

  it('writes each element once per value, in the oai_dc namespace, with the language on the text elements', () => {
    const xml = oaiDcXml({
      dc: {
        title: 'Budget <2027> & beyond',
        creator: 'IFLA',
        subject: ['Open access', 'الوصول الحر'],
        description: '',
        language: 'ar',
        rights: 'CC BY 4.0',
        date: '2026-03-29',
      },
      identifiers: [
        'urn:uuid:0b8e6c1e-0000-4000-8000-000000000001',
        'https://quorum.example.org/recordings/0b8e6c1e-0000-4000-8000-000000000001',
      ],
      publisher: 'IFLA',
      formats: ['video/mp4', 'application/vnd.apple.mpegurl', 'video/mp4'],
      relations: [],
    });
    expect(xml).toContain(
      '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"',
    );
    expect(xml).toContain('<dc:title xml:lang="ar">Budget &lt;2027&gt; &amp; beyond</dc:title>');
    expect(xml).toContain('<dc:subject xml:lang="ar">الوصول الحر</dc:subject>');
    expect(xml).toContain('<dc:type>MovingImage</dc:type>');
    expect(xml.match(/<dc:format>/g)).toHaveLength(2);
    expect(xml.match(/<dc:identifier>/g)).toHaveLength(2);
    expect(xml).not.toContain('<dc:description');
    expect(xml).not.toContain('<dc:relation');
    expect(xml.trimEnd().endsWith('</oai_dc:dc>')).toBe(true);
  });
});
