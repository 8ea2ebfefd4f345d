import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RECORDING_STATUSES, type RecordingStatus } from '../../contract/recordings';
import { mustMove, nextRecordingState, type RecordingEvent, startedRecording, storedRecording } from './recording-state';

const EVENTS: RecordingEvent[] = [
  { type: 'stop' },
  { type: 'finalise' },
  { type: 'composed' },
  { type: 'fail', reason: 'no video' },
  { type: 'interrupt', track: 't1' },
  { type: 'resume', track: 't1' },
  { type: 'delete' },
];

/** Every legal move, as `from --event--> to`; everything else is refused. */
const LEGAL: Record<string, RecordingStatus> = {
  'recording:stop': 'processing',
  'recording:finalise': 'processing',
  'recording:fail': 'failed',
  'recording:interrupt': 'recording',
  'recording:resume': 'recording',
  'processing:composed': 'ready',
  'processing:fail': 'failed',
  'ready:delete': 'deleted',
  'failed:delete': 'deleted',
};

describe('recording state machine', () => {
  it('starts recording with nothing interrupted', () => {
    expect(startedRecording()).toEqual({ status: 'recording', interrupted: [], failure: null });
  });

  const cases = RECORDING_STATUSES.flatMap((status) => EVENTS.map((event) => [status, event] as const));
  it.each(cases)('from %s on %o: only the listed moves', (status, event) => {
    const t = nextRecordingState(storedRecording(status), event);
    const expected = LEGAL[`${status}:${event.type}`];
    if (expected) expect(t).toMatchObject({ ok: true, state: { status: expected } });
    else expect(t).toEqual({ ok: false, reason: `cannot ${event.type} a recording that is ${status}` });
  });

  it('keeps interrupted streams as a condition of recording, each once, until they resume', () => {
    let s = startedRecording();
    s = mustMove(s, { type: 'interrupt', track: 'mic-a' });
    s = mustMove(s, { type: 'interrupt', track: 'mic-a' });
    s = mustMove(s, { type: 'interrupt', track: 'camera-b' });
    expect(s).toMatchObject({ status: 'recording', interrupted: ['mic-a', 'camera-b'] });
    s = mustMove(s, { type: 'resume', track: 'mic-a' });
    expect(s.interrupted).toEqual(['camera-b']);
  });

  it('ends the interrupted condition when the recording stops, and keeps the reason of a failure', () => {
    const interrupted = mustMove(startedRecording(), { type: 'interrupt', track: 'mic-a' });
    expect(mustMove(interrupted, { type: 'stop' })).toEqual({ status: 'processing', interrupted: [], failure: null });
    expect(mustMove(mustMove(interrupted, { type: 'stop' }), { type: 'fail', reason: 'ffmpeg exited with 1' })).toEqual({
      status: 'failed',
      interrupted: [],
      failure: 'ffmpeg exited with 1',
    });
  });

  it('throws on an illegal move when the caller insists', () => {
    expect(() => mustMove(storedRecording('ready'), { type: 'stop' })).toThrow('cannot stop a recording that is ready');
  });
});

/**
 * Statuses have one author: this machine. No SQL in the recordings module may write a status literal
 * (it writes the state the machine returned, as a parameter).
 */
describe('status writes in the recordings module', () => {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

  it.each(files)('%s writes no status literal', (file) => {
    const source = readFileSync(path.join(__dirname, file), 'utf8');
    const writes = [...source.matchAll(/`([^`]*)`/g)].map((m) => m[1]!).filter((sql) => /\b(UPDATE|INSERT)\b/i.test(sql));
    const literal = new RegExp(`'(${RECORDING_STATUSES.join('|')})'`);
    expect(writes.filter((sql) => /\bstatus\b/i.test(sql) && literal.test(sql))).toEqual([]);
  });

  it('finds the status writes of the module (the scan is not empty)', () => {
    const all = files.map((f) => readFileSync(path.join(__dirname, f), 'utf8')).join('\n');
    expect(all).toMatch(/UPDATE recordings SET status = \$/);
  });
});
