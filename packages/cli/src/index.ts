export { createProgram, runCli } from './program.js';
export { runDemo, type DemoOptions, type DemoResult, type DemoVariantResult } from './demo.js';
