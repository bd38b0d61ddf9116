import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDb } from '../../src/db/db.js';
import { fileInput, importRoster } from '../../src/roster/index.js';

/**
 * One roster import in a process of its own, so its peak RSS is its own and
 * not the high-water mark of the cases before it. Run by bench/roster.bench.ts:
 * `node rosterCase.js <dataDir> <databaseUrl|-> <districtId> <file>`; prints
 * one JSON line {seconds, peakMb, loopMaxMs, counts}. loopMaxMs is the longest
 * the import held the event loop: in a server, how long SFTP replies and pages
 * for every other district would wait behind it.
 */
const [dataDir, url, districtId, file] = process.argv.slice(2);
if (!dataDir || !url || !districtId || !file) throw new Error('usage: rosterCase.js <dataDir> <databaseUrl|-> <districtId> <file>');
const db = await openDb({ dataDir, databaseUrl: url === '-' ? undefined : url });
try {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = process.hrtime.bigint();
  const r = await importRoster(db, { districtId: Number(districtId), file: 'students.csv', source: 'bench', eventId: null, sha256: null }, fileInput(file));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  loop.disable();
  if (r.outcome !== 'imported') throw new Error(`the generated file was rejected: ${r.message}`);
  process.stdout.write(`${JSON.stringify({ seconds, peakMb: process.resourceUsage().maxRSS / 1024, loopMaxMs: loop.max / 1e6, counts: r.counts })}\n`);
} finally {
  await db.close();
}
