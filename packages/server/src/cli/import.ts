import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { BackfillError, backfillStream } from '../ingest/import/index.ts';
import type { ExpositionFormat } from '../ingest/scrape/exposition/index.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';

const FLAGS: FlagSpec[] = [
  { name: 'storage.tsdb.path', help: 'Data directory to write blocks into (a stopped Vigil\'s, or any directory).', default: 'data/' },
  { name: 'format', help: 'Input format: openmetrics (timestamps in seconds, ends with "# EOF"), text (Prometheus 0.0.4, timestamps in ms), or auto (openmetrics when the file ends with "# EOF").', default: 'auto' },
  { name: 'quiet', help: 'No progress bar.', boolean: true },
];

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil import [<flags>] <file>', 'Backfills samples with timestamps from an OpenMetrics or Prometheus text file into blocks, like promtool tsdb create-blocks-from openmetrics. Start (or restart) Vigil on the data directory to query them.', FLAGS));
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected exactly one input file');
  const file = resolve(positionals[0]);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new Error(`cannot read ${positionals[0]}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
  const formatFlag = String(values.format);
  if (!['auto', 'openmetrics', 'text'].includes(formatFlag)) throw new UsageError(`--format must be auto, openmetrics or text (got ${JSON.stringify(formatFlag)})`);
  const format: ExpositionFormat = formatFlag === 'auto' ? await detectFormat(file, size) : (formatFlag as ExpositionFormat);
  const outputDir = resolve(String(values['storage.tsdb.path']));
  await mkdir(outputDir, { recursive: true });

  const showBar = values.quiet !== true && process.stderr.isTTY === true;
  const bar = showBar ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} MiB | {samples} samples', stream: process.stderr }) : null;
  const mib = (bytes: number) => Math.round((bytes / (1 << 20)) * 10) / 10;
  bar?.start(mib(size), 0, { samples: 0 });
  try {
    const result = await backfillStream(createReadStream(file, { highWaterMark: 1 << 22 }), {
      outputDir,
      format,
      onProgress: (bytes, samples) => bar?.update(mib(bytes), { samples }),
    });
    bar?.stop();
    process.stdout.write(`imported ${result.samples} samples of ${result.series} series into ${result.blocks.length} blocks in ${outputDir}\n`);
    for (const block of result.blocks) {
      process.stdout.write(`  ${block.ulid}  ${new Date(block.minTime).toISOString()} – ${new Date(block.maxTime).toISOString()}  ${block.stats.numSeries} series, ${block.stats.numSamples} samples\n`);
    }
    return 0;
  } catch (error) {
    bar?.stop();
    if (error instanceof BackfillError) {
      process.stderr.write(`vigil import: ${positionals[0]}:${error.message.replace(/^line /, '')}\n`);
      return 1;
    }
    throw error;
  }
}

async function detectFormat(file: string, size: number): Promise<ExpositionFormat> {
  const handle = await open(file, 'r');
  try {
    const length = Math.min(size, 64);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return /# EOF\s*$/.test(buffer.toString('utf8')) ? 'openmetrics' : 'text';
  } finally {
    await handle.close();
  }
}
