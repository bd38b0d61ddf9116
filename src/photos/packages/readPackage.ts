import { classifyPhotoName, type PhotoNameRejection } from '../fileName.js';
import {
  decodeText,
  INDEX_FILES,
  indexKindOf,
  parseDestinyIdlink,
  parsePowerSchoolMap,
  parsePspa,
  PSPA_README,
  pspaIdField,
  type IndexKind,
  type IndexRow,
  type ParsedIndex,
} from './indexFiles.js';
import { EntryTooLarge, openZip, type Zip, type ZipEntry, type ZipLimits, type ZipProblem, type ZipSource } from '../../zip/zipReader.js';

/**
 * A photographer's zip, read without ever writing it out: the central
 * directory is listed and checked against the limits first, the index (if
 * any) is read, and then images are handed over one at a time, so memory holds
 * one photo however large the package. Folders inside the zip do not matter;
 * names inside it are labels, never paths on our disk.
 */

export interface PackageLimits extends ZipLimits {
  /** One image; larger entries are refused on their own. */
  maxEntryBytes: number;
  maxIndexBytes: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 4 * 1024 ** 3,
  maxEntryBytes: 50 * 1024 ** 2,
  maxCompressionRatio: 100,
  maxIndexBytes: 16 * 1024 ** 2,
};

export type PackageFormat = IndexKind | 'file-names';

export type PackageRejectReason = 'not-a-zip' | 'too-many-entries' | 'too-large' | 'zip-bomb' | 'unsafe-names' | 'bad-index' | 'no-photos';

export interface PackageProblem {
  /** The entry or index file it is about. */
  file: string;
  message: string;
}

export type PackageItemRejectReason = PhotoNameRejection['reason'] | 'not-in-index' | 'conflicting-index' | 'too-large' | 'encrypted' | 'unreadable';

export type PackageItem =
  | { kind: 'photo'; entryName: string; localId: string; matchedBy: PackageFormat; bytes: Buffer }
  | { kind: 'rejected'; entryName: string; localId: string | null; reason: PackageItemRejectReason; message: string };

export interface PhotoPackage {
  format: PackageFormat;
  /** The index entry used, when there is one. */
  indexFile: string | null;
  /** Images that will be handed over (photos and refusals), in zip order. */
  imageCount: number;
  /** What does not stop the rest: index lines we could not use, files it names that are missing, other files skipped. */
  problems: PackageProblem[];
  /** The images one at a time. Can be iterated once; closes the zip when done or abandoned. */
  items(): AsyncIterable<PackageItem>;
  close(): void;
}

export type OpenPackageResult = { ok: true; package: PhotoPackage } | { ok: false; reason: PackageRejectReason; message: string };

/** Extensions of pictures in formats we refuse: they get a refusal each, where other files are just skipped. */
const OTHER_IMAGE = /\.(bmp|heic|heif|tif|tiff|webp|jp2|jxl|avif|raw|cr2|cr3|nef|arw|dng|psd|svg)$/i;
const ACCEPTED_IMAGE = /\.(jpe?g|png|gif)$/i;

export async function openPackage(source: ZipSource, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<OpenPackageResult> {
  const opened = await openZip(source, limits);
  if (!opened.ok) return refusal(opened.problem);
  const { zip } = opened;
  const index = await readIndex(zip, limits);
  if (!index.ok) {
    zip.close();
    return refuse('bad-index', index.message);
  }
  const plan = planItems(zip.files, index.index);
  if (plan.items.length === 0) {
    zip.close();
    return refuse('no-photos', 'This zip holds no photos (.jpg, .jpeg, .png or .gif): nothing was imported.');
  }
  return { ok: true, package: packageOf(zip, plan, index.index, limits) };
}

/** A zip refused before anything was unpacked, in a photographer's words. */
function refusal(p: ZipProblem): OpenPackageResult {
  switch (p.reason) {
    case 'not-a-zip':
      return refuse('not-a-zip', 'This .zip cannot be opened: it is damaged or incomplete, or not a zip at all. Create the zip again and upload it again.');
    case 'too-many-entries':
      return refuse(
        'too-many-entries',
        p.entries === null ? `This zip holds more than ${p.max} files: split it into several zips.` : `This zip holds ${p.entries} files; a package may hold at most ${p.max}: split it into several zips.`,
      );
    case 'unsafe-names':
      return refuse('unsafe-names', 'This zip contains a file whose name points outside the zip (an absolute path or ".."): create the zip again from the folder of photos.');
    case 'damaged':
      return refuse('not-a-zip', 'This zip is damaged: its list of files cannot be read. Create the zip again and upload it again.');
    case 'zip-bomb':
      return refuse(
        'zip-bomb',
        `${p.entry} would expand from ${p.compressedSize} bytes to ${p.uncompressedSize}, far more than any photo does: this zip was not unpacked. Create it again from the folder of photos.`,
      );
    case 'too-large':
      return refuse('too-large', `This zip unpacks to ${gib(p.totalBytes)} GB; a package may unpack to at most ${gib(p.max)} GB: split it into several zips.`);
  }
}

interface ChosenIndex {
  kind: IndexKind;
  entry: ZipEntry;
  rows: IndexRow[];
  problems: PackageProblem[];
}

type IndexRead = { ok: true; index: ChosenIndex | null } | { ok: false; message: string };

async function readIndex(zip: Zip, limits: PackageLimits): Promise<IndexRead> {
  const files = zip.files;
  const found = files.filter((e) => indexKindOf(baseName(e.fileName)) !== null);
  found.sort((a, b) => rank(a) - rank(b) || depth(a.fileName) - depth(b.fileName));
  const entry = found[0];
  if (entry === undefined) return { ok: true, index: null };
  const kind = indexKindOf(baseName(entry.fileName)) as IndexKind;
  const name = entry.fileName;
  const text = await readText(zip, entry, limits.maxIndexBytes);
  if (text === null) return { ok: false, message: `${name} cannot be read (damaged or larger than ${limits.maxIndexBytes} bytes): nothing in this zip was imported.` };

  let parsed: ParsedIndex;
  if (kind === 'pspa-master' || kind === 'pspa-index') {
    const readmeEntry = files.find((e) => baseName(e.fileName).toLowerCase() === PSPA_README && dirName(e.fileName) === dirName(name));
    const readme = readmeEntry ? await readText(zip, readmeEntry, limits.maxIndexBytes) : null;
    parsed = parsePspa(text, pspaIdField(readme), baseName(name));
  } else if (kind === 'destiny-idlink') {
    parsed = parseDestinyIdlink(text, baseName(name));
  } else {
    parsed = parsePowerSchoolMap(text, baseName(name));
  }
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const problems = parsed.problems.map((p) => ({ file: name, message: p.message }));
  for (const other of found.slice(1)) {
    problems.push({ file: other.fileName, message: `${other.fileName} was not used: ${name} decides whose photo each image is.` });
  }
  return { ok: true, index: { kind, entry, rows: parsed.rows, problems } };
}

const rank = (e: ZipEntry) => INDEX_FILES.findIndex(([, kind]) => kind === indexKindOf(baseName(e.fileName)));

async function readText(zip: Zip, entry: ZipEntry, maxBytes: number): Promise<string | null> {
  try {
    return decodeText(await zip.read(entry, maxBytes));
  } catch {
    return null;
  }
}

type Planned =
  | { entry: ZipEntry; kind: 'photo'; localId: string; matchedBy: PackageFormat }
  | { entry: ZipEntry; kind: 'rejected'; localId: string | null; reason: PackageItemRejectReason; message: string };

interface Plan {
  items: Planned[];
  problems: PackageProblem[];
}

/** Decides, before reading any image, whose photo each entry is or why it is refused. */
function planItems(files: readonly ZipEntry[], index: ChosenIndex | null): Plan {
  const problems: PackageProblem[] = [...(index?.problems ?? [])];
  const byEntry = index ? resolveIndex(files, index, problems) : new Map<ZipEntry, string[]>();
  const items: Planned[] = [];
  for (const entry of files) {
    const name = baseName(entry.fileName);
    if (indexKindOf(name) !== null) continue; // the index itself, or one it overrides (listed in problems)
    const ids = byEntry.get(entry);
    if (ids !== undefined) {
      const unique = [...new Set(ids)];
      items.push(
        unique.length === 1
          ? { entry, kind: 'photo', localId: unique[0] as string, matchedBy: (index as ChosenIndex).kind }
          : { entry, kind: 'rejected', localId: null, reason: 'conflicting-index', message: `${entry.fileName} is listed for several people (${unique.join(', ')}) in ${baseName((index as ChosenIndex).entry.fileName)}: nobody got it.` },
      );
      continue;
    }
    const verdict = classifyPhotoName(name);
    if (verdict.kind === 'ignore' || entry.fileName.toLowerCase().startsWith('__macosx/')) continue;
    if (verdict.kind === 'package') {
      problems.push({ file: entry.fileName, message: `${entry.fileName} is a zip inside the zip and was not unpacked: put its photos in the outer zip.` });
      continue;
    }
    const looksLikeImage = ACCEPTED_IMAGE.test(name) || OTHER_IMAGE.test(name);
    if (!looksLikeImage) {
      if (!(index && name.toLowerCase() === PSPA_README)) problems.push({ file: entry.fileName, message: `${entry.fileName} is not a photo and was skipped.` });
      continue;
    }
    if (index) {
      items.push({ entry, kind: 'rejected', localId: null, reason: 'not-in-index', message: `${entry.fileName} is not listed in ${baseName(index.entry.fileName)}, so it is not known whose photo it is.` });
    } else if (verdict.kind === 'photo') {
      items.push({ entry, kind: 'photo', localId: verdict.localId, matchedBy: 'file-names' });
    } else if (verdict.kind === 'rejected') {
      items.push({ entry, kind: 'rejected', localId: null, reason: verdict.reason, message: `${entry.fileName}: ${verdict.message}` });
    }
  }
  return { items, problems };
}

/**
 * Index rows name files with the index's folders (`Images\Vol001\00000001.jpg`);
 * a zip made from a copy may add or drop a top folder. The path relative to
 * the index decides when it exists; otherwise the file name alone, when only
 * one entry has it.
 */
function resolveIndex(files: readonly ZipEntry[], index: ChosenIndex, problems: PackageProblem[]): Map<ZipEntry, string[]> {
  const byPath = new Map<string, ZipEntry>();
  const byName = new Map<string, ZipEntry[]>();
  for (const entry of files) {
    byPath.set(normalisePath(entry.fileName), entry);
    const key = baseName(entry.fileName).toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), entry]);
  }
  const base = dirName(index.entry.fileName);
  const indexName = baseName(index.entry.fileName);
  const out = new Map<ZipEntry, string[]>();
  for (const row of index.rows) {
    const wanted = normalisePath(base ? `${base}/${row.file}` : row.file);
    const sameName = byName.get(baseName(wanted)) ?? [];
    const entry = byPath.get(wanted) ?? (sameName.length === 1 ? sameName[0] : undefined);
    if (entry === undefined) {
      problems.push({
        file: index.entry.fileName,
        message:
          sameName.length > 1
            ? `${indexName} line ${row.line} names ${row.file}, but several files in the zip have that name in different folders: keep the folders as ${indexName} lists them.`
            : `${indexName} line ${row.line} names ${row.file} for ${row.localId}, but that file is not in the zip.`,
      });
      continue;
    }
    out.set(entry, [...(out.get(entry) ?? []), row.localId]);
  }
  return out;
}

function packageOf(zip: Zip, plan: Plan, index: ChosenIndex | null, limits: PackageLimits): PhotoPackage {
  let started = false;
  let closed = false;
  const close = () => {
    if (!closed) zip.close();
    closed = true;
  };
  return {
    format: index?.kind ?? 'file-names',
    indexFile: index?.entry.fileName ?? null,
    imageCount: plan.items.length,
    problems: plan.problems,
    close,
    items() {
      if (started) throw new Error('a package can be read once');
      started = true;
      return (async function* () {
        try {
          for (const planned of plan.items) yield await load(zip, planned, limits);
        } finally {
          close();
        }
      })();
    },
  };
}

async function load(zip: Zip, planned: Planned, limits: PackageLimits): Promise<PackageItem> {
  const entryName = planned.entry.fileName;
  if (planned.kind === 'rejected') {
    const { localId, reason, message } = planned;
    return { kind: 'rejected', entryName, localId, reason, message };
  }
  const { localId, matchedBy } = planned;
  const fail = (reason: PackageItemRejectReason, message: string): PackageItem => ({ kind: 'rejected', entryName, localId, reason, message });
  if (planned.entry.isEncrypted()) return fail('encrypted', `${entryName} is password-protected: create the zip again without a password.`);
  try {
    return { kind: 'photo', entryName, localId, matchedBy, bytes: await zip.read(planned.entry, limits.maxEntryBytes) };
  } catch (err) {
    if (err instanceof EntryTooLarge) return fail('too-large', `${entryName} is larger than ${limits.maxEntryBytes / 1024 ** 2} MB, far more than a photo needs: export it smaller.`);
    return fail('unreadable', `${entryName} cannot be unpacked (damaged, or compressed in a way zips rarely are): create the zip again and upload it again.`);
  }
}

function refuse(reason: PackageRejectReason, message: string): OpenPackageResult {
  return { ok: false, reason, message };
}

const normalisePath = (p: string): string =>
  p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/')
    .toLowerCase();

const baseName = (p: string): string => p.replace(/\\/g, '/').split('/').pop() ?? p;

const dirName = (p: string): string => {
  const parts = p.replace(/\\/g, '/').split('/');
  parts.pop();
  return parts.join('/');
};

const depth = (p: string): number => p.split('/').length;

const gib = (bytes: number): string => (bytes / 1024 ** 3).toFixed(1);
