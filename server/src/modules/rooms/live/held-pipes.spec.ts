import { HeldPipes } from './held-pipes';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('HeldPipes', () => {
  it('opens a pipe once for concurrent holders and closes it with the last release', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const pipes = new HeldPipes(
      async (id) => (opened.push(id), `pipe-${id}`),
      (piped) => closed.push(piped),
    );
    const [a, b] = await Promise.all([pipes.hold('p1'), pipes.hold('p1')]);
    expect(opened).toEqual(['p1']);
    expect(pipes.size).toBe(1);
    a();
    a(); // a second release of the same hold counts once
    await tick();
    expect(closed).toEqual([]);
    b();
    await tick();
    expect(closed).toEqual(['pipe-p1']);
    expect(pipes.size).toBe(0);
  });

  it('opens again after the last release', async () => {
    let opens = 0;
    const pipes = new HeldPipes(
      async () => ++opens,
      () => undefined,
    );
    (await pipes.hold('p')).call(undefined);
    await tick();
    await pipes.hold('p');
    expect(opens).toBe(2);
  });

  it('forgets a pipe that failed to open, rejecting every waiting holder, and tries again next time', async () => {
    const first = deferred<string>();
    let calls = 0;
    const closed: string[] = [];
    const pipes = new HeldPipes(
      (id) => (++calls === 1 ? first.promise : Promise.resolve(`again-${id}`)),
      (p) => closed.push(p),
    );
    const a = pipes.hold('p');
    const b = pipes.hold('p');
    first.reject(new Error('no route'));
    await expect(a).rejects.toThrow('no route');
    await expect(b).rejects.toThrow('no route');
    expect(pipes.size).toBe(0);
    expect(closed).toEqual([]);
    const release = await pipes.hold('p');
    expect(calls).toBe(2);
    release();
    await tick();
    expect(closed).toEqual(['again-p']);
  });

  it('does not close a newer pipe when an old hold is released late', async () => {
    const closed: number[] = [];
    let n = 0;
    const pipes = new HeldPipes(
      async () => ++n,
      (p) => closed.push(p),
    );
    const old = await pipes.hold('p');
    pipes.clear();
    const fresh = await pipes.hold('p');
    old();
    await tick();
    expect(closed).toEqual([1]);
    expect(pipes.size).toBe(1);
    fresh();
    await tick();
    expect(closed).toEqual([1, 2]);
  });
});
