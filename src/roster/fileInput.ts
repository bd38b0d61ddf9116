import fs from 'node:fs/promises';
import path from 'node:path';
import type { RosterInput } from './parse.js';
import { fileSource, type ByteSource } from './source.js';
import type { RandomAccess } from './zip.js';

/** A roster on local disk (the CLI's `roster import`); OneRoster's companions are looked for in the same folder. */
export function fileInput(file: string, name = path.basename(file)): RosterInput {
  const dir = path.dirname(file);
  return {
    name,
    source: fileSource(file),
    randomAccess: () => fileAccess(file),
    async sibling(n: string): Promise<ByteSource | undefined> {
      const entries = await fs.readdir(dir);
      const found = entries.find((e) => e.toLowerCase() === n.toLowerCase());
      return found ? fileSource(path.join(dir, found)) : undefined;
    },
  };
}

async function fileAccess(file: string): Promise<RandomAccess> {
  const fh = await fs.open(file, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}
