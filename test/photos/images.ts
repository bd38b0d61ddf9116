/**
 * What a test needs to say about an image the way a person looking at it
 * would: which background colour it has (every fixture person has their own),
 * and what metadata an outside tool (Debian's exiftool) still finds in it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

export type Rgb = [number, number, number];

/**
 * The mean colour of a 16 × 16 patch near the top-left corner, upright and in
 * sRGB: in every fixture that is the person's background.
 */
export async function backgroundColour(image: Buffer): Promise<Rgb> {
  const { data } = await sharp(image, { autoOrient: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .extract({ left: 4, top: 4, width: 16, height: 16 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sum: Rgb = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) for (let c = 0; c < 3; c++) sum[c as 0 | 1 | 2] += data[i + c] as number;
  const n = data.length / 3;
  return sum.map((v) => Math.round(v / n)) as Rgb;
}

export const colourDistance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Tags exiftool may report for a bare JPEG: the file's own structure, never anything a camera or editor wrote. */
const STRUCTURAL_GROUPS = new Set(['SourceFile', 'ExifTool', 'System', 'File', 'JFIF', 'Composite']);

export interface MetadataFinding {
  file: string;
  /** Every group beyond the file's structure, with its tags, e.g. `GPS:GPSLatitude`. */
  extra: string[];
}

/** Runs exiftool once over many images (it is slow to start) and reports any metadata beyond structure. */
export async function metadataBeyondStructure(images: ReadonlyMap<string, Buffer>): Promise<MetadataFinding[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-exif-'));
  try {
    const names = new Map<string, string>();
    let i = 0;
    for (const [label, bytes] of images) {
      const file = path.join(dir, `${i++}.jpg`);
      names.set(file, label);
      await fs.writeFile(file, bytes);
    }
    const { stdout } = await promisify(execFile)('exiftool', ['-j', '-a', '-G1', '-u', dir], { maxBuffer: 64 * 1024 * 1024 });
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      file: names.get(String(row.SourceFile)) ?? String(row.SourceFile),
      extra: Object.keys(row).filter((key) => !STRUCTURAL_GROUPS.has(key.split(':')[0] as string)),
    }));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The white Local ID written across the bottom of every fixture portrait, as a
 * black-and-white mask: it identifies the person even where a package's shot
 * has a different shade of their background.
 */
export async function writtenIdMask(image: Buffer): Promise<Buffer> {
  return sharp(image, { autoOrient: true })
    .resize(600, 800, { fit: 'cover' })
    .extract({ left: 120, top: 690, width: 360, height: 90 })
    .greyscale()
    .threshold(200)
    .raw()
    .toBuffer();
}

/** Pixels that differ between two masks of the same size. */
export function maskDifference(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}
