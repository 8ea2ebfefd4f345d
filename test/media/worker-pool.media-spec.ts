import { MEDIA_CODECS, WorkerPool } from '../../server/src/modules/media/worker-pool';
import { closeSocket, LOOPBACK, udpSocket, waitFor } from '../helpers/rtp';
import { childWorkers } from './worker-processes';

jest.setTimeout(20_000);

const config = { workers: 2, rtcListenIp: LOOPBACK, rtcMinPort: 19300, rtcMaxPort: 19399, logLevel: 'warn' } as const;

const codecKey = (c: { mimeType: string; parameters?: Record<string, unknown> }) =>
  `${c.mimeType} ${c.parameters?.['profile-id'] ?? c.parameters?.['profile-level-id'] ?? ''}`.trim();

describe('WorkerPool on real workers', () => {
  afterEach(() => waitFor(() => childWorkers().length === 0, 3_000, 'every worker process to exit'));

  it('starts one WebRtcServer per worker on rtcMinPort + index and stops every process on close', async () => {
    const pool = new WorkerPool(config);
    try {
      await pool.start();
      expect(pool.stats().workers.map((w) => [w.index, w.port, w.alive])).toEqual([
        [0, 19300, true],
        [1, 19301, true],
      ]);
      expect(childWorkers().sort()).toEqual(pool.stats().workers.map((w) => w.pid).sort());
      expect(pool.alive()).toBe(true);
      for (const { index, webRtcServer } of pool.workers()) {
        const dump = await webRtcServer.dump();
        expect(dump.udpSockets).toEqual([{ ip: LOOPBACK, port: 19300 + index }]);
        expect(dump.tcpServers).toEqual([{ ip: LOOPBACK, port: 19300 + index }]);
      }
    } finally {
      await pool.close();
    }
    expect(childWorkers()).toEqual([]);
    expect(pool.alive()).toBe(false);
  });

  it('gives routers every configured codec and spreads them over the workers by load', async () => {
    const pool = new WorkerPool(config);
    try {
      await pool.start();
      const created = await Promise.all(Array.from({ length: 4 }, () => pool.createRouter()));
      expect(created.map((c) => c.worker.index).sort()).toEqual([0, 0, 1, 1]);
      expect(pool.stats().workers.map((w) => w.routers)).toEqual([2, 2]);

      const offered = created[0]!.router.rtpCapabilities.codecs!.filter((c) => c.mimeType !== 'video/rtx');
      expect(offered.map(codecKey)).toEqual(MEDIA_CODECS.map(codecKey));

      created[0]!.router.close();
      created[2]!.router.close();
      const routers = pool.stats().workers.map((w) => w.routers);
      expect(routers.reduce((a, b) => a + b)).toBe(2);
      const next = await pool.createRouter();
      expect(next.worker.index).toBe(routers.indexOf(Math.min(...routers)));
    } finally {
      await pool.close();
    }
  });

  it('refuses to start when a WebRtcServer port is taken, leaving no worker behind', async () => {
    const squatter = await udpSocket();
    const port = squatter.address().port;
    const pool = new WorkerPool({ ...config, rtcMinPort: port, rtcMaxPort: port + 10 });
    try {
      await expect(pool.start()).rejects.toThrow(/address already in use/i);
      expect(pool.alive()).toBe(false);
      expect(() => pool.pickWorker()).toThrow('no mediasoup worker is available');
    } finally {
      await closeSocket(squatter);
      await pool.close();
    }
    expect(childWorkers()).toEqual([]);
  });
});
