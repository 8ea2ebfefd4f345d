import { placeViewer, type RoomRouterLoad } from './viewer-placement';

const r = (workerIndex: number, load: number, alive = true): RoomRouterLoad => ({ workerIndex, load, alive });

describe('placeViewer', () => {
  it.each([
    ['the origin while it has room', [r(0, 10)], 2, 500, [0, 1], { kind: 'existing', index: 0 }],
    ['the origin up to exactly its budget', [r(0, 498)], 2, 500, [0, 1], { kind: 'existing', index: 0 }],
    ['a new router on another worker once the origin is full', [r(0, 499)], 2, 500, [0, 1], { kind: 'new', avoid: [0] }],
    ['the first router with room, origin first', [r(0, 500), r(1, 100), r(2, 0)], 2, 500, [0, 1, 2], { kind: 'existing', index: 1 }],
    ['a later router when the earlier ones are full', [r(0, 500), r(1, 500), r(2, 30)], 2, 500, [0, 1, 2], { kind: 'existing', index: 2 }],
    ['a new router avoiding every worker the room is on', [r(1, 4), r(0, 4)], 2, 4, [0, 1, 2, 3], { kind: 'new', avoid: [1, 0] }],
    ['the least loaded router when every worker carries the room', [r(0, 9), r(1, 7)], 2, 4, [0, 1], { kind: 'existing', index: 1 }],
    ['the origin over budget on a one-worker install', [r(0, 800)], 2, 500, [0], { kind: 'existing', index: 0 }],
    ['an empty router even for a viewer costing more than the budget', [r(0, 0)], 8, 4, [0, 1], { kind: 'existing', index: 0 }],
    ['not a router whose worker died', [r(0, 4), r(1, 0, false)], 2, 4, [0], { kind: 'existing', index: 0 }],
    ['a new router on the replacement of a dead worker', [r(0, 4), r(1, 0, false)], 2, 4, [0, 1], { kind: 'new', avoid: [0] }],
    ['a new router when the room has none alive', [r(0, 0, false)], 2, 4, [], { kind: 'new', avoid: [] }],
  ])('picks %s', (_, routers, cost, budget, alive, expected) => {
    expect(placeViewer(routers, cost, budget, alive)).toEqual(expected);
  });

  it('fills the origin, then spills viewer after viewer onto one more worker at a time', () => {
    const routers: RoomRouterLoad[] = [r(0, 0)];
    const placed = Array.from({ length: 7 }, () => {
      const p = placeViewer(routers, 2, 4, [0, 1, 2]);
      if (p.kind === 'new') {
        const worker = [0, 1, 2].find((w) => !p.avoid.includes(w))!;
        routers.push(r(worker, 2));
        return worker;
      }
      routers[p.index]!.load += 2;
      return routers[p.index]!.workerIndex;
    });
    expect(placed).toEqual([0, 0, 1, 1, 2, 2, 0]);
  });
});
