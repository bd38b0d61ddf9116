/**
 * The index files photographers put in their packages to say whose face each
 * image is, read into one shape: rows of (Local ID, file as written), plus the
 * lines we could not use and why. Pure text parsing; no zip, no database.
 */

export type IndexKind = 'pspa-master' | 'pspa-index' | 'destiny-idlink' | 'powerschool-map';

/** The file names that announce each kind, most authoritative first (PSPA: MASTER.TXT includes retakes, so it wins). */
export const INDEX_FILES: ReadonlyArray<[string, IndexKind]> = [
  ['master.txt', 'pspa-master'],
  ['index.txt', 'pspa-index'],
  ['idlink.txt', 'destiny-idlink'],
  ['photos.txt', 'powerschool-map'],
];

export const PSPA_README = 'readme.txt';

export function indexKindOf(baseName: string): IndexKind | null {
  const lower = baseName.toLowerCase();
  return INDEX_FILES.find(([name]) => name === lower)?.[1] ?? null;
}

export interface IndexRow {
  /** 1-based line in the index file, for messages. */
  line: number;
  localId: string;
  /** The image as the index names it, possibly with a folder (either slash). */
  file: string;
}

export interface IndexLineProblem {
  line: number;
  message: string;
}

export type ParsedIndex = { ok: true; rows: IndexRow[]; problems: IndexLineProblem[] } | { ok: false; message: string };

/** Text as photographers' tools write it: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252. */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const lines = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** Fields a README may declare for the person's ID, most specific first. Compared without case, spaces or punctuation. */
const ID_FIELD_NAMES = ['localid', 'studentid', 'studentnumber', 'studentno', 'idnumber', 'personid', 'staffid', 'employeeid', 'id'];

/** PSPA fixes fields 1–10 (volume, image folder, image file name, grade, last name, first name, homeroom, period, teacher, track). */
const PSPA_FOLDER = 2;
const PSPA_FILE = 3;
const PSPA_LAST = 5;
const PSPA_FIRST = 6;

/**
 * Finds the ID field among the extra fields README.TXT declares
 * (`[Field Definition #11] = ID`). PSPA has no ID among its fixed ten, so
 * without a declaration there is no safe way to know whose face is whose.
 */
export function pspaIdField(readme: string | null): number | null {
  if (readme === null) return null;
  const declared = new Map<string, number>();
  for (const line of lines(readme)) {
    const m = /^\s*\[\s*Field\s+Definition\s*#\s*(\d+)\s*\]\s*=\s*(.*?)\s*$/i.exec(line);
    if (!m) continue;
    const key = (m[2] as string).toLowerCase().replace(/[^a-z0-9]/g, '');
    if (!declared.has(key)) declared.set(key, Number(m[1]));
  }
  for (const name of ID_FIELD_NAMES) {
    const field = declared.get(name);
    if (field !== undefined && field > 0) return field;
  }
  return null;
}

export function parsePspa(text: string, idField: number | null, indexName: string): ParsedIndex {
  if (idField === null) {
    return {
      ok: false,
      message: `${indexName} does not say which field holds the Local ID: ask the photographer for the README.TXT that declares it, e.g. "[Field Definition #11] = ID".`,
    };
  }
  const rows: IndexRow[] = [];
  const problems: IndexLineProblem[] = [];
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fields = raw.split('\t').map((f) => unquote(f.trim()));
    const field = (n: number) => fields[n - 1] ?? '';
    const who = [field(PSPA_FIRST), field(PSPA_LAST)].filter(Boolean).join(' ');
    if (field(PSPA_FILE) === '') {
      problems.push({ line, message: `${indexName} line ${line}${who ? ` (${who})` : ''} names no image file.` });
      return;
    }
    const localId = field(idField);
    if (localId === '') {
      problems.push({ line, message: `${indexName} line ${line}${who ? ` (${who})` : ''} has no ID in field ${idField}, so ${field(PSPA_FILE)} cannot be matched to anyone.` });
      return;
    }
    const folder = field(PSPA_FOLDER);
    rows.push({ line, localId, file: folder ? `${folder}/${field(PSPA_FILE)}` : field(PSPA_FILE) });
  });
  return { ok: true, rows, problems };
}

/** PowerSchool-style `photos.txt`: `LocalID<TAB>file` per line; a header line, if any, is recognised and skipped. */
export function parsePowerSchoolMap(text: string, indexName: string): ParsedIndex {
  return parsePairs(text, indexName, (raw) => (raw.includes('\t') ? raw.split('\t') : raw.split(',')).map((f) => unquote(f.trim())));
}

/** Destiny-style `idlink.txt`: `"LocalID","file"` per line (CSV quoting). */
export function parseDestinyIdlink(text: string, indexName: string): ParsedIndex {
  return parsePairs(text, indexName, splitCsvLine);
}

function parsePairs(text: string, indexName: string, split: (raw: string) => string[]): ParsedIndex {
  const rows: IndexRow[] = [];
  const problems: IndexLineProblem[] = [];
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const [localId = '', file = ''] = split(raw);
    if (line === 1 && !/\.[a-z0-9]{2,5}$/i.test(file)) return; // a header such as "Student_Number<TAB>File"
    if (localId === '' || file === '') {
      problems.push({ line, message: `${indexName} line ${line} needs a Local ID and a file name: ${JSON.stringify(raw.trim())}.` });
      return;
    }
    rows.push({ line, localId, file });
  });
  return { ok: true, rows, problems };
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"').trim() : s;
}

function splitCsvLine(raw: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (quoted) {
      if (c === '"' && raw[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  out.push(field.trim());
  return out;
}
