import type { OrgRole, RecordingAccess, RecordingState } from '../../contract';
import { can } from '../organizations/org-permissions';
import { standingRoomRole } from '../rooms/room-permissions';

/**
 * The one rule of who may see a recording and fetch its files: the list, the metadata, the HLS
 * playlists and segments, the MP4, the captions and the package all ask `recordingVerdict`. Pure.
 */

/** Where a person stands towards an organisation's recordings. */
export type Standing = 'outsider' | 'member' | 'host';

/**
 * Hosts are the organisation's owners and admins (who manage its recordings) and the hosts of the
 * recording's room (the standing role the room gives them); members are everyone else in the
 * organisation; outsiders include people signed out.
 */
export function standingOf(orgRole: OrgRole | null): Standing {
  if (can(orgRole, 'recordings.manage') || (orgRole && standingRoomRole(orgRole) === 'host')) return 'host';
  if (can(orgRole, 'recordings.view')) return 'member';
  return 'outsider';
}

/** Who each access level lets in. */
export const ACCESS_RULES: Record<RecordingAccess, readonly Standing[]> = {
  public: ['outsider', 'member', 'host'],
  members: ['member', 'host'],
  hosts: ['host'],
};

/** `record`: the recording's description (list, metadata); `media`: its files, playlists and package. */
export type Want = 'record' | 'media';

/** `ok`; `tombstone`: a deleted recording's record, for those who may delete; otherwise the refusal's error code. */
export type Verdict = 'ok' | 'tombstone' | 'RECORDING_NOT_FOUND' | 'FORBIDDEN' | 'RECORDING_DELETED' | 'RECORDING_NOT_READY';

/**
 * What `orgRole` (null: not a member, or signed out) gets when asking for `want` of a recording.
 * Outsiders never learn that a recording they may not see exists; a deleted recording is gone for
 * everyone, its tombstone (metadata, reason, hashes) left to those who may delete; a recording not
 * ready yet is its hosts' to describe, nobody's to play.
 */
export function recordingVerdict(rec: { access: RecordingAccess; status: RecordingState }, orgRole: OrgRole | null, want: Want): Verdict {
  const standing = standingOf(orgRole);
  const allowed = ACCESS_RULES[rec.access].includes(standing);
  if (rec.status === 'deleted') {
    if (want === 'record' && can(orgRole, 'recordings.delete')) return 'tombstone';
    return allowed || standing !== 'outsider' ? 'RECORDING_DELETED' : 'RECORDING_NOT_FOUND';
  }
  if (!allowed) return standing === 'outsider' ? 'RECORDING_NOT_FOUND' : 'FORBIDDEN';
  if (rec.status !== 'ready') return standing === 'host' && want === 'record' ? 'ok' : 'RECORDING_NOT_READY';
  return 'ok';
}

/** Metadata, access level and retention are the hosts' to change, until the recording is deleted. */
export const mayEdit = (status: RecordingState, orgRole: OrgRole | null): boolean => status !== 'deleted' && standingOf(orgRole) === 'host';

/** Deletion is for those the organisation's table allows, once the recording is over (ready or failed). */
export const mayDelete = (status: RecordingState, orgRole: OrgRole | null): boolean =>
  can(orgRole, 'recordings.delete') && deletable(status);

/** The states a recording can be deleted from: not while it is still being recorded or composed. */
export const deletable = (status: RecordingState): boolean => status === 'ready' || status === 'failed';

/** The state a deletion moves a recording to, or null when it cannot be deleted now. */
export const stateAfterDeletion = (status: RecordingState): 'deleted' | null => (deletable(status) ? 'deleted' : null);
