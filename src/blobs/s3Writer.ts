import { createHash, type Hash } from 'node:crypto';
import type { BlobWriter, StoredBlob } from './blobStore.js';
import { PendingBytes } from './pendingBytes.js';
import { LanyardError } from '../shared/errors.js';

/** What the writer needs from the store: a multipart upload under a temporary key, and the two ways to finish. */
export interface MultipartTarget {
  readonly partBytes: number;
  /** How far past the first missing byte a client may write (the out-of-order hold's bound). */
  readonly aheadBytes: number;
  /** Parts uploading at once before write() makes its caller wait. */
  readonly partsInFlight: number;
  begin(): Promise<string>;
  uploadPart(uploadId: string, partNumber: number, body: Buffer): Promise<string>;
  complete(uploadId: string, parts: Array<{ PartNumber: number; ETag: string }>): Promise<void>;
  abort(uploadId: string): Promise<void>;
  /** Places the completed temporary object behind its content key and removes it. */
  place(sha256: string, size: number): Promise<StoredBlob>;
  /** Removes the temporary object (a commit that failed after completing). */
  removeTemp(): Promise<void>;
  /** A blob smaller than a part: one PUT straight to its content key. */
  putWhole(data: Buffer, sha256: string): Promise<StoredBlob>;
}

const MAX_PARTS = 10_000;

/**
 * A blob streamed into an object store while it arrives. Bytes are copied as
 * write() is called (so their order is the order of the calls, whoever awaits
 * what) into a hold that accepts any offset from the first byte not yet cut
 * into a part; once the bytes from there on are contiguous for a whole part,
 * the part is cut, hashed (so SHA-256 sees the bytes in order) and uploaded in
 * the background. write() resolves at once unless `partsInFlight` parts are
 * still uploading: that is the backpressure a pipelining client feels, and
 * with the hold's bound it keeps memory at about
 * (partsInFlight + 1) × partBytes + aheadBytes per upload.
 *
 * A blob smaller than one part never starts a multipart upload: commit() puts
 * it whole under its content key. A larger one is completed under its
 * temporary key and then copied behind its content key by the store.
 *
 * What an object store cannot do, the writer refuses with a sentence: bytes
 * already sent in a part cannot be written again, and a write too far ahead of
 * the first missing byte would need unbounded memory.
 */
export class S3BlobWriter implements BlobWriter {
  size = 0;
  private readonly pending = new PendingBytes();
  /** Bytes before this offset have been cut into parts (and hashed). */
  private sealedUpTo = 0;
  private readonly hash: Hash = createHash('sha256');
  private uploadId: Promise<string> | undefined;
  private partCount = 0;
  private readonly parts: Array<{ PartNumber: number; ETag: string }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private uploadingBytes = 0;
  private waiters: Array<() => void> = [];
  private failure: unknown;
  private state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  private committing: Promise<unknown> | undefined;
  private completed = false;

  constructor(private readonly target: MultipartTarget) {}

  /** Bytes this writer holds in memory: accepted and not yet confirmed stored. */
  get bufferedBytes(): number {
    return this.pending.heldBytes + this.uploadingBytes;
  }

  write(data: Buffer, offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`blob writer already ${this.state}`));
    if (this.failure) return Promise.reject(this.failure);
    const end = offset + data.length;
    if (data.length > 0 && offset < this.sealedUpTo) {
      return Promise.reject(
        new LanyardError(
          'unsupported',
          `This upload went back to rewrite bytes already stored (offset ${offset}, below ${this.sealedUpTo}). ` +
            'Upload the file again from the start in one pass.',
        ),
      );
    }
    if (end > this.pending.firstGap() + this.target.aheadBytes) {
      return Promise.reject(
        new LanyardError(
          'unsupported',
          `This upload wrote at offset ${offset}, more than ${mib(this.target.aheadBytes)} beyond the data received so far ` +
            `(${this.pending.firstGap()} bytes). Lanyard stores a file from start to end: upload it again without parallel or segmented transfer of one file.`,
        ),
      );
    }
    this.pending.add(offset, data);
    this.size = Math.max(this.size, end);
    try {
      while (this.pending.firstGap() - this.sealedUpTo >= this.target.partBytes) this.sendPart(this.sealedUpTo + this.target.partBytes);
    } catch (err) {
      this.failure ??= err;
      return Promise.reject(err);
    }
    if (this.inFlight.size < this.target.partsInFlight) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /**
   * Waits until every part cut so far is stored (an object store keeps a
   * stored part durably). The tail shorter than a part cannot be stored on
   * its own (S3 parts but the last are at least 5 MiB): it stays in memory
   * until more arrives or CLOSE, which stores everything before it answers.
   */
  async flush(): Promise<void> {
    if (this.state !== 'open') throw new Error(`blob writer already ${this.state}`);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  commit(): Promise<StoredBlob> {
    if (this.state !== 'open') return Promise.reject(new Error(`blob writer already ${this.state}`));
    this.state = 'committing';
    const done = this.finish().then(
      (blob) => {
        this.state = 'committed';
        return blob;
      },
      async (err: unknown) => {
        await this.cleanUp();
        this.state = 'aborted';
        throw err;
      },
    );
    this.committing = done.catch(() => undefined);
    return done;
  }

  async abort(): Promise<void> {
    if (this.state === 'committing') {
      // What a commit under way has stored is content-addressed and harmless; it cleans up after itself if it fails.
      await this.committing;
      return;
    }
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.cleanUp();
  }

  private async finish(): Promise<StoredBlob> {
    if (this.failure) throw this.failure;
    if (this.partCount === 0 && this.size < this.target.partBytes) {
      const data = this.pending.take(this.size);
      return this.target.putWhole(data, createHash('sha256').update(data).digest('hex'));
    }
    // What is left (holes read as zeros, as in a file) goes as the last parts.
    while (this.sealedUpTo < this.size) {
      while (this.inFlight.size >= this.target.partsInFlight) await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
      this.sendPart(Math.min(this.size, this.sealedUpTo + this.target.partBytes));
    }
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    const uploadId = await this.uploadId!;
    this.parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await this.target.complete(uploadId, this.parts);
    this.completed = true;
    return this.target.place(this.hash.digest('hex'), this.size);
  }

  /** Cuts [sealedUpTo, end) into the next part and uploads it in the background. */
  private sendPart(end: number) {
    const body = this.pending.take(end);
    this.sealedUpTo = end;
    this.hash.update(body);
    const partNumber = ++this.partCount;
    if (partNumber > MAX_PARTS) {
      throw new LanyardError('too-large', `This file is larger than the ${mib(MAX_PARTS * this.target.partBytes)} the object store takes in one upload.`);
    }
    this.uploadingBytes += body.length;
    this.uploadId ??= this.target.begin();
    const uploading: Promise<void> = this.uploadId
      .then((id) => this.target.uploadPart(id, partNumber, body))
      .then(
        (etag) => void this.parts.push({ PartNumber: partNumber, ETag: etag }),
        (err: unknown) => void (this.failure ??= err),
      )
      .finally(() => {
        this.uploadingBytes -= body.length;
        this.inFlight.delete(uploading);
        if (this.inFlight.size < this.target.partsInFlight || this.failure) this.release();
      });
    this.inFlight.add(uploading);
  }

  /** Throws away what was sent: the multipart upload, or the completed temporary object. Never throws: the sweep is the backstop. */
  private async cleanUp() {
    this.pending.clear();
    this.release();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    const id = await this.uploadId?.catch(() => undefined);
    try {
      if (this.completed) await this.target.removeTemp();
      else if (id) await this.target.abort(id);
    } catch {
      // Left for sweepIncomplete().
    }
    this.release();
  }

  private release() {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
