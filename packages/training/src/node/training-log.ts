import { appendFile, readFile } from 'node:fs/promises';
import { atomicWriteFile } from '@levit-unet/safe-fs';

/** One log.jsonl record per iteration. */
export interface IterationRecord {
  type: 'train';
  /** 1-based epoch. */
  epoch: number;
  /** 1-based iteration. */
  iteration: number;
  loss: number;
  ce: number;
  dice: number;
  lr: number;
  slicesPerSecond: number;
  time: string;
}

/** One log.jsonl record per validation: the callback's numbers. */
export interface ValidationRecord {
  type: 'validation';
  epoch: number;
  iteration: number;
  meanDice: number;
  time: string;
  [metric: string]: unknown;
}

/** A line of `log.jsonl`: an iteration or a validation. */
export type LogRecord = IterationRecord | ValidationRecord;

const CSV_COLUMNS = ['epoch', 'iteration', 'loss', 'ce', 'dice', 'lr', 'slicesPerSecond'] as const;
/** The first line of `log.csv`. */
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

function csvLine(record: IterationRecord): string {
  return `${CSV_COLUMNS.map((c) => record[c]).join(',')}\n`;
}

/**
 * log.jsonl + log.csv. Records are appended line by line (an append never rewrites earlier lines);
 * `restore` rewrites both atomically to the records of a checkpoint when a run resumes.
 */
export class TrainingLog {
  readonly records: LogRecord[] = [];

  constructor(
    private readonly jsonlPath: string,
    private readonly csvPath: string,
  ) {}

  /** Starts empty logs (a new run). */
  async create(): Promise<void> {
    await atomicWriteFile(this.jsonlPath, '');
    await atomicWriteFile(this.csvPath, CSV_HEADER);
  }

  /** Keeps the records up to `iteration` (what the checkpoint holds) and rewrites both files. */
  async restore(iteration: number): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.jsonlPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const kept = text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as LogRecord];
        } catch {
          return []; // a line cut by a crash
        }
      })
      .filter((record) => record.iteration <= iteration);
    this.records.splice(0, this.records.length, ...kept);
    await atomicWriteFile(this.jsonlPath, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await atomicWriteFile(this.csvPath, CSV_HEADER + kept.filter((r): r is IterationRecord => r.type === 'train').map(csvLine).join(''));
  }

  /** Appends a record to `log.jsonl` (and an iteration's to `log.csv`). */
  async append(record: LogRecord): Promise<void> {
    this.records.push(record);
    await appendFile(this.jsonlPath, `${JSON.stringify(record)}\n`);
    if (record.type === 'train') await appendFile(this.csvPath, csvLine(record));
  }
}
