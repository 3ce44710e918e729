import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleFile } from './file.ts';

test('a valid file yields groups with defaults, durations, group labels and parsed expressions', () => {
  const parsed = parseRuleFile(
    `groups:
  - name: g
    interval: 30s
    query_offset: 1m
    limit: 5
    labels:
      team: a
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: { severity: page }
        annotations: { summary: "{{ $labels.instance }} down" }
`,
    'r.yml',
  );
  assert.deepEqual(parsed.errors, []);
  const [group] = parsed.groups;
  assert.equal(group.intervalMs, 30_000);
  assert.equal(group.queryOffsetMs, 60_000);
  assert.equal(group.limit, 5);
  assert.deepEqual(group.labels, { team: 'a' });
  assert.equal(group.rules[0].kind, 'record');
  assert.equal(group.rules[1].kind, 'alert');
  assert.equal(group.rules[1].forMs, 300_000);
  assert.equal(group.rules[1].keepFiringForMs, 60_000);
  assert.equal(group.rules[1].line, 11);
  assert.equal(group.rules[1].query.type, 'BinaryExpr');
});

test('every rulefmt error is collected with its position', () => {
  const parsed = parseRuleFile(
    `groups:
  - name: a
    rules:
      - record: job:up
        alert: Foo
        expr: up
      - expr: up
      - record: "bad name"
        expr: sum(
        for: 5m
        annotations:
          a: b
      - alert: T
        expr: up
        labels:
          "bad-label": x
          sev: "{{ .Foo"
        annotations:
          d: "{{ $value | nofunc }}"
  - name: a
    rules: []
  - name: ""
    rules:
      - record: x
        expr: up
        keep_firing_for: 1m
`,
    'bad.yml',
    { nameValidation: 'legacy' },
  );
  assert.deepEqual(parsed.groups, []);
  assert.deepEqual(parsed.errors, [
    `bad.yml:4:17: group "a", rule 1, "Foo": only one of 'record' and 'alert' must be set`,
    `bad.yml:7:9: group "a", rule 2, "": one of 'record' or 'alert' must be set`,
    `bad.yml:9:15: group "a", rule 3, "bad name": could not parse expression: 1:5: parse error: unclosed left parenthesis`,
    `bad.yml:8:17: group "a", rule 3, "bad name": invalid field 'annotations' in recording rule`,
    `bad.yml:8:17: group "a", rule 3, "bad name": invalid field 'for' in recording rule`,
    `bad.yml:8:17: group "a", rule 3, "bad name": invalid recording rule name: bad name`,
    `bad.yml:16:11: group "a", rule 4, "T": invalid label name: bad-label`,
    `bad.yml:17:16: group "a", rule 4, "T": label "sev": template: __alert_T:1: unclosed action`,
    `bad.yml:19:14: group "a", rule 4, "T": annotation "d": template: __alert_T:1: function "nofunc" not defined`,
    `bad.yml:20:5: groupname: "a" is repeated in the same file`,
    `bad.yml:22:5: Groupname must not be empty`,
    `bad.yml:24:17: group "", rule 1, "x": invalid field 'keep_firing_for' in recording rule`,
  ]);
});

test('unknown fields, wrong types, bad durations and YAML syntax errors are reported with positions', () => {
  assert.deepEqual(parseRuleFile('groups:\n  - name: a\n    foo: 1\n    rules:\n      - record: x\n        expr: up\n        bar: 2\n', 'f.yml').errors, [
    'f.yml:3:5: field foo not found in type rulefmt.RuleGroup',
    'f.yml:7:9: field bar not found in type rulefmt.Rule',
  ]);
  assert.deepEqual(parseRuleFile('groups:\n  - name: a\n    interval: 5x\n    rules: []\n', 'f.yml').errors, ['f.yml:3:15: not a valid duration string: "5x"']);
  assert.deepEqual(parseRuleFile('groups:\n  - name: a\n    limit: abc\n    rules: []\n', 'f.yml').errors, ['f.yml:3:12: cannot unmarshal !!str `abc` into int']);
  assert.deepEqual(parseRuleFile('foo: bar\n', 'f.yml').errors, ['f.yml:1:1: field foo not found in type rulefmt.RuleGroups']);
  assert.match(parseRuleFile('groups:\n  - name: a\n   rules: x\n', 'f.yml').errors[0], /^f\.yml:\d+:\d+: yaml: /);
  assert.deepEqual(parseRuleFile('', 'empty.yml'), { groups: [], errors: [] });
});

test('UTF-8 names are accepted under Prometheus 3 validation, braces in a record name are not', () => {
  const yaml = 'groups:\n  - name: a\n    rules:\n      - record: "my.metric"\n        expr: up\n      - record: "x{a}"\n        expr: up\n';
  assert.deepEqual(parseRuleFile(yaml, 'u.yml').errors, [`u.yml:6:17: group "a", rule 2, "x{a}": braces present in the recording rule name; should it be in expr?: x{a}`]);
  assert.equal(parseRuleFile(yaml, 'u.yml', { nameValidation: 'legacy' }).errors.length, 3);
});
