import { admitsGuests, GUEST_COMMANDS, guestMayRun } from './guests';
import { commandSchemas } from './socket';

describe('what a guest pass opens', () => {
  it.each([
    ['webinar', 'public', true],
    ['webinar', 'members', false],
    ['meeting', 'public', false],
    ['meeting', 'members', false],
  ] as const)('a %s with %s access takes guests: %s', (mode, access, expected) => {
    expect(admitsGuests({ mode, access })).toBe(expected);
  });

  it('lists only commands of the contract', () => {
    for (const c of GUEST_COMMANDS) expect(Object.keys(commandSchemas)).toContain(c);
  });

  it('refuses every command that decides, moderates, publishes or reaches beyond the room', () => {
    const refused = Object.keys(commandSchemas).filter(
      (c) => /^(ballot|meeting|org|lobby|participant):/.test(c) || ['media:produce', 'stage:promote', 'stage:demote', 'stage:respond', 'room:end', 'room:set-options', 'poll:create', 'chat:delete', 'qa:moderate'].includes(c),
    );
    expect(refused.length).toBeGreaterThan(10);
    for (const c of refused) expect([c, guestMayRun(c)]).toEqual([c, false]);
    expect(guestMayRun('chat:send')).toBe(true);
    expect(guestMayRun('captions:state')).toBe(true);
    for (const c of ['captions:assign', 'captions:line', 'captions:partial', 'captions:automatic']) expect([c, guestMayRun(c)]).toEqual([c, false]);
    expect(guestMayRun('not:a-command')).toBe(false);
  });
});
