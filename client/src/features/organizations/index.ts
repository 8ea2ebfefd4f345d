/** The organisations feature's public entry: the current organisation and its members. */
export { useMembers } from './api/organizations';
export { useOrgContext } from './hooks/use-org-context';
