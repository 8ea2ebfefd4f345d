import type { OrgRole } from '../../contract';
import { MEETING_PERMISSIONS, type MeetingAction, meetingCan, meetingRoles } from './meeting-permissions';

const CHAIR = 'u-chair';
const SEC = 'u-sec';
const MOVER = 'u-mover';
const OTHER = 'u-other';
const parties = { chairId: CHAIR, secretaryId: SEC, moverId: MOVER };

/** Every action, for every kind of person: who is allowed, written out by hand. */
const EXPECTED: Record<MeetingAction, string[]> = {
  'meeting.view': ['chair', 'secretary', 'mover', 'member', 'admin'],
  'agenda.manage': ['chair', 'secretary'],
  'motion.move': ['chair', 'secretary', 'mover', 'member', 'admin'],
  'motion.submit': ['mover'],
  'motion.second': ['chair', 'secretary', 'member', 'admin'],
  'motion.debate': ['chair'],
  'motion.refer': ['chair'],
  'motion.withdraw': ['chair', 'mover'],
  'presence.check-in': ['chair', 'secretary', 'mover', 'member', 'admin'],
  'proxy.assign': ['chair', 'secretary', 'mover', 'member', 'admin'],
  'ballot.manage': ['chair'],
  'ballot.view': ['chair', 'secretary', 'mover', 'member', 'admin'],
  'record.export': ['chair', 'secretary', 'admin'],
};

const PEOPLE: [string, string, OrgRole | null][] = [
  ['chair', CHAIR, 'member'],
  ['secretary', SEC, 'member'],
  ['mover', MOVER, 'member'],
  ['member', OTHER, 'member'],
  ['admin', 'u-admin', 'admin'],
  ['outsider', 'u-out', null],
];

describe('meeting permission table', () => {
  it('covers every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(MEETING_PERMISSIONS).sort());
  });

  it.each(Object.keys(MEETING_PERMISSIONS) as MeetingAction[])('%s', (action) => {
    const allowed = PEOPLE.filter(([, id, orgRole]) => meetingCan(meetingRoles(id, orgRole, parties), action)).map(([who]) => who);
    expect(allowed.sort()).toEqual([...EXPECTED[action]].sort());
  });

  it('gives an outsider no role, whatever the meeting says', () => {
    expect(meetingRoles(CHAIR, null, parties).size).toBe(0);
  });

  it('knows mover and seconder only for motion actions', () => {
    expect(meetingRoles(MOVER, 'member', { chairId: CHAIR, secretaryId: null }).has('mover')).toBe(false);
    expect(meetingCan(meetingRoles(OTHER, 'member', { chairId: CHAIR, secretaryId: null }), 'motion.second')).toBe(false);
  });
});
