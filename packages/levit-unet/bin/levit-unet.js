#!/usr/bin/env node
import { runCli } from '../dist/node/cli/program.js';

process.exitCode = await runCli(process.argv);
