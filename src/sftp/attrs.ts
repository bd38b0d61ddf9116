import type { Attributes, FileEntry } from 'ssh2';
import type { DropboxFile } from '../dropbox/dropbox.js';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The root is read-only (r-x); the two folders are writable. */
export function folderAttrs(writable: boolean, modifiedAt: string): Attributes {
  const t = seconds(modifiedAt);
  return { mode: S_IFDIR | (writable ? 0o755 : 0o555), uid: 0, gid: 0, size: 0, atime: t, mtime: t };
}

export function fileAttrs(f: Pick<DropboxFile, 'size' | 'modifiedAt'>): Attributes {
  const t = seconds(f.modifiedAt);
  return { mode: S_IFREG | 0o644, uid: 0, gid: 0, size: f.size, atime: t, mtime: t };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `ls -l` style, which FileZilla and WinSCP parse when attributes are missing and people read in OpenSSH's `ls -l`. */
export function longname(name: string, attrs: Attributes, owner: string): string {
  const dir = (attrs.mode & S_IFDIR) !== 0;
  const perms = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((c, i) => ((attrs.mode >> (8 - i)) & 1 ? c : '-')).join('');
  const d = new Date(attrs.mtime * 1000);
  const recent = Math.abs(Date.now() - d.getTime()) < 180 * 86400 * 1000;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${
    recent ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : ` ${d.getUTCFullYear()}`
  }`;
  const o = owner.slice(0, 8).padEnd(8);
  return `${dir ? 'd' : '-'}${perms}    1 ${o} ${o} ${String(attrs.size).padStart(8)} ${when} ${name}`;
}

export function entry(name: string, attrs: Attributes, owner: string): FileEntry {
  return { filename: name, longname: longname(name, attrs, owner), attrs };
}
