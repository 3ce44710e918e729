import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Labels } from './labels.ts';
import { labelsFromRecord, labelsToRecord } from './labels.ts';
import type { RelabelConfig } from './relabel.ts';
import { expandTemplate, hashMod, relabel, relabelConfig, validateRelabelConfig } from './relabel.ts';
import { RE2JS } from 're2js';

interface Case {
  name: string;
  input: Record<string, string>;
  configs: Parameters<typeof relabelConfig>[0][];
  output: Record<string, string> | null;
}

const cases: Case[] = [
  {
    name: 'replace with defaults copies the joined source values',
    input: { a: 'foo', b: 'bar' },
    configs: [{ sourceLabels: ['a', 'b'], targetLabel: 'c' }],
    output: { a: 'foo', b: 'bar', c: 'foo;bar' },
  },
  {
    name: 'replace with capture groups and custom separator',
    input: { a: 'foo', b: 'bar' },
    configs: [{ sourceLabels: ['a', 'b'], separator: '-', regex: 'f(o+)-(.*)', targetLabel: 'c', replacement: '${2}x$1' }],
    output: { a: 'foo', b: 'bar', c: 'barxoo' },
  },
  {
    name: 'replace without a match changes nothing',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: 'bar', targetLabel: 'c', replacement: 'x' }],
    output: { a: 'foo' },
  },
  {
    name: 'replace is anchored on both ends',
    input: { a: 'foobar' },
    configs: [{ sourceLabels: ['a'], regex: 'oba', targetLabel: 'c', replacement: 'x' }],
    output: { a: 'foobar' },
  },
  {
    name: 'replace to empty value deletes the target',
    input: { a: 'foo', c: 'old' },
    configs: [{ sourceLabels: ['a'], regex: 'foo', targetLabel: 'c', replacement: '' }],
    output: { a: 'foo' },
  },
  {
    name: 'replace with empty source and default regex sets the literal replacement',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['missing'], targetLabel: 'c', replacement: 'static' }],
    output: { a: 'foo', c: 'static' },
  },
  {
    name: 'replace of an empty source with $1 deletes the target',
    input: { a: 'foo', c: 'x' },
    configs: [{ sourceLabels: ['missing'], targetLabel: 'c' }],
    output: { a: 'foo' },
  },
  {
    name: 'replace with templated target label',
    input: { a: 'some-name', b: 'v' },
    configs: [{ sourceLabels: ['a', 'b'], regex: 'some-([^;]+);(.+)', targetLabel: '${1}_label', replacement: '$2' }],
    output: { a: 'some-name', b: 'v', name_label: 'v' },
  },
  {
    name: 'replace with invalid expanded target label is skipped',
    input: { a: 'some-name' },
    configs: [{ sourceLabels: ['a'], regex: '(.*)', targetLabel: '$1', replacement: 'x' }],
    output: { a: 'some-name' },
  },
  {
    name: 'replace with named groups',
    input: { addr: 'host:9090' },
    configs: [{ sourceLabels: ['addr'], regex: '(?P<host>[^:]+):(?P<port>\\d+)', targetLabel: 'port', replacement: '$port/${host}' }],
    output: { addr: 'host:9090', port: '9090/host' },
  },
  {
    name: '$1x names group "1x", which expands to nothing',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: '(f)(o)o', targetLabel: 'c', replacement: '$1x$2' }],
    output: { a: 'foo', c: 'o' },
  },
  {
    name: '$$ is a literal dollar and a dangling $ stays',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'c', replacement: '$$1 $ ${1' }],
    output: { a: 'foo', c: '$1 $ ${1' },
  },
  {
    name: 'regex dot matches newlines',
    input: { a: 'x\ny' },
    configs: [{ sourceLabels: ['a'], regex: 'x.y', action: 'keep' }],
    output: { a: 'x\ny' },
  },
  {
    name: 'keep keeps a match',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: 'f.*', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep drops a non-match',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: 'b.*', action: 'keep' }],
    output: null,
  },
  {
    name: 'keep with missing label matches the empty string',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['b'], regex: '', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'drop drops a match',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: 'foo|bar', action: 'drop' }],
    output: null,
  },
  {
    name: 'drop keeps a non-match',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], regex: 'bar', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'keepequal keeps when equal',
    input: { a: 'foo', b: 'foo' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'keepequal' }],
    output: { a: 'foo', b: 'foo' },
  },
  {
    name: 'keepequal drops when different',
    input: { a: 'foo', b: 'bar' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'keepequal' }],
    output: null,
  },
  {
    name: 'dropequal drops when equal',
    input: { a: 'foo', b: 'foo' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'dropequal' }],
    output: null,
  },
  {
    name: 'dropequal keeps when different',
    input: { a: 'foo', b: 'bar' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'dropequal' }],
    output: { a: 'foo', b: 'bar' },
  },
  {
    name: 'hashmod',
    input: { a: 'foo' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'h', modulus: 1000, action: 'hashmod' }],
    output: { a: 'foo', h: hashModReference('foo', 1000n) },
  },
  {
    name: 'labelmap copies matching labels',
    input: { __meta_x_team: 'core', __meta_x_env: 'prod', other: 'o' },
    configs: [{ regex: '__meta_x_(.+)', action: 'labelmap' }],
    output: { __meta_x_team: 'core', __meta_x_env: 'prod', other: 'o', team: 'core', env: 'prod' },
  },
  {
    name: 'labelmap with a replacement template',
    input: { foo: '1', bar: '2' },
    configs: [{ regex: '(b.*)', replacement: 'new_${1}', action: 'labelmap' }],
    output: { foo: '1', bar: '2', new_bar: '2' },
  },
  {
    name: 'labelmap collisions: later labels in iteration order win',
    input: { a_x: '1', b_x: '2' },
    configs: [{ regex: '[ab]_(x)', action: 'labelmap' }],
    output: { a_x: '1', b_x: '2', x: '2' },
  },
  {
    name: 'labeldrop',
    input: { a: '1', ab: '2', b: '3' },
    configs: [{ regex: 'a.*', action: 'labeldrop' }],
    output: { b: '3' },
  },
  {
    name: 'labelkeep',
    input: { a: '1', ab: '2', b: '3' },
    configs: [{ regex: 'a.*', action: 'labelkeep' }],
    output: { a: '1', ab: '2' },
  },
  {
    name: 'lowercase',
    input: { a: 'FoO', b: 'BAR' },
    configs: [{ sourceLabels: ['a', 'b'], targetLabel: 'l', action: 'lowercase' }],
    output: { a: 'FoO', b: 'BAR', l: 'foo;bar' },
  },
  {
    name: 'uppercase, with Go simple case mapping for ß',
    input: { a: 'straße' },
    configs: [{ sourceLabels: ['a'], targetLabel: 'u', action: 'uppercase' }],
    output: { a: 'straße', u: 'STRAßE' },
  },
  {
    name: 'lowercase of an empty value removes the target',
    input: { a: 'x', l: 'y' },
    configs: [{ sourceLabels: ['missing'], targetLabel: 'l', action: 'lowercase' }],
    output: { a: 'x' },
  },
  {
    name: 'configs apply in order and see earlier results',
    input: { __address__: 'host:9100' },
    configs: [
      { sourceLabels: ['__address__'], regex: '([^:]+):.*', targetLabel: 'instance', replacement: '$1' },
      { sourceLabels: ['instance'], regex: 'host', action: 'keep' },
      { sourceLabels: ['instance'], targetLabel: 'copy' },
      { regex: '__address__', action: 'labeldrop' },
    ],
    output: { instance: 'host', copy: 'host' },
  },
  {
    name: 'a label deleted then set again reappears',
    input: { a: '1' },
    configs: [
      { regex: 'a', action: 'labeldrop' },
      { sourceLabels: ['a'], targetLabel: 'b', replacement: 'seen-$1' },
      { sourceLabels: ['b'], targetLabel: 'a' },
    ],
    output: { b: 'seen-', a: 'seen-' },
  },
  {
    name: 'no configs returns the input',
    input: { a: '1' },
    configs: [],
    output: { a: '1' },
  },
];

function hashModReference(value: string, modulus: bigint): string {
  const sum = createHash('md5').update(value).digest();
  let n = 0n;
  for (let i = 8; i < 16; i++) n = (n << 8n) | BigInt(sum[i]);
  return (n % modulus).toString();
}

describe('relabel', () => {
  for (const c of cases) {
    it(c.name, () => {
      const configs: RelabelConfig[] = c.configs.map((f) => relabelConfig(f));
      for (const cfg of configs) assert.equal(validateRelabelConfig(cfg), null, `config invalid: ${JSON.stringify(cfg)}`);
      const out = relabel(labelsFromRecord(c.input), configs);
      if (c.output === null) assert.equal(out, null);
      else {
        assert.ok(out !== null);
        assert.deepEqual(labelsToRecord(out), c.output);
        assertCanonical(out);
      }
    });
  }

  it('does not mutate its input', () => {
    const input = labelsFromRecord({ a: '1', b: '2' });
    const copy = [...input];
    relabel(input, [relabelConfig({ regex: 'a', action: 'labeldrop' })]);
    assert.deepEqual([...input], copy);
  });

  it('hashmod matches known values from Prometheus docs semantics', () => {
    // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8; low 8 bytes edef654fccc4a4d8.
    assert.equal(hashMod('foo', 1000), (0xedef654fccc4a4d8n % 1000n).toString());
    assert.equal(hashMod('', 7), (BigInt('0x' + createHash('md5').update('').digest('hex').slice(16)) % 7n).toString());
  });
});

function assertCanonical(labels: Labels): void {
  for (let i = 2; i < labels.length; i += 2) assert.ok(labels[i - 2] < labels[i], 'labels sorted and unique');
  for (let i = 1; i < labels.length; i += 2) assert.notEqual(labels[i], '', 'no empty values');
}

describe('expandTemplate', () => {
  const re = RE2JS.compile('^(?s:(?P<first>a)(b)?(c))$');
  const m = re.matcher('ac');
  assert.ok(m.matches());
  const match = { groups: ['ac', 'a', undefined, 'c'], names: re.namedGroups() };
  const table: [string, string][] = [
    ['$0', 'ac'],
    ['$1-$2-$3', 'a--c'],
    ['${first}!', 'a!'],
    ['$first', 'a'],
    ['$firstx', ''],
    ['${3}x', 'cx'],
    ['$9', ''],
    ['$01', ''],
    ['$$', '$'],
    ['$', '$'],
    ['${', '${'],
    ['${}', '${}'],
    ['$-1', '$-1'],
    ['no refs', 'no refs'],
  ];
  for (const [template, expected] of table) {
    it(`${JSON.stringify(template)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(expandTemplate(template, match), expected);
    });
  }
});

describe('validateRelabelConfig', () => {
  const table: [string, Parameters<typeof relabelConfig>[0], string | null][] = [
    ['replace default target missing', {}, "relabel configuration for replace action requires 'target_label' value"],
    ['replace invalid target', { targetLabel: '0abc' }, `"0abc" is invalid 'target_label' for replace action`],
    ['replace templated target ok', { targetLabel: 'x_${1}' }, null],
    ['replace bad template target', { targetLabel: '${1' }, `"\${1" is invalid 'target_label' for replace action`],
    ['replace dotted target', { targetLabel: 'a.b' }, `"a.b" is invalid 'target_label' for replace action`],
    ['hashmod without modulus', { action: 'hashmod', targetLabel: 'h' }, 'relabel configuration for hashmod requires non-zero modulus'],
    ['hashmod without target', { action: 'hashmod', modulus: 3 }, "relabel configuration for hashmod action requires 'target_label' value"],
    ['hashmod with template target', { action: 'hashmod', modulus: 3, targetLabel: '$1' }, `"$1" is invalid 'target_label' for hashmod action`],
    ['lowercase without target', { action: 'lowercase' }, "relabel configuration for lowercase action requires 'target_label' value"],
    ['uppercase with replacement', { action: 'uppercase', targetLabel: 'u', replacement: 'x' }, "'replacement' can not be set for uppercase action"],
    ['keepequal without target', { action: 'keepequal' }, "relabel configuration for keepequal action requires 'target_label' value"],
    [
      'dropequal with regex',
      { action: 'dropequal', targetLabel: 't', regex: 'x' },
      "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
    ],
    ['labelmap bad replacement', { action: 'labelmap', replacement: '1abc' }, `"1abc" is invalid 'replacement' for labelmap action`],
    ['labelmap ok', { action: 'labelmap', regex: 'x_(.*)' }, null],
    ['labeldrop with target', { action: 'labeldrop', regex: 'x', targetLabel: 't' }, "labeldrop action requires only 'regex', and no other fields"],
    ['labelkeep with source labels', { action: 'labelkeep', sourceLabels: ['a'] }, "labelkeep action requires only 'regex', and no other fields"],
    ['keep needs nothing', { action: 'keep', sourceLabels: ['a'] }, null],
    ['drop needs nothing', { action: 'drop' }, null],
  ];
  for (const [name, fields, expected] of table) {
    it(name, () => assert.equal(validateRelabelConfig(relabelConfig(fields)), expected));
  }
});
