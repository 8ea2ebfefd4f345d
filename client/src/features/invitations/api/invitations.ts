import type { InvitationPreviewDto } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';

const invitationPath = (token: string) => `/api/invitations/${encodeURIComponent(token)}`;

export const useInvitationPreview = (token: string) =>
  useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<InvitationPreviewDto>(invitationPath(token), { auth: false }),
  });

export function useAcceptInvitation(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ organizationId: string }>(`${invitationPath(token)}/accept`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['organizations'] }),
  });
}
