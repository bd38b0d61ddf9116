import { createHash, randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { BlobNotFoundError, isBlobKey, pinOne, type BlobInfo, type BlobPinner, type BlobReader, type BlobStore, type StoredBlob } from './blobStore.js';
import { S3BlobWriter, type MultipartTarget } from './s3Writer.js';
import { LanyardError } from '../shared/errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Where Lanyard's keys start in the bucket: '' or ending in '/'. */
  prefix: string;
  /** An S3-compatible server (path-style addressing); undefined means AWS itself. */
  endpoint: string | undefined;
  region: string;
  /** undefined: the AWS SDK's default chain (profiles, container and instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  /** Size of each multipart part, at least S3's minimum of 5 MiB. 8 MiB. */
  partBytes?: number;
  /** How far past the first missing byte an out-of-order write may land. 16 MiB. */
  aheadBytes?: number;
  /** Parts uploading at once per upload before writes wait. 2. */
  partsInFlight?: number;
  /**
   * Leftovers (multipart uploads, temporary objects) younger than this are
   * left alone by sweepIncomplete(): on a shared bucket they may be another
   * live node's uploads in flight. 24 hours.
   */
  incompleteAgeMs?: number;
  /** Objects up to this size are placed with one CopyObject (S3's limit is 5 GiB); larger ones copy in parts. */
  singleCopyMaxBytes?: number;
  /** Part size of such a copy. 1 GiB. */
  copyPartBytes?: number;
  /** Keys per listing request (S3 gives at most 1000). */
  listPageSize?: number;
  /** Pins a key before its object is written (see BlobPinner). */
  pinner?: BlobPinner;
}

export interface S3BlobStore extends BlobStore {
  /** Closes the client's connections. */
  close(): void;
}

/** Bytes a reader fetches at least per request: a zip's small reads (headers, then data) become one GET. */
const READ_AHEAD = 256 * 1024;
/** Blocks a reader keeps (1 MiB): reads in flight at once fall in the last few. */
const KEPT_BLOCKS = 4;
const LIST_PAGE = 1000;

/**
 * Blobs as objects: `<prefix>sha256/ab/<hash>`, the file store's layout, so
 * the same bytes are one object. Uploads stream into a multipart upload under
 * `<prefix>incoming/<uuid>` (see S3BlobWriter) and are copied behind their
 * content key on commit, server-side; a blob under one part is one PutObject
 * straight to its key. An object appears whole or not at all, so unlike a
 * file an existing key can be trusted; it is still written again on every
 * commit, which renews its last-modified time: a sweep that spares blobs
 * younger than its grace period can then never remove bytes a commit has
 * just pointed at.
 */
export function createS3BlobStore(opts: S3BlobStoreOptions): S3BlobStore {
  const { bucket, prefix } = opts;
  const partBytes = opts.partBytes ?? 8 * MiB;
  if (partBytes < 5 * MiB) throw new Error('an S3 part is at least 5 MiB');
  const incompleteAgeMs = opts.incompleteAgeMs ?? 24 * 3600 * 1000;
  const singleCopyMaxBytes = opts.singleCopyMaxBytes ?? 5 * GiB;
  const copyPartBytes = opts.copyPartBytes ?? GiB;
  const s3 = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.endpoint !== undefined,
    followRegionRedirects: true,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // A store that stops answering fails the upload instead of hanging it.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000, httpAgent: { keepAlive: true, maxSockets: 256 }, httpsAgent: { keepAlive: true, maxSockets: 256 } },
  });

  const incomingPrefix = `${prefix}incoming/`;
  const contentPrefix = `${prefix}sha256/`;
  const contentKey = (key: string) => {
    if (!isBlobKey(key)) throw new BlobNotFoundError(key);
    return `${contentPrefix}${key.slice(0, 2)}/${key}`;
  };
  const copySource = (key: string) => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

  let ready: Promise<void> | undefined;
  /** The bucket, made if missing, once per process (again after a failure). */
  const ensureBucket = () =>
    (ready ??= (async () => {
      try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      } catch (err) {
        if (!isNotFound(err)) throw unavailable(err);
      }
      try {
        const location = opts.region === 'us-east-1' ? undefined : { LocationConstraint: opts.region as BucketLocationConstraint };
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }));
      } catch (err) {
        if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw unavailable(err);
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  const unavailable = (err: unknown) =>
    new LanyardError('unavailable', `The object store bucket "${bucket}"${opts.endpoint ? ` at ${opts.endpoint}` : ''} cannot be used: ${describe(err)}.`, { cause: err });

  const pinned = async (sha256: string, size: number, write: () => Promise<unknown>, pinning = pinOne(opts.pinner, sha256)): Promise<StoredBlob> => {
    const pin = await pinning;
    await write();
    return { key: sha256, sha256, size, ...(pin === undefined ? {} : { pin }) };
  };

  async function putContent(data: Buffer, sha256: string, pinning?: Promise<string | undefined>): Promise<StoredBlob> {
    return pinned(sha256, data.length, () => putObject(data, sha256), pinning);
  }

  async function putBuffers(data: readonly Buffer[]): Promise<StoredBlob[]> {
    await ensureBucket();
    // What goes up whole is pinned in one call; a buffer too large for one PUT streams in parts and pins its own.
    const whole = data.filter((d) => d.length <= singleCopyMaxBytes).map((d) => ({ data: d, sha256: createHash('sha256').update(d).digest('hex') }));
    const pins = opts.pinner && whole.length > 0 ? opts.pinner(whole.map((w) => w.sha256)) : Promise.resolve(undefined);
    let next = 0;
    return Promise.all(
      data.map(async (d) => {
        if (d.length > singleCopyMaxBytes) {
          const w = new S3BlobWriter(target());
          await w.write(d, 0);
          return w.commit();
        }
        const i = next++;
        return putContent(d, whole[i]!.sha256, pins.then((p) => p?.[i]));
      }),
    );
  }

  async function putObject(data: Buffer, sha256: string): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: contentKey(sha256), Body: data, ContentLength: data.length, ContentType: 'application/octet-stream' }));
  }

  /** Copies a completed temporary object behind its content key (server-side) and removes it. */
  async function place(temp: string, sha256: string, size: number): Promise<StoredBlob> {
    const dest = contentKey(sha256);
    const stored = await pinned(sha256, size, async () => {
      if (size <= singleCopyMaxBytes) {
        await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: dest, CopySource: copySource(temp) }));
      } else {
        await copyInParts(temp, dest, size);
      }
    });
    // A temporary object left by a failed delete is swept later; the blob is stored either way.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: temp })).catch(() => undefined);
    return stored;
  }

  async function copyInParts(from: string, to: string, size: number) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to, ContentType: 'application/octet-stream' }));
    try {
      const ranges: Array<[number, number]> = [];
      for (let at = 0; at < size; at += copyPartBytes) ranges.push([at, Math.min(size, at + copyPartBytes) - 1]);
      const parts: Array<{ PartNumber: number; ETag: string }> = [];
      // Four at a time: each is a server-side copy, so this bounds the store's work, not our memory.
      for (let i = 0; i < ranges.length; i += 4) {
        await Promise.all(
          ranges.slice(i, i + 4).map(async ([a, b], j) => {
            const PartNumber = i + j + 1;
            const r = await s3.send(
              new UploadPartCopyCommand({ Bucket: bucket, Key: to, UploadId, PartNumber, CopySource: copySource(from), CopySourceRange: `bytes=${a}-${b}` }),
            );
            parts.push({ PartNumber, ETag: r.CopyPartResult!.ETag! });
          }),
        );
      }
      parts.sort((x, y) => x.PartNumber - y.PartNumber);
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async function getRange(key: string, start: number, end: number): Promise<Buffer> {
    try {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: contentKey(key), Range: `bytes=${start}-${end - 1}` }));
      return await bodyBytes(r.Body);
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  function target(): MultipartTarget {
    const temp = `${incomingPrefix}${randomUUID()}`;
    return {
      partBytes,
      aheadBytes: opts.aheadBytes ?? 16 * MiB,
      partsInFlight: opts.partsInFlight ?? 2,
      begin: async () => {
        const r = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: temp, ContentType: 'application/octet-stream' }));
        return r.UploadId!;
      },
      uploadPart: async (UploadId, PartNumber, body) => {
        const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: temp, UploadId, PartNumber, Body: body, ContentLength: body.length }));
        return r.ETag!;
      },
      complete: async (UploadId, Parts) => {
        await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: temp, UploadId, MultipartUpload: { Parts } }));
      },
      abort: async (UploadId) => {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: temp, UploadId }));
      },
      place: (sha256, size) => place(temp, sha256, size),
      removeTemp: async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: temp }));
      },
      putWhole: putContent,
    };
  }

  return {
    async createWriter() {
      await ensureBucket();
      return new S3BlobWriter(target());
    },

    async putBuffer(data) {
      return (await putBuffers([data]))[0]!;
    },

    putBuffers,

    async openReader(key) {
      await ensureBucket();
      let size: number;
      try {
        size = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: contentKey(key) }))).ContentLength ?? 0;
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw err;
      }
      return new S3BlobReader(size, (start, end) => getRange(key, start, end));
    },

    async readAll(key) {
      await ensureBucket();
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: contentKey(key) }));
        return await bodyBytes(r.Body);
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw err;
      }
    },

    async exists(key) {
      await ensureBucket();
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: contentKey(key) }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async delete(key) {
      if (!isBlobKey(key)) return;
      await ensureBucket();
      // S3 answers a delete of a missing key with success: idempotent as it is.
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: contentKey(key) }));
    },

    async *list(listOpts) {
      await ensureBucket();
      let token: string | undefined;
      const startAfter = listOpts?.after !== undefined && isBlobKey(listOpts.after) ? contentKey(listOpts.after) : undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: contentPrefix, MaxKeys: opts.listPageSize ?? LIST_PAGE, ContinuationToken: token, StartAfter: token ? undefined : startAfter }),
        );
        for (const o of page.Contents ?? []) {
          const key = o.Key?.slice(contentPrefix.length + 3) ?? '';
          if (!isBlobKey(key) || o.Key !== contentKey(key)) continue;
          yield { key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) } satisfies BlobInfo;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async sweepIncomplete() {
      await ensureBucket();
      const cutoff = Date.now() - incompleteAgeMs;
      let swept = 0;
      // Multipart uploads: a writer's, under incoming/, and a large commit's copy, under sha256/.
      for (const p of [incomingPrefix, contentPrefix]) {
        let keyMarker: string | undefined;
        let uploadIdMarker: string | undefined;
        do {
          const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: p, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
          for (const u of page.Uploads ?? []) {
            if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) > cutoff) continue;
            await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })).catch((err: unknown) => {
              if (!isNotFound(err)) throw err;
            });
            swept++;
          }
          keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
          uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
        } while (keyMarker);
      }
      // Temporary objects: completed uploads whose commit stopped before its copy or delete.
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: incomingPrefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          if (!o.Key || (o.LastModified?.getTime() ?? 0) > cutoff) continue;
          await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
          swept++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return swept;
    },

    close() {
      s3.destroy();
    },
  };
}

/**
 * Ranged GETs of at least 256 KiB, the last few kept: a zip is read as a
 * header here and an entry's data just after it, each a small read, and an
 * SFTP download as 32 KB reads many at once, so most reads are answered by
 * a GET already made or already under way.
 */
class S3BlobReader implements BlobReader {
  private blocks: Array<{ at: number; end: number; data: Promise<Buffer> }> = [];

  constructor(
    readonly size: number,
    private readonly get: (start: number, end: number) => Promise<Buffer>,
  ) {}

  async read(offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - offset));
    if (want === 0) return Buffer.alloc(0);
    let block = this.blocks.find((b) => offset >= b.at && offset + want <= b.end);
    if (!block) {
      const end = Math.min(this.size, offset + Math.max(want, READ_AHEAD));
      const fetched: { at: number; end: number; data: Promise<Buffer> } = { at: offset, end, data: this.get(offset, end) };
      // A failed GET is not kept: the next read asks again.
      fetched.data.catch(() => (this.blocks = this.blocks.filter((b) => b !== fetched)));
      this.blocks = [...this.blocks.slice(-(KEPT_BLOCKS - 1)), fetched];
      block = fetched;
    }
    const data = await block.data;
    return data.subarray(offset - block.at, offset - block.at + want);
  }

  async close() {
    this.blocks = [];
  }
}

async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const bytes = await body.transformToByteArray();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.name === 'NoSuchUpload' || e.$metadata?.httpStatusCode === 404;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message || 'no message'}${status ? ` (HTTP ${status})` : ''}`;
}
