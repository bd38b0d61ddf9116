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
