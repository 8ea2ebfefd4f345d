import type { CreateRoomBody, RoomDto, RoomInviteDto, RoomInviteSummaryDto, RoomPreviewDto } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api';

export const roomKeys = {
  list: (orgId: string) => ['organizations', orgId, 'rooms'] as const,
  preview: (roomId: string, invite: string | null) => ['rooms', roomId, 'preview', invite] as const,
  invites: (roomId: string) => ['rooms', roomId, 'invites'] as const,
};

export const useRooms = (orgId: string) =>
  useQuery({
    queryKey: roomKeys.list(orgId),
    queryFn: () => api<RoomDto[]>(`/api/organizations/${encodeURIComponent(orgId)}/rooms`),
    // Who is in which room changes by the minute.
    refetchInterval: 15_000,
  });

export const useCreateRoom = (orgId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateRoomBody) =>
      api<RoomDto>(`/api/organizations/${encodeURIComponent(orgId)}/rooms`, { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: roomKeys.list(orgId) }),
  });
};

export const useCreateRoomInvite = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (roomId: string) =>
      api<RoomInviteDto>(`/api/rooms/${encodeURIComponent(roomId)}/invites`, { method: 'POST', body: {} }),
    onSuccess: (_, roomId) => queryClient.invalidateQueries({ queryKey: roomKeys.invites(roomId) }),
  });
};

export const useRoomInvites = (roomId: string, enabled: boolean) =>
  useQuery({
    queryKey: roomKeys.invites(roomId),
    queryFn: () => api<RoomInviteSummaryDto[]>(`/api/rooms/${encodeURIComponent(roomId)}/invites`),
    enabled,
  });

export const useRevokeRoomInvite = (roomId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (inviteId: string) =>
      api<void>(`/api/rooms/${encodeURIComponent(roomId)}/invites/${encodeURIComponent(inviteId)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: roomKeys.invites(roomId) }),
  });
};

export const useRoomPreview = (roomId: string, invite: string | null) =>
  useQuery({
    queryKey: roomKeys.preview(roomId, invite),
    queryFn: () =>
      api<RoomPreviewDto>(
        `/api/rooms/${encodeURIComponent(roomId)}${invite ? `?invite=${encodeURIComponent(invite)}` : ''}`,
      ),
    retry: false,
    refetchInterval: 20_000,
  });
