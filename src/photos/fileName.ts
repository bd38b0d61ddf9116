import { MAX_LOCAL_ID_LENGTH } from '../localId/localId.js';
/**
 * What a name in idphotos (or inside a photographer's zip) means, before any
 * byte is read: a photo for a Local ID, a package to unpack, something a client
 * or an operating system leaves behind, or a name we refuse with the sentence a
 * school secretary needs to fix it. Pure: no database, no file system.
 */

/** The photo formats a district may name a file with. The content is checked separately (normalise.ts). */
export type NamedFormat = 'jpeg' | 'png' | 'gif';

export type PhotoNameRejection =
  | { kind: 'rejected'; reason: 'unsupported-extension'; extension: string; message: string }
  | { kind: 'rejected'; reason: 'no-extension'; message: string }
  | { kind: 'rejected'; reason: 'not-a-local-id'; message: string };

export type PhotoName =
  | { kind: 'photo'; localId: string; extension: string; format: NamedFormat }
  | { kind: 'package' }
  /** Not a delivery: an upload still in progress, or a file an operating system adds on its own. */
  | { kind: 'ignore'; why: 'client-temporary' | 'system-file' }
  | PhotoNameRejection;

const FORMAT_BY_EXTENSION: Readonly<Record<string, NamedFormat>> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif' };

/** What a secretary's software most often produces instead, with the hint that helps for that one. */
const EXTENSION_HINTS: Readonly<Record<string, string>> = {
  heic: ' (on an iPhone: Settings > Camera > Formats > Most Compatible)',
  heif: ' (on an iPhone: Settings > Camera > Formats > Most Compatible)',
};

/**
 * A Local ID as it can appear in a file name: letters, digits, `-` and `_`,
 * starting with a letter or digit. Spaces, brackets and dots are what copies,
 * captions and camera names bring (`100116 (1)`, `photo of 100116`, `IMG.1`).
 */
const LOCAL_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_LOCAL_ID_LENGTH - 1}}$`);

/** Same list as the drop box uses for uploads still in flight (WinSCP `.filepart`, browsers' `.part`, ...). */
const CLIENT_TEMPORARY = /\.(filepart|part|tmp|crdownload|cyberducktmp)$/i;

/** Files that macOS and Windows add to folders and zips on their own. */
const SYSTEM_FILE = /^(\.ds_store|thumbs\.db|desktop\.ini|\._.*|\.directory)$/i;

export const RENAME_HINT = "rename it to the person's Local ID, e.g. 123456.jpg";

/** Reads a name from idphotos; `name` is a bare file name (no folder). */
export function classifyPhotoName(name: string): PhotoName {
  if (CLIENT_TEMPORARY.test(name)) return { kind: 'ignore', why: 'client-temporary' };
  if (SYSTEM_FILE.test(name)) return { kind: 'ignore', why: 'system-file' };

  const dot = name.lastIndexOf('.');
  const stem = dot >= 0 ? name.slice(0, dot) : name;
  const extension = dot >= 0 ? name.slice(dot + 1) : '';
  const lower = extension.toLowerCase();

  if (lower === 'zip') return { kind: 'package' };
  if (extension === '') {
    return {
      kind: 'rejected',
      reason: 'no-extension',
      message: `"${name}" has no file type: save the photo as JPEG or PNG and name it like 123456.jpg.`,
    };
  }
  const format = FORMAT_BY_EXTENSION[lower];
  if (format === undefined) {
    const shown = extension.toUpperCase();
    return {
      kind: 'rejected',
      reason: 'unsupported-extension',
      extension: lower,
      message: `${shown} is not accepted: save the photo as JPEG or PNG${EXTENSION_HINTS[lower] ?? ''} and upload it again as ${LOCAL_ID.test(stem) ? stem : '123456'}.jpg.`,
    };
  }
  if (!LOCAL_ID.test(stem)) {
    return { kind: 'rejected', reason: 'not-a-local-id', message: `"${name}" is not named by a Local ID: ${RENAME_HINT}${guess(stem, extension)}.` };
  }
  return { kind: 'photo', localId: stem, extension, format };
}

/**
 * When the name holds exactly one thing that looks like an ID (`photo of
 * 100116`, `100116 (1)`), saying it back saves the secretary a guess. Copies
 * like `100116 (1)` hold two numbers, so the longest run wins when it is the
 * only one of 3 characters or more.
 */
function guess(stem: string, extension: string): string {
  const runs = stem.match(/[A-Za-z]*\d[A-Za-z0-9]*/g)?.filter((r) => r.length >= 3) ?? [];
  if (runs.length !== 1) return '';
  const [id] = runs as [string];
  return ` (${id}.${extension.toLowerCase()} if this is ${id}'s photo)`;
}
