import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayWal } from './reader.ts';
import { decodeSamples } from './records.ts';
import { rmDir, tmpDir } from './test-helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../../../..');

test('kill -9 mid-stream: every acknowledged batch is replayed', { timeout: 60_000 }, async () => {
  const dir = await tmpDir();
  try {
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'kill9-child.ts'), dir], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const acked: number[] = [];
      let partial = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const target = 2000 + round * 1500;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          const text = partial + d.toString();
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) acked.push(Number(l));
          if (acked.length >= target) resolve();
        });
        child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      });
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');

      const seen = new Set<number>();
      const report = await replayWal(dir, 0, (_type, payload) => {
        let first = -1;
        decodeSamples(payload, (ref) => {
          if (first === -1) first = ref;
        });
        seen.add(first);
      });
      // Round 2 writes ids that repeat round 1's; only the presence of acked ones matters.
      const missing = acked.filter((id) => !seen.has(id));
      assert.deepEqual(missing, [], `round ${round}: ${missing.length} acknowledged batches lost`);
      assert.equal(report.corruption, null);
      assert.ok(report.segmentsRead > 1);
    }
  } finally {
    await rmDir(dir);
  }
});
