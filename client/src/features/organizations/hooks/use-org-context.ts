import type { OrganizationDto } from '@contract';
import { useOutletContext } from 'react-router';

export interface OrgContext {
  org: OrganizationDto;
  canManage: boolean;
  online: ReadonlySet<string> | null;
}

export const useOrgContext = () => useOutletContext<OrgContext>();
