import { ORG_ROLES, type OrgRole, RECORDING_ACCESS_LEVELS, RECORDING_STATES } from '../../contract';
import { ACCESS_RULES, deletable, mayDelete, mayEdit, recordingVerdict, standingOf, stateAfterDeletion } from './recording-access';

const ROLES: (OrgRole | null)[] = [null, ...ORG_ROLES];

describe('who may see a recording', () => {
  it('places everyone by the organisation table: owners and admins host, members are members, the rest outsiders', () => {
    expect(ROLES.map(standingOf)).toEqual(['outsider', 'host', 'host', 'member']);
  });

  it('lets each level in exactly its standings', () => {
    expect(ACCESS_RULES).toEqual({ public: ['outsider', 'member', 'host'], members: ['member', 'host'], hosts: ['host'] });
  });

  // The whole table for a ready recording: access level × role, for the record and for the media alike.
  it.each([
    ['public', null, 'ok'],
    ['public', 'member', 'ok'],
    ['public', 'admin', 'ok'],
    ['public', 'owner', 'ok'],
    ['members', null, 'RECORDING_NOT_FOUND'],
    ['members', 'member', 'ok'],
    ['members', 'admin', 'ok'],
    ['members', 'owner', 'ok'],
    ['hosts', null, 'RECORDING_NOT_FOUND'],
    ['hosts', 'member', 'FORBIDDEN'],
    ['hosts', 'admin', 'ok'],
    ['hosts', 'owner', 'ok'],
  ] as const)('a ready %s recording, asked by %s: %s', (access, role, verdict) => {
    expect(recordingVerdict({ access, status: 'ready' }, role, 'record')).toBe(verdict);
    expect(recordingVerdict({ access, status: 'ready' }, role, 'media')).toBe(verdict);
  });

  it('shows a recording not ready yet to its hosts only, and plays it to nobody', () => {
    for (const status of ['recording', 'processing', 'failed'] as const) {
      for (const access of RECORDING_ACCESS_LEVELS) {
        expect(recordingVerdict({ access, status }, 'admin', 'record')).toBe('ok');
        expect(recordingVerdict({ access, status }, 'admin', 'media')).toBe('RECORDING_NOT_READY');
      }
      expect(recordingVerdict({ access: 'public', status }, null, 'record')).toBe('RECORDING_NOT_READY');
      expect(recordingVerdict({ access: 'members', status }, 'member', 'record')).toBe('RECORDING_NOT_READY');
      expect(recordingVerdict({ access: 'hosts', status }, 'member', 'record')).toBe('FORBIDDEN');
      expect(recordingVerdict({ access: 'hosts', status }, null, 'media')).toBe('RECORDING_NOT_FOUND');
    }
  });

  it('makes a deleted recording gone for everyone, leaving its tombstone to those who may delete', () => {
    for (const access of RECORDING_ACCESS_LEVELS) {
      const rec = { access, status: 'deleted' } as const;
      expect(recordingVerdict(rec, 'owner', 'record')).toBe('tombstone');
      expect(recordingVerdict(rec, 'admin', 'record')).toBe('tombstone');
      expect(recordingVerdict(rec, 'owner', 'media')).toBe('RECORDING_DELETED');
      expect(recordingVerdict(rec, 'member', 'record')).toBe('RECORDING_DELETED');
      expect(recordingVerdict(rec, 'member', 'media')).toBe('RECORDING_DELETED');
    }
    // An outsider learns of the deletion only of what they could have watched.
    expect(recordingVerdict({ access: 'public', status: 'deleted' }, null, 'media')).toBe('RECORDING_DELETED');
    expect(recordingVerdict({ access: 'members', status: 'deleted' }, null, 'record')).toBe('RECORDING_NOT_FOUND');
  });

  it('leaves editing to hosts and deletion to the table, and only once the recording is over', () => {
    expect(ROLES.map((r) => mayEdit('ready', r))).toEqual([false, true, true, false]);
    expect(ROLES.map((r) => mayEdit('deleted', r))).toEqual([false, false, false, false]);
    expect(RECORDING_STATES.filter(deletable)).toEqual(['ready', 'failed']);
    expect(ROLES.map((r) => mayDelete('failed', r))).toEqual([false, true, true, false]);
    expect(mayDelete('recording', 'owner')).toBe(false);
    expect(RECORDING_STATES.map(stateAfterDeletion)).toEqual([null, null, 'deleted', 'deleted', null]);
  });
});
