import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadFileSdFile, parseFileSd } from './index.ts';

describe('file_sd files', () => {
  it('reads JSON target groups with __meta_filepath and path:index sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-sd-'));
    const file = join(dir, 'targets.json');
    await writeFile(file, JSON.stringify([{ targets: ['a:1', 'b:2'], labels: { env: 'prod' } }, { targets: ['c:3'] }]));
    assert.deepEqual(await loadFileSdFile(file), [
      { targets: ['a:1', 'b:2'], labels: { env: 'prod', __meta_filepath: file }, source: `${file}:0` },
      { targets: ['c:3'], labels: { __meta_filepath: file }, source: `${file}:1` },
    ]);
  });

  it('reads YAML target groups', () => {
    const groups = parseFileSd('- targets: [a:1]\n  labels:\n    job: x\n', '/sd/t.yml');
    assert.deepEqual(groups, [{ targets: ['a:1'], labels: { job: 'x', __meta_filepath: '/sd/t.yml' }, source: '/sd/t.yml:0' }]);
  });

  it('an empty YAML file has no groups', () => {
    assert.deepEqual(parseFileSd('', '/sd/t.yaml'), []);
  });

  const errors: [string, string, string][] = [
    ['/sd/t.yml', '- targets: [a:1]\n  lables: {a: b}\n', '/sd/t.yml:2:3: field lables not found in [0] (did you mean labels?)'],
    ['/sd/t.yml', '- targets: [a:1]\n  labels: {"a-b": x}\n', '/sd/t.yml:2:12: "a-b" is not a valid label name'],
    ['/sd/t.yml', '- targets: [a:1]\n-\n', '/sd/t.yml:2:2: nil target group item found'],
    ['/sd/t.yml', 'targets: [a]\n', '/sd/t.yml:1:1: cannot unmarshal !!map into a list'],
    ['/sd/t.yml', '- targets: [a\n', '/sd/t.yml:2:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['/sd/t.json', '[{"targets": ["a"], "extra": 1}]', '/sd/t.json:1:21: field extra not found in [0]'],
    ['/sd/t.json', '[{"targets": ["a"]\n,]', '/sd/t.json:2:2: '],
    ['/sd/t.txt', '[]', '/sd/t.txt:1:1: unhandled file extension ".txt" (want .json, .yml or .yaml)'],
  ];
  for (const [path, text, expected] of errors) {
    it(`rejects ${JSON.stringify(text)} in ${path}`, () => {
      assert.throws(
        () => parseFileSd(text, path),
        (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.ok(error.message.startsWith(expected), `${error.message} should start with ${expected}`);
          return true;
        },
      );
    });
  }
});
