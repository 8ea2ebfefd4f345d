import type {
  ArchivePolicyBody,
  ArchivePolicyDto,
  RecordingDto,
  RecordingListQuery,
  RecordingSummaryDto,
  UpdateRecordingBody,
} from '@contract';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';

/** Which list: an organisation's, an event's or a room's recordings. */
export type ArchiveScope = { kind: 'organizations' | 'events' | 'rooms'; id: string };
/** The list's filters as the form holds them (paging is the query's own). */
export type ArchiveFilters = Omit<RecordingListQuery, 'before' | 'limit'>;

export const PAGE_SIZE = 30;

export const archiveKeys = {
  all: ['archive'] as const,
  list: (scope: ArchiveScope, filters: ArchiveFilters) => ['archive', scope.kind, scope.id, filters] as const,
  one: (id: string) => ['archive', 'recording', id] as const,
  policy: (orgId: string) => ['archive', 'policy', orgId] as const,
};

const e = encodeURIComponent;

/** The query string of a list request: only the filters that are set. */
export function listQuery(filters: ArchiveFilters, before?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') params.set(k, String(v));
  if (before) params.set('before', before);
  params.set('limit', String(PAGE_SIZE));
  return params.toString();
}

/** Newest first, a page at a time: the next page starts before the last recording shown. */
export const useRecordings = (scope: ArchiveScope, filters: ArchiveFilters) =>
  useInfiniteQuery({
    queryKey: archiveKeys.list(scope, filters),
    queryFn: ({ pageParam }) => api<RecordingSummaryDto[]>(`/api/${scope.kind}/${e(scope.id)}/recordings?${listQuery(filters, pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.length === PAGE_SIZE ? last.at(-1)!.startedAt : undefined),
  });

export const useRecording = (id: string) =>
  useQuery({
    queryKey: archiveKeys.one(id),
    queryFn: () => api<RecordingDto>(`/api/recordings/${e(id)}`),
    // The player's links carry a token that lasts six hours; a long visit gets fresh ones before then
    // (the player carries on from where it was).
    refetchInterval: 5 * 3600_000,
    refetchOnWindowFocus: false,
    retry: (n, err) => n < 2 && !/NOT_FOUND|DELETED|FORBIDDEN/.test(String((err as { code?: string }).code)),
  });

function useSettle(id: string) {
  const queryClient = useQueryClient();
  return (data: RecordingDto) => {
    queryClient.setQueryData(archiveKeys.one(id), data);
    void queryClient.invalidateQueries({ queryKey: archiveKeys.all, predicate: (q) => q.queryKey[1] !== 'recording' });
  };
}

export const useUpdateRecording = (id: string) => {
  const settle = useSettle(id);
  return useMutation({
    mutationFn: (body: UpdateRecordingBody) => api<RecordingDto>(`/api/recordings/${e(id)}`, { method: 'PATCH', body }),
    onSuccess: settle,
  });
};

export const useDeleteRecording = (id: string) => {
  const settle = useSettle(id);
  return useMutation({
    mutationFn: (reason: string) => api<RecordingDto>(`/api/recordings/${e(id)}/delete`, { method: 'POST', body: { reason } }),
    onSuccess: settle,
  });
};

export const useArchivePolicy = (orgId: string, enabled: boolean) =>
  useQuery({
    queryKey: archiveKeys.policy(orgId),
    queryFn: () => api<ArchivePolicyDto>(`/api/organizations/${e(orgId)}/archive-policy`),
    enabled,
  });

export const useSetArchivePolicy = (orgId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ArchivePolicyBody) =>
      api<ArchivePolicyDto>(`/api/organizations/${e(orgId)}/archive-policy`, { method: 'PUT', body }),
    onSuccess: (data) => queryClient.setQueryData(archiveKeys.policy(orgId), data),
  });
};
