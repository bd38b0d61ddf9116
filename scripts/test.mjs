// Runs every test in the built tree with node's own runner. Test files are
// compiled with the rest (npm test builds first), so what is tested is what ships.
// Arguments name test files or globs; none means every `*.test.js` under dist/.
import { spawn } from 'node:child_process';

const extra = process.argv.slice(2);
const named = extra.some((a) => !a.startsWith('-'));
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...extra, ...(named ? [] : ['dist/{src,test}/**/*.test.js'])], {
  stdio: 'inherit',
});
child.on('close', (code) => process.exit(code ?? 1));
