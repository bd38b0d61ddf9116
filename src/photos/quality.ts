import type { PhotoWarning } from './warnings.js';

/**
 * The photo quality checks that need only the picture itself, measured on the
 * pixels the decoder already holds (the profile-size image, in sRGB), so they
 * cost one pass over 600 × 750 pixels and no second decode. They warn, never
 * refuse: a poor photo on a badge beats no photo, and a person decides.
 * Thresholds and how they were chosen: docs/photo-quality.md.
 */

export const QUALITY_THRESHOLDS = Object.freeze({
  /** Mean luminance (0–255) below this: much too dark. */
  darkMean: 50,
  /** Mean luminance above this: much too bright (washed out). */
  brightMean: 205,
  /** Standard deviation of luminance below this: almost one colour (a lens cap, a blank frame). */
  blankStdDev: 6,
  /** Variance of the Laplacian below this: blurred. */
  blurVariance: 60,
  /** Two photos whose dHashes differ in at most this many of 64 bits… */
  sameHashDistance: 3,
  /** …and whose mean colours are at most this far apart (Euclidean, 0–255 per channel) are the same picture. */
  sameColourDistance: 12,
});

export interface PixelMeasures {
  meanLuminance: number;
  luminanceStdDev: number;
  laplacianVariance: number;
}

/** What the checks found, and the picture's fingerprint for the same-as-another check. */
export interface PhotoQuality {
  warnings: PhotoWarning[];
  measures: PixelMeasures;
  /** 64-bit difference hash, 16 hex digits. */
  dhash: string;
  /** Mean colour as 0xRRGGBB. */
  colour: number;
}

/** The dHash's grid: 9 columns of 8 rows, one bit per pair of neighbours in a row. */
const HASH_COLUMNS = 9;
const HASH_ROWS = 8;

/** What one pass over the pixels gives the checks. */
export interface PixelSummary {
  /** Luminance (Rec. 601) of each pixel, row by row. */
  grey: Float32Array;
  /** Mean colour as 0xRRGGBB. */
  colour: number;
  /** Mean luminance of each cell of the dHash's 9 × 8 grid, row by row. */
  hashCells: Uint8Array;
}

/**
 * Luminance, mean colour and the dHash's grid of interleaved 8-bit pixels
 * (`channels` per pixel, RGB first), in a single pass. The grid is the mean of
 * each cell's pixels, as a box filter shrinks the picture: asking libvips to
 * shrink the 600 × 750 image to 9 × 8 took 3.7 ms a photo (a fifth of all its
 * work), this pass adds a fraction of a millisecond to the luminance it
 * computes anyway.
 */
export function summarisePixels(data: Uint8Array, channels: number, width: number, height: number): PixelSummary {
  const grey = new Float32Array(width * height);
  const cellOfColumn = new Uint8Array(width);
  const columnsPerCell = new Float64Array(HASH_COLUMNS);
  for (let x = 0; x < width; x++) {
    const c = Math.floor((x * HASH_COLUMNS) / width);
    cellOfColumn[x] = c;
    columnsPerCell[c]! += 1;
  }
  const rowsPerCell = new Float64Array(HASH_ROWS);
  const cellSums = new Float64Array(HASH_COLUMNS * HASH_ROWS);
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = 0, i = 0, p = 0; y < height; y++) {
    const cellRow = Math.floor((y * HASH_ROWS) / height);
    rowsPerCell[cellRow]! += 1;
    const rowBase = cellRow * HASH_COLUMNS;
    for (let x = 0; x < width; x++, i++, p += channels) {
      const red = data[p]!;
      const green = data[p + 1]!;
      const blue = data[p + 2]!;
      r += red;
      g += green;
      b += blue;
      const v = 0.299 * red + 0.587 * green + 0.114 * blue;
      grey[i] = v;
      cellSums[rowBase + cellOfColumn[x]!]! += v;
    }
  }
  const hashCells = new Uint8Array(HASH_COLUMNS * HASH_ROWS);
  for (let row = 0; row < HASH_ROWS; row++) {
    for (let col = 0; col < HASH_COLUMNS; col++) {
      const pixels = rowsPerCell[row]! * columnsPerCell[col]!;
      hashCells[row * HASH_COLUMNS + col] = pixels > 0 ? Math.round(cellSums[row * HASH_COLUMNS + col]! / pixels) : 0;
    }
  }
  const n = Math.max(1, width * height);
  return { grey, colour: (Math.round(r / n) << 16) | (Math.round(g / n) << 8) | Math.round(b / n), hashCells };
}

/**
 * Plain indexed loops over typed arrays, no iterators, the Laplacian's row
 * bounds worked out once per row: this runs for every photo beside libvips,
 * and written with `for…of` and per-pixel index arithmetic it took 7 ms of a
 * photo's ~20 ms in the decoder (the same sums in the same order, so the
 * same figures to the last bit).
 */
export function measurePixels(grey: Float32Array, width: number, height: number): PixelMeasures {
  let sum = 0;
  let sumSq = 0;
  const n = grey.length;
  for (let i = 0; i < n; i++) {
    const v = grey[i]!;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  const stdDev = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  // Variance of the 4-neighbour Laplacian over the interior: edges in focus give large responses, blur flattens them.
  let lSum = 0;
  let lSumSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let i = row + 1, end = row + width - 1; i < end; i++) {
      const l = grey[i - width]! + grey[i + width]! + grey[i - 1]! + grey[i + 1]! - 4 * grey[i]!;
      lSum += l;
      lSumSq += l * l;
    }
    count += Math.max(0, width - 2);
  }
  const lMean = count ? lSum / count : 0;
  const laplacianVariance = count ? lSumSq / count - lMean * lMean : 0;
  return { meanLuminance: mean, luminanceStdDev: stdDev, laplacianVariance };
}

/** The warnings the pixels and the shape give (not same-as-another, which needs the district's photos). */
export function pixelWarnings(m: PixelMeasures, original: { width: number; height: number }, profileWidth: number, minProfileWidth: number): PhotoWarning[] {
  const t = QUALITY_THRESHOLDS;
  const w: PhotoWarning[] = [];
  if (profileWidth < minProfileWidth) w.push('too-small');
  const blank = m.luminanceStdDev < t.blankStdDev;
  if (blank) w.push('blank');
  if (m.meanLuminance < t.darkMean) w.push('too-dark');
  if (m.meanLuminance > t.brightMean) w.push('too-bright');
  // A blank frame has no edges to be sharp or blurred, and darkness flattens every edge: those warnings say it all.
  if (!blank && m.meanLuminance >= t.darkMean && m.laplacianVariance < t.blurVariance) w.push('blurred');
  if (original.width > original.height) w.push('not-portrait');
  return w;
}

/**
 * dHash: the picture shrunk to 9 × 8 grey cells, one bit per pair of
 * neighbours in a row (is the left one brighter?). Re-encoding, resizing and
 * small edits change few bits; a different picture changes many.
 */
export function dHash(grey9x8: Uint8Array): string {
  let bits = 0n;
  for (let y = 0; y < HASH_ROWS; y++) {
    for (let x = 0; x < HASH_COLUMNS - 1; x++) bits = (bits << 1n) | (grey9x8[y * HASH_COLUMNS + x]! > grey9x8[y * HASH_COLUMNS + x + 1]! ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, '0');
}

export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

/**
 * The hash's four 16-bit quarters, each indexed. Two hashes within 3 bits of
 * each other agree exactly on at least one quarter (three differing bits can
 * spoil at most three), so looking a hash up by its quarters finds every
 * close one without reading the district's photos.
 */
export function dHashBands(hash: string): [number, number, number, number] {
  return [0, 4, 8, 12].map((i) => parseInt(hash.slice(i, i + 4), 16)) as [number, number, number, number];
}

export function colourDistance(a: number, b: number): number {
  const ch = (c: number, s: number) => (c >> s) & 0xff;
  return Math.hypot(ch(a, 16) - ch(b, 16), ch(a, 8) - ch(b, 8), ch(a, 0) - ch(b, 0));
}

/** Same picture: close hashes and close colours (the hash alone sees shapes, and school portraits share a pose). */
export function samePicture(a: { dhash: string; colour: number }, b: { dhash: string; colour: number }): boolean {
  return hammingDistance(a.dhash, b.dhash) <= QUALITY_THRESHOLDS.sameHashDistance && colourDistance(a.colour, b.colour) <= QUALITY_THRESHOLDS.sameColourDistance;
}
