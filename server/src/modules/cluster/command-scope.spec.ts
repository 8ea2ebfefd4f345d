import { commandSchemas, type CommandName } from '../../contract';
import { roomOfCommand, roomScoped } from './command-scope';

describe('which node runs a command', () => {
  it.each(['session:ping', 'org:watch', 'org:unwatch', 'meeting:watch', 'ballot:cast', 'ballot:cast-all'] as const)('runs %s where the socket is', (c) => {
    expect(roomScoped(c)).toBe(false);
    expect(roomOfCommand(c, {}, 'room-1')).toBeUndefined();
  });

  it('runs every other command of the contract on the room owner', () => {
    const scoped = (Object.keys(commandSchemas) as CommandName[]).filter(roomScoped);
    expect(scoped).toEqual(expect.arrayContaining(['room:join', 'room:leave', 'chat:send', 'qa:ask', 'poll:vote', 'stage:raise-hand', 'media:produce', 'reaction:send']));
    expect(scoped.length).toBe(Object.keys(commandSchemas).length - 6);
  });

  it('takes the room of a join from its payload, and of anything else from the seat', () => {
    expect(roomOfCommand('room:join', { roomId: 'r2' }, 'r1')).toBe('r2');
    expect(roomOfCommand('chat:send', { text: 'hi' }, 'r1')).toBe('r1');
    expect(roomOfCommand('chat:send', { text: 'hi' }, undefined)).toBeUndefined();
  });
});
