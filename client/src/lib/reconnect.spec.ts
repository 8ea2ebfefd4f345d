import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ErrorCode } from '@contract';
import { backoffMs, rejoinDelayMs, superviseSocket, type SupervisedSocket } from './reconnect';

type Handler = (...args: never[]) => void;

function fakeSocket() {
  const handlers = new Map<string, Handler>();
  const s = {
    active: false,
    connects: 0,
    connect() {
      s.connects++;
    },
    on(event: string, fn: Handler) {
      handlers.set(event, fn);
    },
    fire(event: string, ...args: unknown[]) {
      (handlers.get(event) as (...a: unknown[]) => void)(...args);
    },
  };
  return s;
}

const refused = (code: string) => Object.assign(new Error(code), { data: { code } });

describe('reconnection', () => {
  it.each([
    [0, 0, 125],
    [0, 0.999, 375],
    [1, 0.5, 500],
    [3, 0.5, 2_000],
    [10, 0.5, 5_000],
  ])('backs off from a fast first retry, with jitter (attempt %i, draw %p → %i ms)', (attempt, draw, expected) => {
    expect(backoffMs(attempt, {}, () => draw)).toBe(Math.round(expected));
  });

  it('spreads rejoin attempts over [0.5, 1.5) of their base', () => {
    expect(rejoinDelayMs(0, () => 0)).toBe(125);
    expect(rejoinDelayMs(20, () => 0.999)).toBeLessThan(7_500);
  });

  describe('a handshake the server refuses', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });
    const supervise = (onRefused = jest.fn()) => {
      const s = fakeSocket();
      superviseSocket(s as unknown as SupervisedSocket, { codeOf: (e) => (e.data?.code ?? 'INTERNAL') as ErrorCode, refreshToken: () => Promise.resolve(), onRefused });
      return { s, onRefused };
    };

    it.each(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL'])('is retried for as long as it takes when the refusal is temporary (%s)', (code) => {
      const { s, onRefused } = supervise();
      for (let i = 0; i < 20; i++) {
        s.fire('connect_error', refused(code));
        jest.advanceTimersByTime(15_000);
      }
      expect(s.connects).toBe(20);
      expect(onRefused).not.toHaveBeenCalled();
    });

    it('is left to socket.io while the socket is still active (the connection failed, not the handshake)', () => {
      const { s } = supervise();
      s.active = true;
      s.fire('connect_error', refused('UNAVAILABLE'));
      jest.advanceTimersByTime(15_000);
      expect(s.connects).toBe(0);
    });

    it('reports a refusal that retrying cannot fix', () => {
      const { s, onRefused } = supervise();
      s.fire('connect_error', refused('CLIENT_TOO_OLD'));
      expect(onRefused).toHaveBeenCalledWith('CLIENT_TOO_OLD');
    });
  });
});
