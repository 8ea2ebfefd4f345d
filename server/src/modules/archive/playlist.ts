import path from 'node:path';

/**
 * HLS playlists as served: every URI in them (variant and media playlists, segments, init sections,
 * subtitles) is resolved against the playlist's own place in the recording's folder and replaced by
 * the address the server serves that file at, carrying the viewer's media token. Segments can then
 * only be reached as registered files, through the same access rule. Pure.
 */

/** The path a URI in a playlist at `playlistPath` names, inside the recording's folder; null when it names none there. */
export function resolveUri(playlistPath: string, uri: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.startsWith('\\')) return null;
  const bare = uri.replace(/[?#].*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    return null;
  }
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(playlistPath), decoded));
  return joined.startsWith('../') || joined === '..' || joined === '.' ? null : joined;
}

/** The playlist with each URI replaced by `urlFor(its path)`; URIs naming no known file are left as they are. */
export function rewritePlaylist(text: string, playlistPath: string, urlFor: (filePath: string) => string | null): string {
  const swap = (uri: string) => {
    const target = resolveUri(playlistPath, uri);
    return (target && urlFor(target)) ?? uri;
  };
  return text
    .split(/\r?\n/)
    .map((line) => {
      if (line.startsWith('#')) return line.replace(/URI="([^"]*)"/g, (_, uri: string) => `URI="${swap(uri)}"`);
      return line.trim() === '' ? line : swap(line.trim());
    })
    .join('\n');
}
