/**
 * Child process for kill9.test.ts: writes batches to the WAL in argv[2] forever, printing the id of
 * each batch once its flush has resolved. The parent kills it with SIGKILL mid-stream.
 */
import { RecordType } from './format.ts';
import { SamplesEncoder } from './records.ts';
import { WalWriter } from './writer.ts';

const dir = process.argv[2];
const w = await WalWriter.open(dir, { segmentSize: 64 * 1024 });
let next = 0;

async function worker(): Promise<never> {
  const enc = new SamplesEncoder();
  for (;;) {
    const id = next++;
    enc.reset();
    for (let i = 0; i < 1 + (id % 40); i++) enc.add(id, id * 1000 + i, i);
    w.log(RecordType.Samples, enc.finish());
    await w.flush();
    process.stdout.write(`${id}\n`);
  }
}

await Promise.all([worker(), worker(), worker(), worker()]);
