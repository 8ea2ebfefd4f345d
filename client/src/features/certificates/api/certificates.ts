import type { CertificateDto, CpdOverviewDto, CpdThreshold, IssuedCertificateDto, MyCpdDto, VerificationDto } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';
import { downloadFile } from '../../../lib/download';

export const certificateKeys = {
  mine: (eventId: string) => ['events', eventId, 'cpd', 'mine'] as const,
  overview: (eventId: string) => ['events', eventId, 'cpd'] as const,
  verification: (id: string) => ['certificates', id, 'verification'] as const,
};

const e = encodeURIComponent;

/** The signed-in participant's progress toward the event's threshold; measured again while they take part. */
export const useMyCpd = (eventId: string, enabled = true) =>
  useQuery({
    queryKey: certificateKeys.mine(eventId),
    queryFn: () => api<MyCpdDto>(`/api/events/${e(eventId)}/cpd/mine`),
    enabled,
    refetchInterval: 30_000,
  });

export const useCpdOverview = (eventId: string) =>
  useQuery({ queryKey: certificateKeys.overview(eventId), queryFn: () => api<CpdOverviewDto>(`/api/events/${e(eventId)}/cpd`) });

function useInvalidate(eventId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['events', eventId, 'cpd'] });
}

export const useSetThreshold = (eventId: string) => {
  const invalidate = useInvalidate(eventId);
  return useMutation({
    mutationFn: (threshold: CpdThreshold | null) => api<CpdOverviewDto>(`/api/events/${e(eventId)}/cpd`, { method: 'PUT', body: { threshold } }),
    onSuccess: invalidate,
  });
};

export const useIssueAll = (eventId: string) => {
  const invalidate = useInvalidate(eventId);
  return useMutation({
    mutationFn: () => api<CpdOverviewDto>(`/api/events/${e(eventId)}/certificates`, { method: 'POST' }),
    onSuccess: invalidate,
  });
};

export const useRevoke = (eventId: string) => {
  const invalidate = useInvalidate(eventId);
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => api<CertificateDto>(`/api/certificates/${e(id)}/revoke`, { method: 'POST', body: { reason } }),
    onSuccess: invalidate,
  });
};

export const useIssueMine = (eventId: string) => {
  const invalidate = useInvalidate(eventId);
  return useMutation({
    mutationFn: () => api<IssuedCertificateDto>(`/api/events/${e(eventId)}/certificates/mine`, { method: 'POST' }),
    onSuccess: invalidate,
  });
};

export const downloadCertificatePdf = (id: string): Promise<void> => downloadFile(`/api/certificates/${e(id)}/certificate.pdf`, 'certificate.pdf');
export const downloadCredential = (id: string): Promise<void> => downloadFile(`/api/certificates/${e(id)}/credential.jwt`, 'certificate.jwt');

/** Public: no account needed. */
export const useVerificationById = (id: string | null) =>
  useQuery({
    queryKey: certificateKeys.verification(id ?? ''),
    queryFn: () => api<VerificationDto>(`/api/certificates/${e(id!)}/verification`, { auth: false }),
    enabled: !!id,
  });

export const useVerifyCredential = () =>
  useMutation({ mutationFn: (credential: string) => api<VerificationDto>('/api/certificates/verify', { method: 'POST', body: { credential }, auth: false }) });
