// Runs every test in the built tree with node's own runner. Test files are
// compiled with the rest (npm test builds first), so what is tested is what ships.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const roots = ['dist/src', 'dist/test'].filter((d) => existsSync(d));
const extra = process.argv.slice(2);
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...extra, ...(extra.some((a) => !a.startsWith('-')) ? [] : roots)], {
  stdio: 'inherit',
});
child.on('close', (code) => process.exit(code ?? 1));
