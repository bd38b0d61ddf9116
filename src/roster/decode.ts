import { RosterRejection } from './rejection.js';
import type { ByteSource } from './source.js';

/** The text encodings spreadsheets and student information systems really write. */
export type RosterEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DetectedEncoding {
  encoding: RosterEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

/**
 * Decides from the first bytes: a byte-order mark wins; UTF-16 without one
 * shows as every other byte zero; text that is not valid UTF-8 is taken as
 * Windows-1252 (Excel's "CSV" on Windows). NUL bytes otherwise mean it is not
 * text at all (a spreadsheet saved as .xlsx, a picture).
 */
export function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const head = sample.subarray(0, 512);
  let zerosOdd = 0;
  let zerosEven = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0) continue;
    if (i % 2) zerosOdd++;
    else zerosEven++;
  }
  const half = head.length / 2;
  if (head.length >= 4 && zerosOdd > half * 0.6 && zerosEven === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (head.length >= 4 && zerosEven > half * 0.6 && zerosOdd === 0) return { encoding: 'utf-16be', bomLength: 0 };
  if (zerosOdd + zerosEven > 0 || looksBinary(sample)) {
    throw new RosterRejection('This file is not text: save the roster from your spreadsheet or SIS as CSV (comma, semicolon or tab separated) and upload it again.', { line: 1 });
  }
  return { encoding: isUtf8Prefix(sample) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** Zip, xlsx, PDF and image signatures: files people drop by mistake. */
function looksBinary(b: Buffer): boolean {
  const sig = b.subarray(0, 4).toString('latin1');
  return sig.startsWith('PK\x03\x04') || sig.startsWith('%PDF') || sig.startsWith('\x89PNG') || sig.startsWith('\xff\xd8\xff') || sig.startsWith('\xd0\xcf\x11\xe0');
}

/** Valid UTF-8, allowing a character cut at the end of the sample. */
function isUtf8Prefix(sample: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Thrown when a file that started as UTF-8 stops being UTF-8 further on: it is read again as Windows-1252. */
export class NotUtf8Error extends Error {
  override name = 'NotUtf8Error';
}

/**
 * The file as text, chunk by chunk. A UTF-8 read is strict so that a
 * Windows-1252 file whose first accented letter comes late is still recognised
 * (the caller reads it again); the other encodings decode everything.
 */
export async function* decodeText(source: ByteSource, detected: DetectedEncoding): AsyncIterable<string> {
  const decoder = new TextDecoder(detected.encoding, { fatal: detected.encoding === 'utf-8', ignoreBOM: true });
  let skip = detected.bomLength;
  for await (const raw of source()) {
    let chunk = raw;
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new NotUtf8Error('not UTF-8');
    }
    if (text) yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new NotUtf8Error('not UTF-8');
  }
  if (rest) yield rest;
}

/** The first bytes of a source, for detection. */
export async function readSample(source: ByteSource, size = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of source()) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= size) break;
  }
  return Buffer.concat(parts).subarray(0, size);
}
