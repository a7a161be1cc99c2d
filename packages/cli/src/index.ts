export { createProgram, runCli } from './program.js';
export { runDemo, DEMO_RECIPE, type DemoOptions, type DemoResult } from './demo.js';
export { benchRow, type BenchRow, type BenchRowOptions } from './bench.js';
