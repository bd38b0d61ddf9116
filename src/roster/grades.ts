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
export const gradeKey = (raw: string): string =>
  raw
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^(grade|gr|grd)\.?\s*/, '')
    .replace(/\s*(grade|gr)$/, '')
    .replace(/[\s._]+/g, '')
    .replace(/(?<=.)-(?=.)/g, '');

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
