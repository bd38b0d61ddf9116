import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { onSftpCredentialsChanged, sftpCredentialVersions } from '../districts/credentialChanges.js';

export interface LiveSession {
  districtId: number;
  /** The district's credential version when this session logged in. */
  version: number;
  end(): void;
}

/**
 * The logged-in SFTP connections of this node, by district, so that a
 * password reset, a removed key or a changed login choice ends the
 * connections that logged in with the old credentials.
 */
export class LiveSessions {
  private readonly byDistrict = new Map<number, Set<LiveSession>>();
  /** The highest version heard of per district: a login that raced a change is ended as it arrives. */
  private readonly latest = new Map<number, number>();

  add(s: LiveSession): () => void {
    if ((this.latest.get(s.districtId) ?? -1) > s.version) {
      s.end();
      return () => undefined;
    }
    let set = this.byDistrict.get(s.districtId);
    if (!set) this.byDistrict.set(s.districtId, (set = new Set()));
    set.add(s);
    return () => {
      set.delete(s);
      if (set.size === 0 && this.byDistrict.get(s.districtId) === set) this.byDistrict.delete(s.districtId);
    };
  }

  /** Ends the district's sessions that logged in under an older version. */
  credentialsChanged(districtId: number, version: number): void {
    if (version > (this.latest.get(districtId) ?? -1)) this.latest.set(districtId, version);
    const set = this.byDistrict.get(districtId);
    if (!set) return;
    for (const s of [...set]) {
      if (s.version < version) {
        set.delete(s);
        s.end();
      }
    }
    if (set.size === 0) this.byDistrict.delete(districtId);
  }

  districtIds(): number[] {
    return [...this.byDistrict.keys()];
  }
}

/**
 * Keeps `sessions` told of credential changes: changes made in this process
 * (web settings) at once, changes made by another node or the CLI when the
 * database is next read, every `everySeconds` while there are live
 * sessions (one query for all their districts).
 */
export function watchCredentials(db: Db, sessions: LiveSessions, everySeconds: number, log: Logger): () => void {
  const off = onSftpCredentialsChanged(db, (districtId, version) => sessions.credentialsChanged(districtId, version));
  let reading = false;
  const timer = setInterval(() => {
    const ids = sessions.districtIds();
    if (ids.length === 0 || reading) return;
    reading = true;
    sftpCredentialVersions(db, ids)
      .then((versions) => {
        for (const [id, version] of versions) sessions.credentialsChanged(id, version);
      })
      .catch((err: unknown) => log.warn({ err }, 'could not check SFTP credentials for changes'))
      .finally(() => (reading = false));
  }, everySeconds * 1000);
  timer.unref();
  return () => {
    off();
    clearInterval(timer);
  };
}
