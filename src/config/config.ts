import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_QUOTA, type QuotaDefaults } from '../quota/quota.js';

/**
 * Everything Lanyard can be told, parsed once from flags and the environment
 * and passed down. No other module reads process.env: that keeps tests able to
 * run many servers side by side in one process.
 */
export interface Config {
  dataDir: string;
  /** undefined means SQLite in the data folder. */
  databaseUrl: string | undefined;
  sftp: SftpConfig;
  http: { host: string; port: number; secureCookies: boolean };
  /** Seconds a roster file must sit unchanged before it is imported. */
  rosterSettleSeconds: number;
  /**
   * Whether this node works the intake queue (and the daily roster imports).
   * Off, it takes uploads and serves pages while other nodes sharing the
   * database process what arrives: a hosted deployment can keep decoding
   * off the nodes districts upload to.
   */
  intake: boolean;
  /** Where stored files (uploads, photos) live. */
  blobStore: BlobStoreConfig;
  /**
   * Addresses or networks (CIDR) of the proxies in front (HAProxy): their SFTP
   * connections begin with a PROXY protocol header naming the district's own
   * address, and their HTTP requests' X-Forwarded-For is believed. Nobody else
   * may speak for another address.
   */
  trustedProxies: string[];
  /** A district's drop-box quota unless it has its own (`lanyard district quota`). */
  quota: QuotaDefaults;
  /** Seconds between retention runs (src/retention), which one node at a time takes; 0: this node never runs them. */
  retentionIntervalSeconds: number;
  /** Finished deliveries e-mailed to each district's contacts through this SMTP server (smtp:// or smtps://); undefined: no e-mail. */
  mail: { smtpUrl: string; from: string } | undefined;
  logLevel: string;
}

/**
 * `file`: under the data folder. `s3`: an S3-compatible object store, with
 * the AWS SDK's own variables read here and passed down, so the SDK is not
 * left to read them itself. Only when no access key is set does the SDK's
 * default credential chain run (profiles, container and instance roles),
 * which reads its own variables (AWS_PROFILE and the like); the SDK also
 * still reads its tuning variables and files (AWS_MAX_ATTEMPTS,
 * AWS_CA_BUNDLE, ~/.aws/config), none of which decides where bytes go.
 */
export type BlobStoreConfig =
  | { kind: 'file' }
  | {
      kind: 's3';
      bucket: string;
      /** '' or ending in '/'. */
      prefix: string;
      /** An S3-compatible server, addressed path-style; undefined means AWS. */
      endpoint: string | undefined;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } | undefined;
    };

export interface SftpConfig {
  host: string;
  port: number;
  /** What the welcome sheet tells districts to connect to. */
  publicHost: string;
  maxUploadBytes: number;
  loginGraceSeconds: number;
  idleTimeoutSeconds: number;
  sessionsPerDistrict: number;
  /** Failed passwords from one address (in a lockout time) before that address is locked out. Accounts are never locked. */
  loginFailuresPerAddress: number;
  loginLockoutSeconds: number;
  /**
   * How often a node reads whether the districts it has sessions for changed their SFTP credentials elsewhere
   * (another node, the CLI); a change made through this node ends its sessions at once.
   */
  credentialCheckSeconds: number;
  /** On SIGTERM, how long uploads in progress may take to finish before the node closes them (abandoned, never half-published). */
  drainSeconds: number;
  /** What one connection may hold of a server's resources; see SftpLimits. */
  limits: SftpLimits;
}

/**
 * What one client may hold of the server, so that one district (or a
 * stranger) can never slow, crash or lock out another.
 */
export interface SftpLimits {
  /**
   * Bytes one READ is answered with at most: OpenSSH's 255 KiB, so the answer fits the 256 KiB message every
   * OpenSSH client accepts. A longer request gets a short read, which SFTP allows and clients handle.
   */
  maxReadBytes: number;
  /** Bytes of requests being worked on and answers not yet taken by the client, per connection, before the server stops reading from it. */
  connectionBufferBytes: number;
  /** The same, for all of one district's connections together. */
  districtBufferBytes: number;
  /** How far past the current end of an upload a write may start (a bigger jump would make a large file out of nothing). */
  maxWriteGapBytes: number;
  /** Files and folders one SFTP session may have open at once. */
  handlesPerSession: number;
  /** The same, for all of one district's sessions on a node together (each open file holds a file descriptor). */
  handlesPerDistrict: number;
  /** SSH session channels (SFTP sessions) one connection may have open at once. */
  channelsPerConnection: number;
  /** Connections not logged in yet, from one address and in all. */
  unauthenticatedPerAddress: number;
  unauthenticatedTotal: number;
}

/** Flag names (camelCase, as commander gives them) and the variables behind them. */
export interface ConfigInput {
  dataDir?: string | undefined;
  database?: string | undefined;
  sftpPort?: string | number | undefined;
  httpPort?: string | number | undefined;
  rosterSettle?: string | number | undefined;
  maxUploadBytes?: string | number | undefined;
  quotaBytes?: string | number | undefined;
  quotaFiles?: string | number | undefined;
  intake?: string | undefined;
  blobStore?: string | undefined;
  trustedProxies?: string | undefined;
  smtpUrl?: string | undefined;
  mailFrom?: string | undefined;
}

const port = z.coerce
  .number({ error: 'a port must be a number' })
  .int('a port must be a whole number')
  .min(0, 'a port is between 0 and 65535')
  .max(65535, 'a port is between 0 and 65535');

const positiveInt = (what: string) =>
  z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(1, `${what} must be at least 1`);

const schema = z.object({
  dataDir: z.string().min(1, 'the data folder cannot be empty'),
  databaseUrl: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\//.test(u) || /^sqlite:/.test(u), {
      message: 'the database URL must start with postgres:// (or sqlite: for a file)',
    })
    .optional(),
  sftpPort: port,
  httpPort: port,
  rosterSettle: z.coerce.number({ error: 'the roster settle time must be a number of seconds' }).min(0).max(86400),
  maxUploadBytes: positiveInt('the upload size limit'),
  quotaBytes: z.coerce.number({ error: 'the byte quota must be a number' }).int('the byte quota must be a whole number of bytes').min(0, 'the byte quota cannot be negative'),
  quotaFiles: z.coerce.number({ error: 'the file quota must be a number' }).int('the file quota must be a whole number of files').min(0, 'the file quota cannot be negative'),
  intake: z.enum(['on', 'off'], { error: 'the intake setting is on or off' }),
  publicHost: z.string().min(1),
  loginGraceSeconds: positiveInt('the login grace time'),
  idleTimeoutSeconds: positiveInt('the idle timeout'),
  sessionsPerDistrict: positiveInt('the session limit'),
  loginFailuresPerAddress: positiveInt('the failed-login limit per address'),
  loginLockoutSeconds: positiveInt('the lockout time'),
  credentialCheckSeconds: positiveInt('the credential check interval'),
  retentionIntervalSeconds: z.coerce.number({ error: 'the retention interval must be a number of seconds' }).int('the retention interval must be whole seconds').min(0, 'the retention interval cannot be negative'),
  drainSeconds: z.coerce.number({ error: 'the drain time must be a number' }).int('the drain time must be whole seconds').min(0, 'the drain time cannot be negative'),
  maxReadBytes: positiveInt('the largest READ answer').min(1024, 'the largest READ answer must be at least 1024 bytes').max(256 * 1024 - 1024, 'the largest READ answer must be at most 261120 bytes (255 KiB): SFTP clients refuse longer messages'),
  connectionBufferBytes: positiveInt('the buffer per connection').min(1024 * 1024, 'the buffer per connection must be at least 1 MiB'),
  districtBufferBytes: positiveInt('the buffer per district').min(1024 * 1024, 'the buffer per district must be at least 1 MiB'),
  maxWriteGapBytes: z.coerce.number({ error: 'the write gap must be a number of bytes' }).int('the write gap must be a whole number of bytes').min(0, 'the write gap cannot be negative'),
  handlesPerSession: positiveInt('the open-file limit per session'),
  handlesPerDistrict: positiveInt('the open-file limit per district'),
  channelsPerConnection: positiveInt('the session limit per connection'),
  unauthenticatedPerAddress: positiveInt('the limit of connections not logged in per address'),
  unauthenticatedTotal: positiveInt('the limit of connections not logged in'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
/** OpenSSH's sftp-server: 256 KiB less room for the answer's header, because its clients refuse messages over 256 KiB. */
export const DEFAULT_MAX_READ_BYTES = 256 * 1024 - 1024;

/**
 * Flags win over the environment, the environment over the defaults.
 * `env` is passed in (rather than read) so callers decide what counts.
 */
export function loadConfig(flags: ConfigInput, env: Record<string, string | undefined>): Config {
  const pick = <T>(flag: T | undefined, name: string): T | string | undefined => flag ?? emptyToUndefined(env[name]);
  const raw = {
    dataDir: pick(flags.dataDir, 'LANYARD_DATA_DIR') ?? './var',
    databaseUrl: pick(flags.database, 'DATABASE_URL'),
    sftpPort: pick(flags.sftpPort, 'LANYARD_SFTP_PORT') ?? 2222,
    httpPort: pick(flags.httpPort, 'LANYARD_HTTP_PORT') ?? 8080,
    rosterSettle: pick(flags.rosterSettle, 'LANYARD_ROSTER_SETTLE') ?? 30,
    maxUploadBytes: pick(flags.maxUploadBytes, 'LANYARD_MAX_UPLOAD_BYTES') ?? DEFAULT_MAX_UPLOAD_BYTES,
    quotaBytes: pick(flags.quotaBytes, 'LANYARD_QUOTA_BYTES') ?? DEFAULT_QUOTA.bytes,
    quotaFiles: pick(flags.quotaFiles, 'LANYARD_QUOTA_FILES') ?? DEFAULT_QUOTA.files,
    intake: pick(flags.intake, 'LANYARD_INTAKE') ?? 'on',
    publicHost: emptyToUndefined(env.LANYARD_PUBLIC_HOST) ?? 'localhost',
    loginGraceSeconds: emptyToUndefined(env.LANYARD_LOGIN_GRACE) ?? 60,
    idleTimeoutSeconds: emptyToUndefined(env.LANYARD_IDLE_TIMEOUT) ?? 1800,
    sessionsPerDistrict: emptyToUndefined(env.LANYARD_SESSIONS_PER_DISTRICT) ?? 20,
    loginFailuresPerAddress: emptyToUndefined(env.LANYARD_LOGIN_FAILURES_PER_ADDRESS) ?? 30,
    loginLockoutSeconds: emptyToUndefined(env.LANYARD_LOGIN_LOCKOUT) ?? 900,
    credentialCheckSeconds: emptyToUndefined(env.LANYARD_SFTP_CREDENTIAL_CHECK) ?? 5,
    drainSeconds: emptyToUndefined(env.LANYARD_DRAIN_SECONDS) ?? 30,
    retentionIntervalSeconds: emptyToUndefined(env.LANYARD_RETENTION_INTERVAL) ?? 3600,
    maxReadBytes: emptyToUndefined(env.LANYARD_SFTP_READ_MAX) ?? DEFAULT_MAX_READ_BYTES,
    connectionBufferBytes: emptyToUndefined(env.LANYARD_SFTP_CONNECTION_BUFFER) ?? 16 * 1024 * 1024,
    districtBufferBytes: emptyToUndefined(env.LANYARD_SFTP_DISTRICT_BUFFER) ?? 64 * 1024 * 1024,
    maxWriteGapBytes: emptyToUndefined(env.LANYARD_SFTP_WRITE_GAP) ?? 1024 * 1024,
    handlesPerSession: emptyToUndefined(env.LANYARD_SFTP_HANDLES) ?? 256,
    handlesPerDistrict: emptyToUndefined(env.LANYARD_SFTP_HANDLES_PER_DISTRICT) ?? 1024,
    channelsPerConnection: emptyToUndefined(env.LANYARD_SFTP_CHANNELS) ?? 10,
    unauthenticatedPerAddress: emptyToUndefined(env.LANYARD_UNAUTHENTICATED_PER_ADDRESS) ?? 10,
    unauthenticatedTotal: emptyToUndefined(env.LANYARD_UNAUTHENTICATED_TOTAL) ?? 200,
    logLevel: emptyToUndefined(env.LANYARD_LOG_LEVEL) ?? 'info',
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? String(issue.path[0]) : 'setting';
    throw new ConfigError(`Lanyard cannot start: ${issue?.message ?? 'a setting is invalid'} (${field}: ${JSON.stringify((raw as Record<string, unknown>)[field])}).`);
  }
  const c = parsed.data;
  return {
    dataDir: path.resolve(c.dataDir),
    databaseUrl: c.databaseUrl,
    sftp: {
      host: '0.0.0.0',
      port: c.sftpPort,
      publicHost: c.publicHost,
      maxUploadBytes: c.maxUploadBytes,
      loginGraceSeconds: c.loginGraceSeconds,
      idleTimeoutSeconds: c.idleTimeoutSeconds,
      sessionsPerDistrict: c.sessionsPerDistrict,
      loginFailuresPerAddress: c.loginFailuresPerAddress,
      loginLockoutSeconds: c.loginLockoutSeconds,
      credentialCheckSeconds: c.credentialCheckSeconds,
      drainSeconds: c.drainSeconds,
      limits: {
        maxReadBytes: c.maxReadBytes,
        connectionBufferBytes: c.connectionBufferBytes,
        districtBufferBytes: c.districtBufferBytes,
        maxWriteGapBytes: c.maxWriteGapBytes,
        handlesPerSession: c.handlesPerSession,
        handlesPerDistrict: c.handlesPerDistrict,
        channelsPerConnection: c.channelsPerConnection,
        unauthenticatedPerAddress: c.unauthenticatedPerAddress,
        unauthenticatedTotal: c.unauthenticatedTotal,
      },
    },
    // Behind HTTPS (a proxy or load balancer), cookies must say so.
    http: { host: '0.0.0.0', port: c.httpPort, secureCookies: env.LANYARD_SECURE_COOKIES === 'true' || env.LANYARD_SECURE_COOKIES === '1' },
    rosterSettleSeconds: c.rosterSettle,
    intake: c.intake === 'on',
    blobStore: blobStoreConfig(pick(flags.blobStore, 'LANYARD_BLOB_STORE') ?? 'file', env),
    trustedProxies: trustedProxyList(pick(flags.trustedProxies, 'LANYARD_TRUSTED_PROXIES') ?? ''),
    quota: { bytes: c.quotaBytes, files: c.quotaFiles },
    retentionIntervalSeconds: c.retentionIntervalSeconds,
    mail: mailConfig(pick(flags.smtpUrl, 'LANYARD_SMTP_URL'), pick(flags.mailFrom, 'LANYARD_MAIL_FROM')),
    logLevel: c.logLevel,
  };
}

/** The SMTP server is a URL nodemailer reads (smtp://user:pass@host:587, smtps://host:465); the sender defaults to this host's name. */
function mailConfig(smtpUrl: string | undefined, from: string | undefined): Config['mail'] {
  if (!smtpUrl) {
    if (from) throw new ConfigError('Lanyard cannot start: a sender for e-mail was given (mailFrom) but no SMTP server to send through (smtpUrl).');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new ConfigError('Lanyard cannot start: the SMTP server is a URL like smtp://user:password@mail.example.org:587 (smtpUrl could not be read).');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError(`Lanyard cannot start: the SMTP server's URL begins with smtp:// or smtps:// (smtpUrl begins with ${url.protocol}//).`);
  }
  return { smtpUrl, from: from ?? `Lanyard <lanyard@${os.hostname()}>` };
}

/** `file`, or `s3://BUCKET/PREFIX` with the AWS SDK's variables (CONTRACT.md). */
function blobStoreConfig(url: string, env: Record<string, string | undefined>): BlobStoreConfig {
  const refuse = (why: string, detail = `blobStore: ${JSON.stringify(url)}`) => new ConfigError(`Lanyard cannot start: ${why} (${detail}).`);
  if (url === 'file') return { kind: 'file' };
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (!m) throw refuse('the blob store is file or s3://BUCKET/PREFIX');
  const bucket = m[1]!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw refuse('an S3 bucket name is 3 to 63 lower-case letters, digits, dots and hyphens');
  const trimmed = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  const endpoint = emptyToUndefined(env.AWS_ENDPOINT_URL_S3) ?? emptyToUndefined(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw refuse('the object store endpoint must be an http:// or https:// URL', `${env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL'}: ${JSON.stringify(endpoint)}`);
  }
  const accessKeyId = emptyToUndefined(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = emptyToUndefined(env.AWS_SECRET_ACCESS_KEY);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw refuse('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together', `${accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set`);
  }
  return {
    kind: 's3',
    bucket,
    prefix: trimmed ? `${trimmed}/` : '',
    endpoint,
    region: emptyToUndefined(env.AWS_REGION) ?? emptyToUndefined(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: emptyToUndefined(env.AWS_SESSION_TOKEN) } : undefined,
  };
}

/** `10.0.0.5, 10.1.0.0/16, 2001:db8::/32`: each an IP address or a network in CIDR form. */
function trustedProxyList(list: string): string[] {
  const entries = list.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!family || !bitsOk || extra !== undefined) {
      throw new ConfigError(`Lanyard cannot start: a trusted proxy is an IP address or a network like 10.0.0.0/8 (trustedProxies: ${JSON.stringify(entry)}).`);
    }
  }
  return entries;
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
