export { createProgram, runCli } from './cli/program.js';
