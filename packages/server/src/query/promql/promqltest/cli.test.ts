import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main.ts';
import { promqlTestCommand } from '../../../cli/promql-test.ts';

/** `vigil promql-test`: per-file counts, `file:line: message` failures, totals, exit codes. */

test('prints per-file results, each failure with its line, and the totals; exits 1 on failure', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'vigil-promql-test-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const good = join(directory, 'good.test');
  const bad = join(directory, 'bad.test');
  await writeFile(good, 'load 1m\n  up{job="a"} 1 2 3\n\neval instant at 2m up\n  up{job="a"} 3\n\neval instant at 0 1 + 1\n  2\n');
  await writeFile(bad, 'load 1m\n  up{job="a"} 1 2 3\n\neval instant at 2m up\n  up{job="a"} 4\n\neval instant at 1m up\n  up{job="a"} 2\n');
  const lines: string[] = [];
  const write = (text: string): void => {
    lines.push(...text.split('\n').filter((line) => line !== ''));
  };
  assert.equal(await promqlTestCommand([good], write), 0);
  assert.deepEqual(lines, [`${good}: 2 passed, 0 failed`, '2 passed, 0 failed']);
  lines.length = 0;
  assert.equal(await promqlTestCommand([good, bad, join(directory, 'missing.test')], write), 1);
  assert.equal(lines[0], `${good}: 2 passed, 0 failed`);
  assert.equal(lines[1], `${bad}: 1 passed, 1 failed`);
  assert.match(lines[2], new RegExp(`^${bad.replaceAll('.', '\\.')}:4: expected 4 for up\\{job="a"\\} but got 3`));
  assert.match(lines[3], /missing\.test: cannot read/);
  assert.equal(lines.at(-1), '3 passed, 2 failed');
});

test('usage errors exit 2, --help exits 0', async () => {
  assert.equal(await main(['promql-test']), 2);
  assert.equal(await main(['promql-test', '--bogus', 'x.test']), 2);
  assert.equal(await main(['promql-test', '--help']), 0);
});
