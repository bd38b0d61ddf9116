import path from 'node:path';
import sharp from 'sharp';

export const WIDTH = 600;
export const HEIGHT = 800;

/**
 * School-portrait-like JPEGs: a graded background, a head and shoulders, the
 * ID written on them, and a soft grain so they compress like camera photos
 * (~40–50 KB) rather than flat drawings (~10 KB), which would flatter every
 * pipeline. 24 backgrounds are drawn once; each photo adds its own ID.
 */
export async function generatePortraits(dir: string, count: number, parallelism: number): Promise<string[]> {
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
        const id = portraitId(i);
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

/** The Local ID of the i-th generated portrait, and its file name without `.jpg`. */
export const portraitId = (i: number): string => String(100000 + i);
