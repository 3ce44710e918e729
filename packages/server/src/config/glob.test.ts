import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { glob, globMatch } from './glob.ts';

describe('globMatch (filepath.Match)', () => {
  const table: [string, string, boolean][] = [
    ['*.yml', 'a.yml', true],
    ['*.yml', '.hidden.yml', true],
    ['*.yml', 'a.yaml', false],
    ['*', 'a/b', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['*é', 'café', true],
  ];
  for (const [pattern, name, expected] of table) {
    it(`${pattern} ~ ${name} = ${expected}`, () => assert.equal(globMatch(pattern, name), expected));
  }
  it('rejects bad patterns', () => {
    assert.throws(() => globMatch('[a', 'a'), /syntax error in pattern/);
    assert.throws(() => globMatch('[]a]', 'a'), /syntax error in pattern/);
    assert.throws(() => globMatch('a\\', 'a'), /syntax error in pattern/);
  });
});

describe('glob (filepath.Glob)', () => {
  it('lists matches sorted, literal paths only when present, nothing for no match', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-glob-'));
    await mkdir(join(dir, 'rules'));
    for (const f of ['b.yml', 'a.yml', 'c.txt']) await writeFile(join(dir, 'rules', f), '');
    assert.deepEqual(await glob(join(dir, 'rules', '*.yml')), [join(dir, 'rules', 'a.yml'), join(dir, 'rules', 'b.yml')]);
    assert.deepEqual(await glob(join(dir, 'rules', 'c.txt')), [join(dir, 'rules', 'c.txt')]);
    assert.deepEqual(await glob(join(dir, 'rules', 'none.txt')), []);
    assert.deepEqual(await glob(join(dir, 'missing', '*.yml')), []);
    assert.deepEqual(await glob(join(dir, 'r*', '*.txt')), [join(dir, 'rules', 'c.txt')]);
  });
});
