import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';

/** What the HTTPS server is started with, and what the operator is told about it. */
export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 fingerprint of the certificate, as browsers show it (AA:BB:…). */
  fingerprint: string;
  /** The names and addresses the certificate is valid for. */
  names: string[];
}

/** A self-signed certificate is made again this long before it expires, or when an address it lacks appears. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const VALID_DAYS = 365;

/**
 * The names this machine is reached by on a LAN: localhost, its host name and every address of its
 * interfaces (IPv6 link-local ones aside, which browsers do not use in URLs).
 */
export function localNames(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(), host = hostname()): string[] {
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !(i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80')))
    .map((i) => i.address);
  return [...new Set(['localhost', host.toLowerCase(), '127.0.0.1', '::1', ...addresses])];
}

/** The DNS names and IP addresses a certificate covers (from its subjectAltName). */
export function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => normalName(entry.replace(/^(DNS|IP Address):/, '')))
    .filter(Boolean);
}

/** One spelling per name: lower case, IPv6 compressed (a certificate spells ::1 as 0:0:0:0:0:0:0:1). */
function normalName(name: string): string {
  if (!name.includes(':')) return name.toLowerCase();
  try {
    return new URL(`http://[${name}]/`).hostname.slice(1, -1);
  } catch {
    return name.toLowerCase();
  }
}

/**
 * The TLS key and certificate to serve HTTPS with, or null for plain HTTP. `self-signed`: made once
 * under DATA_DIR/tls and kept, so browsers are asked to accept it once; made again when it nears
 * expiry or when the machine has an address it does not cover (a new LAN).
 */
export async function tlsMaterial(config: Pick<AppConfig, 'tls' | 'dataDir'>, logger: Logger, names = localNames()): Promise<TlsMaterial | null> {
  const tls = config.tls;
  if (tls.mode === 'off') return null;
  if (tls.mode === 'files') return describe(readFileSync(tls.keyFile, 'utf8'), readFileSync(tls.certFile, 'utf8'));
  const dir = path.join(config.dataDir, 'tls');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    const kept = describe(readFileSync(keyFile, 'utf8'), readFileSync(certFile, 'utf8'));
    const cert = new X509Certificate(kept.cert);
    const missing = names.filter((n) => !kept.names.includes(normalName(n)));
    if (!missing.length && Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS) return kept;
    logger.info({ missing, validTo: cert.validTo }, 'making a new self-signed certificate');
  }
  const made = await selfSigned(names);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomically(keyFile, made.private, 0o600);
  writeAtomically(certFile, made.cert, 0o644);
  return describe(made.private, made.cert);
}

async function selfSigned(names: string[]): Promise<{ private: string; cert: string }> {
  // selfsigned builds the certificate with WebCrypto (EC P-256, SHA-256); nothing is hand-made here.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALID_DAYS * 86_400_000);
  const altNames = names.map((n) => (isIp(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  return generate([{ name: 'commonName', value: `Quorum on ${names[1] ?? 'localhost'}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
}

function describe(key: string, certPem: string): TlsMaterial {
  const cert = new X509Certificate(certPem);
  return { key, cert: certPem, fingerprint: cert.fingerprint256, names: certificateNames(cert) };
}

const isIp = (n: string): boolean => /^[\d.]+$/.test(n) || n.includes(':');

function writeAtomically(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
