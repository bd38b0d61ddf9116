import os from 'node:os';
import type { ChangedBy } from '../audit/audit.js';

/** Who a change made with the CLI is audited as: "cli" and the operating-system user who ran it, where there is one. */
export function cliActor(): ChangedBy {
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // A container user without a passwd entry: the change is still audited, as the CLI's.
  }
  return { actor: user ? `cli:${user}` : 'cli', address: null };
}
