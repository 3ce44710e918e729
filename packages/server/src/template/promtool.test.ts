/**
 * Interop: Prometheus itself (promtool test rules) is the oracle for alert templates. The
 * expected annotations in the rule test are what Vigil renders; promtool passes only if the real
 * Prometheus expands every template to exactly the same text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { alertTemplatePrefix, expandAlertTemplate, prometheusFunctions } from './prometheus.ts';
import { Template } from './template.ts';

const promtool = '/usr/bin/promtool';

const annotations: Record<string, string> = {
  value: '{{ $value }}|{{ $labels.instance }}|{{ $labels.nope }}|{{ $value | humanize }}|{{ humanizePercentage $value }}',
  printf: '{{ printf "%.2f %d %v %5.1f|%-4s|%x|%q|%e|%g" $value 3 1e6 0.05 "x" 255 "q" 1234.5678 0.00001 }}',
  rounding: '{{ printf "%.2f %.2f %.0f %.0f %.1f" 1.005 0.125 2.5 3.5 0.35 }}',
  floats: '{{ 1e21 }} {{ 1e20 }} {{ 123456.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ printf "%v" 0.30000000000000004 }}',
  incompatible: '{{ gt $value 1 }}',
  missingField: '{{ .Labels.nope }}',
  rangeLabels: '{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}',
  humanizers: '{{ 0.125 | printf "%.2f" }} {{ humanizeDuration 3661 }} {{ humanizeDuration 0.25 }} {{ humanize1024 1048576 }} {{ humanize 0.00012 }} {{ title "aa bb" }}',
  notMethod: '{{ $labels.job 1 }}',
  index: '{{ index $labels "nope" }}|{{ len $labels }}|{{ eq $value 1234567.0 }}',
  scoping: `{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }} {{ print 1 2 "a" }} {{ html "<&>" }} {{ js "a'b" }} {{ urlquery "a b" }}`,
  define: '{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" $labels.job }}',
  elseIf: '{{ if lt $value 10.0 }}low{{ else if lt $value 1e7 }}mid{{ else }}high{{ end }}',
  trimming: 'a  {{- " b " -}}  c {{/* gone */}}d',
  query: '{{ with query "m" }}{{ . | first | value | humanize }} {{ . | first | label "job" }}{{ end }}',
  queryRange: '{{ range query "m" }}{{ .Labels.instance }}={{ .Value }}{{ end }}',
  wrongType: '{{ toUpper 1 }}',
  badPrintf: '{{ printf "%d %s" "x" 1 }} {{ printf "%d" }} {{ printf "%d" 1 2 }}',
  stripping: '{{ $labels.instance | stripPort }} {{ "a.b.c:1" | stripDomain }} {{ reReplaceAll "(.*):.*" "$1" $labels.instance }} {{ match "^host" $labels.instance }}',
  // Debian's Prometheus 2.42 predates toDuration; parse errors are rejected by promtool before any test runs.
  timestamps: '{{ humanizeTimestamp 1435065584.128 }} {{ parseDuration "1h30m" }} {{ (1435065584.128 | toTime).Format "2006-01-02" }}',
  errorContext: '{{ index $labels 1 }}',
  slice: '{{ slice "abcdef" 1 3 }} {{ slice "abc" 4 }}',
  small: '{{ 0.000012 }} {{ printf "%T %T %T" $value 1 "s" }} {{ -0.0 }} {{ 0x1F }} {{ \'a\' }} {{ 1_000 }} {{ "\\u00e9" }}',
  rangeString: '{{ range $i, $e := "abc" }}{{ end }}',
  withElse: '{{ with $labels.nope }}x{{ else }}y{{ end }}{{ with $labels.job }}[{{ . }}]{{ end }}',
  breakContinue: '{{ range $i, $e := $labels }}{{ if eq $i "instance" }}{{ continue }}{{ end }}{{ if eq $i "job" }}{{ break }}{{ end }}{{ $e }}{{ end }}',
  lenFloat: '{{ len $value }}',
  indexNone: '{{ index $labels }}',
  mixedCompare: '{{ lt 1 2.0 }}',
  printMap: '{{ printf "%s" $labels }} {{ $labels }}',
  logic: '{{ and 1 0 }} {{ or 0 "" }} {{ not $value }} {{ print nil }}',
  flags: '{{ printf "%05s|%-05d|%+.1e|% x|%08.3f|%+05d|%x|%6.2f%%" "ab" 42 12345.678 "hi" -3.5 42 -255 99.999 }}',
  nested: '{{ define "t" }}{{ .x.y }}{{ end }}{{ template "t" $value }}',
  unicodeColumn: 'é {{ .Nope }}',
  multiline: 'line one\n{{ $labels.job }}\n  {{ $labels.instance.x }}',
  chain: '{{ ($labels).job }} {{ (index $labels "job") }}',
  fmtFloats: '{{ printf "%g|%G|%.3g|%.10g|%e|%.0e|%E|%.3f|%10.4f|%-10.1e|%+g|% g" 1e-7 1e21 1234.5678 0.1 0.000123 15.0 1e100 -0.0005 3.333333 12345.6789 2.5 2.5 }}',
  fmtInts: '{{ printf "%d|%5d|%-5d|%05d|%+d|% d|%.3d|%x|%X|%#x|%o|%#o|%b|%c|%q|%U|%08x|%x" 42 42 42 -42 5 5 7 255 255 255 8 8 5 65 65 65 255 -255 }}',
  fmtStrings: '{{ printf "%s|%5s|%-5s|%.1s|%8.3s|%q|%x|%X|% x|%05s|%q|%+q|%#q" "hi" "hi" "hi" "hi" "abcdef" "a\\"b" "hi" "hi" "hi" "ab" "é\\t" "é" "back" }}',
  fmtErrors: '{{ printf "%s|%d|%f|%t|%s|%z|%!|%d" 5 1.5 3 1 nil 1 }} {{ printf "%*d|%.*f|%-*d|" 5 42 2 3.14159 4 7 }}',
  fmtComposite: '{{ printf "%v|%q|%d|%s|%v|%T|%T|%T|%T" (args 1 "a") (args "x") (query "m" | len) $labels (query "m" | first) $labels 1.5 nil (args) }}',
  fmtSpecial: '{{ printf "%v %v %f %5.1f %05.1f %+f %.2f" (parseDuration "0") (humanize 0) 0.0 2.25 -2.25 -0.0 0.005 }}',
  valueForms: '{{ 1e-7 }} {{ 100000.0 }} {{ 1000000.0 }} {{ 123456789.0 }} {{ 0.1 }} {{ 2.5e-3 }} {{ 1.7976931348623157e308 }} {{ 5e-324 }}',
  humanizeMore: '{{ humanize 999.95 }} {{ humanize 1000 }} {{ humanize -0.001 }} {{ humanize 1e-30 }} {{ humanize1024 1023 }} {{ humanize1024 1025 }} {{ humanizePercentage 0.99999 }} {{ humanizeDuration 59.999 }} {{ humanizeDuration 86399 }} {{ humanizeDuration 0.0000012 }}',
  comparisons: '{{ eq $labels.job "node" "x" }} {{ ne 1 2 }} {{ le 2 2 }} {{ ge "a" "b" }} {{ eq $labels.nope "" }}',
};

const labels = { __name__: 'm', instance: 'host:9100', job: 'node' };
const value = 1234567;

describe('alert templates match Prometheus (promtool test rules)', () => {
  it('every annotation expands identically', async (context) => {
    if (!existsSync(promtool)) {
      if (process.env.CI === 'true') assert.fail(`${promtool} is required in CI (Debian package prometheus)`);
      context.skip(`${promtool} not installed`);
      return;
    }
    const expected: Record<string, string> = {};
    for (const [name, text] of Object.entries(annotations)) {
      expected[name] = await expandAlertTemplate(text, { labels, value }, {
        alertName: 'Oracle',
        timestampMilliseconds: 0,
        query: async () => [{ labels, value }],
      });
    }
    // JSON strings are valid YAML double-quoted scalars.
    const annotationLines = Object.entries(annotations).map(([name, text]) => `          ${name}: ${JSON.stringify(text)}`).join('\n');
    const expectedLines = Object.entries(expected).map(([name, text]) => `              ${name}: ${JSON.stringify(text)}`).join('\n');
    const directory = mkdtempSync(join(tmpdir(), 'vigil-template-oracle-'));
    try {
      writeFileSync(join(directory, 'rules.yml'), `groups:\n  - name: oracle\n    rules:\n      - alert: Oracle\n        expr: m > 0\n        annotations:\n${annotationLines}\n`);
      writeFileSync(join(directory, 'test.yml'), [
        'rule_files: [rules.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - series: 'm{instance="host:9100", job="node"}'`,
        `        values: '${value}'`,
        '    alert_rule_test:',
        '      - eval_time: 0m',
        '        alertname: Oracle',
        '        exp_alerts:',
        '          - exp_labels: {instance: "host:9100", job: node}',
        '            exp_annotations:',
        expectedLines,
        '',
      ].join('\n'));
      try {
        await promisify(execFile)(promtool, ['test', 'rules', 'test.yml'], { cwd: directory });
      } catch (error) {
        const output = error as { stdout?: string; stderr?: string };
        assert.fail(`promtool disagrees:\n${output.stdout ?? ''}${output.stderr ?? ''}`);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

/** Templates Prometheus refuses to load; `promtool check rules` prints Go's parse error for each. */
const invalidAnnotations: Record<string, string> = {
  duplicateDefine: '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
  doubleElse: '{{ if true }}\n{{ else }}{{ else }}{{ end }}',
  nestedDefine: '{{ if true }}{{ define "x" }}{{ end }}{{ end }}',
  twoDeclarations: '{{ $x := 1 }}{{ $x, $y := 2 }}',
  badNumber: '{{ 3x }}',
  fieldOnString: '{{ "a".x }}',
  unclosedAction: '{{ .X\n\n',
  nonExecutable: '{{ printf "%d" 1 | 2 }}',
  unclosedParen: '{{ (1 }}',
  emptyWith: '{{ with }}{{ end }}',
  emptyAction: '{{ }}',
  unknownFunction: '{{ nosuch 1 }}',
  undefinedVariable: '{{ $nope }}',
  unterminatedString: '{{ "abc }}',
  unexpectedEnd: 'x{{ end }}',
  breakOutside: '{{ break }}',
  missingEnd: '{{ range $labels }}\n{{ . }}',
  badCharacter: '{{ # }}',
  rangeDeclarations: '{{ range $a, $b, $c := $labels }}{{ end }}',
  unclosedComment: '{{/* never closed',
  commentBeforeDelimiter: '{{/* c */ x }}',
  templateName: '{{ template . }}',
  rightParen: '{{ 1) }}',
};

describe('template parse errors match Prometheus (promtool check rules)', () => {
  it('every invalid template is rejected with the same message', async (context) => {
    if (!existsSync(promtool)) {
      if (process.env.CI === 'true') assert.fail(`${promtool} is required in CI (Debian package prometheus)`);
      context.skip(`${promtool} not installed`);
      return;
    }
    const directory = mkdtempSync(join(tmpdir(), 'vigil-template-oracle-'));
    try {
      const lines = Object.entries(invalidAnnotations).map(([name, text]) => `          ${name}: ${JSON.stringify(text)}`).join('\n');
      writeFileSync(join(directory, 'rules.yml'), `groups:\n  - name: oracle\n    rules:\n      - alert: T\n        expr: m > 0\n        annotations:\n${lines}\n`);
      let output = '';
      try {
        await promisify(execFile)(promtool, ['check', 'rules', 'rules.yml'], { cwd: directory });
        assert.fail('promtool accepted invalid templates');
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string };
        output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
      }
      const theirs = new Map<string, string>();
      for (const match of output.matchAll(/annotation "([^"]+)": (.*)$/gm)) theirs.set(match[1], match[2]);
      for (const [name, text] of Object.entries(invalidAnnotations)) {
        const template = new Template('__alert_T').addFunctions(prometheusFunctions({ timestampMilliseconds: 0 }));
        let ours = '(parsed without error)';
        try {
          template.parse(alertTemplatePrefix + text);
        } catch (error) {
          ours = error instanceof Error ? error.message : String(error);
        }
        assert.equal(ours, theirs.get(name), `annotation ${name}: ${JSON.stringify(text)}`);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
