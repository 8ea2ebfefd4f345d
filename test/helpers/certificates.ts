import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './server-process';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** A file under test-artifacts/ (per process), for tools that read files. */
export function artifact(name: string, content: string | Buffer): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${process.pid}-${name}`);
  writeFileSync(file, content);
  return file;
}

/**
 * Runs a tool without blocking the test's event loop (a blocked loop leaves the HTTP pool holding
 * sockets the server has meanwhile closed).
 */
function run(cmd: string, args: string[], encoding: 'utf8' | 'buffer'): Promise<string | Buffer> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, encoding, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed (install poppler-utils): ${err.message} ${String(stderr)}`));
      else resolve(stdout);
    });
  });
}

/** The text poppler extracts from a PDF (Debian's poppler-utils), direction marks removed. */
export async function pdftotext(pdf: Buffer): Promise<string> {
  const out = (await run('pdftotext', [artifact('extract.pdf', pdf), '-'], 'utf8')) as string;
  return out.replace(/\p{Cf}/gu, '');
}

/** The first page rendered by poppler as RGBA pixels, for reading the QR code back. */
export async function pdfPagePixels(pdf: Buffer, dpi = 150): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  // Binary PPM: "P6\n<w> <h>\n255\n" then RGB.
  const ppm = (await run('pdftoppm', ['-r', String(dpi), '-f', '1', '-l', '1', artifact('page.pdf', pdf)], 'buffer')) as Buffer;
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'))!;
  const [width, height] = [Number(header[1]), Number(header[2])];
  const rgb = ppm.subarray(header[0].length);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    data[i * 4] = rgb[j]!;
    data[i * 4 + 1] = rgb[j + 1]!;
    data[i * 4 + 2] = rgb[j + 2]!;
    data[i * 4 + 3] = 255;
  }
  return { data, width, height };
}

/**
 * Runs `npm run verify-certificate -- args` as a reader would; the exit code and what it printed.
 * Asynchronous: the script may call back into the test's server, and the test's own HTTP pool keeps running.
 */
export function verifyCertificateCli(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'scripts', 'verify-certificate.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** The same token with the character at `i` replaced by another base64url character (or `.` moved). */
export function flipAt(token: string, i: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = token[i]!;
  const next = c === '.' ? 'A' : alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
  return token.slice(0, i) + next + token.slice(i + 1);
}
