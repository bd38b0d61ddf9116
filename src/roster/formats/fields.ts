/*
 * Reading one cell: header names under their loose spellings, and grades in
 * one canonical form. Shared by every format.
 */

/** Header names as districts write them: "Local ID", "local_id", "LocalID" and "LOCAL ID" are the same column. */
export const headerKey = (h: string): string => h.normalize('NFKC').toLowerCase().replace(/[\s_\-.]+/g, '');

/** Columns of a header by their loose key; the first of a repeated name wins. */
export class HeaderIndex {
  private readonly byKey = new Map<string, number>();
  constructor(readonly header: string[]) {
    header.forEach((h, i) => {
      const k = headerKey(h);
      if (k && !this.byKey.has(k)) this.byKey.set(k, i);
    });
  }

  has(name: string): boolean {
    return this.byKey.has(headerKey(name));
  }

  /** The first of `aliases` present in the header. */
  find(aliases: readonly string[]): number | undefined {
    for (const a of aliases) {
      const i = this.byKey.get(headerKey(a));
      if (i !== undefined) return i;
    }
    return undefined;
  }

  name(i: number): string {
    return this.header[i] ?? `column ${i + 1}`;
  }
}

/** A cell with surrounding spaces removed; empty means absent. */
export function cell(cells: string[], i: number | undefined): string {
  if (i === undefined) return '';
  return (cells[i] ?? '').trim();
}

export const orNull = (s: string): string | null => (s === '' ? null : s);

/**
 * Grades in one canonical form, whatever the SIS writes: `PK`, `TK`, `K`,
 * `1` … `12`, and OneRoster's other codes (`IT` infant/toddler, `PR`
 * preschool, `PS` postsecondary, `UG` ungraded). Values nobody recognises are
 * kept as written: a grade never rejects a person.
 */
export type GradeOverrides = Record<string, string>;

const WORDS: Record<string, string> = {
  k: 'K',
  kg: 'K',
  kdg: 'K',
  kn: 'K',
  kinder: 'K',
  kindergarten: 'K',
  '0': 'K',
  '00': 'K',
  pk: 'PK',
  prek: 'PK',
  prekindergarten: 'PK',
  p: 'PK',
  '-1': 'PK',
  tk: 'TK',
  transitionalkindergarten: 'TK',
  it: 'IT',
  infanttoddler: 'IT',
  pr: 'PR',
  preschool: 'PR',
  ps: 'PS',
  postsecondary: 'PS',
  ug: 'UG',
  ungraded: 'UG',
};

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];

/** The loose key a grade and an override are compared by: case, spaces, dashes and dots ignored. */
const gradeKey = (raw: string): string =>
  raw
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^(grade|gr|grd)\.?\s*/, '')
    .replace(/\s*(grade|gr)$/, '')
    .replace(/[\s._]+/g, '')
    .replace(/(?<=.)-(?=.)/g, '');

/** Whether a normalised grade is one Lanyard knows or one the district's grade spellings produce. */
export function gradeKnown(overrides: GradeOverrides): (grade: string) => boolean {
  const known = new Set([...Object.values(WORDS), ...Array.from({ length: 13 }, (_, i) => String(i + 1)), ...Object.values(overrides)]);
  return (grade) => known.has(grade);
}

/** normaliseGrade for a whole file: a district writes a handful of grade spellings, 100,000 times. */
export function gradeCache(overrides: GradeOverrides): (raw: string) => string | null {
  const cache = new Map<string, string | null>();
  return (raw) => {
    let g = cache.get(raw);
    if (g === undefined && !cache.has(raw)) {
      g = normaliseGrade(raw, overrides);
      if (cache.size < 1000) cache.set(raw, g);
    }
    return g ?? null;
  };
}

export function normaliseGrade(raw: string, overrides: GradeOverrides = {}): string | null {
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  const key = gradeKey(trimmed);
  for (const [from, to] of Object.entries(overrides)) if (gradeKey(from) === key) return to;
  const word = WORDS[key];
  if (word) return word;
  const num = /^(\d{1,2})(st|nd|rd|th)?$/.exec(key);
  if (num) {
    const n = Number(num[1]);
    if (n === 0) return 'K';
    if (n >= 1 && n <= 13) return String(n);
  }
  const ord = ORDINALS.indexOf(key);
  if (ord >= 0) return String(ord + 1);
  return trimmed;
}
