#!/usr/bin/env node
import { runCli } from '../dist/program.js';

process.exitCode = await runCli(process.argv);
