#!/usr/bin/env node
// Checks a certificate of attendance on its own, with none of the server's code: the credential (a
// VC-JWT, EdDSA over Ed25519) against the issuer's published key set, then, unless --offline, the
// status the credential names (a revoked certificate fails).
//
//   npm run verify-certificate -- certificate.jwt
//   npm run verify-certificate -- certificate.jwt --jwks https://quorum.example.org/.well-known/jwks.json
//   npm run verify-certificate -- certificate.jwt --public-key jwks.json --offline
//
// Without --jwks or --public-key the key set is fetched from the issuer's site (the origin of the
// credential's `iss`), /.well-known/jwks.json. --public-key takes a JWKS or a single JWK (JSON) file.
// Prints OK or FAIL with the reason; exits 0 only for OK.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !['--jwks', '--public-key'].includes(args[i - 1] ?? ''));
const offline = args.includes('--offline');

function fail(code, message) {
  console.log(`FAIL ${code}: ${message}`);
  process.exit(1);
}

if (!file) {
  console.error('usage: npm run verify-certificate -- <credential.jwt> [--jwks URL | --public-key FILE] [--offline]');
  process.exit(2);
}

let token;
try {
  token = readFileSync(file, 'utf8').trim();
} catch (err) {
  fail('UNREADABLE', `cannot read ${file}: ${err.message}`);
}

// Decoders ignore the spare bits of a base64url part's last character; a changed character must fail all the same.
const parts = token.split('.');
if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p) && Buffer.from(p, 'base64url').toString('base64url') === p)) {
  fail('CREDENTIAL_MALFORMED', 'not a compact JWS (three canonical base64url parts)');
}

let claims;
try {
  claims = decodeJwt(token);
} catch {
  fail('CREDENTIAL_MALFORMED', 'the claims cannot be read');
}

let keys;
let keySource;
try {
  if (flag('--public-key')) {
    const json = JSON.parse(readFileSync(flag('--public-key'), 'utf8'));
    keys = createLocalJWKSet(Array.isArray(json.keys) ? json : { keys: [json] });
    keySource = flag('--public-key');
  } else {
    const url = flag('--jwks') ?? new URL('/.well-known/jwks.json', String(claims.iss)).href;
    keys = createRemoteJWKSet(new URL(url));
    keySource = url;
  }
} catch (err) {
  fail('KEY_UNAVAILABLE', `no key set: ${err.message}`);
}

let payload;
try {
  ({ payload } = await jwtVerify(token, keys, { algorithms: ['EdDSA'], typ: 'vc+jwt' }));
} catch (err) {
  if (err instanceof errors.JWSSignatureVerificationFailed) fail('CREDENTIAL_SIGNATURE_INVALID', 'the signature does not match: the credential was changed');
  if (err instanceof errors.JWKSNoMatchingKey) fail('CREDENTIAL_UNKNOWN_KEY', `no key in ${keySource} signed it`);
  if (err instanceof errors.JOSEError && /fetch|timeout|network/i.test(`${err.code} ${err.message}`)) fail('KEY_UNAVAILABLE', err.message);
  fail('CREDENTIAL_MALFORMED', err.message);
}

const vc = payload.vc ?? {};
if (payload.jti !== vc.id || vc.issuer?.id !== payload.iss) fail('CREDENTIAL_MALFORMED', 'the JWT claims and the credential disagree');
const subject = vc.credentialSubject ?? {};
const name = subject.identifier?.find?.((i) => i.identityType === 'name')?.identityHash ?? '?';

if (!offline && vc.credentialStatus?.id) {
  let status;
  try {
    const res = await fetch(vc.credentialStatus.id, { signal: AbortSignal.timeout(10_000) });
    status = await res.json();
  } catch (err) {
    fail('STATUS_UNAVAILABLE', `cannot read the status at ${vc.credentialStatus.id}: ${err.message}`);
  }
  if (status?.status === 'revoked') fail('CERTIFICATE_REVOKED', `revoked on ${status.revokedAt}: ${status.revocationReason}`);
  if (status?.status !== 'valid') fail('CERTIFICATE_NOT_FOUND', `the issuer does not know this certificate (${vc.credentialStatus.id})`);
}

console.log(`OK ${vc.id}`);
console.log(`  holder: ${name}`);
console.log(`  achievement: ${subject.achievement?.name ?? '?'} (${subject.result?.[0]?.value ?? '?'} minutes)`);
console.log(`  issuer: ${vc.issuer?.name ?? '?'} <${payload.iss}>, ${vc.validFrom}`);
console.log(`  key: ${keySource}${offline ? ' (status not checked: --offline)' : ''}`);
