/** Which way a list runs. */
export type SortDir = 'asc' | 'desc';

/** A list's order: which of its sortable columns, which way (each domain list names its own columns). */
export interface ListSort<K extends string> {
  by: K;
  dir: SortDir;
}
