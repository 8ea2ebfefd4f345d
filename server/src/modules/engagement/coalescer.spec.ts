import { Coalescer } from './coalescer';

const tick = () => new Promise((r) => setImmediate(r));

describe('Coalescer', () => {
  it('folds requests made during a publish into one more run that sees the latest state', async () => {
    let state = 0;
    const seen: number[] = [];
    let release!: () => void;
    const c = new Coalescer(() => {});
    const publish = async () => {
      const read = state;
      await new Promise<void>((r) => (release = r));
      seen.push(read);
    };
    c.request('q', publish);
    state = 1;
    c.request('q', publish);
    state = 2;
    c.request('q', publish);
    release();
    await tick();
    release();
    await tick();
    expect(seen).toEqual([0, 2]);
  });

  it('keeps keys independent and survives a failing publish', async () => {
    const errors: unknown[] = [];
    const c = new Coalescer((e) => errors.push(e));
    const done: string[] = [];
    c.request('a', async () => {
      throw new Error('boom');
    });
    c.request('b', async () => void done.push('b'));
    await tick();
    c.request('a', async () => void done.push('a'));
    await tick();
    expect(done.sort()).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
  });
});
