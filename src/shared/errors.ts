/**
 * An error whose message is written for the person who will read it (a school
 * secretary in an SFTP client, a technician in the CLI). `kind` lets each edge
 * choose its own status code without parsing messages.
 */
export type ErrorKind = 'invalid' | 'not-found' | 'conflict' | 'forbidden' | 'unsupported' | 'too-large' | 'unavailable';

export class LanyardError extends Error {
  override name = 'LanyardError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isLanyardError = (err: unknown): err is LanyardError => err instanceof LanyardError;

const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  unsupported: 415,
  'too-large': 413,
  unavailable: 503,
};

/** The HTTP status for an error of this kind: the one map the web's API answers and pages both use. */
export const httpStatusFor = (kind: ErrorKind): number => HTTP_STATUS[kind];
