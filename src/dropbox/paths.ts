import type { DropboxFolder } from '../db/schema.js';
import { LanyardError } from '../shared/errors.js';

export const FOLDERS: readonly DropboxFolder[] = ['idphotos', 'data'];

/** Where a path points: the root, one of the two folders, or a file in one. Nothing else is representable. */
export type DropboxPath =
  | { kind: 'root' }
  | { kind: 'folder'; folder: DropboxFolder }
  | { kind: 'file'; folder: DropboxFolder; name: string };

const MAX_PATH_BYTES = 1024;
const MAX_NAME_BYTES = 255;

export const isFolder = (s: string): s is DropboxFolder => (FOLDERS as readonly string[]).includes(s);

/**
 * A file name as the drop box keeps it: Unicode NFC, so that "é" typed as one
 * character (Windows, most keyboards) or as "e" and a combining accent (macOS
 * file names, some clients) is the same file, listed once and replaced as one.
 */
export const fileName = (name: string): string => name.normalize('NFC');

/**
 * Turns what a client sent (absolute or relative to the root, with `.` and
 * `..`) into a place in the district's drop box, or says why not. The root is
 * the district's own: nothing above it exists. Names come out in NFC.
 */
export function parsePath(rawPath: string): DropboxPath {
  const raw = fileName(rawPath);
  if (raw.includes('\0')) throw outside('the name contains a NUL character');
  if (raw.includes('\\')) {
    throw new LanyardError('invalid', `"${raw}" contains a backslash (\\): use forward slashes, like idphotos/123456.jpg, and no backslash in file names.`);
  }
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) throw new LanyardError('invalid', 'That path is too long: keep file names under 255 characters.');
  const parts: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) throw outside(`"${raw}" points above your drop box`);
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  if (parts.length === 0) return { kind: 'root' };
  const [top, name, ...rest] = parts as [string, ...string[]];
  if (!isFolder(top)) {
    throw new LanyardError('not-found', `There is no folder "${top}" here: only idphotos (photos) and data (roster files) exist.`);
  }
  if (name === undefined) return { kind: 'folder', folder: top };
  if (rest.length > 0) {
    throw new LanyardError('not-found', `${top} has no subfolders: put files directly in ${top}, like ${top}/${rest[rest.length - 1]}.`);
  }
  checkName(name);
  return { kind: 'file', folder: top, name };
}

/** A file name either edge may use (SFTP after parsePath, a browser upload as sent): the same rules for both. */
export function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..') {
    throw new LanyardError('invalid', `"${name}" is not a file name: give the file a name, like 123456.jpg or students.csv.`);
  }
  if (name.includes('/') || name.includes('\\')) {
    throw new LanyardError('invalid', `"${name}" contains a slash: folders cannot be uploaded; put files directly in idphotos or data.`);
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new LanyardError('invalid', `That file name is too long: keep it under ${MAX_NAME_BYTES} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new LanyardError('invalid', 'That file name contains control characters: rename the file using letters, digits, dots and dashes.');
}

export function formatPath(p: DropboxPath): string {
  switch (p.kind) {
    case 'root':
      return '/';
    case 'folder':
      return `/${p.folder}`;
    case 'file':
      return `/${p.folder}/${p.name}`;
  }
}

function outside(why: string) {
  return new LanyardError('forbidden', `${why}: you can only reach idphotos and data.`);
}

/**
 * Names clients give a file while it is still uploading (WinSCP `.filepart`,
 * browsers and others `.part`). They are listed so the client can finish its
 * rename, but they are not deliveries and make no intake event.
 */
export const isClientTempName = (name: string): boolean => /\.(filepart|part|tmp|crdownload|cyberducktmp)$/i.test(name);
