/**
 * A Local ID is the district's own number for a person: the one on their ID
 * card and in their photo's file name. It is text (leading zeros matter to the
 * district), compared exactly first, and loosely (letter case folded, leading
 * zeros dropped) because photographers' spreadsheets turn `004410` into `4410`.
 */
/** Longest Local ID we accept; student information systems use far fewer characters. */
export const MAX_LOCAL_ID_LENGTH = 64;

/** Which rule linked a name to a person; recorded beside the link so a mistake can be explained. */
export type MatchRule = 'exact' | 'ignoring-case-and-leading-zeros';

export interface LocalIdKeys {
  /** The Local ID exactly as written. */
  exact: string;
  /**
   * The same ID with letter case folded and leading zeros dropped, because
   * photographers' spreadsheets turn `004410` into `4410`. All zeros stays `0`.
   */
  loose: string;
}

export function localIdKeys(localId: string): LocalIdKeys {
  return { exact: localId, loose: looseLocalIdKey(localId) };
}

export function looseLocalIdKey(localId: string): string {
  const folded = localId.normalize('NFKC').toLowerCase();
  const stripped = folded.replace(/^0+/, '');
  return stripped === '' && folded !== '' ? '0' : stripped;
}

export type LocalIdMatch =
  | { kind: 'matched'; localId: string; rule: MatchRule }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none' };

/**
 * The rule the database layer applies with indexed queries, as a function over
 * a list so it can be pinned by tests and used for small sets (a package's
 * index). Exact first; otherwise the loose key must point at one person only.
 */
export function matchLocalId(candidate: string, known: Iterable<string>): LocalIdMatch {
  const loose = looseLocalIdKey(candidate);
  const looseHits: string[] = [];
  for (const id of known) {
    if (id === candidate) return { kind: 'matched', localId: id, rule: 'exact' };
    if (looseLocalIdKey(id) === loose) looseHits.push(id);
  }
  if (looseHits.length === 1) return { kind: 'matched', localId: looseHits[0] as string, rule: 'ignoring-case-and-leading-zeros' };
  if (looseHits.length > 1) return { kind: 'ambiguous', candidates: looseHits.sort() };
  return { kind: 'none' };
}
