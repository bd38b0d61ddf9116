import { createHash, randomUUID, type Hash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BlobNotFoundError, isBlobKey, pinOne, type BlobInfo, type BlobPinner, type BlobReader, type BlobStore, type BlobWriter, type StoredBlob } from './blobStore.js';

/**
 * Blobs as files under `<root>/sha256/ab/<hash>`; writers fill `<root>/incoming/`
 * and are renamed into place on commit, so a crash never leaves a partial blob
 * behind a key.
 */
export function createFsBlobStore(root: string, pinner?: BlobPinner): BlobStore {
  const incoming = path.join(root, 'incoming');
  const objects = path.join(root, 'sha256');
  let ready: Promise<void> | undefined;
  // All 256 shard folders up front (once per process, a few ms): an upload then never waits on a mkdir.
  const ensureDirs = () =>
    (ready ??= Promise.all([
      fs.mkdir(incoming, { recursive: true }),
      ...Array.from({ length: 256 }, (_, i) => fs.mkdir(path.join(objects, i.toString(16).padStart(2, '0')), { recursive: true })),
    ]).then(() => undefined));

  const pathOf = (key: string) => {
    if (!isBlobKey(key)) throw new BlobNotFoundError(key);
    return path.join(objects, key.slice(0, 2), key);
  };

  /**
   * Moves a finished temporary file behind its key, durably: when this
   * resolves, both the bytes and the name survive a power cut. Takes over `fd`.
   * The key's pin (`pinned`, asked for by the caller) is held before the rename.
   *
   * A new key is renamed into place first and then the file and its folder
   * are synced together, which costs one journal commit instead of two (the
   * rename rides along with the file's sync): that is most of an 85 KB
   * upload's time. Until the syncs finish nothing refers to the key, so a
   * crash in between can only leave an unreferenced, possibly incomplete file
   * there. That is why an existing key is never trusted as a finished blob:
   * it is replaced, with our copy synced before the rename, so a good blob
   * that something does refer to is only ever swapped for identical bytes
   * already on disk.
   *
   * The rename is synchronous on purpose: it takes microseconds, while a
   * round trip through libuv's thread pool costs a tenth of a millisecond or
   * more on a busy machine. The syncs, which wait for the disk, go to the
   * pool, and so does creating a file (FsBlobWriter, stage()), which can wait
   * for the journal.
   */
  async function place(fd: number, tmp: string, sha256: string, size: number, pinned: Promise<string | undefined>): Promise<StoredBlob> {
    const dest = pathOf(sha256);
    const dir = path.dirname(dest);
    let pin: string | undefined;
    try {
      // Before the rename: a sweep that already decided to delete this key finishes first, then we write it again.
      pin = await pinned;
      if (fsSync.existsSync(dest)) {
        await fsyncFd(fd);
        renameIntoShard(tmp, dest);
        await fsyncDir(dir);
      } else {
        renameIntoShard(tmp, dest);
        await Promise.all([fsyncFd(fd), fsyncDir(dir)]);
      }
    } catch (err) {
      fsSync.rmSync(tmp, { force: true });
      throw err;
    } finally {
      fsSync.closeSync(fd);
    }
    return { key: sha256, sha256, size, ...(pin === undefined ? {} : { pin }) };
  }

  /** A whole buffer in a temporary file, not yet synced or placed. */
  async function stage(data: Buffer): Promise<{ fd: number; tmp: string; sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const tmp = path.join(incoming, `${randomUUID()}.part`);
    const fd = await openFd(tmp, 'wx', 0o600);
    try {
      await writeFully(fd, data, data.length, 0);
    } catch (err) {
      fsSync.closeSync(fd);
      fsSync.rmSync(tmp, { force: true });
      throw err;
    }
    return { fd, tmp, sha256, size: data.length };
  }

  async function putBuffers(data: readonly Buffer[]): Promise<StoredBlob[]> {
    await ensureDirs();
    const staged = await Promise.allSettled(data.map(stage));
    const failed = staged.find((r) => r.status === 'rejected');
    const files = staged.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      for (const f of files) {
        fsSync.closeSync(f.fd);
        fsSync.rmSync(f.tmp, { force: true });
      }
      throw failed.reason;
    }
    const pins = pinner ? pinner(files.map((f) => f.sha256)) : Promise.resolve(undefined);
    return Promise.all(files.map((f, i) => place(f.fd, f.tmp, f.sha256, f.size, pins.then((p) => p?.[i]))));
  }

  return {
    async createWriter() {
      await ensureDirs();
      return new FsBlobWriter(path.join(incoming, `${randomUUID()}.part`), (fd, tmp, sha256, size) => place(fd, tmp, sha256, size, pinOne(pinner, sha256)));
    },

    async putBuffer(data) {
      return (await putBuffers([data]))[0]!;
    },

    putBuffers,

    async openReader(key) {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(pathOf(key), 'r');
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw err;
      }
      const { size } = await handle.stat();
      return new FsBlobReader(handle, size);
    },

    async readAll(key) {
      try {
        return await fs.readFile(pathOf(key));
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw err;
      }
    },

    async exists(key) {
      return fileExists(pathOf(key));
    },

    async sweepIncomplete() {
      await ensureDirs();
      const names = await fs.readdir(incoming);
      await Promise.all(names.map((n) => fs.rm(path.join(incoming, n), { force: true })));
      return names.length;
    },

    async delete(key) {
      if (!isBlobKey(key)) return;
      await fs.rm(pathOf(key), { force: true });
    },

    async *list(opts) {
      await ensureDirs();
      const after = opts?.after ?? '';
      // A shard folder at a time (1/256 of the blobs), each in name order: the listing is in key order.
      for (let i = 0; i < 256; i++) {
        const shard = i.toString(16).padStart(2, '0');
        if (after && shard < after.slice(0, 2)) continue;
        let names: string[];
        try {
          names = await fs.readdir(path.join(objects, shard));
        } catch (err) {
          if (isNotFound(err)) continue;
          throw err;
        }
        names = names.filter((n) => isBlobKey(n) && n.startsWith(shard) && n > after).sort();
        for (const key of names) {
          let st: fsSync.Stats;
          try {
            st = await fs.stat(path.join(objects, shard, key));
          } catch (err) {
            // Deleted while we listed.
            if (isNotFound(err)) continue;
            throw err;
          }
          yield { key, size: st.size, modifiedAt: st.mtime } satisfies BlobInfo;
        }
      }
    },
  };
}

/** Sequential SFTP writes arrive 32 KB at a time; one fs.write each is what makes a naive server 3x slower than OpenSSH. */
const CHUNK_BYTES = 1024 * 1024;
/** Full chunks waiting for the disk before a writer makes its caller wait: the memory bound per upload. */
const MAX_QUEUED_CHUNKS = 4;
/**
 * Chunk buffers kept for the next writer. Without them every 85 KB photo
 * allocated (and the garbage collector later swept) a fresh 1 MiB buffer.
 * Process-wide, so idle memory stays at most this many MiB.
 */
const SPARE_CHUNKS = 8;
const spareChunks: Buffer[] = [];
const takeChunk = () => spareChunks.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
const giveBackChunk = (b: Buffer) => {
  if (spareChunks.length < SPARE_CHUNKS) spareChunks.push(b);
};

type Place = (fd: number, tmp: string, sha256: string, size: number) => Promise<StoredBlob>;

/**
 * Copies incoming writes into 1 MiB chunks synchronously (so their order is the
 * order of the calls, whoever awaits what) and writes chunks to disk one after
 * another in the background. write() resolves at once unless too many chunks
 * are queued: that is the backpressure a pipelining client feels.
 *
 * The temporary file is created on libuv's thread pool at the first write,
 * and nothing waits for it until a chunk goes to disk or the commit: for a
 * photo, the file is there long before the client's CLOSE. Created on the
 * event loop at CLOSE, it held the loop ~1 ms per photo while the photo intake
 * was syncing its images (an open() that creates a file waits for the file
 * system's journal), and every district's SFTP and pages waited too. A handle
 * opened and never written holds no file and no descriptor.
 */
class FsBlobWriter implements BlobWriter {
  size = 0;
  private queuedBytes = 0;
  private chunk: Buffer | undefined;
  private chunkStart = 0;
  private chunkFill = 0;
  private queued = 0;
  private diskChain: Promise<void> = Promise.resolve();
  /** The temporary file's descriptor once asked for (see file()). */
  private fd: Promise<number> | undefined;
  private waiters: Array<() => void> = [];
  private failure: unknown;
  private readonly hash: Hash = createHash('sha256');
  private hashedUpTo = 0;
  private hashInOrder = true;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly tmp: string,
    private readonly place: Place,
  ) {}

  get bufferedBytes(): number {
    return this.queuedBytes + (this.chunk ? this.chunkFill : 0);
  }

  write(data: Buffer, offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`blob writer already ${this.state}`));
    if (this.failure) return Promise.reject(this.failure);
    void this.file();
    this.trackHash(data, offset);
    this.size = Math.max(this.size, offset + data.length);
    if (this.chunk && offset !== this.chunkStart + this.chunkFill) this.flushChunk();
    for (let done = 0; done < data.length; ) {
      if (!this.chunk) {
        this.chunk = takeChunk();
        this.chunkStart = offset + done;
        this.chunkFill = 0;
      }
      // Copy: the protocol layer owns the buffer it handed us.
      const n = data.copy(this.chunk, this.chunkFill, done);
      this.chunkFill += n;
      done += n;
      if (this.chunkFill === CHUNK_BYTES) this.flushChunk();
    }
    if (this.queued < MAX_QUEUED_CHUNKS) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  async flush(): Promise<void> {
    if (this.state !== 'open') throw new Error(`blob writer already ${this.state}`);
    this.flushChunk();
    await this.diskChain;
    if (this.failure) throw this.failure;
    if (this.state !== 'open') return;
    await fsyncFd(await this.file());
  }

  async commit(): Promise<StoredBlob> {
    if (this.state !== 'open') throw new Error(`blob writer already ${this.state}`);
    try {
      await this.diskChain;
      if (this.failure) throw this.failure;
      if (this.state !== 'open') throw new Error('blob writer aborted during commit');
      // An empty upload still needs its (empty) file.
      const fd = await this.file();
      // The last chunk (a whole photo, usually) goes to the page cache directly: it is
      // at most 1 MiB, quicker to copy than a round trip through the thread pool.
      const last = this.chunk;
      if (last) {
        this.chunk = undefined;
        try {
          for (let off = 0; off < this.chunkFill; ) off += fsSync.writeSync(fd, last, off, this.chunkFill - off, this.chunkStart + off);
        } finally {
          giveBackChunk(last);
        }
      }
      const sha256 = this.hashInOrder && this.hashedUpTo === this.size ? this.hash.digest('hex') : await this.rehash(fd);
      this.state = 'committed';
      return await this.place(fd, this.tmp, sha256, this.size);
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    if (this.chunk) giveBackChunk(this.chunk);
    this.chunk = undefined;
    await this.diskChain;
    // After a commit, place() owns the descriptor and the file.
    if (wasOpen) {
      const fd = await this.fd?.catch(() => undefined);
      if (fd !== undefined) fsSync.closeSync(fd);
      await fs.rm(this.tmp, { force: true });
    }
    this.release();
  }

  /**
   * Creates the temporary file on the thread pool the first time it is asked
   * for. Readable too: a client that wrote out of order gets its hash re-read
   * at commit.
   */
  private file(): Promise<number> {
    if (!this.fd) {
      this.fd = openFd(this.tmp, 'wx+', 0o600);
      // Asked for early, awaited later: a failure to create the file is met at the next disk write or at commit.
      this.fd.catch(() => undefined);
    }
    return this.fd;
  }

  private trackHash(data: Buffer, offset: number) {
    if (!this.hashInOrder) return;
    if (offset === this.hashedUpTo) {
      this.hash.update(data);
      this.hashedUpTo += data.length;
    } else {
      // A client that seeks (resume, parallel writes) gets its hash from the file at commit.
      this.hashInOrder = false;
    }
  }

  private flushChunk() {
    const chunk = this.chunk;
    if (!chunk || this.chunkFill === 0) return;
    const fill = this.chunkFill;
    const position = this.chunkStart;
    this.chunk = undefined;
    this.queued++;
    this.queuedBytes += fill;
    this.diskChain = this.diskChain.then(async () => {
      try {
        if (!this.failure && this.state !== 'aborted') await writeFully(await this.file(), chunk, fill, position);
      } catch (err) {
        this.failure = err;
      } finally {
        giveBackChunk(chunk);
        this.queued--;
        this.queuedBytes -= fill;
        if (this.queued < MAX_QUEUED_CHUNKS || this.failure) this.release();
      }
    });
  }

  private release() {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private async rehash(fd: number): Promise<string> {
    const h = createHash('sha256');
    const buf = takeChunk();
    try {
      for (let pos = 0; pos < this.size; ) {
        const { bytesRead } = await readFd(fd, buf, 0, Math.min(buf.length, this.size - pos), pos);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } finally {
      giveBackChunk(buf);
    }
    return h.digest('hex');
  }
}

const openFd = promisify(fsSync.open);
const fsyncFd = promisify(fsSync.fsync);
const writeFd = promisify(fsSync.write);
const readFd = promisify(fsSync.read);

async function writeFully(fd: number, buf: Buffer, length: number, position: number) {
  for (let off = 0; off < length; ) {
    const { bytesWritten } = await writeFd(fd, buf, off, length - off, position + off);
    off += bytesWritten;
  }
}

class FsBlobReader implements BlobReader {
  constructor(
    private readonly handle: fs.FileHandle,
    readonly size: number,
  ) {}

  async read(offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - offset));
    if (want === 0) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.handle.read(buf, 0, want, offset);
    return bytesRead === want ? buf : buf.subarray(0, bytesRead);
  }

  close() {
    return this.handle.close();
  }
}

async function fsyncDir(dir: string) {
  const fd = fsSync.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

/** A shard folder someone removed by hand is made again rather than failing the upload. */
function renameIntoShard(from: string, to: string) {
  try {
    fsSync.renameSync(from, to);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    fsSync.mkdirSync(path.dirname(to), { recursive: true });
    fsSync.renameSync(from, to);
  }
}

async function fileExists(p: string) {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

function isNotFound(err: unknown) {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
