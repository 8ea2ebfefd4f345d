import type { InterpreterAssignment } from '../../../contract';
import { handOverPlan, liveOf, onChannelSwitch, outputsOf, pairProblem, publishProblem, receives } from './interpretation';

const zh: InterpreterAssignment = { userId: 'u1', displayName: 'Li', from: 'en', to: 'zh', twoWay: true };
const ru: InterpreterAssignment = { userId: 'u2', displayName: 'Olga', from: 'ru', to: 'en', twoWay: false };
const sign: InterpreterAssignment = { userId: 'u3', displayName: 'Sam', from: 'en', to: 'sign', twoWay: false };

describe('interpretation rules', () => {
  it.each([
    ['en', 'zh', true, null],
    ['ru', 'en', false, null],
    ['en', 'sign', false, null],
    ['en', 'en', false, 'INVALID_LANGUAGE_PAIR'],
    ['sign', 'en', false, 'INVALID_LANGUAGE_PAIR'],
    ['en', 'sign', true, 'INVALID_LANGUAGE_PAIR'],
  ] as const)('a pair %s→%s (two-way %s) is %s', (from, to, twoWay, problem) => {
    expect(pairProblem(from, to, twoWay)).toBe(problem);
  });

  it('publishes into the target, and into the source too when two-way', () => {
    expect(outputsOf(zh)).toEqual(['zh', 'en']);
    expect(outputsOf(ru)).toEqual(['en']);
  });

  it.each([
    [zh, 'zh', 'audio', null],
    [zh, 'en', 'audio', null],
    [zh, 'ru', 'audio', 'NOT_INTERPRETER'],
    [ru, 'ru', 'audio', 'NOT_INTERPRETER'],
    [undefined, 'zh', 'audio', 'NOT_INTERPRETER'],
    [sign, 'sign', 'video', null],
    [sign, 'sign', 'audio', 'INVALID_PAYLOAD'],
    [zh, 'zh', 'video', 'INVALID_PAYLOAD'],
  ] as const)('checks who publishes into which channel (%#)', (a, channel, kind, problem) => {
    expect(publishProblem(a, channel, kind)).toBe(problem);
  });

  it('gives the floor to everyone and a channel only to its listeners', () => {
    expect(receives('floor', undefined)).toBe(true);
    expect(receives('zh', undefined)).toBe(true);
    expect(receives('floor', 'zh')).toBe(false);
    expect(receives('ar', 'zh')).toBe(false);
    expect(receives('zh', 'zh')).toBe(true);
    expect(receives('sign', 'sign')).toBe(true);
    expect(receives('zh', 'sign')).toBe(false);
  });

  it.each([
    // from, to, the stream's channel: what happens to a listener's consumer of it
    ['zh', 'floor', undefined, 'keep'],
    ['floor', 'zh', undefined, 'keep'],
    ['floor', 'zh', 'zh', 'resume'],
    ['ru', 'zh', 'zh', 'resume'],
    ['zh', 'zh', 'zh', 'resume'],
    ['zh', 'floor', 'zh', 'hold'],
    ['zh', 'ru', 'zh', 'hold'],
    ['ru', 'floor', 'zh', 'close'],
    ['floor', 'ru', 'zh', 'close'],
    ['zh', 'ru', 'sign', 'close'],
  ] as const)('switching %s → %s: a %s stream is %s', (from, to, stream, action) => {
    expect(onChannelSwitch(from, to, stream)).toBe(action);
  });

  it('keeps the live stream of a booth, or passes it to the partner when it goes', () => {
    const a = { producerId: 'pa', peerId: 'a' };
    const b = { producerId: 'pb', peerId: 'b' };
    expect(liveOf([a], undefined)).toBe('pa');
    expect(liveOf([a, b], 'pa')).toBe('pa');
    expect(liveOf([a, b], 'pb')).toBe('pb');
    expect(liveOf([b], 'pa')).toBe('pb');
    expect(liveOf([], 'pa')).toBeUndefined();
  });

  it('hands over by resuming the incoming stream and pausing the others after it', () => {
    const a = { producerId: 'pa', peerId: 'a' };
    const b = { producerId: 'pb', peerId: 'b' };
    expect(handOverPlan([a, b], 'b')).toEqual({ ok: true, resume: 'pb', pause: ['pa'] });
    expect(handOverPlan([a, b], 'a')).toEqual({ ok: true, resume: 'pa', pause: ['pb'] });
    expect(handOverPlan([a], 'b')).toEqual({ ok: false, code: 'PARTNER_NOT_LIVE' });
  });
});
