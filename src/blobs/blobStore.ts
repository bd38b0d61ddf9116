/**
 * Where file contents live. Content-addressed by SHA-256, so the same bytes are
 * stored once and a key never changes meaning; an object store can implement
 * this without callers noticing.
 */
export interface BlobStore {
  /** Starts a new blob that can be written at any offset (SFTP writes are positional). */
  createWriter(): Promise<BlobWriter>;
  /** Stores a whole buffer (small files: reports, generated images). */
  putBuffer(data: Buffer): Promise<StoredBlob>;
  /**
   * Stores several whole buffers, pinning their keys with one call to the
   * pinner (one transaction, where putBuffer for each took one apiece: a
   * photo's two sizes). Results in the order given.
   */
  putBuffers(data: readonly Buffer[]): Promise<StoredBlob[]>;
  openReader(key: string): Promise<BlobReader>;
  readAll(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Removes leftovers of writers that never finished (a crash mid-upload). */
  sweepIncomplete(): Promise<number>;
  /**
   * Removes a stored blob. Idempotent: removing a key that holds nothing (or
   * never could) is not an error. Only for bytes nothing refers to any more:
   * the same bytes committed again come back under the same key.
   */
  delete(key: string): Promise<void>;
  /**
   * Every stored blob in key order, fetched a page at a time so memory stays
   * bounded however many there are; `after` resumes after that key. A blob
   * committed or deleted while the listing runs may or may not be seen.
   */
  list(opts?: { after?: string }): AsyncIterable<BlobInfo>;
}

export interface BlobInfo {
  key: string;
  size: number;
  /**
   * When these bytes were last stored under the key. A commit of the same
   * bytes renews it, so a sweep that spares blobs younger than a grace period
   * never removes bytes a commit has just pointed at.
   */
  modifiedAt: Date;
}

/** Keys are the SHA-256 of the bytes, in lower-case hex. */
export const isBlobKey = (key: string): boolean => /^[0-9a-f]{64}$/.test(key);

export interface StoredBlob {
  key: string;
  sha256: string;
  size: number;
  /**
   * The pin the store took on the key before it wrote the bytes (see
   * BlobPinner), for the transaction that refers to the key to release.
   * Absent when the store was made without a pinner.
   */
  pin?: string;
}

/**
 * Called with keys just before a store writes (or writes again) the bytes
 * behind them, and before the caller can refer to them: the sweep of
 * unreferenced bytes (src/retention) spares a pinned key, so bytes a commit is
 * about to point at are never deleted under it. Returns the pins' tokens, in
 * the keys' order.
 */
export type BlobPinner = (keys: readonly string[]) => Promise<string[]>;

/** One key's pin from a store's pinner, if it has one. */
export async function pinOne(pinner: BlobPinner | undefined, key: string): Promise<string | undefined> {
  return pinner ? (await pinner([key]))[0] : undefined;
}

export interface BlobWriter {
  /** Bytes written so far counted from offset 0, i.e. the highest end seen. */
  readonly size: number;
  /** Bytes accepted and held in this process's memory, not yet handed to storage: what bounds an upload's memory. */
  readonly bufferedBytes: number;
  write(data: Buffer, offset: number): Promise<void>;
  /**
   * Makes what was written so far survive a crash of this process or machine
   * (`fsync@openssh.com` on a handle still open); the writer stays usable.
   */
  flush(): Promise<void>;
  /** Makes the bytes durable and addressable. The writer cannot be used afterwards. */
  commit(): Promise<StoredBlob>;
  /** Throws the bytes away. Safe to call more than once, and after commit. */
  abort(): Promise<void>;
}

/** Positional reads of a stored file: SFTP downloads, and zips read where they are stored (src/zip). */
export interface BlobReader {
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; an empty buffer at the end. */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`stored file ${key} is missing`);
  }
}
