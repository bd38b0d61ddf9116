import fs from 'node:fs';
import type { BlobStore } from '../blobs/blobStore.js';

/**
 * Where a roster file's bytes come from, as a function so a file can be read
 * again from the start (a Windows-1252 file is only recognised when a UTF-8
 * read fails). Chunks are read on demand: a file is never held whole in memory.
 */
export type ByteSource = () => AsyncIterable<Buffer>;

const CHUNK = 256 * 1024;

export function blobSource(blobs: BlobStore, key: string): ByteSource {
  return async function* () {
    const reader = await blobs.openReader(key);
    try {
      for (let at = 0; ; ) {
        const chunk = await reader.read(at, CHUNK);
        if (chunk.length === 0) return;
        at += chunk.length;
        yield chunk;
      }
    } finally {
      await reader.close();
    }
  };
}

export function fileSource(file: string): ByteSource {
  return () => fs.createReadStream(file, { highWaterMark: CHUNK });
}

export function bufferSource(data: Buffer | string): ByteSource {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return async function* () {
    for (let at = 0; at < buf.length; at += CHUNK) yield buf.subarray(at, at + CHUNK);
  };
}
