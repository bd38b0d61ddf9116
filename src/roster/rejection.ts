/**
 * Why a whole file was refused, and where, in words a district can act on.
 * Nothing is imported from a rejected file.
 */
export class RosterRejection extends Error {
  override name = 'RosterRejection';
  constructor(
    message: string,
    readonly where: { line?: number; column?: number } = {},
  ) {
    super(message);
  }
}

export const isRosterRejection = (err: unknown): err is RosterRejection => err instanceof RosterRejection;
