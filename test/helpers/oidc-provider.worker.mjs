// A real OpenID Connect provider (oidc-provider) for the tests, run in a worker thread of the test
// process: oidc-provider is an ES module, which Jest's module loader cannot load on Node 20 (it can
// from Node 24.9), while a worker thread loads it with Node's own loader. test/helpers/oidc-provider.ts
// drives it by messages.
import { parentPort, workerData } from 'node:worker_threads';
import Provider from 'oidc-provider';

const { port, redirectUri, clientId, clientSecret, cookieKey } = workerData;
const issuer = `http://127.0.0.1:${port}`;
/** The people who can sign in at the development login form, by login name (= subject). */
const accounts = new Map();
/** While set, every ID token the token endpoint hands out has these claims changed, its signature kept. */
let forge = null;

const provider = new Provider(issuer, {
  clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: [cookieKey] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  findAccount: (_ctx, sub) => {
    const account = accounts.get(sub);
    return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
  },
});

// A token endpoint that lies: the real response, its ID token altered on the way out.
provider.use(async (ctx, next) => {
  await next();
  const body = ctx.body;
  if (forge && ctx.path === '/token' && body && typeof body === 'object' && typeof body.id_token === 'string') {
    const [header, payload, signature] = body.id_token.split('.');
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), ...forge };
    body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  }
});

const server = provider.listen(port, '127.0.0.1', () => parentPort.postMessage({ ready: issuer }));

parentPort.on('message', ({ id, type, sub, claims }) => {
  if (type === 'account') accounts.set(sub, claims);
  if (type === 'forge') forge = claims;
  if (type === 'stop') {
    server.closeAllConnections?.();
    server.close(() => parentPort.postMessage({ id }));
    return;
  }
  parentPort.postMessage({ id });
});
