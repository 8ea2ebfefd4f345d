import { leaseValue, leaseVerdict, type NodeRecord, orphaned, ownersChanged, parseLease, placeRoom, renewEvery } from './lease';

const node = (nodeId: string, over: Partial<NodeRecord> = {}): NodeRecord => ({ nodeId, internalUrl: `http://${nodeId}`, rtcAddress: null, startedAt: 1, draining: false, rooms: 0, ...over });

describe('room leases', () => {
  it.each([
    ['3@node-a', { epoch: 3, nodeId: 'node-a' }],
    ['12@host-1.example-77', { epoch: 12, nodeId: 'host-1.example-77' }],
    ['1@a@b', { epoch: 1, nodeId: 'a@b' }],
  ])('reads %s', (value, lease) => {
    expect(parseLease(value)).toEqual(lease);
    expect(parseLease(leaseValue(lease))).toEqual(lease);
  });

  it.each([null, undefined, '', 'node-a', '@node-a', '3@', '0@node-a', '-1@a', 'x@a', '1.5@a'])('refuses the malformed lease %p', (value) => {
    expect(parseLease(value)).toBeNull();
  });

  it.each([
    ['3@a', 'held'],
    [null, 'lost'],
    ['4@a', 'taken'],
    ['3@b', 'taken'],
    ['2@a', 'taken'],
    ['garbage', 'lost'],
  ] as const)('an owner holding epoch 3 on a, finding %p, has %s the room', (current, verdict) => {
    expect(leaseVerdict({ nodeId: 'a', epoch: 3 }, current)).toBe(verdict);
  });

  it('renews three times within a lease, never in a busy loop', () => {
    expect(renewEvery(3_000)).toBe(1_000);
    expect(renewEvery(300)).toBe(200);
  });
});

describe('placing a room nobody owns', () => {
  it('opens it on the node the person came through', () => {
    expect(placeRoom('b', [node('a'), node('b', { rooms: 9 })])).toBe('b');
  });

  it('sends it to the least busy node that is not draining when this one is', () => {
    expect(placeRoom('a', [node('a', { draining: true }), node('b', { rooms: 3 }), node('c', { rooms: 1 })])).toBe('c');
  });

  it('breaks ties by age then id, so every node picks the same', () => {
    const nodes = [node('a', { draining: true }), node('c', { startedAt: 5 }), node('b', { startedAt: 5 }), node('d', { startedAt: 9 })];
    expect(placeRoom('a', nodes)).toBe('b');
    expect(placeRoom('a', [...nodes].reverse())).toBe('b');
  });

  it('uses this node when the registry does not list it yet (its first heartbeat is on the way)', () => {
    expect(placeRoom('new', [node('a')])).toBe('a');
    expect(placeRoom('new', [])).toBeNull();
  });

  it('finds no place when every node drains', () => {
    expect(placeRoom('a', [node('a', { draining: true }), node('b', { draining: true })])).toBeNull();
  });
});

describe('seats lost with another node', () => {
  it('names the sockets whose room changed owner or lost it, each by the lease it was seated under', () => {
    const seats = new Map([
      ['s1', { roomId: 'r1', lease: '1@a' }],
      ['s2', { roomId: 'r2', lease: '4@b' }],
      ['s3', { roomId: 'r3', lease: '2@c' }],
      // One room, two sockets: one seated under the owner that died, one already under the next.
      ['s4', { roomId: 'r4', lease: '7@d' }],
      ['s5', { roomId: 'r4', lease: '8@e' }],
    ]);
    const now = new Map<string, string | null>([
      ['r1', '1@a'],
      ['r2', '5@c'],
      ['r3', null],
      ['r4', '8@e'],
    ]);
    expect(ownersChanged(seats, now)).toEqual(['s2', 's3', 's4']);
  });

  it('names the sockets whose edge node left the registry', () => {
    const edges = new Map([
      ['s1', 'a'],
      ['s2', 'b'],
      ['s3', 'a'],
    ]);
    expect(orphaned(edges, new Set(['b']))).toEqual(['s1', 's3']);
    expect(orphaned(edges, new Set(['a', 'b']))).toEqual([]);
  });
});
