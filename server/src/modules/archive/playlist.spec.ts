import { resolveUri, rewritePlaylist } from './playlist';

describe('HLS playlists as served', () => {
  it('resolves URIs against the playlist, never outside the folder', () => {
    expect(resolveUri('hls/master.m3u8', 'video/index.m3u8')).toBe('hls/video/index.m3u8');
    expect(resolveUri('hls/video/index.m3u8', 'seg000.m4s?x=1#t')).toBe('hls/video/seg000.m4s');
    expect(resolveUri('hls/subs/en.m3u8', '../../captions/en.vtt')).toBe('captions/en.vtt');
    expect(resolveUri('hls/master.m3u8', 'audio%20zh/index.m3u8')).toBe('hls/audio zh/index.m3u8');
    expect(resolveUri('hls/master.m3u8', '../../etc/passwd')).toBeNull();
    expect(resolveUri('master.m3u8', '..')).toBeNull();
    expect(resolveUri('hls/master.m3u8', 'https://elsewhere.example/x.ts')).toBeNull();
    expect(resolveUri('hls/master.m3u8', '/etc/passwd')).toBeNull();
    expect(resolveUri('hls/master.m3u8', '%E0%A4%A')).toBeNull();
  });

  it('replaces URI lines and URI attributes, and leaves unknown ones and tags alone', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="floor",DEFAULT=YES,LANGUAGE="en",URI="floor/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="zh",LANGUAGE="zh",URI="zh/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=559949,RESOLUTION=320x180,AUDIO="aud"',
      'video/index.m3u8',
      '',
      'missing/index.m3u8',
    ].join('\n');
    const known: Record<string, string> = { 'hls/floor/index.m3u8': 'F', 'hls/zh/index.m3u8': 'Z', 'hls/video/index.m3u8': 'V' };
    const out = rewritePlaylist(master, 'hls/master.m3u8', (p) => (known[p] ? `/files/${known[p]}?t=tok` : null));
    expect(out.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="floor",DEFAULT=YES,LANGUAGE="en",URI="/files/F?t=tok"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="zh",LANGUAGE="zh",URI="/files/Z?t=tok"',
      '#EXT-X-STREAM-INF:BANDWIDTH=559949,RESOLUTION=320x180,AUDIO="aud"',
      '/files/V?t=tok',
      '',
      'missing/index.m3u8',
    ]);
  });

  it('rewrites the init section of a media playlist', () => {
    const media = '#EXTM3U\r\n#EXT-X-MAP:URI="init_0.mp4"\r\n#EXTINF:2.000000,\r\nseg000.m4s\r\n#EXT-X-ENDLIST\r\n';
    expect(rewritePlaylist(media, 'hls/video/index.m3u8', (p) => `<${p}>`)).toBe(
      '#EXTM3U\n#EXT-X-MAP:URI="<hls/video/init_0.mp4>"\n#EXTINF:2.000000,\n<hls/video/seg000.m4s>\n#EXT-X-ENDLIST\n',
    );
  });
});
