#!/usr/bin/env node
// libuv's thread pool (4 threads by default) runs both the photo decoding and
// every fsync; with only 4, syncs waiting on the disk starved the decoders and
// the reverse. Syncs mostly wait, so more threads cost little. It must be set
// before the pool first starts, hence the dynamic imports below.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { runCli } = await import('../dist/src/cli/main.js');
const { processOutput } = await import('../dist/src/cli/output.js');

const code = await runCli(process.argv.slice(2), process.env, processOutput);
process.exitCode = code;
