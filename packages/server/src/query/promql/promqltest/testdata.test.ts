import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runTestFile } from './index.ts';

/**
 * Vigil's own PromQL conformance files (`../testdata/*.test`, promqltest format) run through the
 * runner against the real engine: every eval must pass. This is how `npm test` covers them.
 */
const directory = fileURLToPath(new URL('../testdata/', import.meta.url));
const files = (await readdir(directory)).filter((name) => name.endsWith('.test')).sort();

test('the testdata directory holds conformance files', () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
});

// Each file runs with Prometheus's default name removal and with the delayed removal of its test engine.
for (const file of files) {
  for (const delayedNameRemoval of [false, true]) {
    test(`testdata/${file}${delayedNameRemoval ? ' (delayed name removal)' : ''}`, async () => {
      const result = await runTestFile(await readFile(directory + file, 'utf8'), { delayedNameRemoval });
      const report = result.failures.map((failure) => `${file}:${failure.line}: ${failure.message}`).join('\n');
      assert.equal(result.failed, 0, `${result.failed} failed:\n${report}`);
      assert.ok(result.passed > 0, 'no eval ran');
    });
  }
}
