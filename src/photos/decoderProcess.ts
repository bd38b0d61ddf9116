/**
 * A photo decoder child (see decoder.ts): normalises the photos its parent
 * sends (at the lower OS priority its parent gave it), and exits with its parent.
 */
import type { DecodeReply, DecodeRequest, DecoderReady } from './decoder.js';
import { normalisePhoto } from './normalise.js';

process.on('message', (m: DecodeRequest) => {
  const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  void normalisePhoto(bytes).then(
    (result) => process.send?.({ id: m.id, result } satisfies DecodeReply),
    (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies DecodeReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true } satisfies DecoderReady);
