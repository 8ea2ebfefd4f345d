import { KeyedMutex } from './keyed-mutex';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('KeyedMutex', () => {
  it('runs tasks of one key strictly one after another', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick(5);
      log.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([m.run('room', task('a')), m.run('room', task('b')), m.run('room', task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('lets different keys run at the same time', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    await Promise.all(
      ['x', 'y'].map((k) =>
        m.run(k, async () => {
          log.push(`${k}:start`);
          await tick(5);
          log.push(`${k}:end`);
        }),
      ),
    );
    expect(log.slice(0, 2).sort()).toEqual(['x:start', 'y:start']);
  });

  it('keeps going after a task fails, and forgets idle keys', async () => {
    const m = new KeyedMutex();
    await expect(m.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(m.run('k', async () => 'next')).resolves.toBe('next');
    await tick();
    expect(m.busyKeys).toBe(0);
  });

  it('creates one thing when many callers race for it', async () => {
    const m = new KeyedMutex();
    let created = 0;
    let thing: number | undefined;
    const getOrCreate = () =>
      m.run('room-1', async () => {
        if (thing === undefined) {
          await tick(3);
          thing = ++created;
        }
        return thing;
      });
    const got = await Promise.all(Array.from({ length: 20 }, getOrCreate));
    expect(new Set(got)).toEqual(new Set([1]));
    expect(created).toBe(1);
  });
});
