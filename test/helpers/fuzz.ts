import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Client } from 'pg';
import { z } from 'zod';
import * as contract from '../../server/src/contract';
import { type Ack, ERROR_CODES, type ErrorCode, HTTP_STATUS } from '../../server/src/contract';
import type { TestSocket } from './api';

/**
 * Hostile-input generators and oracles for the fuzz tests. Inputs are derived from the contract's zod
 * schemas (through their JSON Schema), so a new command or body is fuzzed without touching this file.
 * The oracle is the schema itself: an input is only ever sent when the schema refuses it, so the server
 * must refuse it too — with a stable code, without a crash and without changing anything.
 */

/* ---------------- JSON Schema walking ---------------- */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
}

export const jsonSchemaOf = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

const variantsOf = (s: JsonSchema): JsonSchema[] => {
  const vs = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  return vs.length ? vs.flatMap(variantsOf) : [s];
};

/** Object fields of a schema (all variants of a union), by dotted path, down to `depth` levels of nested objects. */
export function fieldsOf(s: JsonSchema, depth = 3, prefix: string[] = []): { path: string[]; schema: JsonSchema }[] {
  const out: { path: string[]; schema: JsonSchema }[] = [];
  const seen = new Set<string>();
  for (const v of variantsOf(s)) {
    for (const [name, fs] of Object.entries(v.properties ?? {})) {
      const path = [...prefix, name];
      if (seen.has(path.join('.'))) continue;
      seen.add(path.join('.'));
      out.push({ path, schema: fs });
      if (depth > 1) out.push(...fieldsOf(fs, depth - 1, path));
    }
  }
  return out;
}

const STRING_CANDIDATES = ['fuzz-request-0001', 'fuzz', 'KZ', 'member', 'x', 'audio/opus', 'a1b2c3d4e5f6a7b8', 'sha-256', 'AA:BB'];

/** A value the JSON Schema accepts (refinements aside), or undefined when none is found. */
export function exampleOf(s: JsonSchema): unknown {
  if ('const' in s) return s.const;
  if (s.enum) return s.enum[0];
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    for (const v of variants) {
      const e = exampleOf(v);
      if (e !== undefined) return e;
    }
    return undefined;
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) {
        const e = exampleOf(s.properties?.[name] ?? {});
        if (e === undefined) return undefined;
        out[name] = e;
      }
      return out;
    }
    case 'array': {
      const n = s.minItems ?? 0;
      const items = Array.from({ length: n }, () => exampleOf(s.items ?? {}));
      return items.includes(undefined) ? undefined : items;
    }
    case 'string': {
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email') return 'fuzz@example.org';
      const fits = (c: string) => c.length >= (s.minLength ?? 0) && c.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern).test(c));
      return STRING_CANDIDATES.find(fits) ?? (fits('x'.repeat(s.minLength ?? 1)) ? 'x'.repeat(s.minLength ?? 1) : undefined);
    }
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/* ---------------- hostile values ---------------- */

export const KB100 = 'x'.repeat(100 * 1024);

/** `{a:{a:{…}}}` or `[[[…]]]`, `depth` levels, built without recursion. */
export function nested(depth: number, kind: 'object' | 'array'): unknown {
  let v: unknown = kind === 'object' ? {} : [];
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}
export const nestedJson = (depth: number, kind: 'object' | 'array'): string => (kind === 'object' ? '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth));

/** An object with `key` as an OWN property (as JSON.parse makes it), even for `__proto__`. */
export function withOwnKey(base: unknown, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (base && typeof base === 'object' && !Array.isArray(base)) for (const [k, v] of Object.entries(base)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Replaces (or, with `undefined`, removes) the value at `path`, copying the objects on the way. */
export function setPath(base: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const obj = base && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : {};
  const out = withOwnKey(obj, head, setPath(obj[head], rest, value));
  if (rest.length === 0 && value === undefined) delete out[head];
  return out;
}

/** Values of every JSON type and a few classic troublemakers; the schema decides which are wrong. */
export function wrongValues(opts: { binary: boolean; bigString: string }): [string, unknown][] {
  return [
    ['null', null],
    ['true', true],
    ['false', false],
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['1e308', 1e308],
    // eslint-disable-next-line no-loss-of-precision -- on purpose: an integer beyond what a double holds
    ['2^53+1', 9007199254740993],
    ['empty string', ''],
    ['"x"', 'x'],
    ['"not-a-uuid"', 'not-a-uuid'],
    ['"__proto__"', '__proto__'],
    ['NUL byte', 'a\u0000b'],
    ['SQL', "' OR '1'='1'; DROP TABLE users; --"],
    ['lone surrogate', '\ud800'],
    ['big string', opts.bigString],
    ['[]', []],
    ['[null]', [null]],
    ['{}', {}],
    ['{$gt:""}', { $gt: '' }],
    ['{__proto__}', withOwnKey({}, '__proto__', { polluted: true })],
    ['100-level nesting', nested(100, 'object')],
    ...(opts.binary ? ([['Buffer', Buffer.from('binary')]] as [string, unknown][]) : []),
  ];
}

const isBinary = (v: unknown): boolean => Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/** Whether a binary hides anywhere in `v` (iterative: some inputs nest 10 000 levels deep). */
function containsBinary(v: unknown): boolean {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (isBinary(x)) return true;
    if (x && typeof x === 'object') stack.push(...Object.values(x));
  }
  return false;
}

/** What socket.io delivers to the server: JSON semantics, binaries kept as Buffers. */
export function onTheWire(v: unknown): unknown {
  if (!containsBinary(v)) return v === undefined ? undefined : JSON.parse(JSON.stringify(v) ?? 'null');
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : onTheWire(x)));
  let out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) if (x !== undefined && typeof x !== 'function') out = withOwnKey(out, k, onTheWire(x));
  return out;
}

export interface FuzzCase {
  event: string;
  label: string;
  /** Payload arguments (the ack is added when sent)... */
  args?: unknown[];
  /**
   * ...or the packet's JSON data array as text, sent as a raw socket.io packet: for nesting deeper than
   * JSON.stringify (client side) can go, which JSON.parse on the server must still survive.
   */
  raw?: string;
}

/** The payload arguments the server will see for a case. */
export const argsOnTheWire = (c: FuzzCase): unknown[] => (c.raw ? (JSON.parse(c.raw) as unknown[]).slice(1) : (c.args ?? []).map(onTheWire));

/** `base` with `field` set to a `depth`-level nested array, as JSON text. */
const deepField = (base: unknown, field: string, depth: number) => JSON.stringify(withOwnKey(base, field, '__DEEP__')).replace('"__DEEP__"', nestedJson(depth, 'array'));

/**
 * Malformed inputs for one command: the whole payload replaced, every field (nested ones too) given a
 * wrong value or removed, hostile keys added. Only inputs the command's own schema refuses are kept.
 */
export function malformedCommands(event: string, schema: z.ZodType): { cases: FuzzCase[]; refusedBySchema: number; acceptedBySchema: number } {
  const js = jsonSchemaOf(schema);
  const base = exampleOf(js) ?? {};
  const all: FuzzCase[] = [];
  const add = (label: string, ...args: unknown[]) => all.push({ event, label, args });

  add('no payload');
  add('two payloads', base, base);
  add('three payloads', base, {}, 1);
  for (const [label, v] of wrongValues({ binary: true, bigString: KB100 })) add(`payload: ${label}`, v);
  add('payload: ArrayBuffer', new ArrayBuffer(16));
  add('payload: Uint8Array', new Uint8Array([1, 2, 3]));
  add('payload: 1 000-level object', nested(1_000, 'object'));
  const raw = (label: string, payload: string) => all.push({ event, label, raw: `[${JSON.stringify(event)},${payload}]` });
  raw('payload: 10 000-level object', nestedJson(10_000, 'object'));
  raw('payload: 10 000-level array', nestedJson(10_000, 'array'));
  raw('payload: 100 000-level array', nestedJson(100_000, 'array'));
  add('payload: array of the valid payload', [base]);
  add('payload: 5 000 keys', Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])));
  add('extra field', withOwnKey(base, 'isAdmin', true));
  add('__proto__ key', withOwnKey(base, '__proto__', { isAdmin: true, role: 'host' }));
  add('constructor.prototype key', withOwnKey(base, 'constructor', { prototype: { isAdmin: true } }));
  add('prototype key', withOwnKey(base, 'prototype', { isAdmin: true }));
  for (const { path } of fieldsOf(js)) {
    const at = path.join('.');
    add(`${at}: missing`, setPath(base, path, undefined));
    for (const [label, v] of wrongValues({ binary: true, bigString: KB100 })) add(`${at}: ${label}`, setPath(base, path, v));
    if (path.length === 1) raw(`${at}: 10 000-level array`, deepField(base, path[0]!, 10_000));
  }

  let acceptedBySchema = 0;
  const cases = all.filter((c) => {
    const args = argsOnTheWire(c);
    if (args.length !== 1) return true;
    const valid = schema.safeParse(args[0]).success;
    if (valid) acceptedBySchema++;
    return !valid;
  });
  return { cases, refusedBySchema: cases.length, acceptedBySchema };
}

/* ---------------- socket sending, paced under the server's token bucket ---------------- */

/** Kept below the server's per-socket budget (burst 40, 20/s) so the oracle sees the real answer. */
const LOCAL_BURST = 30;
const LOCAL_PER_SECOND = 15;

export interface Outcome {
  c: FuzzCase;
  ack: Ack<unknown> | { timeout: true } | 'closed' | 'no-ack';
}

let rawAckId = 1_000_000;
/** An EVENT packet with an ack id from a range the client's own emits never reach. */
export const rawEmit = (socket: TestSocket, data: string, timeoutMs = 10_000) => {
  const id = rawAckId++;
  return rawPacket(socket, `2${id}${data}`, id, timeoutMs);
};

/**
 * Sends every case over a pool of sockets, paced per socket, retrying the ones answered RATE_LIMITED.
 * Resolves with one outcome per case.
 */
export async function sendAll(pool: TestSocket[], cases: FuzzCase[], ackTimeoutMs = 15_000): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let queue = cases;
  for (let round = 0; round < 4 && queue.length; round++) {
    const retry: FuzzCase[] = [];
    await Promise.all(
      pool.map(async (socket, i) => {
        const mine = queue.filter((_, k) => k % pool.length === i);
        let tokens = LOCAL_BURST;
        let last = performance.now();
        const pending: Promise<void>[] = [];
        for (const c of mine) {
          for (;;) {
            const now = performance.now();
            tokens = Math.min(LOCAL_BURST, tokens + ((now - last) / 1000) * LOCAL_PER_SECOND);
            last = now;
            if (tokens >= 1) break;
            await new Promise((r) => setTimeout(r, Math.ceil(((1 - tokens) / LOCAL_PER_SECOND) * 1000)));
          }
          tokens -= 1;
          const sent: Promise<Outcome['ack']> = c.raw
            ? rawEmit(socket, c.raw, ackTimeoutMs)
            : (socket.timeout(ackTimeoutMs).emitWithAck(c.event, ...(c.args ?? [])) as Promise<Ack<unknown>>).catch(() => ({ timeout: true }) as const);
          pending.push(
            sent.then((ack) => {
              if (typeof ack === 'object' && 'ok' in ack && !ack.ok && ack.error.code === 'RATE_LIMITED' && round < 3) retry.push(c);
              else outcomes.push({ c, ack });
            }),
          );
        }
        await Promise.all(pending);
      }),
    );
    queue = retry;
    if (queue.length) await new Promise((r) => setTimeout(r, 2_000));
  }
  return outcomes;
}

/** Writes a raw socket.io packet (without the engine.io "4" prefix) and waits for the ack with `ackId`, if any. */
export function rawPacket(socket: TestSocket, packet: string, ackId?: number, timeoutMs = 10_000): Promise<Ack<unknown> | 'closed' | 'no-ack'> {
  const engine = socket.io.engine as unknown as { send(s: string): void; on(e: string, f: (d: unknown) => void): void; off(e: string, f: (d: unknown) => void): void };
  return new Promise((resolve) => {
    const done = (r: Ack<unknown> | 'closed' | 'no-ack') => {
      clearTimeout(timer);
      engine.off('message', onMessage);
      socket.off('disconnect', onClose);
      resolve(r);
    };
    const onMessage = (d: unknown) => {
      const prefix = `3${ackId}[`;
      if (ackId !== undefined && typeof d === 'string' && d.startsWith(prefix)) done((JSON.parse(d.slice(prefix.length - 1)) as [Ack<unknown>])[0]);
    };
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('no-ack'), timeoutMs);
    engine.on('message', onMessage);
    socket.on('disconnect', onClose);
    engine.send(packet);
  });
}

/* ---------------- oracles ---------------- */

export const isKnownCode = (code: unknown): code is ErrorCode => typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);

/** A short description of what was wrong with an ack, or null when it is the expected refusal. */
export function ackProblem(ack: Ack<unknown> | { timeout: true } | 'closed' | 'no-ack', expected: ErrorCode | 'any-refusal' | 'anything'): string | null {
  if (ack === 'closed' || ack === 'no-ack') return ack;
  if ('timeout' in ack) return 'no ack (timeout)';
  if (ack.ok) return expected === 'anything' ? null : 'accepted';
  const { code, message } = ack.error;
  if (!isKnownCode(code)) return `unknown code ${String(code)}`;
  if (code === 'INTERNAL') return 'INTERNAL';
  if (typeof message !== 'string') return 'no message';
  if (expected !== 'any-refusal' && expected !== 'anything' && code !== expected) return code;
  return null;
}

/* ---------------- database snapshot, process health ---------------- */

/** Row counts of every table in the public schema. */
export async function tableCounts(databaseUrl: string): Promise<Record<string, number>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = (await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)).rows;
    const out: Record<string, number> = {};
    for (const { t } of tables) out[t] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`)).rows[0]!.n);
    return out;
  } finally {
    await db.end();
  }
}

export async function residentMemory(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^quorum_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!m) throw new Error('quorum_process_resident_memory_bytes missing from /metrics');
  return Number(m[1]);
}

/** Error and fatal lines (pino levels 50, 60) the server printed after `from` characters of log. */
export const errorLines = (logs: string, from = 0): string[] =>
  logs
    .slice(from)
    .split('\n')
    .filter((l) => /"level":(50|60)/.test(l))
    .map((l) => l.slice(0, 500));

/* ---------------- raw HTTP ---------------- */

export interface RawResponse {
  status: number;
  contentType: string;
  /** Where a redirect sends the browser, if it is one. */
  location?: string;
  text: string;
  json: any;
}

/** One HTTP request exactly as given: any method with any body, the path not normalised. */
export function rawHttp(base: string, req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined && !req.chunked) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), ...(res.headers.location ? { location: res.headers.location } : {}), text, json });
      });
    });
    r.on('error', reject);
    r.setTimeout(20_000, () => r.destroy(new Error(`timeout: ${req.method} ${req.path.slice(0, 200)}`)));
    if (req.body !== undefined) {
      if (req.chunked) {
        const b = Buffer.from(req.body);
        for (let i = 0; i < b.length; i += 64 * 1024) r.write(b.subarray(i, i + 64 * 1024));
      } else r.write(req.body);
    }
    r.end();
  });
}

/** Raw bytes over TCP, for requests node's own client refuses to make; resolves with the status line's code (0 if none). */
export function rawTcp(base: string, request: string, halfClose: boolean): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect(Number(url.port), url.hostname);
    let text = '';
    const finish = () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    s.on('data', (d) => (text += d.toString('utf8')));
    s.on('end', finish);
    s.on('error', finish);
    s.setTimeout(5_000, () => {
      s.destroy();
      finish();
    });
    s.write(request, () => {
      if (halfClose) s.end();
    });
  });
}

/** A description of what was wrong with a REST error response, or null when it is a proper refusal. */
export function restProblem(res: RawResponse, expected?: ErrorCode | ErrorCode[]): string | null {
  if (res.status >= 500) return `status ${res.status}${res.json?.error?.code ? ` ${res.json.error.code}` : ''}`;
  if (res.status < 400) return `status ${res.status}`;
  if (!res.contentType.startsWith('application/json')) return `content-type ${res.contentType || 'none'} (status ${res.status}: ${res.text.slice(0, 80)})`;
  const code = res.json?.error?.code;
  if (!isKnownCode(code)) return `no error code (${res.text.slice(0, 120)})`;
  if (code === 'INTERNAL') return 'INTERNAL';
  if (typeof res.json.error.message !== 'string') return 'no message';
  if (HTTP_STATUS[code] !== res.status) return `status ${res.status} for ${code}`;
  const allowed = expected === undefined ? undefined : Array.isArray(expected) ? expected : [expected];
  if (allowed && !allowed.includes(code)) return code;
  return null;
}

/**
 * A refusal of a browser navigation (institutional sign-in): the browser is sent back to the sign-in
 * page with a known error code, never elsewhere; a request that never reaches the route (a path that
 * cannot be decoded) may be refused with the usual error envelope.
 */
export function navigationProblem(res: RawResponse): string | null {
  if (res.status >= 500) return `status ${res.status}`;
  // A request the server cannot even route (a broken path) is refused before it is a navigation.
  if (res.status >= 400) return restProblem(res);
  if (res.status !== 302 && res.status !== 303) return `status ${res.status} (a navigation answers with a redirect)`;
  const code = /^\/sign-in\?signInError=([A-Z_]+)$/.exec(res.location ?? '')?.[1];
  if (!isKnownCode(code)) return `redirect to ${res.location ?? 'nowhere'}`;
  return null;
}

/* ---------------- OpenAPI ---------------- */

export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: { name: string; enum?: unknown[] }[];
  /** The contract's zod schema of the body, when the documented one matches it exactly. */
  body?: { json: JsonSchema; zod?: z.ZodType };
  authenticated: boolean;
}

const canonical = (v: unknown): string => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** Every zod schema the contract exports, by its JSON Schema. */
function contractSchemasByJson(): Map<string, z.ZodType> {
  const out = new Map<string, z.ZodType>();
  for (const v of Object.values(contract)) {
    if (!(v instanceof z.ZodType)) continue;
    try {
      out.set(canonical(jsonSchemaOf(v)), v);
    } catch {
      /* not representable: not a body */
    }
  }
  return out;
}

export function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const schemas = contractSchemasByJson();
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params: { in: string; name: string; schema?: { enum?: unknown[] } }[] = op.parameters ?? [];
      const json = op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, ...(p.schema?.enum ? { enum: p.schema.enum } : {}) })),
        ...(json ? { body: { json, ...(schemas.has(canonical(json)) ? { zod: schemas.get(canonical(json))! } : {}) } } : {}),
        authenticated: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops;
}

export const fillPath = (path: string, values: Record<string, string>): string => path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? randomUUID());

/** Malformed path parameter values (already URL-encoded where needed). */
export const BAD_IDS: [string, string][] = [
  ['not a uuid', 'not-a-uuid'],
  ['1000 chars', 'a'.repeat(1000)],
  ['dot-dot', '..'],
  ['encoded ../', '..%2F..%2Fetc%2Fpasswd'],
  ['SQL', encodeURIComponent("' OR '1'='1")],
  ['SQL in uuid', encodeURIComponent("00000000-0000-4000-8000-000000000000' OR 1=1--")],
  ['NUL', '%00'],
  ['uuid + NUL', `${randomUUID()}%00`],
  ['broken percent-encoding', '%E0%A4%A'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['template', encodeURIComponent('{{7*7}}${7*7}')],
  ['unicode', encodeURIComponent('ｕｕｉｄ-🙂')],
  ['space', '%20'],
];

/** Malformed values for declared query parameters (invalid for every one the API has). */
export const BAD_QUERY_VALUES: [string, (name: string) => string][] = [
  ['one char', (n) => `${n}=x`],
  ['empty', (n) => `${n}=`],
  ['1000 chars', (n) => `${n}=${'a!'.repeat(500)}`],
  ['SQL', (n) => `${n}=${encodeURIComponent("' OR 1=1--")}`],
  ['repeated', (n) => `${n}=json&${n}=csv`],
  ['NUL', (n) => `${n}=%00`],
  ['broken percent-encoding', (n) => `${n}=%E0%A4%A`],
];

/** Bracket syntax: a nested object with an extended query parser, an unrelated key with the simple one. Never a failure. */
export const ODD_QUERY_VALUES: [string, (name: string) => string][] = [
  ['object', (n) => `${n}[a]=b`],
  ['__proto__ object', (n) => `${n}[__proto__][polluted]=1`],
];

/** Undeclared query strings: ignored or refused, never a failure. */
export const JUNK_QUERIES: [string, string][] = [
  ['__proto__', '__proto__[polluted]=1&__proto__.polluted=1'],
  ['constructor.prototype', 'constructor[prototype][polluted]=1'],
  ['deep brackets', `a${'[a]'.repeat(40)}=1`],
  ['1000 parameters', Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&')],
  ['huge value', `junk=${'x'.repeat(6000)}`],
];
