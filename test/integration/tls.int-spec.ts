import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lanAddress, type StartedServer, startServer } from '../helpers/server-process';

jest.setTimeout(120_000);

/** GET over HTTPS trusting only `ca` (the certificate is pinned, nothing is switched off). */
function get(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (res) => {
      const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, fingerprint }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A LAN without a reverse proxy: TLS=self-signed makes a certificate at first start, covering
 * localhost and every address of the machine, keeps it across restarts, prints its fingerprint and
 * the https:// addresses to open, and serves everything over HTTPS.
 */
describe('HTTPS with a self-signed certificate', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'quorum-tls-'));
  let server: StartedServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes a certificate for the machine’s addresses, prints its fingerprint, and serves over it', async () => {
    server = await startServer({ env: { TLS: 'self-signed', DATA_DIR: dataDir, HOST: '0.0.0.0' } });
    expect(server.url).toMatch(/^https:/);
    const certPem = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const cert = new X509Certificate(certPem);
    const lan = lanAddress();
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain(`IP Address:${lan}`);
    expect(cert.issuer).toBe(cert.subject); // self-signed…
    expect(cert.verify(cert.publicKey)).toBe(true); // …by its own key
    // The key stays private to the server's user.
    expect(readFileSync(path.join(dataDir, 'tls', 'key.pem'), 'utf8')).toMatch(/PRIVATE KEY/);

    const logged = server.logs().split('\n').find((l) => l.includes('self-signed certificate'));
    expect(logged).toBeDefined();
    const line = JSON.parse(logged!) as { fingerprint: string; urls: string[] };
    expect(line.fingerprint).toBe(cert.fingerprint256);
    expect(line.urls).toContain(`${server.url.replace('127.0.0.1', lan)}`);

    for (const host of ['127.0.0.1', lan]) {
      const res = await get(server.url.replace('127.0.0.1', host) + '/health', certPem);
      expect(res.status).toBe(200);
      expect(res.fingerprint).toBe(cert.fingerprint256);
    }
    const page = await get(server.url + '/', certPem);
    expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('keeps the same certificate across a restart, so browsers are asked once', async () => {
    const before = new X509Certificate(readFileSync(path.join(dataDir, 'tls', 'cert.pem'))).fingerprint256;
    await server!.stop();
    server = await startServer({ env: { TLS: 'self-signed', DATA_DIR: dataDir, HOST: '0.0.0.0' } });
    const certPem = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    expect(new X509Certificate(certPem).fingerprint256).toBe(before);
    expect((await get(server.url + '/health', certPem)).fingerprint).toBe(before);
  });

  it('over plain HTTP does not ask the browser to upgrade requests it cannot upgrade', async () => {
    const plain = await startServer();
    try {
      const res = await fetch(plain.url + '/');
      expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    } finally {
      await plain.stop();
    }
  });
});
