import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Command, Option } from '@commander-js/extra-typings';
import { LEVIT_UNET_VARIANTS } from '@levit-unet/levit-unet';
import { benchRow, type BenchRow } from '../bench.js';
import { ENGINE_CHOICES, onnxRuntimeAvailable, type EngineChoice } from '../engine.js';
import { backendOption, parsePositiveInt, say, threadsOption } from '../options.js';

const run = promisify(execFile);

function table(rows: BenchRow[]): string {
  const cell = (v: number | null) => (v === null ? '–' : String(v));
  const lines = [
    '| variant | engine | backend | device | threads | ms/image B1 | ms/image B8 | train step B8 (s) | peak RSS (MB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.variant} | ${r.engine} | ${r.backend} | ${r.device} | ${r.threads} | ${r.inferMsPerImageB1} | ${r.inferMsPerImageB8} | ${cell(r.trainStepSecondsB8)} | ${r.peakRssMB} |`),
  ];
  return lines.join('\n');
}

export function benchCommand() {
  return new Command('bench')
    .description(
      'time inference (ms/image at batch 1 and 8, 224×224) per engine and a training step at batch 8, each engine in its own process ' +
        '(peak memory per row); median of several runs after a warm-up',
    )
    .addOption(new Option('--variant <variant>', 'model size, or all three').choices([...LEVIT_UNET_VARIANTS, 'all'] as const).default('128s' as const))
    .addOption(new Option('--engines <list>', 'comma-separated engines (default: tfjs and, when it loads, onnxruntime)'))
    .addOption(new Option('--repeats <n>', 'timed runs per measurement').argParser(parsePositiveInt('--repeats')).default(3))
    .option('--no-train', 'skip the training step (tfjs wasm takes about half a minute per step at batch 8)')
    .addOption(threadsOption())
    .addOption(backendOption())
    .option('--json', 'print the rows as a JSON array')
    .addOption(new Option('--row <engine>', 'measure one engine in this process (what the child processes run)').choices(ENGINE_CHOICES).hideHelp())
    .action(async (options) => {
      if (options.row) {
        if (options.variant === 'all') throw new Error('--row measures one --variant');
        const row = await benchRow({
          variant: options.variant,
          engine: options.row,
          repeats: options.repeats,
          train: options.train,
          ...(options.threads ? { threads: options.threads } : {}),
          ...(options.backend ? { backend: options.backend } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        return say(JSON.stringify(row));
      }
      const engines: EngineChoice[] = options.engines
        ? options.engines.split(',').map((e) => {
            if (!(ENGINE_CHOICES as readonly string[]).includes(e)) throw new Error(`--engines: "${e}" is not one of ${ENGINE_CHOICES.join(', ')}`);
            return e as EngineChoice;
          })
        : ['tfjs', ...((await onnxRuntimeAvailable()) ? (['onnxruntime'] as const) : [])];
      const rows: BenchRow[] = [];
      const variants = options.variant === 'all' ? LEVIT_UNET_VARIANTS : [options.variant];
      for (const [variant, engine] of variants.flatMap((v) => engines.map((e) => [v, e] as const))) {
        const args = [process.argv[1]!, 'bench', '--variant', variant, '--row', engine, '--repeats', String(options.repeats)];
        if (!options.train) args.push('--no-train');
        if (options.threads) args.push('--threads', String(options.threads));
        if (options.backend) args.push('--backend', options.backend);
        const child = run(process.execPath, args, { maxBuffer: 1 << 20 });
        child.child.stderr?.pipe(process.stderr);
        const { stdout } = await child;
        rows.push(JSON.parse(stdout.trim().split('\n').pop()!) as BenchRow);
      }
      say(options.json ? JSON.stringify(rows, null, 2) : table(rows));
    });
}
