/** The auth feature's public entry: who is signed in. */
export { useMe } from './api/auth';
export { useSignedIn } from './hooks/use-session';
