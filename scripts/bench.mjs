// Runs the benchmarks: `npm run bench` runs every one, `npm run bench -- sftp`
// only those named. npm builds first, so what is measured is what ships.
//
// How a bench is shaped (to add one, e.g. bench/roster.bench.ts):
// - bench/<name>.bench.ts, compiled to dist/bench/<name>.bench.js; helpers go
//   in bench/lib/ and are never run on their own.
// - It exports a default async function (no arguments) that sets up what it
//   measures, measures it against a baseline where there is one (another
//   implementation, a target figure), prints a table with one row per case and
//   a baseline column next to Lanyard's, and cleans up everything it started
//   or wrote, on failure too. It throws when the run itself failed (a server
//   did not start, a client errored); being slower than the baseline is a
//   result to print, not a failure.
// - Each bench runs in a fresh process of its own, one after another (never in
//   parallel: they would measure each other), so a crash or a leaked handle in
//   one cannot skew or hang the next.
// The exit code is non-zero when any bench threw.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'dist/bench');
const SUFFIX = '.bench.js';

if (process.argv[2] === '--run-one') {
  // The child side: import one bench and run it.
  const mod = await import(pathToFileURL(process.argv[3]).href);
  if (typeof mod.default !== 'function') throw new Error(`${process.argv[3]} has no default export function`);
  await mod.default();
  process.exit(0);
}

const available = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX))
      .map((f) => f.slice(0, -SUFFIX.length))
      .sort()
  : [];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`No bench named ${unknown.join(', ')}. Available: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : available;
if (names.length === 0) {
  console.error('No benches found under dist/bench: is there a bench/*.bench.ts?');
  process.exit(2);
}

const failed = [];
for (const name of names) {
  console.log(`\n== bench ${name} ==`);
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--run-one', path.join(dir, name + SUFFIX)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
