import type { ChapterDto } from '@contract';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chapterAt, clock } from '../time';

/** An audio rendition or a subtitle track, as the picker lists it. */
interface Track {
  index: number;
  name: string;
  lang: string | null;
  isDefault: boolean;
}

/** What the picker drives: hls.js, or the browser's own HLS (Safari) through the media element's track lists. */
interface Engine {
  kind: 'hls.js' | 'native' | 'mp4';
  setAudio(index: number): void;
  setSubtitles(index: number): void;
}

interface NativeAudioTrack {
  enabled: boolean;
  label: string;
  language: string;
  kind: string;
}

/**
 * The recording's player: HLS through hls.js (loaded only here, when a recording is opened) wherever
 * the browser has Media Source Extensions, the browser's own HLS where it has that instead, the MP4
 * otherwise. Audio renditions are the language channels (floor and interpretation); subtitle tracks
 * are the captions; chapters seek.
 */
export function Player({
  hls: hlsUrl,
  mp4,
  chapters,
  title,
}: {
  hls: string | null;
  mp4: string | null;
  chapters: ChapterDto[];
  title: string;
}) {
  const { t, i18n } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const engine = useRef<Engine | null>(null);
  /**
   * Where playback was when the links changed (a description saved, or fresh links before the old ones
   * expire), and the channels chosen: the new source picks up there instead of starting over.
   */
  const resume = useRef<{ at: number; playing: boolean; audioLang: string | null; subtitleLang: string | null } | null>(null);
  const chosen = useRef<{ audioLang: string | null; subtitleLang: string | null }>({ audioLang: null, subtitleLang: null });
  const [kind, setKind] = useState<Engine['kind'] | null>(null);
  const [audio, setAudio] = useState<Track[]>([]);
  const [audioIndex, setAudioIndex] = useState(-1);
  const [subtitles, setSubtitles] = useState<Track[]>([]);
  const [subtitleIndex, setSubtitleIndex] = useState(-1);
  const [time, setTime] = useState(0);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    let cancelled = false;
    let destroy = () => {};
    // One object for the component's life, its fields updated as channels are chosen.
    const picked = chosen.current;
    setFailed(false);
    el.addEventListener(
      'loadedmetadata',
      () => {
        const r = resume.current;
        if (!r) return;
        el.currentTime = r.at;
        if (r.playing) void el.play().catch(() => undefined);
      },
      { once: true },
    );
    void (async () => {
      const { default: Hls } = await import('hls.js');
      if (cancelled) return;
      if (hlsUrl && Hls.isSupported()) {
        // Reloaded links (after an edit) play on where they were, on the channel and captions chosen:
        // hls.js knows a rendition's tracks only once its playlist loads, so they are asked as preferences.
        const again = resume.current;
        const hls = new Hls({
          // The worker would be made from a blob: URL, which the page's script policy does not allow.
          enableWorker: false,
          renderTextTracksNatively: true,
          ...(again?.audioLang ? { audioPreference: { lang: again.audioLang } } : {}),
          ...(again?.subtitleLang ? { subtitlePreference: { lang: again.subtitleLang } } : {}),
        });
        hls.subtitleDisplay = Boolean(again?.subtitleLang);
        let recovered = false;
        const toTrack = (tr: { name: string; lang?: string; default: boolean }, index: number): Track => ({
          index,
          name: tr.name,
          lang: tr.lang ?? null,
          isDefault: tr.default,
        });
        hls.on(Hls.Events.MANIFEST_PARSED, () => {
          setAudio(hls.audioTracks.map(toTrack));
          setSubtitles(hls.subtitleTracks.map(toTrack));
        });
        hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, () => setAudio(hls.audioTracks.map(toTrack)));
        hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, () => setSubtitles(hls.subtitleTracks.map(toTrack)));
        // An alternate rendition counts as switched only once the playing fragment changes (never while
        // paused), so the choice is shown as soon as it is made, and again when hls.js confirms it.
        const showAudio = (id: number) => {
          setAudioIndex(id);
          chosen.current.audioLang = hls.audioTracks[id]?.lang ?? null;
        };
        hls.on(Hls.Events.AUDIO_TRACK_SWITCHING, (_, d) => showAudio(d.id));
        hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_, d) => showAudio(d.id));
        hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_, d) => {
          setSubtitleIndex(d.id);
          chosen.current.subtitleLang = hls.subtitleTracks[d.id]?.lang ?? null;
        });
        hls.on(Hls.Events.ERROR, (_, d) => {
          if (!d.fatal) return;
          if (d.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
            recovered = true;
            hls.recoverMediaError();
          } else setFailed(true);
        });
        hls.loadSource(hlsUrl);
        hls.attachMedia(el);
        engine.current = {
          kind: 'hls.js',
          setAudio: (i) => (hls.audioTrack = i),
          setSubtitles: (i) => {
            hls.subtitleTrack = i;
            hls.subtitleDisplay = i >= 0;
          },
        };
        setKind('hls.js');
        destroy = () => hls.destroy();
      } else if (hlsUrl && el.canPlayType('application/vnd.apple.mpegurl')) {
        el.src = hlsUrl;
        const list = () => Array.from((el as unknown as { audioTracks?: ArrayLike<NativeAudioTrack> }).audioTracks ?? []);
        const texts = () => [...el.textTracks].filter((tt) => tt.kind === 'subtitles' || tt.kind === 'captions');
        el.addEventListener('loadedmetadata', () => {
          setAudio(list().map((a, index) => ({ index, name: a.label, lang: a.language || null, isDefault: a.kind === 'main' })));
          setAudioIndex(list().findIndex((a) => a.enabled));
          setSubtitles(texts().map((tt, index) => ({ index, name: tt.label, lang: tt.language || null, isDefault: false })));
        });
        engine.current = {
          kind: 'native',
          setAudio: (i) => {
            list().forEach((a, k) => (a.enabled = k === i));
            setAudioIndex(i);
          },
          setSubtitles: (i) => {
            texts().forEach((tt, k) => (tt.mode = k === i ? 'showing' : 'disabled'));
            setSubtitleIndex(i);
          },
        };
        setKind('native');
        destroy = () => el.removeAttribute('src');
      } else if (mp4) {
        el.src = mp4;
        engine.current = { kind: 'mp4', setAudio: () => {}, setSubtitles: () => {} };
        setKind('mp4');
        destroy = () => el.removeAttribute('src');
      } else setFailed(true);
    })().catch(() => setFailed(true));
    return () => {
      cancelled = true;
      resume.current = el.currentTime > 0 ? { at: el.currentTime, playing: !el.paused && !el.ended, ...picked } : null;
      destroy();
      engine.current = null;
    };
  }, [hlsUrl, mp4]);

  const languageName = (lang: string | null) => {
    if (!lang) return null;
    try {
      return new Intl.DisplayNames([i18n.resolvedLanguage ?? 'en'], { type: 'language' }).of(lang) ?? lang;
    } catch {
      return lang;
    }
  };
  const audioLabel = (a: Track) => {
    const name = languageName(a.lang) ?? a.name;
    return a.isDefault ? t('archive.floorChannel', { language: name }) : name;
  };
  const seek = (seconds: number) => {
    const el = video.current;
    if (!el) return;
    el.currentTime = seconds;
    void el.play().catch(() => undefined);
  };
  const current = chapterAt(chapters, time);

  return (
    <section
      className="stack player"
      aria-label={t('archive.player')}
      data-testid="player"
      data-engine={kind ?? ''}
      data-audio-lang={audio[audioIndex]?.lang ?? ''}
      data-subtitles={subtitles.length}
    >
      <video
        ref={video}
        className="player-video"
        controls
        playsInline
        preload="metadata"
        aria-label={title}
        data-testid="recording-video"
        onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
        onError={() => kind !== 'hls.js' && setFailed(true)}
      />
      {failed && (
        <p className="alert alert-error" role="alert" data-testid="playback-failed">
          {t('archive.playbackFailed')}
        </p>
      )}
      <div className="player-controls">
        {audio.length > 1 && (
          <label className="stack-tight">
            {t('archive.audioLanguage')}
            <select value={audioIndex} onChange={(e) => engine.current?.setAudio(Number(e.target.value))} data-testid="audio-language">
              {audio.map((a) => (
                <option key={a.index} value={a.index} lang={a.lang ?? undefined} data-lang={a.lang ?? ''}>
                  {audioLabel(a)}
                </option>
              ))}
            </select>
          </label>
        )}
        {subtitles.length > 0 && (
          <label className="stack-tight">
            {t('archive.captions')}
            <select
              value={subtitleIndex}
              onChange={(e) => engine.current?.setSubtitles(Number(e.target.value))}
              data-testid="captions-language"
            >
              <option value={-1}>{t('archive.captionsOff')}</option>
              {subtitles.map((s) => (
                <option key={s.index} value={s.index} lang={s.lang ?? undefined} data-lang={s.lang ?? ''}>
                  {languageName(s.lang) ?? s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {chapters.length > 0 && (
        <nav aria-labelledby="chapters-title" className="stack-tight">
          <h2 id="chapters-title" className="player-heading">
            {t('archive.chapters')}
          </h2>
          <ol className="chapter-list" data-testid="chapters">
            {chapters.map((c, i) => (
              <li key={`${c.ref}-${c.startSeconds}`}>
                <button
                  type="button"
                  className="chapter"
                  aria-current={i === current ? 'true' : undefined}
                  onClick={() => seek(c.startSeconds)}
                  data-testid="chapter"
                  data-start={c.startSeconds}
                >
                  <time className="chapter-time" dir="ltr">
                    {clock(c.startSeconds)}
                  </time>
                  <span className="chapter-title">
                    {c.source === 'agenda' && <span className="chapter-ref">{c.ref}. </span>}
                    <bdi>{c.title}</bdi>
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
    </section>
  );
}
