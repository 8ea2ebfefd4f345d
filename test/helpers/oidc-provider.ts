import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { freePort } from './server-process';

/**
 * A real OpenID Connect provider (the `oidc-provider` package, certified by the OpenID Foundation),
 * started by the test in a worker thread of its own process (oidc-provider.worker.mjs says why), with
 * one client registered for the Quorum server under test and a development login form.
 */
export interface DevAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Someone who can sign in at the provider's login form with `login` = `sub` and any password. */
  setAccount(sub: string, claims: DevAccount): Promise<void>;
  /** While set, the token endpoint hands out ID tokens with these claims changed and the signature kept. */
  forgeIdTokens(claims: Record<string, unknown> | null): Promise<void>;
  stop(): Promise<void>;
}

export async function startOidcProvider(opts: { redirectUri: string }): Promise<TestProvider> {
  const port = await freePort();
  const clientId = 'quorum-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const worker = new Worker(path.join(__dirname, 'oidc-provider.worker.mjs'), {
    workerData: { port, redirectUri: opts.redirectUri, clientId, clientSecret, cookieKey: randomBytes(32).toString('base64url') },
    stdout: true,
    stderr: true,
  });
  let log = '';
  worker.stdout.on('data', (d: Buffer) => (log += d.toString()));
  worker.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the OIDC provider stopped (${code}): ${log}`)));
    worker.once('message', (m: { ready: string }) => resolve(m.ready));
  });
  let seq = 0;
  const ask = (message: object) =>
    new Promise<void>((resolve) => {
      const id = ++seq;
      const onMessage = (m: { id?: number }) => {
        if (m.id !== id) return;
        worker.off('message', onMessage);
        resolve();
      };
      worker.on('message', onMessage);
      worker.postMessage({ id, ...message });
    });
  return {
    issuer,
    clientId,
    clientSecret,
    setAccount: (sub, claims) => ask({ type: 'account', sub, claims }),
    forgeIdTokens: (claims) => ask({ type: 'forge', claims }),
    async stop() {
      await ask({ type: 'stop' });
      await worker.terminate();
    },
  };
}

/** A browser's cookies, by host, as far as these tests need them (path and expiry are ignored). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.byHost.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.byHost.get(url.host) ?? new Map<string, string>();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
      this.byHost.set(url.host, jar);
    }
  }

  get(host: string, name: string): string | undefined {
    return this.byHost.get(host)?.get(name);
  }
}

export interface Hop {
  url: string;
  status: number;
  location: string | null;
}

/**
 * Requests `url` and follows redirects as a browser does, with `jar`; stops at the first answer that
 * is not a redirect, or at a redirect to `stopAt` (a URL prefix) without requesting it.
 */
export async function follow(
  jar: CookieJar,
  url: string,
  opts: { stopAt?: string; method?: string; form?: Record<string, string> } = {},
): Promise<{ hops: Hop[]; last: Response; lastUrl: string }> {
  const hops: Hop[] = [];
  let current = new URL(url);
  let method = opts.method ?? 'GET';
  let body: string | undefined = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  for (let i = 0; i < 20; i++) {
    const headers: Record<string, string> = {};
    const cookie = jar.header(current);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(current, { method, headers, body, redirect: 'manual' });
    jar.take(current, res);
    const location = res.headers.get('location');
    hops.push({ url: current.href, status: res.status, location });
    if (res.status < 300 || res.status >= 400 || !location) return { hops, last: res, lastUrl: current.href };
    const next = new URL(location, current);
    if (opts.stopAt && next.href.startsWith(opts.stopAt)) return { hops, last: res, lastUrl: next.href };
    await res.arrayBuffer();
    current = next;
    method = 'GET';
    body = undefined;
  }
  throw new Error(`too many redirects: ${hops.map((h) => h.url).join(' -> ')}`);
}

/**
 * Through the provider's development login: its login form (any password), then its consent form.
 * Returns the URL the provider finally sends the browser to (Quorum's callback), not yet requested.
 */
export async function loginAtProvider(jar: CookieJar, authorizationUrl: string, login: string, callbackPrefix: string): Promise<string> {
  let step = await follow(jar, authorizationUrl, { stopAt: callbackPrefix });
  for (let i = 0; i < 4 && !step.lastUrl.startsWith(callbackPrefix); i++) {
    const html = await step.last.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`no interaction form at ${step.lastUrl} (${step.last.status}): ${html.slice(0, 300)}`);
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
    step = await follow(jar, new URL(action.replace(/&amp;/g, '&'), step.lastUrl).href, { method: 'POST', form, stopAt: callbackPrefix });
  }
  if (!step.lastUrl.startsWith(callbackPrefix)) throw new Error(`the provider did not send the browser back: ${step.lastUrl}`);
  return step.lastUrl;
}
