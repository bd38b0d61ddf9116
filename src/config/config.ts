import path from 'node:path';
import { z } from 'zod';

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
  loginFailuresPerAddress: number;
  loginFailuresPerAccount: number;
  loginLockoutSeconds: number;
}

/** Flag names (camelCase, as commander gives them) and the variables behind them. */
export interface ConfigInput {
  dataDir?: string | undefined;
  database?: string | undefined;
  sftpPort?: string | number | undefined;
  httpPort?: string | number | undefined;
  rosterSettle?: string | number | undefined;
  maxUploadBytes?: string | number | undefined;
  intake?: string | undefined;
  blobStore?: string | undefined;
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
  intake: z.enum(['on', 'off'], { error: 'the intake setting is on or off' }),
  publicHost: z.string().min(1),
  loginGraceSeconds: positiveInt('the login grace time'),
  idleTimeoutSeconds: positiveInt('the idle timeout'),
  sessionsPerDistrict: positiveInt('the session limit'),
  loginFailuresPerAddress: positiveInt('the failed-login limit per address'),
  loginFailuresPerAccount: positiveInt('the failed-login limit per account'),
  loginLockoutSeconds: positiveInt('the lockout time'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

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
    intake: pick(flags.intake, 'LANYARD_INTAKE') ?? 'on',
    publicHost: emptyToUndefined(env.LANYARD_PUBLIC_HOST) ?? 'localhost',
    loginGraceSeconds: emptyToUndefined(env.LANYARD_LOGIN_GRACE) ?? 60,
    idleTimeoutSeconds: emptyToUndefined(env.LANYARD_IDLE_TIMEOUT) ?? 1800,
    sessionsPerDistrict: emptyToUndefined(env.LANYARD_SESSIONS_PER_DISTRICT) ?? 20,
    loginFailuresPerAddress: emptyToUndefined(env.LANYARD_LOGIN_FAILURES_PER_ADDRESS) ?? 30,
    loginFailuresPerAccount: emptyToUndefined(env.LANYARD_LOGIN_FAILURES_PER_ACCOUNT) ?? 10,
    loginLockoutSeconds: emptyToUndefined(env.LANYARD_LOGIN_LOCKOUT) ?? 900,
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
      loginFailuresPerAccount: c.loginFailuresPerAccount,
      loginLockoutSeconds: c.loginLockoutSeconds,
    },
    // Behind HTTPS (a proxy or load balancer), cookies must say so.
    http: { host: '0.0.0.0', port: c.httpPort, secureCookies: env.LANYARD_SECURE_COOKIES === 'true' || env.LANYARD_SECURE_COOKIES === '1' },
    rosterSettleSeconds: c.rosterSettle,
    intake: c.intake === 'on',
    blobStore: blobStoreConfig(pick(flags.blobStore, 'LANYARD_BLOB_STORE') ?? 'file', env),
    logLevel: c.logLevel,
  };
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

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
