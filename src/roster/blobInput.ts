import type { BlobStore } from '../blobs/blobStore.js';
import type { RosterInput } from './parse.js';
import { blobSource } from './source.js';

/** Finds a file in a district's data/ folder now. */
export type FindDataFile = (districtId: number, name: string) => Promise<{ blobKey: string } | undefined>;

/** A roster stored in the drop box; OneRoster's companions are looked up beside it in data/. */
export function blobInput(blobs: BlobStore, findDataFile: FindDataFile, districtId: number, name: string, blobKey: string): RosterInput {
  return {
    name,
    source: blobSource(blobs, blobKey),
    randomAccess: () => blobs.openReader(blobKey),
    async sibling(n) {
      const f = await findDataFile(districtId, n);
      return f ? blobSource(blobs, f.blobKey) : undefined;
    },
  };
}
