/** The auth feature's public entry: who is signed in. */
export { meKey, useMe } from './api/auth';
export { useSignedIn } from './hooks/use-session';
