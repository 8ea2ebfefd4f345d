import type {
  AgendaItemBody,
  AssignProxyBody,
  BallotView,
  BulletinEntry,
  CreateBallotBody,
  CreateMeetingBody,
  CreateMotionBody,
  MeetingView,
  MOTION_EVENTS,
  MotionView,
  OrganizationDto,
  QuorumView,
  SeatView,
} from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../../lib/api';
import { useMe } from '../../auth';
import { mayRelease, openSecretBallot, releaseShare } from './ballot-device';
import { downloadFile } from '../../../lib/download';

/** A meeting as the organisation's list shows it. */
export type MeetingSummary = Pick<MeetingView, 'id' | 'title' | 'kind' | 'scheduledAt' | 'roomId'>;
export type MotionEvent = (typeof MOTION_EVENTS)[number];

export const meetingKeys = {
  list: (orgId: string) => ['organizations', orgId, 'meetings'] as const,
  detail: (meetingId: string) => ['meetings', meetingId] as const,
  inRoom: (roomId: string, meetingParam: string | null) => ['rooms', roomId, 'meetings', meetingParam] as const,
  bulletin: (ballotId: string) => ['ballots', ballotId, 'bulletin'] as const,
};

const id = encodeURIComponent;

export const useMeetings = (orgId: string) =>
  useQuery({ queryKey: meetingKeys.list(orgId), queryFn: () => api<MeetingSummary[]>(`/api/organizations/${id(orgId)}/meetings`) });

export const useCreateMeeting = (orgId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateMeetingBody) => api<MeetingView>(`/api/organizations/${id(orgId)}/meetings`, { method: 'POST', body }),
    onSuccess: (meeting) => {
      queryClient.setQueryData(meetingKeys.detail(meeting.id), meeting);
      return queryClient.invalidateQueries({ queryKey: meetingKeys.list(orgId) });
    },
  });
};

export const fetchMeeting = (meetingId: string) => api<MeetingView>(`/api/meetings/${id(meetingId)}`);

export const useMeeting = (meetingId: string | null) =>
  useQuery({
    queryKey: meetingKeys.detail(meetingId ?? ''),
    queryFn: () => fetchMeeting(meetingId!),
    enabled: meetingId !== null,
    // Live events keep it current (ballots, quorum, motions); a slow poll covers what no event reports (the agenda).
    refetchInterval: 30_000,
  });

const summary = ({ id, title, kind, scheduledAt, roomId }: MeetingView): MeetingSummary => ({ id, title, kind, scheduledAt, roomId });

/**
 * The meetings held in a room. `?meeting=<id>` in the room's address names it directly; otherwise
 * the meetings of the viewer's organisations are searched for this room (people belong to few).
 */
export const useRoomMeetings = (roomId: string, meetingParam: string | null) => {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: meetingKeys.inRoom(roomId, meetingParam),
    queryFn: async (): Promise<MeetingSummary[]> => {
      if (meetingParam) {
        // The whole view comes anyway: kept, so the panel does not ask for it a second time.
        const meeting = await fetchMeeting(meetingParam);
        queryClient.setQueryData(meetingKeys.detail(meeting.id), meeting);
        return [summary(meeting)];
      }
      const orgs = await api<OrganizationDto[]>('/api/organizations');
      const lists = await Promise.all(orgs.map((o) => api<MeetingSummary[]>(`/api/organizations/${id(o.id)}/meetings`).catch(() => [])));
      return lists.flat().filter((m) => m.roomId === roomId);
    },
    staleTime: 60_000,
  });
};

/** Mutations on a meeting; each refreshes the meeting view. */
function useMeetingMutation<V, R>(meetingId: string, fn: (vars: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: meetingKeys.detail(meetingId) }),
  });
}

export const useAddAgendaItem = (meetingId: string) =>
  useMeetingMutation(meetingId, (body: z.input<typeof AgendaItemBody>) => api<MeetingView>(`/api/meetings/${id(meetingId)}/agenda`, { method: 'POST', body }));

export const useCreateMotion = (meetingId: string) =>
  useMeetingMutation(meetingId, (body: z.input<typeof CreateMotionBody>) => api<MotionView>(`/api/meetings/${id(meetingId)}/motions`, { method: 'POST', body }));

export const useMotionTransition = (meetingId: string) =>
  useMeetingMutation(meetingId, ({ motionId, event }: { motionId: string; event: MotionEvent }) =>
    api<MotionView>(`/api/meetings/${id(meetingId)}/motions/${id(motionId)}/transition`, { method: 'POST', body: { event } }),
  );

export const useCheckIn = (meetingId: string) =>
  useMeetingMutation(meetingId, (event: 'check-in' | 'check-out') => api<QuorumView>(`/api/meetings/${id(meetingId)}/${event}`, { method: 'POST' }));

export const useAssignProxy = (meetingId: string) =>
  useMeetingMutation(meetingId, (body: z.input<typeof AssignProxyBody>) => api<SeatView[]>(`/api/meetings/${id(meetingId)}/proxies`, { method: 'POST', body }));

export const useCreateBallot = (meetingId: string) =>
  useMeetingMutation(meetingId, (body: CreateBallotBody) => api<BallotView>(`/api/meetings/${id(meetingId)}/ballots`, { method: 'POST', body }));

export type BallotStep = 'open' | 'close' | 'publish';

/**
 * One step of a ballot. A secret ballot opens with its key made on this device; when it closes and
 * this device is one of its tellers, it releases its share at once (the count follows when enough have).
 */
export async function ballotStep(ballot: Pick<BallotView, 'id' | 'secrecy'>, step: BallotStep, userId: string | undefined, overrideQuorumReason?: string): Promise<BallotView> {
  if (step === 'open' && ballot.secrecy === 'secret' && userId) return openSecretBallot(userId, ballot.id, overrideQuorumReason);
  const view = await api<BallotView>(`/api/ballots/${id(ballot.id)}/${step}`, {
    method: 'POST',
    ...(step === 'open' ? { body: overrideQuorumReason ? { overrideQuorumReason } : {} } : {}),
  });
  return step === 'close' && mayRelease(view, userId) ? releaseShare(userId!, ballot.id) : view;
}

export function useBallotStep(meetingId: string) {
  const me = useMe();
  return useMeetingMutation(meetingId, ({ ballot, step, reason }: { ballot: Pick<BallotView, 'id' | 'secrecy'>; step: BallotStep; reason?: string }) => ballotStep(ballot, step, me.data?.id, reason));
}

export const useSetTellers = (meetingId: string) =>
  useMeetingMutation(meetingId, (body: { tellers: string[]; threshold: number }) => api<MeetingView>(`/api/meetings/${id(meetingId)}/tellers`, { method: 'PUT', body }));

/** A teller releases their share of a ballot whose voting has ended. */
export function useReleaseShare(meetingId: string) {
  const me = useMe();
  return useMeetingMutation(meetingId, (ballotId: string) => releaseShare(me.data!.id, ballotId));
}

export const fetchBallot = (ballotId: string) => api<BallotView>(`/api/ballots/${id(ballotId)}`);
export const fetchBulletin = (ballotId: string) => api<BulletinEntry[]>(`/api/ballots/${id(ballotId)}/bulletin`);

export const meetingFiles = {
  minutesPdf: (meetingId: string) =>
    downloadFile(`/api/meetings/${id(meetingId)}/minutes.pdf?tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')}`, `minutes-${meetingId}.pdf`),
  minutesCsv: (meetingId: string) => downloadFile(`/api/meetings/${id(meetingId)}/minutes.csv`, `minutes-${meetingId}.csv`),
  exportJson: (meetingId: string) => downloadFile(`/api/meetings/${id(meetingId)}/export`, `meeting-${meetingId}.json`),
};
