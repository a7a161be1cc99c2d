import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { createLeViTUNet, importCheckpoint, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend, loadModelDir, readWeightsFile } from '@levit-unet/levit-unet/node';
import { checkSetting, OPTIMIZER_NAMES, parseSetting, TRAIN_SETTINGS, TRAINING_PRESET_NAMES, trainingPreset, type OptimizerConfig, type SettingSpec } from '@levit-unet/training';
import { LEVIT_UNET_VARIANTS } from '@levit-unet/levit-unet';
import { isTrainingRun, resume, train, type RunConfigFile, type TrainResult } from '@levit-unet/training/node';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkReplaceable } from '@levit-unet/safe-fs';
import { TrainingProgress } from '../training-progress.js';
import { openTrainingData, validationCallback, type DataSpec } from '../training-data.js';
import { backendOption, datasetOption, deviceOption, engineOption, parseInteger, say, threadsOption } from '../options.js';
import { trainingEngine } from '../engine.js';

/** The settings a run can take from a preset, a --config file or flags (flags win, then the file, then the preset). */
interface RunSettings {
  variant?: LeViTUNetVariant;
  numClasses?: number;
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  imgSize?: number;
  optimizer?: (typeof OPTIMIZER_NAMES)[number];
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  schedule?: 'constant' | 'poly';
  lossWeights?: [number, number];
  augment?: 'transunet' | 'none';
  shuffle?: boolean;
  seed?: number;
  valEvery?: number;
  saveEvery?: number;
  workers?: number;
}

/**
 * The schema of every run setting: training's own (`TRAIN_SETTINGS`, which `train` itself checks) plus the
 * command line's model and data settings. Flags, --config files and presets all go through it.
 */
const RUN_SETTINGS: Readonly<Record<keyof RunSettings, SettingSpec>> = {
  ...TRAIN_SETTINGS,
  variant: { kind: 'choice', choices: LEVIT_UNET_VARIANTS },
  imgSize: { kind: 'integer', min: 1, max: 4096 },
  augment: { kind: 'choice', choices: ['transunet', 'none'] },
  workers: { kind: 'integer', min: 0, max: 256 },
};

const SETTING_KEYS = Object.keys(RUN_SETTINGS) as Array<keyof RunSettings>;

/** A flag whose value the schema parses and checks (the same check as --config and the API). */
function settingOption<K extends keyof RunSettings>(flags: string, key: K, description: string) {
  const flag = flags.split(' ')[0]!;
  const spec = RUN_SETTINGS[key];
  const option = new Option(flags, description).argParser((text) => {
    try {
      return parseSetting(flag, spec, text) as NonNullable<RunSettings[K]>;
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  });
  return spec.kind === 'choice' ? option.choices(spec.choices) : option;
}

async function readConfigFile(path: string): Promise<RunSettings> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`--config ${path}: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`--config ${path}: expected a JSON object of train options`);
  const unknown = Object.keys(json).filter((k) => !(SETTING_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`--config ${path}: unknown field(s) ${unknown.join(', ')}; expected some of ${SETTING_KEYS.join(', ')}`);
  for (const [key, value] of Object.entries(json)) checkSetting(key, RUN_SETTINGS[key as keyof RunSettings], value, `--config ${path}: `);
  return json as RunSettings;
}

/** A model for --init / --pretrained: an official checkpoint (.pth / .safetensors, gzipped or not), or a model directory. */
async function initialModel(s: Required<Pick<RunSettings, 'variant' | 'numClasses' | 'imgSize'>>, init?: string, pretrained?: string): Promise<LayersModel> {
  if (init && existsSync(join(init, 'model.json'))) {
    const model = await loadModelDir(init);
    const [, h, w] = model.inputs[0]!.shape;
    const classes = model.outputs[0]!.shape[3];
    if (h !== s.imgSize || w !== s.imgSize || classes !== s.numClasses) {
      model.dispose();
      throw new Error(`--init ${init}: the model takes ${h}×${w} images and gives ${classes} classes, the run wants ${s.imgSize}×${s.imgSize} and ${s.numClasses}`);
    }
    return model;
  }
  const model = createLeViTUNet({ variant: s.variant, numClasses: s.numClasses, imgSize: s.imgSize });
  try {
    if (pretrained) importCheckpoint(model, await readWeightsFile(pretrained), { source: pretrained });
    if (init) importCheckpoint(model, await readWeightsFile(init), { source: init });
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function report(result: TrainResult): void {
  say(
    `${result.status === 'completed' ? 'finished' : 'stopped (resume with --resume)'}: ${result.iterations}/${result.totalIterations} iterations, ` +
      `${result.epochsCompleted} epochs, last loss ${result.lastLoss?.toFixed(4) ?? 'n/a'}` +
      (result.bestMeanDice === null ? '' : `, best validation Dice ${(100 * result.bestMeanDice).toFixed(2)} % (epoch ${result.bestEpoch})`),
  );
  say(`run folder: ${result.runDir} (last/, best/, config.json, log.jsonl, log.csv, curves.png)`);
}

export function trainCommand() {
  return new Command('train')
    .description(
      "train a LeViT-UNet with TransUNet's recipe (0.5·CE + 0.5·Dice, PyTorch Adam/SGD with coupled weight decay) on Synapse, ACDC or a NIfTI folder; " +
        'writes RUN/last, RUN/best, config.json, log.jsonl, log.csv and curves.png; Ctrl-C saves and stops',
    )
    .option('--data <dir>', 'dataset folder (Synapse TransUNet layout, ACDC as distributed, or a NIfTI folder)')
    .addOption(datasetOption().makeOptionMandatory(false))
    .addOption(settingOption('--variant <variant>', 'variant', 'model size'))
    .addOption(settingOption('--num-classes <n>', 'numClasses', 'classes, background included (default 9 Synapse, 4 ACDC)'))
    .option('--out <dir>', 'run folder to create: a new or empty folder, or an earlier run with --force')
    .option('--force', 'start the run at --out again (its last/ and best/ are replaced; a folder that is not a training run is never touched)')
    .option('--init <path>', 'initial weights: official LeViT-UNet checkpoint (.pth / .safetensors, official keys) or a model directory')
    .option('--pretrained <path>', 'ImageNet LeViT checkpoint for the encoder (facebookresearch format)')
    .addOption(new Option('--preset <name>', 'a published recipe; flags and --config override it (default paper)').choices(TRAINING_PRESET_NAMES))
    .option('--config <file>', 'JSON object of train options (camelCase names of the flags below)')
    .addOption(settingOption('--epochs <n>', 'epochs', 'passes over the training slices'))
    .addOption(settingOption('--max-steps <n>', 'maxSteps', 'stop after this many iterations'))
    .addOption(settingOption('--batch-size <n>', 'batchSize', 'slices per iteration'))
    .addOption(settingOption('--img-size <n>', 'imgSize', 'training resolution (a multiple of 32)'))
    .addOption(settingOption('--optimizer <name>', 'optimizer', 'PyTorch optimizer'))
    .addOption(settingOption('--lr <rate>', 'lr', 'base learning rate'))
    .addOption(settingOption('--weight-decay <wd>', 'weightDecay', 'coupled L2 weight decay (PyTorch weight_decay)'))
    .addOption(settingOption('--momentum <m>', 'momentum', 'SGD momentum'))
    .addOption(settingOption('--schedule <kind>', 'schedule', "learning-rate schedule: constant, or TransUNet's poly 0.9"))
    .addOption(settingOption('--loss-weights <ce,dice>', 'lossWeights', 'weights of CE and Dice loss'))
    .addOption(settingOption('--augment <kind>', 'augment', "TransUNet's random rot/flip/rotate, or none"))
    .option('--no-shuffle', 'keep the training list order (default: reshuffle every epoch)')
    .addOption(new Option('--seed <n>', 'seed of the initial weights, data order, augmentation and drop-path (default 0)').argParser(parseInteger('--seed')))
    .addOption(settingOption('--val-every <k>', 'valEvery', 'validate on the held-out volumes every k epochs (best/ by mean Dice)'))
    .addOption(settingOption('--save-every <n>', 'saveEvery', 'write the resumable last/ every n epochs'))
    .addOption(settingOption('--workers <n>', 'workers', 'Synapse slice-decoding threads (0 = main thread)'))
    .option('--resume <run>', 'continue an interrupted run bit-exactly (its folder)')
    .addOption(engineOption())
    .addOption(deviceOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (options, command) => {
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      const progress = new TrainingProgress(process.stderr);
      try {
        const { backend } = await initBackend(options.backend, { threads: options.threads });
        const engine = await trainingEngine(options.engine, {
          ...(options.threads ? { threads: options.threads } : {}),
          ...(options.device ? { device: options.device } : {}),
          ...(options.seed === undefined ? {} : { seed: options.seed }),
        });
        const where = engine.name === 'tfjs' ? `tfjs ${backend}` : `onnxruntime ${engine.device}`;
        let result: TrainResult;
        if (options.resume) {
          const config = JSON.parse(await readFile(join(options.resume, 'config.json'), 'utf8').catch(() => {
            throw new Error(`--resume ${options.resume}: no config.json there (not a training run folder)`);
          })) as RunConfigFile;
          const spec = (config.extra as { data?: DataSpec }).data;
          const data = spec && spec.dataset !== 'synapse' ? await openTrainingData(spec) : undefined;
          const validate = spec && (config.extra as { validate?: boolean }).validate ? validationCallback(spec, (t) => progress.note(t)) : undefined;
          say(`resuming ${options.resume} on ${where}`);
          result = await resume(options.resume, { engine: engine.factory, ...(data && 'load' in data ? { data } : {}), ...(validate ? { validate } : {}), onProgress: (p) => progress.update(p), signal: abort.signal });
        } else {
          const fromFile = options.config ? await readConfigFile(options.config) : {};
          const given = Object.fromEntries(SETTING_KEYS.filter((k) => command.getOptionValueSource(k) === 'cli').map((k) => [k, options[k as keyof typeof options]]));
          const preset = trainingPreset(options.preset ?? 'paper');
          const s = { ...fromFile, ...given } as RunSettings;
          if (!options.data || !options.out || !options.dataset) throw new Error('train needs --data, --dataset and --out (or --resume RUN)');
          // The run writes config.json, logs, last/ and best/ into --out (and --force deletes last/ and best/):
          // never into a folder holding anything else, such as a home folder.
          await checkReplaceable(options.out, { force: options.force ?? false, isReplaceable: isTrainingRun, what: 'training run folder' });
          const numClasses = s.numClasses ?? (options.dataset === 'acdc' ? 4 : 9);
          const variant = s.variant ?? '128s';
          const imgSize = s.imgSize ?? preset.imgSize;
          const optimizerName = s.optimizer ?? preset.optimizer!.name;
          const presetOptimizer = preset.optimizer!.name === optimizerName ? preset.optimizer! : { name: optimizerName };
          const weightDecay = s.weightDecay ?? (presetOptimizer as { weightDecay?: number }).weightDecay ?? 1e-4;
          const optimizer: OptimizerConfig =
            optimizerName === 'sgd'
              ? { name: 'sgd', weightDecay, momentum: s.momentum ?? (presetOptimizer as { momentum?: number }).momentum ?? 0.9 }
              : { name: 'adam', weightDecay };
          const spec: DataSpec = {
            dataset: options.dataset,
            root: options.data,
            numClasses,
            imgSize,
            augment: (s.augment ?? (preset.augment ? 'transunet' : 'none')) === 'transunet',
            ...(s.workers === undefined ? {} : { workers: s.workers }),
          };
          const data = await openTrainingData(spec);
          const validate = s.valEvery !== undefined;
          say(`training LeViT-UNet-${variant} on ${options.dataset} ${options.data} (${where}), ${imgSize}×${imgSize}, ${optimizerName} lr ${s.lr ?? preset.lr}`);
          result = await train({
            engine: engine.factory,
            runDir: options.out,
            overwrite: options.force ?? false,
            model: () => initialModel({ variant, numClasses, imgSize }, options.init, options.pretrained),
            data,
            numClasses,
            optimizer,
            lr: s.lr ?? preset.lr!,
            schedule: s.schedule ?? preset.schedule ?? 'constant',
            ...(preset.polyPower === undefined ? {} : { polyPower: preset.polyPower }),
            batchSize: s.batchSize ?? preset.batchSize!,
            ...(s.maxSteps !== undefined ? { maxSteps: s.maxSteps } : {}),
            ...(s.epochs !== undefined ? { epochs: s.epochs } : s.maxSteps !== undefined ? {} : { epochs: preset.epochs! }),
            seed: s.seed ?? 0,
            shuffle: s.shuffle ?? true,
            ...(s.lossWeights ? { lossWeights: s.lossWeights } : {}),
            ...(s.valEvery ? { valEvery: s.valEvery } : {}),
            ...(s.saveEvery ? { saveEvery: s.saveEvery } : {}),
            ...(validate ? { validate: validationCallback(spec, (t) => progress.note(t)) } : {}),
            extraConfig: { variant, preset: options.preset ?? 'paper', init: options.init ?? null, pretrained: options.pretrained ?? null, data: spec, validate, argv: process.argv.slice(2) },
            onProgress: (p) => progress.update(p),
            signal: abort.signal,
          });
        }
        progress.stop();
        result.model.dispose();
        report(result);
      } finally {
        progress.stop();
        process.removeListener('SIGINT', onSigint);
      }
    });
}
