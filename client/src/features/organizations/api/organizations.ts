import type {
  CreateInstitutionBody,
  CreateInvitationBody,
  CreateOrganizationBody,
  IdentityProviderBody,
  IdentityProviderDto,
  InstitutionDto,
  InvitationDto,
  InvitationSummaryDto,
  MemberDto,
  OrganizationDto,
  OrgIdentityProviderDto,
  OrgRole,
  UpdateInstitutionBody,
} from '@contract';
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { api } from '../../../lib/api';

export const orgKeys = {
  list: ['organizations', 'list'] as const,
  detail: (orgId: string) => ['organizations', orgId] as const,
  members: (orgId: string) => ['organizations', orgId, 'members'] as const,
  institutions: (orgId: string) => ['organizations', orgId, 'institutions'] as const,
  invitations: (orgId: string) => ['organizations', orgId, 'invitations'] as const,
};

const orgPath = (orgId: string) => `/api/organizations/${encodeURIComponent(orgId)}`;

export const useOrganizations = () =>
  useQuery({ queryKey: orgKeys.list, queryFn: () => api<OrganizationDto[]>('/api/organizations') });

export const useOrganization = (orgId: string) =>
  useQuery({ queryKey: orgKeys.detail(orgId), queryFn: () => api<OrganizationDto>(orgPath(orgId)) });

export const useMembers = (orgId: string) =>
  useQuery({ queryKey: orgKeys.members(orgId), queryFn: () => api<MemberDto[]>(`${orgPath(orgId)}/members`) });

export const useInstitutions = (orgId: string) =>
  useQuery({
    queryKey: orgKeys.institutions(orgId),
    queryFn: () => api<InstitutionDto[]>(`${orgPath(orgId)}/institutions`),
  });

/** A mutation that refreshes the given queries once it succeeds. */
function useInvalidatingMutation<V, R>(fn: (vars: V) => Promise<R>, keys: QueryKey[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export const useCreateOrganization = () =>
  useInvalidatingMutation(
    (body: CreateOrganizationBody) => api<OrganizationDto>('/api/organizations', { method: 'POST', body }),
    [orgKeys.list],
  );

export const useCreateInstitution = (orgId: string) =>
  useInvalidatingMutation(
    (body: CreateInstitutionBody) => api<InstitutionDto>(`${orgPath(orgId)}/institutions`, { method: 'POST', body }),
    [orgKeys.institutions(orgId)],
  );

export const useUpdateInstitution = (orgId: string) =>
  useInvalidatingMutation(
    ({ id, body }: { id: string; body: UpdateInstitutionBody }) =>
      api<InstitutionDto>(`${orgPath(orgId)}/institutions/${id}`, { method: 'PATCH', body }),
    [orgKeys.institutions(orgId)],
  );

export const useDeleteInstitution = (orgId: string) =>
  useInvalidatingMutation(
    (id: string) => api<void>(`${orgPath(orgId)}/institutions/${id}`, { method: 'DELETE' }),
    [orgKeys.institutions(orgId)],
  );

export const useAddDelegate = (orgId: string) =>
  useInvalidatingMutation(
    ({ institutionId, userId }: { institutionId: string; userId: string }) =>
      api<InstitutionDto>(`${orgPath(orgId)}/institutions/${institutionId}/delegates`, {
        method: 'POST',
        body: { userId },
      }),
    [orgKeys.institutions(orgId)],
  );

export const useRemoveDelegate = (orgId: string) =>
  useInvalidatingMutation(
    ({ institutionId, userId }: { institutionId: string; userId: string }) =>
      api<void>(`${orgPath(orgId)}/institutions/${institutionId}/delegates/${userId}`, { method: 'DELETE' }),
    [orgKeys.institutions(orgId)],
  );

export const useUpdateMemberRole = (orgId: string) =>
  useInvalidatingMutation(
    ({ userId, role }: { userId: string; role: OrgRole }) =>
      api<MemberDto>(`${orgPath(orgId)}/members/${userId}`, { method: 'PATCH', body: { role } }),
    [orgKeys.members(orgId), orgKeys.detail(orgId)],
  );

export const useRemoveMember = (orgId: string) =>
  useInvalidatingMutation(
    (userId: string) => api<void>(`${orgPath(orgId)}/members/${userId}`, { method: 'DELETE' }),
    [orgKeys.members(orgId), orgKeys.institutions(orgId)],
  );

export const useCreateInvitation = (orgId: string) =>
  useInvalidatingMutation(
    (body: CreateInvitationBody) => api<InvitationDto>(`${orgPath(orgId)}/invitations`, { method: 'POST', body }),
    [orgKeys.invitations(orgId)],
  );

export const useInvitations = (orgId: string) =>
  useQuery({ queryKey: orgKeys.invitations(orgId), queryFn: () => api<InvitationSummaryDto[]>(`${orgPath(orgId)}/invitations`) });

export const useRevokeInvitation = (orgId: string) =>
  useInvalidatingMutation(
    (invitationId: string) => api<void>(`${orgPath(orgId)}/invitations/${encodeURIComponent(invitationId)}`, { method: 'DELETE' }),
    [orgKeys.invitations(orgId)],
  );

const signInProviderKey = (orgId: string) => ['organizations', orgId, 'sign-in-provider'] as const;

export const useSignInProvider = (orgId: string) =>
  useQuery({
    queryKey: signInProviderKey(orgId),
    queryFn: () => api<OrgIdentityProviderDto>(`${orgPath(orgId)}/sign-in-provider`),
  });

export const useSaveSignInProvider = (orgId: string) =>
  useInvalidatingMutation(
    (body: IdentityProviderBody) => api<IdentityProviderDto>(`${orgPath(orgId)}/sign-in-provider`, { method: 'PUT', body }),
    [signInProviderKey(orgId)],
  );

export const useRemoveSignInProvider = (orgId: string) =>
  useInvalidatingMutation(() => api<void>(`${orgPath(orgId)}/sign-in-provider`, { method: 'DELETE' }), [signInProviderKey(orgId)]);
