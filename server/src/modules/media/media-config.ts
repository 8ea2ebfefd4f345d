import type { types } from 'mediasoup';

/** Media settings. The config module builds this from env; nothing here reads env. */
export interface MediaConfig {
  /** mediasoup worker processes, normally one per core. */
  workers: number;
  /** Address the media sockets bind to (`0.0.0.0` in a container). */
  rtcListenIp: string;
  /** Address or hostname put in ICE candidates when clients reach the server through NAT. */
  rtcAnnouncedIp?: string;
  /** How the announced address was chosen, for the start-up log. */
  rtcAnnouncedSource?: 'configured' | 'listen-address' | 'lan-address' | 'loopback';
  /**
   * The UDP/TCP port range to publish. Worker i's WebRtcServer listens on `rtcMinPort + i` (UDP and
   * TCP), so every browser connection goes through one of `workers` ports. The ports after those are
   * for plain and pipe transports (recording, interpretation feeds, pipeToRouter).
   */
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel?: types.WorkerLogLevel;
}

/** Injection token of the MediaConfig given to MediaModule. */
export const MEDIA_CONFIG = Symbol('MEDIA_CONFIG');
