import type { Logger } from 'pino';
import type { Attributes, SFTPWrapper } from 'ssh2';
import { utils } from '../shared/ssh2.js';
import type { BlobReader } from '../blobs/blobStore.js';
import type { DropboxFolder } from '../db/schema.js';
import type { Actor, Dropbox, Upload } from '../dropbox/dropbox.js';
import { FOLDERS, formatPath, isFolder, parsePath, type DropboxPath } from '../dropbox/paths.js';
import { LanyardError } from '../shared/errors.js';
import { entry, fileAttrs, folderAttrs } from './attrs.js';
import { answerExtended } from './extensions.js';
import { tellUser } from './version.js';
import { QuotaFullError } from '../quota/quota.js';
import type { SftpLimits } from '../config/config.js';
import type { ChannelFlow } from './inFlight.js';
import { ok, replyError, STATUS_CODE } from './status.js';

const { OPEN_MODE } = utils.sftp;

/** Names per READDIR answer: small enough for one packet, large enough that 50,000 photos list quickly. */
const DIR_PAGE = 200;

type Handle =
  | { kind: 'dir'; path: DropboxPath & { kind: 'root' | 'folder' }; after: string | undefined; done: boolean }
  | { kind: 'upload'; upload: Upload; failure: unknown }
  | { kind: 'download'; reader: BlobReader };

export interface SessionDeps {
  dropbox: Dropbox;
  actor: Actor;
  username: string;
  log: Logger;
  /** The connection's budget: every request runs through it. */
  flow: ChannelFlow;
  limits: Pick<SftpLimits, 'maxReadBytes' | 'handlesPerSession'>;
  /** The district's open handles across all its sessions on this node. */
  districtHandles: HandleBudget;
  /** When the district was created: the two folders' timestamp. */
  since: string;
  /** Called on every request so the idle timer can restart. */
  onActivity: () => void;
  /** Uploads open or committing on this node: what a stopping node waits for (see UploadGauge). */
  uploads: UploadGauge;
}

/** How many uploads the node's sessions have open or are committing right now, summed when asked. */
export class UploadGauge {
  private readonly sessions = new Set<() => number>();

  register(count: () => number): () => void {
    this.sessions.add(count);
    return () => this.sessions.delete(count);
  }

  get total(): number {
    let n = 0;
    for (const count of this.sessions) n += count();
    return n;
  }
}

const ROOT_READ_ONLY =
  'The top level is read-only: put photos in idphotos and roster files in data.';

const MKDIR_REFUSED: Record<DropboxFolder | 'root', string> = {
  idphotos: 'idphotos must stay flat: upload the photo files themselves, or a .zip',
  data: 'data must stay flat: upload the roster files themselves',
  root: 'No new folders here: only idphotos (photos) and data (roster files) exist.',
};

/**
 * Open files and folders of all one district's sessions: each holds a file
 * descriptor or memory, and file descriptors are shared by every district in
 * the process, so ten sessions of 256 each must not add up to thousands.
 */
export class HandleBudget {
  private readonly sessions = new Set<() => number>();

  constructor(readonly limit: number) {}

  register(count: () => number): () => void {
    this.sessions.add(count);
    return () => this.sessions.delete(count);
  }

  inUse(): number {
    let n = 0;
    for (const count of this.sessions) n += count();
    return n;
  }
}

/**
 * One SFTP session of one district: maps each request onto the drop box.
 * Knows SFTP, not photos or rosters.
 */
export function serveSftp(sftp: SFTPWrapper, deps: SessionDeps): void {
  const { dropbox, actor, log } = deps;
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  let closed = false;
  /** OPENs under way: they count against the limit before their handle exists. */
  let opening = 0;
  /** Uploads whose CLOSE is being committed: no longer a handle, not yet done. */
  let committing = 0;

  /** The last sentence sent to the client's stderr: a pipelined upload gets one refusal per WRITE, the user reads it once. */
  let told: string | undefined;
  const fail = (reqId: number, err: unknown) => {
    if (err instanceof QuotaFullError && err.message !== told) {
      told = err.message;
      tellUser(sftp, err.message);
    }
    replyError(sftp, reqId, err, log);
  };
  const open = (h: Handle) => {
    const id = nextHandle++;
    if (closed) {
      // The client left while we were opening: don't strand the file.
      if (h.kind === 'upload') void h.upload.abort();
      if (h.kind === 'download') void h.reader.close();
    } else {
      handles.set(id, h);
    }
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  };
  const lookup = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const badHandle = (reqId: number) => sftp.status(reqId, STATUS_CODE.FAILURE, 'That file is no longer open: start the transfer again.');

  /**
   * Runs a handler when the connection's budget allows (at once, normally),
   * answering any error it throws. Every request also counts as activity.
   */
  const on = <A extends unknown[]>(event: string, handler: (reqId: number, ...args: A) => Promise<void> | void) => {
    sftp.on(event, (reqId: number, ...args: A) => {
      deps.flow.run(() => {
        deps.onActivity();
        try {
          const r = handler(reqId, ...args);
          if (r) r.catch((err: unknown) => fail(reqId, err));
        } catch (err) {
          fail(reqId, err);
        }
      });
    });
  };

  /**
   * Holds a place for a handle while it is being opened, or refuses: file
   * descriptors are shared by every district in the process.
   */
  const reserveHandle = () => {
    const limit = deps.limits.handlesPerSession;
    if (handles.size + opening >= limit) {
      throw new LanyardError('unavailable', `Too many files open at once (at most ${limit} in one session): let transfers finish or close files before opening more.`);
    }
    if (deps.districtHandles.inUse() >= deps.districtHandles.limit) {
      throw new LanyardError(
        'unavailable',
        `Too many files open at once for ${deps.username} (at most ${deps.districtHandles.limit} across all its sessions): let transfers finish or close other sessions before opening more.`,
      );
    }
    opening++;
    let held = true;
    return () => {
      if (held) opening--;
      held = false;
    };
  };

  const asFile = (p: DropboxPath) => {
    if (p.kind === 'file') return p;
    if (p.kind === 'root') throw new LanyardError('forbidden', ROOT_READ_ONLY);
    throw new LanyardError('invalid', `${p.folder} is a folder: choose a file inside it, like ${p.folder}/${p.folder === 'idphotos' ? '123456.jpg' : 'students.csv'}.`);
  };
  const filePath = (raw: string) => asFile(parsePath(raw));

  /**
   * Where a new file or a rename's target goes. A file dropped at the top
   * (FileZilla's default place) gets the read-only sentence rather than
   * "no folder called photo.jpg".
   */
  const targetPath = (raw: string): DropboxPath => {
    const last = raw.replace(/\/+$/, '').split('/').pop() ?? '';
    const atTop = parsePath(parentOf(raw)).kind === 'root';
    if (atTop && !isFolder(last) && last !== '.' && last !== '..') throw new LanyardError('forbidden', ROOT_READ_ONLY);
    return parsePath(raw);
  };

  on('REALPATH', (reqId, raw: string) => {
    const p = parsePath(raw);
    sftp.name(reqId, [{ filename: formatPath(p), longname: formatPath(p), attrs: {} as Attributes }]);
  });

  const stat = async (reqId: number, raw: string) => {
    const p = parsePath(raw);
    if (p.kind !== 'file') return sftp.attrs(reqId, folderAttrs(p.kind === 'folder', deps.since));
    const f = await dropbox.find(actor.districtId, p.folder, p.name);
    if (!f) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, `There is no file "${p.name}" in ${p.folder}.`);
    sftp.attrs(reqId, fileAttrs(f));
  };
  on('STAT', stat);
  on('LSTAT', stat);

  on('FSTAT', (reqId, buf: Buffer) => {
    const h = lookup(buf);
    if (!h) return badHandle(reqId);
    if (h.kind === 'dir') return sftp.attrs(reqId, folderAttrs(h.path.kind === 'folder', deps.since));
    const size = h.kind === 'upload' ? h.upload.size : h.reader.size;
    sftp.attrs(reqId, fileAttrs({ size, modifiedAt: new Date().toISOString() }));
  });

  // Accepted so clients that preserve times or permissions don't fail; only the time is kept.
  on('SETSTAT', async (reqId, raw: string, attrs: Attributes) => {
    const p = parsePath(raw);
    if (p.kind === 'file') {
      const f = await dropbox.find(actor.districtId, p.folder, p.name);
      if (!f) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, `There is no file "${p.name}" in ${p.folder}.`);
      if (typeof attrs.mtime === 'number') await dropbox.setModifiedTime(actor.districtId, p.folder, p.name, new Date(attrs.mtime * 1000));
    }
    ok(sftp, reqId);
  });

  on('FSETSTAT', (reqId, buf: Buffer, attrs: Attributes) => {
    const h = lookup(buf);
    if (!h) return badHandle(reqId);
    if (h.kind === 'upload' && typeof attrs.mtime === 'number') h.upload.setModifiedTime(new Date(attrs.mtime * 1000));
    ok(sftp, reqId);
  });

  on('OPENDIR', (reqId, raw: string) => {
    const p = parsePath(raw);
    if (p.kind === 'file') throw new LanyardError('invalid', `${p.name} is a file, not a folder.`);
    reserveHandle()(); // the handle exists before anything else runs
    sftp.handle(reqId, open({ kind: 'dir', path: p, after: undefined, done: false }));
  });

  on('READDIR', async (reqId, buf: Buffer) => {
    const h = lookup(buf);
    if (!h || h.kind !== 'dir') return badHandle(reqId);
    if (h.done) return sftp.status(reqId, STATUS_CODE.EOF);
    if (h.path.kind === 'root') {
      h.done = true;
      return sftp.name(reqId, FOLDERS.map((f) => entry(f, folderAttrs(true, deps.since), deps.username)));
    }
    const files = await dropbox.list(actor.districtId, h.path.folder, { after: h.after, limit: DIR_PAGE });
    if (files.length === 0) {
      h.done = true;
      return sftp.status(reqId, STATUS_CODE.EOF);
    }
    h.after = files[files.length - 1]!.name;
    if (files.length < DIR_PAGE) h.done = true;
    sftp.name(reqId, files.map((f) => entry(f.name, fileAttrs(f), deps.username)));
  });

  on('OPEN', async (reqId, raw: string, flags: number) => {
    const done = reserveHandle();
    try {
      await openFile(reqId, raw, flags);
    } finally {
      done();
    }
  });

  const openFile = async (reqId: number, raw: string, flags: number) => {
    if (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND)) {
      const p = asFile(targetPath(raw));
      // One read of the file there now, by beginUpload, which also decides the flags (every OPEN of every upload pays for it).
      const upload = await dropbox.beginUpload(actor, p.folder, p.name, {
        keepExisting: !(flags & OPEN_MODE.TRUNC),
        exclusive: Boolean(flags & OPEN_MODE.EXCL),
        existingOnly: !(flags & OPEN_MODE.CREAT),
      });
      return sftp.handle(reqId, open({ kind: 'upload', upload, failure: undefined }));
    }
    const p = filePath(raw);
    const reader = await dropbox.openDownload(actor.districtId, p.folder, p.name);
    sftp.handle(reqId, open({ kind: 'download', reader }));
  };

  on('WRITE', (reqId, buf: Buffer, offset: number, data: Buffer) => {
    const h = lookup(buf);
    if (!h || h.kind !== 'upload') return badHandle(reqId);
    if (h.failure) return fail(reqId, h.failure);
    const n = data.length;
    deps.flow.add(n);
    h.upload.write(data, offset).then(
      () => {
        ok(sftp, reqId);
        deps.flow.remove(n);
      },
      (err: unknown) => {
        deps.flow.remove(n);
        // A failed write spoils the whole upload: CLOSE must not publish a file with a hole.
        h.failure ??= err;
        fail(reqId, err);
      },
    );
  });

  // At most maxReadBytes per answer, whatever the client asks (ssh2 does not cap it): a shorter answer is a
  // short read, which SFTP allows and every client handles by asking for the rest, as with OpenSSH's 256 KiB.
  on('READ', async (reqId, buf: Buffer, offset: number, length: number) => {
    const h = lookup(buf);
    if (!h || h.kind !== 'download') return badHandle(reqId);
    const n = Math.min(length, deps.limits.maxReadBytes);
    deps.flow.add(n);
    try {
      const data = await h.reader.read(offset, n);
      // Answered before the bytes are counted off, so they are counted all along (held by ssh2 if the window is shut).
      if (data.length === 0) sftp.status(reqId, STATUS_CODE.EOF);
      else sftp.data(reqId, data);
    } finally {
      deps.flow.remove(n);
    }
  });

  on('CLOSE', async (reqId, buf: Buffer) => {
    const h = lookup(buf);
    if (!h) return badHandle(reqId);
    handles.delete(buf.readUInt32BE(0));
    if (h.kind === 'upload') {
      if (h.failure) {
        await h.upload.abort();
        throw h.failure;
      }
      committing++;
      try {
        await h.upload.commit();
      } finally {
        committing--;
      }
    } else if (h.kind === 'download') {
      await h.reader.close();
    }
    ok(sftp, reqId);
  });

  on('REMOVE', async (reqId, raw: string) => {
    const p = parsePath(raw);
    if (p.kind !== 'file') throw new LanyardError('forbidden', p.kind === 'root' ? ROOT_READ_ONLY : `${p.folder} cannot be deleted: delete the files inside it instead.`);
    await dropbox.remove(actor, p.folder, p.name);
    ok(sftp, reqId);
  });

  const rename = async (reqId: number, from: string, to: string) => {
    const a = filePath(from);
    const b = targetPath(to);
    // Renaming into a folder keeps the name, as `mv file dir/` does.
    const dest = b.kind === 'folder' ? { folder: b.folder, name: a.name } : asFile(b);
    await dropbox.rename(actor, a, dest);
    ok(sftp, reqId);
  };
  on('RENAME', rename);

  on('MKDIR', (reqId, raw: string) => {
    const p = parsePath(parentOf(raw));
    const where = p.kind === 'root' ? 'root' : p.kind === 'folder' ? p.folder : p.folder;
    throw new LanyardError('forbidden', MKDIR_REFUSED[where]);
  });

  on('RMDIR', (reqId, raw: string) => {
    const p = parsePath(raw);
    if (p.kind === 'file') throw new LanyardError('not-found', `There is no folder "${p.name}" in ${p.folder}: ${p.folder} has no subfolders.`);
    throw new LanyardError('forbidden', p.kind === 'root' ? ROOT_READ_ONLY : `${p.folder} cannot be removed: it is one of your two drop-box folders.`);
  });

  const noLinks = () => {
    throw new LanyardError('unsupported', 'Links are not supported here: upload the file itself.');
  };
  on('SYMLINK', noLinks);
  on('READLINK', noLinks);

  on('EXTENDED', (reqId, name: string, data: Buffer | undefined) =>
    answerExtended(sftp, reqId, name, data, {
      fileOf: (buf) => {
        const h = lookup(buf);
        if (!h) throw new LanyardError('invalid', 'That file is no longer open: start the transfer again.');
        if (h.kind !== 'upload') return 'other';
        if (h.failure) throw h.failure;
        return h.upload;
      },
      rename,
      space: () => dropbox.space(actor.districtId),
      maxReadBytes: deps.limits.maxReadBytes,
      handlesPerSession: deps.limits.handlesPerSession,
    }),
  );

  const unregister = deps.districtHandles.register(() => handles.size + opening);
  const unregisterUploads = deps.uploads.register(() => committing + [...handles.values()].filter((h) => h.kind === 'upload').length);
  sftp.on('close', () => {
    closed = true;
    unregister();
    unregisterUploads();
    // A dropped connection abandons its uploads: the previous version of each file stays.
    for (const h of handles.values()) {
      if (h.kind === 'upload') void h.upload.abort();
      if (h.kind === 'download') void h.reader.close();
    }
    handles.clear();
  });
}

/** The folder a path names its last part in ('' and a bare name mean the root). */
function parentOf(raw: string): string {
  return raw.replace(/\/+$/, '').split('/').slice(0, -1).join('/') || '/';
}
