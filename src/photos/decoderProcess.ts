/**
 * A photo decoder child (see decoder.ts): normalises the photos its parent
 * sends, at a lower OS priority, and exits with its parent.
 */
import os from 'node:os';
import type { DecodeReply, DecodeRequest } from './decoder.js';
import { normalisePhoto } from './normalise.js';

const niceness = Number(process.argv[2] ?? 10);
try {
  os.setPriority(Math.min(19, os.getPriority() + niceness));
} catch {
  // Not allowed to change it here: decoding still works, only without yielding to the server.
}

process.on('message', (m: DecodeRequest) => {
  const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  void normalisePhoto(bytes).then(
    (result) => process.send?.({ id: m.id, result } satisfies DecodeReply),
    (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies DecodeReply),
  );
});
process.on('disconnect', () => process.exit(0));
