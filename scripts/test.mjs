// Runs every test in the built tree with node's own runner. Test files are
// compiled with the rest (npm test builds first), so what is tested is what ships.
// Arguments name test files or globs; none means every `*.test.js` under dist/.
import { spawn } from 'node:child_process';

// The fixtures (photos, zips, rosters) are generated here, once, before the
// runner starts its parallel test files; a set already made by the same
// generator is kept (test/fixtures/generate.ts).
const { ensureFixtures } = await import('../dist/test/fixtures/generate.js').catch((err) => {
  console.error(`Cannot load the fixture generator from dist/ (run \`npm run build\` first): ${err.message}`);
  process.exit(1);
});
const started = Date.now();
if ((await ensureFixtures()) === 'generated') console.log(`fixtures generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const extra = process.argv.slice(2);
const named = extra.some((a) => !a.startsWith('-'));
// A test that waits on something that never comes fails after five minutes
// (the longest test takes about one), instead of holding the run until CI's own limit.
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...extra, ...(named ? [] : ['dist/{src,test}/**/*.test.js'])], {
  stdio: 'inherit',
});
child.on('close', (code) => process.exit(code ?? 1));
