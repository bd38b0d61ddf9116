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
  logLevel: string;
}

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
      loginLockoutSeconds: c.loginLockoutSeconds,
    },
    // Behind HTTPS (a proxy or load balancer), cookies must say so.
    http: { host: '0.0.0.0', port: c.httpPort, secureCookies: env.LANYARD_SECURE_COOKIES === 'true' || env.LANYARD_SECURE_COOKIES === '1' },
    rosterSettleSeconds: c.rosterSettle,
    intake: c.intake === 'on',
    logLevel: c.logLevel,
  };
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
