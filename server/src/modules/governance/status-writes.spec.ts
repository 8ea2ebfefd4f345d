import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BALLOT_STATES, MOTION_STATES } from './ballot-state';

/**
 * Statuses have one author: the state machines of ballot-state.ts. No SQL in this module may write a
 * status literal (it must write the state the machine returned, as a parameter).
 */
describe('status writes in the governance module', () => {
  const dir = __dirname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  const states = [...new Set([...BALLOT_STATES, ...MOTION_STATES])];

  it.each(files)('%s writes no status literal', (file) => {
    const source = readFileSync(path.join(dir, file), 'utf8');
    const writes = [...source.matchAll(/`([^`]*)`/g)].map((m) => m[1]!).filter((sql) => /\b(UPDATE|INSERT)\b/i.test(sql));
    const literal = new RegExp(`'(${states.join('|')})'`);
    const offending = writes.filter((sql) => /\bstatus\b/i.test(sql) && literal.test(sql));
    expect(offending).toEqual([]);
  });

  it('finds the SQL of the module (the scan is not empty)', () => {
    const all = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(all.match(/UPDATE ballots SET status = \$/g)?.length).toBeGreaterThanOrEqual(3);
    expect(all).toMatch(/UPDATE motions SET status = \$/);
  });
});
