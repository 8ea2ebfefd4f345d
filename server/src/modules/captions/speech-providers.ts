import type { AppConfig } from '../../config/config';
import type { CaptionLanguage } from '../../contract';
import { RECORDER_INSTALL_HINT, recorderStatus } from '../recordings/recorder-tools';
import { PocketsphinxProvider } from './stt/pocketsphinx';
import type { SpeechToTextProvider } from './stt/speech-to-text';
import { VoskWebSocketProvider } from './stt/vosk-websocket';

/** The recogniser this server uses: the configured Vosk-protocol server, or PocketSphinx on this machine. */
export function speechProviderFor(config: Pick<AppConfig, 'speechToText'>): SpeechToTextProvider {
  const { websocketUrl, websocketLanguages } = config.speechToText;
  return websocketUrl ? new VoskWebSocketProvider(websocketUrl, websocketLanguages) : new PocketsphinxProvider();
}

/**
 * Why automatic captions cannot run in `language` with this provider (null: they can). Whatever the
 * provider, FFmpeg decodes the microphones for it.
 */
export async function unavailableReason(
  provider: SpeechToTextProvider,
  language: CaptionLanguage,
  ffmpegInstalled = () => recorderStatus().problem !== 'FFMPEG_MISSING',
): Promise<string | null> {
  const check = await provider.check();
  if (!check.ok) return check.reason;
  if (!ffmpegInstalled()) return `FFmpeg, which decodes the microphones for the recogniser, is not installed (${RECORDER_INSTALL_HINT})`;
  if (!provider.languages.includes(language)) {
    return `the ${provider.name === 'offline' ? 'offline recogniser (PocketSphinx)' : 'speech-to-text server'} recognises ${provider.languages.join(', ')} only`;
  }
  return null;
}
