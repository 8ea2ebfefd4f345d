import {
  type BagContents,
  bagSize,
  decodeManifestPath,
  encodeManifestPath,
  manifestText,
  parseManifest,
  parseTagLines,
  payloadOxum,
  sha256Hex,
  tagFiles,
  verifyBag,
} from './bagit';

/** A bag in memory: payload texts by path under data/, plus its tag files as tagFiles() makes them. */
function bag(payload: Record<string, string>, info: [string, string][] = [['Source-Organization', 'IFLA']]) {
  const entries = Object.entries(payload).map(([path, text]) => ({ path, bytes: Buffer.byteLength(text), sha256: sha256Hex(text) }));
  return { ...tagFiles(entries, info), ...payload } as Record<string, string>;
}
const contents = (files: Record<string, string>): BagContents => ({
  files: new Map(Object.entries(files).map(([p, t]) => [p, { bytes: Buffer.byteLength(t), sha256: sha256Hex(t) }])),
  text: (p) => (p.startsWith('data/') ? undefined : files[p]),
});

type Files = Record<string, string>;
const PAYLOAD = { 'data/composite.mp4': 'video bytes', 'data/hls/master.m3u8': '#EXTM3U\n', 'data/metadata/dublin-core.xml': '<dc/>' };

describe('BagIt tag files', () => {
  it('sorts the manifest by path and counts the payload in its oxum', () => {
    const files = [
      { path: 'data/b.txt', bytes: 3, sha256: 'b'.repeat(64) },
      { path: 'data/a.txt', bytes: 4, sha256: 'a'.repeat(64) },
    ];
    expect(manifestText(files)).toBe(`${'a'.repeat(64)}  data/a.txt\n${'b'.repeat(64)}  data/b.txt\n`);
    expect(payloadOxum(files)).toBe('7.2');
    expect(payloadOxum([])).toBe('0.0');
  });

  it('percent-encodes CR, LF and % in manifest paths, and reads them back', () => {
    const odd = 'data/50%\nof\r.txt';
    expect(encodeManifestPath(odd)).toBe('data/50%25%0Aof%0D.txt');
    expect(decodeManifestPath(encodeManifestPath(odd))).toBe(odd);
    expect(parseManifest(manifestText([{ path: odd, bytes: 1, sha256: 'c'.repeat(64) }]))).toEqual(new Map([[odd, 'c'.repeat(64)]]));
  });

  it('sizes in decimal units', () => {
    expect([0, 999, 1000, 1_234_567, 26_000_000_000].map(bagSize)).toEqual(['0 bytes', '999 bytes', '1.0 KB', '1.2 MB', '26 GB']);
  });

  it('writes bagit.txt, bag-info.txt with Payload-Oxum and Bag-Size, and both manifests', () => {
    const files = bag(PAYLOAD, [
      ['Source-Organization', 'IFLA'],
      ['External-Description', 'Line one\nline two'],
    ]);
    expect(files['bagit.txt']).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect(parseTagLines(files['bag-info.txt']!)).toEqual([
      ['Source-Organization', 'IFLA'],
      ['External-Description', 'Line one line two'],
      ['Payload-Oxum', '24.3'],
      ['Bag-Size', '24 bytes'],
    ]);
    expect([...parseManifest(files['tagmanifest-sha256.txt']!)!.keys()]).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt']);
  });

  it('reads continuation lines and refuses lines that are not labels', () => {
    expect(parseTagLines('A: 1\n  more\nB:2\n')).toEqual([
      ['A', '1 more'],
      ['B', '2'],
    ]);
    expect(parseTagLines(' orphan\n')).toBeNull();
    expect(parseTagLines('no colon here\n')).toBeNull();
    expect(parseManifest('abc  data/x\n')).toBeNull();
    expect(parseManifest(`${'a'.repeat(64)}  data/x\n${'b'.repeat(64)}  data/x\n`)).toBeNull();
  });
});

describe('verifying a bag', () => {
  it('accepts a complete and valid bag', () => {
    expect(verifyBag(contents(bag(PAYLOAD)))).toEqual({ ok: true, payloadFiles: 3, payloadBytes: 24 });
  });

  const broken = (change: (files: Files) => void): string => {
    const files = bag(PAYLOAD);
    change(files);
    const v = verifyBag(contents(files));
    return v.ok ? 'OK' : v.code;
  };

  it.each([
    ['a payload byte changed', (f: Files): void => void (f['data/composite.mp4'] = 'video bytez'), 'PAYLOAD_HASH_MISMATCH'],
    ['a payload file removed', (f: Files): void => void delete f['data/hls/master.m3u8'], 'PAYLOAD_FILE_MISSING'],
    ['a payload file added', (f: Files): void => void (f['data/extra.txt'] = 'x'), 'PAYLOAD_FILE_EXTRA'],
    [
      'a manifest byte changed',
      (f: Files): void => void (f['manifest-sha256.txt'] = f['manifest-sha256.txt']!.replace(/^./, (c) => (c === '0' ? '1' : '0'))),
      'TAGMANIFEST_MISMATCH',
    ],
    ['bag-info changed', (f: Files): void => void (f['bag-info.txt'] = f['bag-info.txt']!.replace('IFLA', 'IFLB')), 'TAGMANIFEST_MISMATCH'],
    ['bagit.txt missing', (f: Files): void => void delete f['bagit.txt'], 'BAGIT_TXT_INVALID'],
    ['a tag file removed', (f: Files): void => void delete f['bag-info.txt'], 'TAG_FILE_MISSING'],
    ['a tag file added', (f: Files): void => void (f['notes.txt'] = 'hello'), 'TAG_FILE_EXTRA'],
    ['the tag manifest removed', (f: Files): void => void delete f['tagmanifest-sha256.txt'], 'TAGMANIFEST_MISSING'],
  ] as [string, (f: Files) => void, string][])('fails when %s', (_, change, code) => {
    expect(broken(change)).toBe(code);
  });

  it('checks the oxum and the manifest itself when the tag manifest agrees with them', () => {
    // Rewrite bag-info and the manifest consistently, then the tag manifest: only the deeper checks can fail.
    const payload = Object.entries(PAYLOAD).map(([path, text]) => ({ path, bytes: Buffer.byteLength(text), sha256: sha256Hex(text) }));
    const resign = (files: Record<string, string>) => {
      const tags = ['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt'].map((path) => ({
        path,
        bytes: Buffer.byteLength(files[path]!),
        sha256: sha256Hex(files[path]!),
      }));
      files['tagmanifest-sha256.txt'] = manifestText(tags);
      return verifyBag(contents(files));
    };
    const wrongOxum = bag(PAYLOAD);
    wrongOxum['bag-info.txt'] = wrongOxum['bag-info.txt']!.replace('Payload-Oxum: 24.3', 'Payload-Oxum: 30.3');
    expect(resign(wrongOxum)).toMatchObject({ ok: false, code: 'OXUM_MISMATCH' });
    const noOxum = bag(PAYLOAD);
    noOxum['bag-info.txt'] = 'Source-Organization: IFLA\n';
    expect(resign(noOxum)).toMatchObject({ ok: false, code: 'BAG_INFO_INVALID' });
    const outside = bag(PAYLOAD);
    outside['manifest-sha256.txt'] = manifestText([...payload, { path: 'data/../etc/passwd', bytes: 1, sha256: 'a'.repeat(64) }]);
    expect(resign(outside)).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
    const notListed = bag(PAYLOAD);
    notListed['manifest-sha256.txt'] = manifestText(payload.slice(1));
    expect(resign(notListed)).toMatchObject({ ok: false, code: 'PAYLOAD_FILE_EXTRA' });
  });
});
