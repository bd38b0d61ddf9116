import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { configureImageEngine, normalisePhoto, recommendedPhotoParallelism } from '../src/photos/normalise.js';
import { Cleanup } from './lib/cleanup.js';
import { median, printTable } from './lib/table.js';

/**
 * Photo processing alone (no SFTP, no database): 2,000 generated 600 × 800
 * JPEG portraits through Lanyard's normaliser, beside the naive pipeline the
 * issue started from (two independent sharp pipelines per photo, attention
 * crop, sharp's default threading) and the same with a centre crop, in the
 * same run on the same files. Each photo is read from disk inside the
 * measurement, as the intake reads it from the blob store. Target: at least
 * 400 photos/s on the 2-core machine.
 *
 * BENCH_PHOTOS (default 2000) sets the number of photos, BENCH_REPS (default 1)
 * the repetitions; the table shows medians.
 */
const WIDTH = 600;
const HEIGHT = 800;

interface Outcome {
  profile: number;
  thumb: number;
}

interface Pipeline {
  name: string;
  /** Puts sharp's process-wide settings the way this pipeline expects them. */
  setUp(): void;
  process(bytes: Buffer): Promise<Outcome>;
}

const naive = (position: 'attention' | 'centre'): Pipeline => ({
  name: `naive (2 decodes, ${position} crop, sharp defaults)`,
  setUp() {
    sharp.concurrency(0); // sharp's default: one libvips thread per core
    sharp.cache(true);
  },
  async process(bytes) {
    const [profile, thumb] = await Promise.all([
      sharp(bytes).rotate().resize(480, 600, { fit: 'cover', position }).jpeg().toBuffer(),
      sharp(bytes).rotate().resize(96, 120, { fit: 'cover', position }).jpeg().toBuffer(),
    ]);
    return { profile: profile.length, thumb: thumb.length };
  },
});

/**
 * Not a pipeline: only decoding each photo once at full size, with Lanyard's
 * settings. Any pipeline that serves a 600 × 750 crop of a 600 × 800 photo
 * must at least do this, so it is the ceiling to read the other rows against.
 */
const decodeOnly: Pipeline = {
  name: 'ceiling: decode once, encode nothing',
  setUp: configureImageEngine,
  async process(bytes) {
    await sharp(bytes, { sequentialRead: true }).raw().toBuffer();
    return { profile: 0, thumb: 0 };
  },
};

const lanyard: Pipeline = {
  name: 'Lanyard normalisePhoto (1 decode, checks, no metadata)',
  setUp: configureImageEngine,
  async process(bytes) {
    const r = await normalisePhoto(bytes);
    if (!r.ok) throw new Error(`a generated portrait was refused: ${r.message}`);
    return { profile: r.sizes.profile.length, thumb: r.sizes.thumb.length };
  },
};

export default async function photosBench(): Promise<void> {
  const count = Math.max(10, Number(process.env.BENCH_PHOTOS ?? 2000));
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 1));
  const parallelism = recommendedPhotoParallelism();
  const cleanup = new Cleanup();
  try {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-bench-photos-'));
    cleanup.add(`delete ${dir}`, () => fs.rm(dir, { recursive: true, force: true }));
    const started = performance.now();
    const files = await generatePortraits(dir, count, parallelism);
    const inputBytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((sum, s) => sum + s.size, 0);
    console.log(
      `${count} portraits of ${WIDTH}×${HEIGHT} (mean ${Math.round(inputBytes / count / 1024)} KB) generated in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `${parallelism} photos at a time on ${os.availableParallelism()} cores`,
    );

    const pipelines = [naive('attention'), naive('centre'), lanyard, decodeOnly];
    const results = new Map<Pipeline, Array<{ perSecond: number; cpuMs: number; profile: number; thumb: number }>>();
    for (let rep = 0; rep < reps; rep++) {
      for (const p of pipelines) {
        const r = await measure(p, files, parallelism);
        results.set(p, [...(results.get(p) ?? []), r]);
      }
    }
    const baseline = median(results.get(pipelines[0] as Pipeline)!.map((r) => r.perSecond));
    printTable(
      ['pipeline', 'photos/s', 'CPU ms/photo', 'profile B', 'thumb B', '× naive', 'target'],
      pipelines.map((p) => {
        const rs = results.get(p)!;
        const perSecond = median(rs.map((r) => r.perSecond));
        return [
          p.name,
          Math.round(perSecond),
          median(rs.map((r) => r.cpuMs)).toFixed(2),
          p === decodeOnly ? '-' : Math.round(median(rs.map((r) => r.profile))),
          p === decodeOnly ? '-' : Math.round(median(rs.map((r) => r.thumb))),
          (perSecond / baseline).toFixed(2),
          p === lanyard ? (perSecond >= 400 ? '≥ 400: met' : '≥ 400: NOT met') : '',
        ];
      }),
    );
    console.log('profile: naive 480×600, Lanyard 600×750 (4:5 crop, no resampling of a 600×800 original); thumb 96×120; all JPEG.');
  } finally {
    await cleanup.run();
  }
}

async function measure(p: Pipeline, files: string[], parallelism: number) {
  p.setUp();
  // A few photos first, so libvips' one-off start-up is not charged to either side.
  for (const f of files.slice(0, 10)) await p.process(await fs.readFile(f));
  let next = 0;
  let profile = 0;
  let thumb = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < files.length) {
        const out = await p.process(await fs.readFile(files[next++] as string));
        profile += out.profile;
        thumb += out.thumb;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: files.length / seconds,
    cpuMs: (used.user + used.system) / 1000 / files.length,
    profile: profile / files.length,
    thumb: thumb / files.length,
  };
}

/**
 * School-portrait-like JPEGs: a graded background, a head and shoulders, the
 * ID written on them, and a soft grain so they compress like camera photos
 * (~40–50 KB) rather than flat drawings (~10 KB), which would flatter every
 * pipeline. 24 backgrounds are drawn once; each photo adds its own ID.
 */
async function generatePortraits(dir: string, count: number, parallelism: number): Promise<string[]> {
  const raw = { width: WIDTH, height: HEIGHT, channels: 3 } as const;
  const grain = await sharp({ create: { ...raw, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .blur(1.2)
    .raw()
    .toBuffer();
  const bases = await Promise.all(
    Array.from({ length: 24 }, (_, k) =>
      sharp(Buffer.from(portraitSvg(k * 15)))
        .composite([{ input: grain, raw, blend: 'soft-light' }])
        .removeAlpha()
        .raw()
        .toBuffer(),
    ),
  );
  const files: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < count) {
        const i = next++;
        const id = String(100000 + i);
        const label = `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="80"><text x="180" y="60" font-family="sans-serif" font-size="56" text-anchor="middle" fill="#fff">${id}</text></svg>`;
        const file = path.join(dir, `${id}.jpg`);
        await sharp(bases[i % bases.length] as Buffer, { raw })
          .composite([{ input: Buffer.from(label), left: 120, top: 680 }])
          .jpeg({ quality: 85 })
          .toFile(file);
        files[i] = file;
      }
    }),
  );
  return files;
}

function portraitSvg(hue: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,72%)"/><stop offset="1" stop-color="hsl(${hue},40%,45%)"/></linearGradient></defs>
  <rect width="${WIDTH}" height="${HEIGHT}" fill="url(#g)"/>
  <ellipse cx="300" cy="330" rx="130" ry="165" fill="hsl(${20 + (hue % 15)},45%,${55 + (hue % 20)}%)"/>
  <rect x="110" y="520" width="380" height="320" rx="120" fill="hsl(${(hue + 180) % 360},35%,30%)"/>
</svg>`;
}
