import type { RoomOptions, RoomRole } from '../../../contract';
import type { BreakoutRound } from './breakout-round';
import { captureState, insertHand, restoreState, resumable, savedBreakout, type StatefulRoom } from './session-state';

const room = (): StatefulRoom => ({
  mode: 'webinar',
  options: { locked: false, lobby: false, allowSelfUnmute: true } as RoomOptions,
  sessionRoles: new Map<string, RoomRole>(),
  hands: new Map<string, Date>(),
  peers: new Map<string, { userId: string }>(),
  removed: new Set<string>(),
  everJoined: new Set<string>(),
  admitted: new Set<string>(),
});

describe('room session state', () => {
  it('carries roles, hands by person, options, removals and admissions into a fresh room', () => {
    const a = room();
    a.sessionRoles.set('u1', 'panelist');
    a.peers.set('p2', { userId: 'u2' });
    a.hands.set('p2', new Date('2025-01-01T10:00:02Z'));
    a.options.locked = true;
    a.options.lobby = true;
    a.removed.add('u9');
    a.everJoined.add('u1').add('u2');
    a.admitted.add('u3');
    const saved = JSON.parse(JSON.stringify(captureState(a, new Map([['u4', new Date('2025-01-01T10:00:01Z')]]))));

    const b = room();
    b.mode = 'meeting';
    const hands = restoreState(b, saved);
    expect(b.mode).toBe('webinar');
    expect([...b.sessionRoles]).toEqual([['u1', 'panelist']]);
    expect(b.options).toEqual({ locked: true, lobby: true, allowSelfUnmute: true });
    expect([...b.removed]).toEqual(['u9']);
    expect([...b.everJoined]).toEqual(['u1', 'u2']);
    expect([...b.admitted]).toEqual(['u3']);
    expect([...hands.keys()]).toEqual(['u4', 'u2']);
  });

  it('carries what each person listens to (interpretation channel) across a restart', () => {
    const a = { ...room(), listening: new Map([['u1', { channel: 'zh' as const, floorVolume: 0 }]]) };
    const saved = JSON.parse(JSON.stringify(captureState(a)));
    const b = { ...room(), listening: new Map() };
    restoreState(b, saved);
    expect([...b.listening]).toEqual([['u1', { channel: 'zh', floorVolume: 0 }]]);
    // A state saved before channels existed restores without any.
    const c = { ...room(), listening: new Map() };
    restoreState(c, JSON.parse(JSON.stringify(captureState(room()))));
    expect(c.listening.size).toBe(0);
  });

  describe('an open breakout round', () => {
    const round = (endsAt: Date | null): BreakoutRound => ({
      id: 'r1',
      assignment: 'random',
      names: ['Cataloguing', ''],
      placements: new Map([
        ['u1', 0],
        ['u2', 1],
      ]),
      openedAt: new Date('2025-01-01T10:00:00Z'),
      endsAt,
    });
    const through = (r: BreakoutRound) => JSON.parse(JSON.stringify(captureState({ ...room(), breakout: r })));

    it('comes back with its groups, names, placements and end time', () => {
      const ends = new Date('2025-01-01T10:30:00Z');
      expect(savedBreakout(through(round(ends)), new Date('2025-01-01T10:10:00Z'))).toEqual(round(ends));
      expect(savedBreakout(through(round(null)), new Date('2025-01-01T23:00:00Z'))).toEqual(round(null));
    });

    it('does not come back once its time has run out, nor when there was none', () => {
      expect(savedBreakout(through(round(new Date('2025-01-01T10:05:00Z'))), new Date('2025-01-01T10:05:00Z'))).toBeNull();
      expect(savedBreakout(JSON.parse(JSON.stringify(captureState(room()))), new Date())).toBeNull();
    });

    it.each([
      { placements: [['u1', 2]] },
      { placements: [['u1', -1]] },
      { placements: [['u1', 0.5]] },
      { placements: 'u1' },
      { assignment: 'lottery' },
      { names: [1] },
      { openedAt: 'yesterday' },
      { endsAt: 'soon' },
    ])('refuses a malformed saved round (%p)', (change) => {
      const saved = through(round(null));
      Object.assign(saved.breakout, change);
      expect(savedBreakout(saved, new Date('2025-01-01T10:10:00Z'))).toBeNull();
    });
  });

  it.each([null, {}, { v: 2 }, 'x', { v: 1, roles: 'no' }])('ignores a state it does not understand (%p)', (saved) => {
    const b = room();
    expect(restoreState(b, saved).size).toBe(0);
    expect(b.sessionRoles.size).toBe(0);
  });

  it.each([
    [0, true],
    [119_000, true],
    [121_000, false],
  ])('a session last seen %i ms ago can be resumed: %p', (ago, expected) => {
    const now = new Date('2025-01-01T12:00:00Z');
    expect(resumable(new Date(now.getTime() - ago), now)).toBe(expected);
  });

  it('puts a returning hand back in the order of raising', () => {
    const hands = new Map([
      ['a', new Date(1_000)],
      ['c', new Date(3_000)],
    ]);
    insertHand(hands, 'b', new Date(2_000));
    expect([...hands.keys()]).toEqual(['a', 'b', 'c']);
  });
});
