#!/usr/bin/env node
import { runCli } from '../dist/src/cli/main.js';
import { processOutput } from '../dist/src/cli/output.js';

const code = await runCli(process.argv.slice(2), process.env, processOutput);
process.exitCode = code;
