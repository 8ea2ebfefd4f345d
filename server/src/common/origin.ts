/** Same origin (whatever address the site is reached by: localhost, a LAN IP, its name) or a configured one. */
export function originAllowed(origin: string | undefined, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (!origin) return true;
  if (corsOrigins.includes(origin)) return true;
  try {
    return !!host && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
