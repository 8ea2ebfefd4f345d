import type { SpeechToTextProvider } from './stt/speech-to-text';
import { unavailableReason } from './speech-providers';

const provider = (check: Awaited<ReturnType<SpeechToTextProvider['check']>>): SpeechToTextProvider => ({
  name: 'offline',
  languages: ['en'],
  check: async () => check,
  start: () => {
    throw new Error('not started in these tests');
  },
});

describe('unavailableReason', () => {
  const withFfmpeg = () => true;

  it('is null when the provider works, FFmpeg is there and the language is offered', async () => {
    expect(await unavailableReason(provider({ ok: true }), 'en', withFfmpeg)).toBeNull();
  });

  it("gives the provider's own reason first", async () => {
    expect(await unavailableReason(provider({ ok: false, reason: 'no model' }), 'en', () => false)).toBe('no model');
  });

  it('names FFmpeg and how to install it when it is missing', async () => {
    expect(await unavailableReason(provider({ ok: true }), 'en', () => false)).toMatch(/FFmpeg.*apt-get install .*ffmpeg/);
  });

  it('names the languages the provider has', async () => {
    expect(await unavailableReason(provider({ ok: true }), 'zh', withFfmpeg)).toBe('the offline recogniser (PocketSphinx) recognises en only');
  });
});
