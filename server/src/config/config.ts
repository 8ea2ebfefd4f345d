import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { captionLanguage, type CaptionLanguage } from '../contract/captions';
import { announcedAddress } from '../modules/media/announced-address';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const iceServer = z.object({
  urls: z.union([z.string().regex(/^(stun|turns?):/), z.array(z.string().regex(/^(stun|turns?):/)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** Every setting Quorum reads from the environment. `.env.example` documents each one. */
export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: z.url().optional(),
    /** self-signed: HTTPS with a certificate made at first start (a LAN without a proxy); off: plain HTTP. */
    TLS: z.enum(['off', 'self-signed']).default('off'),
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    DATA_DIR: z.string().default('.data'),
    EMBEDDED_PG_PORT: port.default(5499),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BALLOT_SEAL_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
    BALLOT_KEY_DIR: z.string().optional(),
    AUDIT_SIGNING_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/_=-]{40,200}$/, 'must be an Ed25519 private key, PKCS#8 DER in base64')
      .optional(),
    /** Signs certificates of attendance (VC-JWT, EdDSA); its public half is at /.well-known/jwks.json. */
    CREDENTIAL_SIGNING_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/_=-]{40,200}$/, 'must be an Ed25519 private key, PKCS#8 DER in base64')
      .optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Sign-in, sign-up and password-reset attempts per client address per minute (refreshes are not attempts). */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
    /** The same attempts per account (the e-mail address tried) per 15 minutes, from any address. */
    AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(10),
    /** smtp:// or smtps:// URL of the mail relay; without it, mail is written to DATA_DIR/outbox as .eml files. */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    MAIL_FROM: z.string().min(3).max(320).optional(),
    /** How often due event reminders are looked for. */
    EVENT_REMINDER_CHECK_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
    /** How often the archive deletes recordings past their retention date and catches up on ready ones. */
    RECORDING_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(1_440).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CORS_ORIGINS: z.string().optional(),
    CLIENT_DIST: z.string().optional(),
    MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    /** Consumers one router of a room carries before new viewers are received on another worker. */
    MEDIA_ROUTER_CONSUMERS: z.coerce.number().int().min(1).max(100_000).default(500),
    RTC_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
    RTC_ANNOUNCED_IP: z.string().min(1).optional(),
    RTC_MIN_PORT: port.default(40000),
    RTC_MAX_PORT: port.default(40099),
    TURN_SERVERS: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s) return [];
        try {
          return z.array(iceServer).parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {urls, username?, credential?}' });
          return z.NEVER;
        }
      }),
    MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(10),
    MAX_SOCKETS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
    MAX_TRANSPORTS_PER_DIRECTION: z.coerce.number().int().min(1).max(100).default(4),
    MAX_CONSUMERS_PER_PRODUCER: z.coerce.number().int().min(1).max(100).default(2),
    ROOMS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(50),
    ORGANIZATIONS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
    /** Scrapers send `Authorization: Bearer <token>`; without one, /metrics is off in production. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** OpenAPI at /api/docs: on by default except in production. */
    API_DOCS: bool.optional(),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    TRUST_PROXY: bool.default(false),
    /** Set: this process is one node of several sharing the database and this Redis. Unset: one process. */
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    /** Put before every Redis key and channel Quorum uses, so that several deployments can share one Redis. */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or _ : . -')
      .default('quorum:'),
    /** This node's name among the others; unique per process. */
    NODE_ID: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits or _ . -')
      .optional(),
    /** The address the other nodes and the operator reach this node on (announced in the node registry). */
    INTERNAL_URL: z.url().optional(),
    /** How long a room's owner keeps it without renewing; a dead owner's rooms move after at most this. */
    ROOM_LEASE_MS: z.coerce.number().int().min(1_000).max(60_000).default(3_000),
    /** A speech-to-text server speaking the Vosk protocol, for automatic captions; unset: PocketSphinx on this machine. */
    STT_WEBSOCKET_URL: z.string().regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL').optional(),
    /** The languages that server recognises (a Vosk server loads one model). */
    STT_WEBSOCKET_LANGUAGES: z
      .string()
      .default('en')
      .transform((s) => s.split(',').map((l) => l.trim()).filter(Boolean))
      .pipe(z.array(captionLanguage).min(1, 'must name at least one language')),
  })
  .refine((e) => !e.TLS_CERT_FILE === !e.TLS_KEY_FILE, { message: 'TLS_CERT_FILE and TLS_KEY_FILE go together', path: ['TLS_CERT_FILE'] })
  .refine((e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT, { message: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT', path: ['RTC_MIN_PORT'] })
  .refine((e) => e.NODE_ENV !== 'production' || e.JWT_SECRET, { message: 'is required in production', path: ['JWT_SECRET'] })
  .refine((e) => e.NODE_ENV !== 'production' || e.BALLOT_SEAL_KEY, { message: 'is required in production', path: ['BALLOT_SEAL_KEY'] });

export type Env = z.infer<typeof EnvSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl: string;
  /** HTTPS served by Quorum itself: a certificate of its own making, or the operator's files. */
  tls: { mode: 'off' } | { mode: 'self-signed' } | { mode: 'files'; certFile: string; keyFile: string };
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  jwtSecret: string;
  /** 32 bytes: seals secret-ballot choices so the database alone cannot link voters to choices. */
  ballotSealKey: Buffer;
  /**
   * Where the private keys of open secret ballots live until their count: a folder, never the
   * database, so a dump or a backup of the database cannot open a single vote.
   */
  ballotKeyDir: string;
  /** Ed25519 private key (PKCS#8 DER) that signs the head of every meeting's audit chain. */
  auditSigningKey: Buffer;
  credentialSigningKey: Buffer;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  authRateLimitPerMinute: number;
  authRateLimitPerAccount: number;
  mail: {
    /** null: the local outbox folder. */
    smtpUrl: string | null;
    from: string;
    outboxDir: string;
  };
  passwordResetTtlMinutes: number;
  eventReminderCheckSeconds: number;
  recordingSweepSeconds: number;
  logLevel: Env['LOG_LEVEL'];
  corsOrigins: string[];
  clientDist: string;
  shutdownGraceMs: number;
  trustProxy: boolean;
  media: {
    workers: number;
    rtcListenIp: string;
    rtcAnnouncedIp?: string;
    /** How the announced address was chosen (logged at start). */
    rtcAnnouncedSource: 'configured' | 'listen-address' | 'lan-address' | 'loopback';
    rtcMinPort: number;
    rtcMaxPort: number;
    /** A room's consumers per router before its new viewers spill over to another worker. */
    routerConsumers: number;
  };
  iceServers: z.infer<typeof iceServer>[];
  /** Bearer token for /metrics; null: open outside production, off in production. */
  metricsToken: string | null;
  apiDocs: boolean;
  /** Per-account and per-peer limits; the README's table says what each one is for. */
  limits: Limits;
  /** null: a single process (the default); otherwise one node of several sharing PostgreSQL and Redis. */
  cluster: ClusterConfig | null;
  /** Automatic captions: a Vosk-protocol server when configured, else PocketSphinx on this machine. */
  speechToText: { websocketUrl: string | null; websocketLanguages: CaptionLanguage[] };
}

export interface ClusterConfig {
  redisUrl: string;
  keyPrefix: string;
  nodeId: string;
  internalUrl: string;
  leaseMs: number;
}

export interface Limits {
  socketsPerUser: number;
  socketsPerIp: number;
  transportsPerDirection: number;
  consumersPerProducer: number;
  roomsPerHour: number;
  organizationsPerHour: number;
}

export class ConfigError extends Error {}

/** Readable, one line per bad variable, naming it. */
export function formatEnvErrors(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`).join('\n');
}

/**
 * Parses the environment. Throws ConfigError naming each bad variable. With no JWT_SECRET (not
 * allowed in production) a secret is generated once and kept in DATA_DIR so sessions survive restarts.
 */
export function loadConfig(raw: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${formatEnvErrors(parsed.error)}`);
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const tls: AppConfig['tls'] =
    e.TLS_CERT_FILE && e.TLS_KEY_FILE
      ? { mode: 'files', certFile: path.resolve(cwd, e.TLS_CERT_FILE), keyFile: path.resolve(cwd, e.TLS_KEY_FILE) }
      : { mode: e.TLS };
  const publicUrl = (e.PUBLIC_URL ?? `${tls.mode === 'off' ? 'http' : 'https'}://localhost:${e.PORT}`).replace(/\/$/, '');
  const workers = e.MEDIASOUP_WORKERS ?? Math.max(1, cpus().length);
  const announced = announcedAddress(e.RTC_LISTEN_IP, e.RTC_ANNOUNCED_IP, networkInterfaces());
  // One WebRtcServer port per worker, plus at least one for plain and pipe transports.
  if (e.RTC_MAX_PORT - e.RTC_MIN_PORT + 1 < workers + 1) {
    throw new ConfigError(`Invalid configuration:\n  RTC_MIN_PORT..RTC_MAX_PORT: needs one port per worker (${workers}) plus one`);
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    tls,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    jwtSecret: e.JWT_SECRET ?? localSecret(dataDir, 'jwt-secret', 48),
    ballotSealKey: Buffer.from(e.BALLOT_SEAL_KEY ?? localSecret(dataDir, 'ballot-seal-key', 32), 'base64url'),
    ballotKeyDir: e.BALLOT_KEY_DIR ? path.resolve(cwd, e.BALLOT_KEY_DIR) : path.join(dataDir, 'ballot-keys'),
    auditSigningKey: Buffer.from(e.AUDIT_SIGNING_KEY ?? localSecret(dataDir, 'audit-signing-key', 0, newSigningKey), 'base64'),
    credentialSigningKey: Buffer.from(e.CREDENTIAL_SIGNING_KEY ?? localSecret(dataDir, 'credential-signing-key', 0, newSigningKey), 'base64'),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
    authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
    authRateLimitPerAccount: e.AUTH_RATE_LIMIT_PER_ACCOUNT,
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? `Quorum <no-reply@${new URL(publicUrl).hostname}>`,
      outboxDir: path.join(dataDir, 'outbox'),
    },
    passwordResetTtlMinutes: e.PASSWORD_RESET_TTL_MINUTES,
    eventReminderCheckSeconds: e.EVENT_REMINDER_CHECK_SECONDS,
    recordingSweepSeconds: e.RECORDING_SWEEP_SECONDS,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : [publicUrl],
    // Next to the server build (server/dist/config -> client/dist), wherever it is started from.
    clientDist: e.CLIENT_DIST ? path.resolve(cwd, e.CLIENT_DIST) : path.resolve(__dirname, '..', '..', '..', 'client', 'dist'),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    trustProxy: e.TRUST_PROXY,
    media: {
      workers,
      rtcListenIp: e.RTC_LISTEN_IP,
      // Never 0.0.0.0 in a candidate: with no setting, this machine's LAN address (see announced-address.ts).
      ...(announced.address ? { rtcAnnouncedIp: announced.address } : {}),
      rtcAnnouncedSource: announced.source,
      rtcMinPort: e.RTC_MIN_PORT,
      rtcMaxPort: e.RTC_MAX_PORT,
      routerConsumers: e.MEDIA_ROUTER_CONSUMERS,
    },
    iceServers: e.TURN_SERVERS,
    metricsToken: e.METRICS_TOKEN ?? null,
    apiDocs: e.API_DOCS ?? e.NODE_ENV !== 'production',
    limits: {
      socketsPerUser: e.MAX_SOCKETS_PER_USER,
      socketsPerIp: e.MAX_SOCKETS_PER_IP,
      transportsPerDirection: e.MAX_TRANSPORTS_PER_DIRECTION,
      consumersPerProducer: e.MAX_CONSUMERS_PER_PRODUCER,
      roomsPerHour: e.ROOMS_PER_HOUR,
      organizationsPerHour: e.ORGANIZATIONS_PER_HOUR,
    },
    cluster: e.REDIS_URL
      ? {
          redisUrl: e.REDIS_URL,
          keyPrefix: e.REDIS_KEY_PREFIX,
          nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}`,
          internalUrl: (e.INTERNAL_URL ?? `${tls.mode === 'off' ? 'http' : 'https'}://${e.HOST === '0.0.0.0' || e.HOST === '::' ? hostname() : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
          leaseMs: e.ROOM_LEASE_MS,
        }
      : null,
    speechToText: { websocketUrl: e.STT_WEBSOCKET_URL ?? null, websocketLanguages: e.STT_WEBSOCKET_LANGUAGES },
  };
}

const newSigningKey = (): string => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

function localSecret(dataDir: string, name: string, bytes: number, make = () => randomBytes(bytes).toString('base64url')): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = make();
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
