import type { SFTPWrapper } from 'ssh2';
import { utils } from '../shared/ssh2.js';
import type { Logger } from 'pino';
import { isLanyardError, type ErrorKind } from '../shared/errors.js';

const { STATUS_CODE } = utils.sftp;

const CODE_FOR: Record<ErrorKind, number> = {
  invalid: STATUS_CODE.FAILURE,
  'not-found': STATUS_CODE.NO_SUCH_FILE,
  conflict: STATUS_CODE.FAILURE,
  forbidden: STATUS_CODE.PERMISSION_DENIED,
  unsupported: STATUS_CODE.OP_UNSUPPORTED,
  'too-large': STATUS_CODE.FAILURE,
  unavailable: STATUS_CODE.FAILURE,
};

/**
 * Answers a request that failed. Lanyard's own errors carry a sentence for the
 * person at the client (FileZilla and WinSCP show it); anything else is a fault
 * on our side, logged in full and reported without internals.
 */
export function replyError(sftp: SFTPWrapper, reqId: number, err: unknown, log: Logger): void {
  if (isLanyardError(err)) {
    sftp.status(reqId, CODE_FOR[err.kind], err.message);
    return;
  }
  log.error({ err }, 'sftp request failed');
  sftp.status(reqId, STATUS_CODE.FAILURE, 'Lanyard could not complete this on its side. Try again in a minute; if it keeps failing, contact Lanyard support.');
}

export const ok = (sftp: SFTPWrapper, reqId: number) => sftp.status(reqId, STATUS_CODE.OK);
export { STATUS_CODE };
