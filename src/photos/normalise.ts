import os from 'node:os';
import sharp, { type JpegOptions, type Metadata } from 'sharp';
import { dHash, measurePixels, pixelWarnings, summarisePixels, type PhotoQuality } from './quality.js';

/**
 * From the bytes a district uploaded to the two images we serve: checked by
 * content (never by name), turned upright, in sRGB, cropped to a 4:5 portrait,
 * with no metadata at all (EXIF, GPS, XMP, IPTC, ICC, comments). These are
 * photos of children: nothing the camera knew travels on.
 *
 * Speed comes from doing the expensive part once. A photo is decoded a single
 * time, straight into the profile size (libvips shrinks JPEGs while decoding
 * when the photo is much larger), and both outputs are encoded from those
 * pixels; the naive way (two pipelines, attention crop) decodes twice and
 * searches for a face. See bench/photos.bench.ts for the numbers.
 */

export interface PixelSize {
  width: number;
  height: number;
}

/**
 * The largest profile image: a 4:5 crop of the standard 600 × 800 school
 * portrait, so that photo needs no resampling at all (sharper, and cheaper than
 * scaling it to 480 × 600). Served at 300 × 375 CSS pixels on the check-out
 * desk it is sharp on 2× (retina) screens. Smaller originals are never enlarged.
 */
export const PROFILE_SIZE: Readonly<PixelSize> = Object.freeze({ width: 600, height: 750 });

/** Lists show a face at 48 × 60 CSS pixels; twice that keeps it sharp on 2× screens at ~1–3 KB each. */
export const THUMB_SIZE: Readonly<PixelSize> = Object.freeze({ width: 96, height: 120 });

/**
 * A decompression bomb is a small file that claims billions of pixels. 64
 * megapixels covers any camera or phone a photographer uses (a 61 MP body is
 * 9504 × 6336) and caps decoding memory near 200 MB.
 */
export const MAX_INPUT_PIXELS = 64_000_000;

/** Formats we decode; anything else (TIFF, SVG, PDF, HEIF, ...) is refused even under a .jpg name. */
const ACCEPTED_CONTENT = new Set(['jpeg', 'png', 'gif', 'webp']);

export const SERVED_CONTENT_TYPE = 'image/jpeg';

/**
 * JPEG (libjpeg-turbo, 4:2:0) rather than WebP: measured here, libwebp's
 * default effort took ~9× as long per profile image as JPEG, which alone would
 * cap intake far below 400 photos/s, and WebP's ~25 % saving is a few KB on
 * images this size. mozjpeg's trellis mode is ~6× slower for a similar gain.
 * Progressive scans were both larger and slower at 600 × 750, so the profile is
 * baseline. Optimised Huffman tables on the profile doubled its encode time
 * (1.8 → 3.7 ms, a third of all the work per photo) to save 7 % (46 → 43 KB):
 * not worth it for an image shown one at a time; the thumbnail keeps them,
 * since a list shows a hundred and they cost little at 96 × 120. Quality 80
 * shows no artefacts on faces.
 */
const PROFILE_JPEG: JpegOptions = { quality: 80, optimiseCoding: false, chromaSubsampling: '4:2:0' };
const THUMB_JPEG: JpegOptions = { quality: 82, optimiseCoding: true, chromaSubsampling: '4:2:0' };

export type RejectReason = 'empty' | 'not-an-image' | 'unsupported-content' | 'too-many-pixels' | 'too-small' | 'truncated' | 'damaged';

export interface PhotoRejected {
  ok: false;
  reason: RejectReason;
  /** A sentence for the school secretary who uploaded the file. */
  message: string;
}

export interface NormalisedPhoto {
  ok: true;
  contentType: typeof SERVED_CONTENT_TYPE;
  /** Encoded JPEGs, metadata-free. */
  sizes: { profile: Buffer; thumb: Buffer };
  dimensions: { profile: PixelSize; thumb: PixelSize };
  /** What the content really is, whatever the file was called. */
  format: 'jpeg' | 'png' | 'gif' | 'webp';
  /** The original's size once turned upright. */
  width: number;
  height: number;
  /** True when EXIF said the camera was held sideways or upside down and the pixels were turned. */
  orientationApplied: boolean;
  /** The original's colour space as libvips names it (`srgb`, `cmyk`, `b-w`, ...), converted to sRGB. */
  sourceColourSpace: string;
  /** More than one frame (an animated GIF): only the first is kept. */
  animated: boolean;
  /** What the quality checks found in the picture itself, and its fingerprint (quality.ts). */
  quality: PhotoQuality;
}

export type NormaliseResult = NormalisedPhoto | PhotoRejected;

export interface NormaliseOptions {
  maxInputPixels?: number;
}

/**
 * One libvips thread per photo, and photos side by side: a 600 × 800 photo
 * is too little work to split across threads (the hand-offs cost more than
 * they save), while separate photos share nothing. Callers run
 * `recommendedPhotoParallelism()` photos at once on libuv's pool. The
 * operation cache is off: it keys on input buffers, every photo is new, so it
 * would only hold memory.
 */
export function configureImageEngine(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}
configureImageEngine();

/**
 * How many photos to normalise at once: two per core. A photo is four short
 * libvips calls with a trip through the event loop between each, and with one
 * photo per core the cores sat idle in those trips (measured on 2 cores: 2 at
 * once ~170 photos/s, 4 at once ~215/s, 6 no better than 4). Capped at 8,
 * since each decode may hold up to ~200 MB for a very large original, and
 * within the 16 threads bin/lanyard.js gives libuv's pool.
 */
export function recommendedPhotoParallelism(): number {
  return Math.max(2, Math.min(os.availableParallelism() * 2, 8));
}

export async function normalisePhoto(bytes: Buffer, options: NormaliseOptions = {}): Promise<NormaliseResult> {
  const maxPixels = options.maxInputPixels ?? MAX_INPUT_PIXELS;
  if (bytes.length === 0) return reject('empty', 'The file is empty (0 bytes): upload the photo again.');

  // Header only: no pixel is decoded here, so a bomb is caught by what it claims.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    return fromDecodeError(err);
  }
  const format = meta.format;
  if (!ACCEPTED_CONTENT.has(format)) {
    return reject('unsupported-content', `This file holds a ${describeFormat(format)}, which is not accepted: save the photo as JPEG or PNG and upload it again.`);
  }
  const { width, height } = meta;
  if (width * height > maxPixels) {
    return reject(
      'too-many-pixels',
      `This image claims ${width} × ${height} pixels (${megapixels(width * height)} megapixels); a photo may have at most ${megapixels(maxPixels)} megapixels: export it smaller, e.g. 600 × 800, and upload it again.`,
    );
  }
  const upright = meta.autoOrient ?? { width, height };
  const profile = fitPortrait(upright, PROFILE_SIZE);
  if (profile.width < THUMB_SIZE.width) {
    return reject(
      'too-small',
      `This photo is only ${upright.width} × ${upright.height} pixels, too small to show a face: send one of at least ${THUMB_SIZE.width} × ${THUMB_SIZE.height} (600 × 800 is ideal).`,
    );
  }

  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true, autoOrient: true, page: 0, pages: 1 })
      .resize(profile.width, profile.height, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
    const encoded = Promise.all([
      sharp(data, raw).jpeg(PROFILE_JPEG).toBuffer(),
      sharp(data, raw).resize(THUMB_SIZE.width, THUMB_SIZE.height, { fit: 'cover' }).jpeg(THUMB_JPEG).toBuffer(),
    ]);
    // Measured here while libvips encodes on the thread pool.
    const pixels = summarisePixels(data, info.channels, info.width, info.height);
    const measures = measurePixels(pixels.grey, info.width, info.height);
    const quality: PhotoQuality = {
      warnings: pixelWarnings(measures, upright, info.width, PROFILE_SIZE.width),
      measures,
      dhash: dHash(pixels.hashCells),
      colour: pixels.colour,
    };
    const [profileJpeg, thumbJpeg] = await encoded;
    return {
      ok: true,
      contentType: SERVED_CONTENT_TYPE,
      sizes: { profile: profileJpeg, thumb: thumbJpeg },
      dimensions: { profile: { width: info.width, height: info.height }, thumb: { ...THUMB_SIZE } },
      format: format as NormalisedPhoto['format'],
      width: upright.width,
      height: upright.height,
      orientationApplied: (meta.orientation ?? 1) > 1,
      sourceColourSpace: String(meta.space ?? 'srgb'),
      animated: (meta.pages ?? 1) > 1,
      quality,
    };
  } catch (err) {
    return fromDecodeError(err);
  }
}

/** The largest 4:5 box that fits inside the photo, capped at `max` and never larger than the photo. */
export function fitPortrait(photo: PixelSize, max: PixelSize): PixelSize {
  const ratio = max.width / max.height;
  const cropWidth = Math.min(photo.width, Math.floor(photo.height * ratio));
  const width = Math.min(cropWidth, max.width);
  return { width, height: Math.round(width / ratio) };
}

function fromDecodeError(err: unknown): PhotoRejected {
  const text = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(text)) {
    return reject('too-many-pixels', 'This image has more pixels than a photo may have: export it smaller, e.g. 600 × 800, and upload it again.');
  }
  if (/unsupported image format|empty/i.test(text)) {
    return reject('not-an-image', 'This file is not a picture (perhaps a document or a renamed file): save the photo as JPEG or PNG and upload it again.');
  }
  if (/premature end|truncat|unexpected end|end of (file|data|stream|input)|not enough data|short read/i.test(text)) {
    return reject('truncated', 'The photo is incomplete: the file ends part-way through the picture (often an interrupted upload). Upload it again.');
  }
  return reject('damaged', 'The picture inside this file is damaged and cannot be read: export it again from the camera or photo software and upload it.');
}

function reject(reason: RejectReason, message: string): PhotoRejected {
  return { ok: false, reason, message };
}

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  tiff: 'TIFF image',
  svg: 'SVG drawing',
  pdf: 'PDF document',
  heif: 'HEIC/HEIF image',
  jp2k: 'JPEG 2000 image',
  jxl: 'JPEG XL image',
  raw: 'camera RAW image',
  magick: 'image in an uncommon format',
};

function describeFormat(format: string): string {
  return FORMAT_NAMES[format] ?? `${format.toUpperCase()} image`;
}

function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return mp >= 10 ? mp.toFixed(0) : mp.toFixed(1);
}
