import { leastLoaded, planPorts, type WorkerLoad } from './worker-pool';

const w = (routers: number, consumers: number, alive = true): WorkerLoad => ({ alive, routers, consumers });

describe('leastLoaded', () => {
  it.each([
    ['the worker with the fewest consumers', [w(1, 40), w(3, 10), w(0, 20)], 1],
    ['fewer routers when consumers are equal', [w(2, 5), w(1, 5), w(3, 5)], 1],
    ['the first worker when all are equal', [w(1, 1), w(1, 1)], 0],
    ['an idle worker over a busy one', [w(1, 0), w(0, 0)], 1],
    ['a live worker over a dead idle one', [w(0, 0, false), w(5, 300)], 1],
    ['no worker when none is alive', [w(0, 0, false), w(0, 0, false)], -1],
    ['no worker when there are none', [], -1],
  ])('picks %s', (_, loads, expected) => {
    expect(leastLoaded(loads)).toBe(expected);
  });

  it.each([
    ['the least loaded of the workers not avoided', [w(0, 0), w(1, 50), w(1, 20)], [0], 2],
    ['no worker when every live one is avoided', [w(0, 0), w(0, 0, false)], [0], -1],
    ['a worker whatever its load when it is the only one left', [w(9, 900), w(0, 0)], [1], 0],
  ])('avoiding workers, picks %s', (_, loads, avoid, expected) => {
    expect(leastLoaded(loads, avoid)).toBe(expected);
  });

  it('spreads rooms created one after another round the workers', () => {
    const loads = [w(0, 0), w(0, 0), w(0, 0)];
    const picked = Array.from({ length: 6 }, () => {
      const i = leastLoaded(loads);
      loads[i]!.routers++;
      return i;
    });
    expect(picked).toEqual([0, 1, 2, 0, 1, 2]);
  });
});

describe('planPorts', () => {
  it('gives worker i the port rtcMinPort + i and the rest to other transports', () => {
    expect(planPorts({ workers: 4, rtcMinPort: 40000, rtcMaxPort: 40099 })).toEqual({
      webRtcServerPorts: [40000, 40001, 40002, 40003],
      transportPorts: { min: 40004, max: 40099 },
    });
  });

  it('accepts a range with exactly one port left for transports', () => {
    expect(planPorts({ workers: 2, rtcMinPort: 50000, rtcMaxPort: 50002 }).transportPorts).toEqual({ min: 50002, max: 50002 });
  });

  it.each([
    ['no workers', { workers: 0, rtcMinPort: 40000, rtcMaxPort: 40100 }, /positive integer/],
    ['a fractional worker count', { workers: 1.5, rtcMinPort: 40000, rtcMaxPort: 40100 }, /positive integer/],
    ['a range with no port left for transports', { workers: 2, rtcMinPort: 40000, rtcMaxPort: 40001 }, /has 2 ports/],
    ['an inverted range', { workers: 1, rtcMinPort: 40010, rtcMaxPort: 40000 }, /has 0 ports/],
    ['a port above 65535', { workers: 1, rtcMinPort: 65530, rtcMaxPort: 70000 }, /not a valid port/],
    ['port 0', { workers: 1, rtcMinPort: 0, rtcMaxPort: 100 }, /not a valid port/],
  ])('refuses %s', (_, config, message) => {
    expect(() => planPorts(config)).toThrow(message);
  });
});
