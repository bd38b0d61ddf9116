/**
 * Bytes a writer has accepted but not yet cut into a part, at any offsets from
 * `base` on: SFTP writes are positional and may arrive out of order, while an
 * object store takes a multipart upload's parts in order. Pieces are kept as
 * they came (copied), later pieces winning where they overlap, as a file's
 * later writes would; `filled` says which ranges have arrived, so the writer
 * knows when the bytes from `base` on are contiguous for a whole part.
 */
export class PendingBytes {
  /** In arrival order: where pieces overlap, the later one holds the bytes. */
  private pieces: Array<{ at: number; data: Buffer }> = [];
  /** Sorted, disjoint, merged [start, end) ranges that have arrived. */
  private filled: Array<[number, number]> = [];
  /** Bytes held in memory (overlapping pieces count twice until compacted). */
  heldBytes = 0;

  constructor(private base = 0) {}

  /** Keeps a copy of `data` at `at` (which must not be below the base). */
  add(at: number, data: Buffer): void {
    if (at < this.base) throw new RangeError(`offset ${at} is below ${this.base}, which was already taken`);
    if (data.length === 0) return;
    this.pieces.push({ at, data: Buffer.from(data) });
    this.heldBytes += data.length;
    this.markFilled(at, at + data.length);
    // A client that writes the same bytes again and again must not grow memory: keep one copy of each byte.
    if (this.heldBytes > 2 * this.coveredBytes() + 1024 * 1024) this.compact();
  }

  /** The first offset from the base on that has not arrived. */
  firstGap(): number {
    const first = this.filled[0];
    return first && first[0] === this.base ? first[1] : this.base;
  }

  /** Bytes that have arrived from the base on (holes not counted). */
  coveredBytes(): number {
    let n = 0;
    for (const [s, e] of this.filled) n += e - s;
    return n;
  }

  /**
   * Removes and returns the bytes [base, end), zeros where nothing arrived
   * (as a file's holes read), and moves the base to `end`.
   */
  take(end: number): Buffer {
    const from = this.base;
    if (end < from) throw new RangeError(`cannot take up to ${end}, below ${from}`);
    const out = Buffer.alloc(end - from);
    const kept: Array<{ at: number; data: Buffer }> = [];
    for (const p of this.pieces) {
      const pEnd = p.at + p.data.length;
      if (p.at < end) p.data.copy(out, p.at - from, 0, Math.min(p.data.length, end - p.at));
      if (pEnd > end) kept.push(p.at >= end ? p : { at: end, data: p.data.subarray(end - p.at) });
    }
    this.pieces = kept;
    this.heldBytes = kept.reduce((n, p) => n + p.data.length, 0);
    this.filled = this.filled.filter(([, e]) => e > end).map(([s, e]): [number, number] => [Math.max(s, end), e]);
    this.base = end;
    return out;
  }

  /** Drops everything held (an abandoned upload). */
  clear(): void {
    this.pieces = [];
    this.filled = [];
    this.heldBytes = 0;
  }

  private markFilled(start: number, end: number) {
    const f = this.filled;
    const last = f[f.length - 1];
    // In-order writes, the usual case, extend the last range.
    if (last && start >= last[0] && start <= last[1]) {
      last[1] = Math.max(last[1], end);
      return;
    }
    let i = 0;
    while (i < f.length && f[i]![1] < start) i++;
    let s = start;
    let e = end;
    let j = i;
    while (j < f.length && f[j]![0] <= e) {
      s = Math.min(s, f[j]![0]);
      e = Math.max(e, f[j]![1]);
      j++;
    }
    f.splice(i, j - i, [s, e]);
  }

  /** One piece per filled range, each byte once, the latest write's. */
  private compact() {
    const merged = this.filled.map(([s, e]) => ({ at: s, data: Buffer.alloc(e - s) }));
    for (const p of this.pieces) {
      for (const m of merged) {
        const s = Math.max(p.at, m.at);
        const e = Math.min(p.at + p.data.length, m.at + m.data.length);
        if (s < e) p.data.copy(m.data, s - m.at, s - p.at, e - p.at);
      }
    }
    this.pieces = merged;
    this.heldBytes = this.coveredBytes();
  }
}
