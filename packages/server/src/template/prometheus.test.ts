import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertTemplatePrefix, expandAlertTemplate, expandPrometheusTemplate, humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, parseDuration, stripDomain, stripPort, title } from './prometheus.ts';
import type { QuerySample } from './prometheus.ts';
import { GoUint } from './value.ts';

/** The evaluation time Prometheus's template tests use: 2012-11-24 11:14:12 UTC. */
const timestampMilliseconds = 1353755652000;
const externalURL = 'http://testhost:9090/path/prefix';

const samples: Record<string, QuerySample[]> = {
  '1.5': [{ labels: {}, value: 1.5 }],
  "metric{instance='a'}": [{ labels: { __name__: 'metric', instance: 'a' }, value: 11 }],
  "metric{__value__='a'}": [{ labels: { __name__: 'metric', __value__: 'a' }, value: 11 }],
  metric: [
    { labels: { __name__: 'metric', instance: 'b' }, value: 21 },
    { labels: { __name__: 'metric', instance: 'a' }, value: 11 },
  ],
  missing: [],
};

async function query(expression: string): Promise<QuerySample[]> {
  const result = samples[expression];
  if (result === undefined) throw new Error(`unexpected query ${expression}`);
  return result;
}

async function expand(text: string, data: unknown = null, missingKey?: 'default' | 'zero' | 'error'): Promise<string> {
  return await expandPrometheusTemplate(text, data, { name: 'test', timestampMilliseconds, query, externalURL, missingKey });
}

/** [template, data, expected] — outputs from Prometheus's template/template_test.go. */
const outputs: [string, unknown, string][] = [
  ['plain text', null, 'plain text'],
  ['{{ 1 }}', null, '1'],
  ['{{ "<b>" }}', null, '<b>'],
  ['{{ "<b>" | safeHtml }}', null, '<b>'],
  ['{{define "x"}}{{.arg0}} {{.arg1}}{{end}}{{template "x" (args 1 "2")}}', null, '1 2'],
  ['{{ query "1.5" | first | value }}', null, '1.5'],
  ['{{ query "metric{instance=\'a\'}" | first | value }}', null, '11'],
  ['{{ query "metric{instance=\'a\'}" | first | label "instance" }}', null, 'a'],
  ['{{ query "metric{__value__=\'a\'}" | first | strvalue }}', null, 'a'],
  ['{{ query "metric{instance=\'a\'}" | first | label "foo" }}', null, ''],
  ['{{ $x := query "metric" | first }}{{ $x.Labels.foo }}', null, ''],
  ['{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}', null, 'a:11: b:21: '],
  ['{{ query "metric" | first }}', null, '&{map[__name__:metric instance:b] 21}'],
  ['{{ len (query "metric") }}', null, '2'],
  ['{{ "foo.example.com" | stripPort }}', null, 'foo.example.com'],
  ['{{ "foo.example.com:12345" | stripPort }}', null, 'foo.example.com'],
  ['{{ "192.0.2.1" | stripPort }}', null, '192.0.2.1'],
  ['{{ "192.0.2.1:12345" | stripPort }}', null, '192.0.2.1'],
  ['{{ "2001:0DB8::1" | stripPort }}', null, '2001:0DB8::1'],
  ['{{ "[2001:0DB8::1]:12345" | stripPort }}', null, '2001:0DB8::1'],
  ['{{ "[2001:0DB8::1]::12345" | stripPort }}', null, '[2001:0DB8::1]::12345'],
  ['{{ .Foo }}', null, '<no value>'],
  ['{{ reReplaceAll "(a)b" "x$1" "ab" }}', null, 'xa'],
  ['{{ range . }}{{ humanize . }}:{{ end }}', [0.0, 1.0, 1234567.0, 0.12], '0:1:1.235M:120m:'],
  ['{{ range . }}{{ humanize . }}:{{ end }}', ['0.0', '1.0', '1234567.0', '.12'], '0:1:1.235M:120m:'],
  ['{{ range . }}{{ humanize . }}:{{ end }}', [0n, -1n, 1n, 1234567n, 9223372036854775807n], '0:-1:1:1.235M:9.223E:'],
  ['{{ range . }}{{ humanize . }}:{{ end }}', [new GoUint(0n, 'uint64'), new GoUint(1n, 'uint64'), new GoUint(1234567n, 'uint64'), new GoUint(18446744073709551615n, 'uint64')], '0:1:1.235M:18.45E:'],
  ['{{ range . }}{{ humanize1024 . }}:{{ end }}', [0.0, 1.0, 1048576.0, 0.12], '0:1:1Mi:0.12:'],
  ['{{ range . }}{{ humanize1024 . }}:{{ end }}', ['0.0', '1.0', '1048576.0', '.12'], '0:1:1Mi:0.12:'],
  ['{{ range . }}{{ humanize1024 . }}:{{ end }}', [0n, -1n, 1n, 1234567n, 9223372036854775807n], '0:-1:1:1.177Mi:8Ei:'],
  ['{{ range . }}{{ humanize1024 . }}:{{ end }}', [new GoUint(0n, 'uint64'), new GoUint(1n, 'uint64'), new GoUint(1234567n, 'uint64'), new GoUint(18446744073709551615n, 'uint64')], '0:1:1.177Mi:16Ei:'],
  ['{{ range . }}{{ humanizeDuration . }}:{{ end }}', [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99], '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:'],
  ['{{ range . }}{{ humanizeDuration . }}:{{ end }}', ['0', '1', '60', '3600', '86400'], '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:'],
  ['{{ range . }}{{ humanizeDuration . }}:{{ end }}', [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345], '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:'],
  ['{{ range . }}{{ humanizeDuration . }}:{{ end }}', ['.1', '.0001', '.12345', '60.1', '60.5', '1.2345', '12.345'], '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:'],
  ['{{ range . }}{{ humanizeDuration . }}:{{ end }}', [0n, -1n, 1n, 1234567n], '0s:-1s:1s:14d 6h 56m 7s:'],
  ['{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}', [Infinity, -Infinity, Number.NaN], '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:'],
  ['{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}', ['+Inf', '-Inf', 'NaN'], '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:'],
  ['{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}', null, '-22.22%:0%:12.35%:123.5%'],
  ['{{ range . }}{{ humanizePercentage . }}:{{ end }}', [0n, -1n, 1n, 1234567n, 9223372036854775807n], '0%:-100%:100%:1.235e+08%:9.223e+20%:'],
  ['{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}', null, '-22.22%:0%:12.35%:123.5%'],
  ['{{ range . }}{{ humanizeTimestamp . }}:{{ end }}', [0n, -1n, 1n, 1234567n, 9223372036n], '1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:'],
  ['{{ 1435065584.128 | humanizeTimestamp }}', null, '2015-06-23 13:19:44.128 +0000 UTC'],
  ['{{ "1435065584.128" | humanizeTimestamp }}', null, '2015-06-23 13:19:44.128 +0000 UTC'],
  ['{{ (1435065584.128 | toTime).Format "2006" }}', null, '2015'],
  ['{{ ("1435065584.128" | toTime).Format "2006" }}', null, '2015'],
  ['{{ 1435065584.128 | toTime }}', null, '2015-06-23 13:19:44.128 +0000 UTC'],
  ['{{ (1800 | toDuration).String }}', null, '30m0s'],
  ['{{ ("1800" | toDuration).String }}', null, '30m0s'],
  ['{{ 0.0015 | toDuration }}', null, '1.5ms'],
  ['{{ now }}', null, '1.353755652e+09'],
  ['{{ (now | toTime).Format "Mon Jan 2 15:04:05 2006" }}', null, 'Sat Nov 24 11:14:12 2012'],
  ['{{ ("-30m" | parseDuration | toDuration | (now | toTime).Add).UnixMilli }}', null, '1353753852000'],
  ['{{ (now | toTime).Format "2006-01-02T15:04:05Z07:00" }}', null, '2012-11-24T11:14:12Z'],
  ['{{ "aa bb CC" | title }}', null, 'Aa Bb CC'],
  ['{{ "aa bb CC" | toUpper }}', null, 'AA BB CC'],
  ['{{ "aA bB CC" | toLower }}', null, 'aa bb cc'],
  ['{{ match "a+" "aa" }} {{ match "a+" "b" }}', null, 'true false'],
  ['{{ match "^a" "ba" }} {{ match "b$" "ab" }}', null, 'false true'],
  ['{{ graphLink "up" }}', null, '/graph?g0.expr=up&g0.tab=0'],
  ['{{ tableLink "up" }}', null, '/graph?g0.expr=up&g0.tab=1'],
  ['{{ graphLink "rate(x{a=\\"b\\"}[5m])" }}', null, '/graph?g0.expr=rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29&g0.tab=0'],
  ['{{ define "a" }}x{{ end }}{{ $name := "a"}}{{ tmpl $name . }}', null, 'x'],
  ['{{ pathPrefix }}', null, '/path/prefix'],
  ['{{ externalURL }}', null, 'http://testhost:9090/path/prefix'],
  ['{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', null, '3720.01'],
  ['{{ printf "%0.2f" (parseDuration "-1h2m10ms") }}', null, '-3720.01'],
  ['{{ parseDuration "1d" }}', null, '86400'],
  ['{{ "foo.example.com" | stripDomain }}', null, 'foo'],
  ['{{ "foo.example.com:12345" | stripDomain }}', null, 'foo:12345'],
  ['{{ "192.0.2.1" | stripDomain }}', null, '192.0.2.1'],
  ['{{ "192.0.2.1:12345" | stripDomain }}', null, '192.0.2.1:12345'],
  ['{{ "2001:0DB8::1" | stripDomain }}', null, '2001:0DB8::1'],
  ['{{ "[2001:0DB8::1]:12345" | stripDomain }}', null, '[2001:0DB8::1]:12345'],
  ['{{ "[2001:0DB8::1]::12345" | stripDomain }}', null, '[2001:0DB8::1]::12345'],
  ['{{ urlQueryEscape "a b/c" }}', null, 'a+b%2Fc'],
  ['{{ reReplaceAll "a*" "-" "baaac" }}', null, '-b-c-'],
  ['{{ reReplaceAll "x*" "-" "abc" }}', null, '-a-b-c-'],
  ['{{ reReplaceAll "(?P<host>[a-z]+):(\\\\d+)" "${host}/$2" "web:80 db:5432" }}', null, 'web/80 db/5432'],
  ['{{ reReplaceAll "(a)" "$1x" "a" }}', null, ''],
  ['{{ reReplaceAll "(a)" "${1}x" "a" }}', null, 'ax'],
  ['{{ reReplaceAll "a" "$$" "aa" }}', null, '$$'],
  ['{{ reReplaceAll "é" "e" "café é" }}', null, 'cafe e'],
  ['{{ reReplaceAll ":.*" "" "host:9090" }}', null, 'host'],
  // strconv.ParseFloat reads Go's digit separators and hex floats in strings.
  ['{{ humanize "1_000" }}', null, '1k'],
  ['{{ humanize "0x1p10" }}', null, '1.024k'],
];

describe('Prometheus template functions', () => {
  for (const [text, data, expected] of outputs) {
    it(text, async () => assert.equal(await expand(text, data), expected));
  }
});

/** Templates Prometheus's tests expect to fail, with the error text. */
const failures: [string, unknown, RegExp][] = [
  ['{{ }}', null, /^error parsing template test: template: test:1: missing value for command$/],
  ['{{', null, /^error parsing template test: template: test:1: unclosed action$/],
  ['{{ query "missing" | first }}', null, /^error executing template test: template: test:1:21: executing "test" at <first>: error calling first: first\(\) called on vector with no elements$/],
  ['{{ (query "missing").banana }}', null, /can't evaluate field banana in type template.queryResult$/],
  ['{{ humanize "one" }}', null, /error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax$/],
  ['{{ humanize1024 "one" }}', null, /error calling humanize1024: strconv.ParseFloat/],
  ['{{ humanize "1e400" }}', null, /error calling humanize: strconv.ParseFloat: parsing "1e400": value out of range$/],
  ['{{ humanize "+nan" }}', null, /error calling humanize: strconv.ParseFloat: parsing "\+nan": invalid syntax$/],
  ['{{ humanizeDuration "one" }}', null, /error calling humanizeDuration: strconv.ParseFloat/],
  ['{{ "one" | humanizePercentage }}', null, /error calling humanizePercentage: strconv.ParseFloat/],
  ['{{ range . }}{{ humanizeTimestamp . }}:{{ end }}', [-9223372036854775808n, 9223372036854775807n], /cannot be represented as a nanoseconds timestamp since it overflows int64$/],
  ['{{ range . }}{{ humanizeTimestamp . }}:{{ end }}', [new GoUint(18446744073709551615n, 'uint64')], /overflows int64$/],
  ['{{ humanize true }}', null, /error calling humanize: can't convert bool to float$/],
  ['{{ reReplaceAll "(" "x" "y" }}', null, /error calling reReplaceAll: error parsing regexp/],
  ['{{ match "[" "x" }}', null, /error calling match: error parsing regexp/],
  ['{{ parseDuration "1x" }}', null, /error calling parseDuration: not a valid duration string: "1x"$/],
  ['{{ toTime "NaN" }}', null, /error calling toTime: value is NaN or Inf$/],
  ['{{ label "x" 1 }}', null, /expected \*template.sample; got int$/],
  ['{{ toUpper 1 }}', null, /expected string; found 1$/],
];

describe('Prometheus template failures', () => {
  for (const [text, data, expected] of failures) {
    it(text, async () => {
      await assert.rejects(expand(text, data), (error: Error) => {
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  it('missingkey=zero is Prometheus\'s default; other options are honoured', async () => {
    const data = new Map([['Bar', 'x']]);
    assert.equal(await expand('{{ .Foo }}', data), '<no value>');
    assert.equal(await expand('{{ .Foo }}', data, 'default'), '<no value>');
    await assert.rejects(expand('{{ .Foo }}', data, 'error'), /map has no entry for key "Foo"/);
  });

  it('query without an engine fails', async () => {
    await assert.rejects(expandPrometheusTemplate('{{ query "up" }}', null, { name: 't', timestampMilliseconds: 0 }), /error calling query: no query engine/);
  });
});

describe('direct helpers', () => {
  it('humanize family', () => {
    assert.equal(humanize(1234567), '1.235M');
    assert.equal(humanize(0.000012), '12u');
    assert.equal(humanize(-1500), '-1.5k');
    assert.equal(humanize(1e27), '1000Y');
    assert.equal(humanize1024(1073741824), '1Gi');
    assert.equal(humanize1024(-2048), '-2ki');
    assert.equal(humanizeDuration(3661), '1h 1m 1s');
    assert.equal(humanizeDuration(0.5), '500ms');
    assert.equal(humanizeDuration(-0.5), '-500ms');
    assert.equal(humanizePercentage(0.1234), '12.34%');
    assert.equal(humanizePercentage(1), '100%');
    assert.equal(humanizeTimestamp(1700000000), '2023-11-14 22:13:20 +0000 UTC');
  });
  it('parseDuration', () => {
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('1w'), 604800);
    assert.equal(parseDuration('1y'), 31536000);
    assert.equal(parseDuration('500ms'), 0.5);
    assert.equal(parseDuration('0'), 0);
    assert.throws(() => parseDuration('1m1h'), /not a valid duration string/);
    assert.throws(() => parseDuration(''), /not a valid duration string/);
  });
  it('stripPort, stripDomain, title', () => {
    assert.equal(stripPort('localhost:9100'), 'localhost');
    assert.equal(stripDomain('node-1.prod.example.com:9100'), 'node-1:9100');
    assert.equal(title('hello world-wide web'), 'Hello World-Wide Web');
    assert.equal(title("don't stop"), "Don't Stop");
  });
});

/** Alert annotations as written in the seed guides (the shared seeds folder), with sample data. */
const seedAnnotations: [string, Record<string, string>, number, string][] = [
  ['Error rate is {{ $value }} errors per second', { alertname: 'HighErrorRate' }, 0.123456, 'Error rate is 0.123456 errors per second'],
  ['Error rate is {{ $value | humanizePercentage }}', { alertname: 'HighErrorRate' }, 0.0712, 'Error rate is 7.12%'],
  ['95th percentile response time: {{ $value }}s', {}, 2.3456789, '95th percentile response time: 2.3456789s'],
  ['Cache effectiveness: {{ $value | humanizePercentage }}', {}, 0.45, 'Cache effectiveness: 45%'],
  ['Redis using {{ $value | humanizePercentage }} of available memory', {}, 0.9123, 'Redis using 91.23% of available memory'],
  ['Overflow connections: {{ $value }}', {}, 12, 'Overflow connections: 12'],
  ['Memory usage is {{ $value }}GB', {}, 1234567.0, 'Memory usage is 1.234567e+06GB'],
  ['Conductor circuit breaker is open for {{ $labels.client_type }}', { client_type: 'payments' }, 1, 'Conductor circuit breaker is open for payments'],
  ['Instance {{ $labels.instance }} of job {{ $labels.job }} is down', { instance: 'host:9100', job: 'node' }, 0, 'Instance host:9100 of job node is down'],
  ['{{ $labels.instance }} has {{ printf "%.2f" $value }}% disk left', { instance: 'db-1' }, 9.87654, 'db-1 has 9.88% disk left'],
  ['{{ $labels.nope }}|{{ $externalLabels.cluster }}|{{ $externalURL }}', {}, 1, '|eu-1|http://vigil:9090'],
  ['{{ if gt $value 0.9 }}critical{{ else }}warning{{ end }}', {}, 0.95, 'critical'],
  ['{{ $value | humanize }}B/s on {{ $labels.instance | stripPort }}', { instance: 'web:80' }, 1536000, '1.536MB/s on web'],
  ['{{ humanizeDuration $value }} since last scrape', {}, 3661, '1h 1m 1s since last scrape'],
  ['{{ range query "metric" }}{{ .Labels.instance }}={{ .Value }} {{ end }}', {}, 0, 'b=21 a=11 '],
  ['{{ with query "missing" }}{{ . | first | value }}{{ else }}no data{{ end }}', {}, 0, 'no data'],
];

describe('alert annotations render like Prometheus', () => {
  for (const [text, labels, value, expected] of seedAnnotations) {
    it(text, async () => {
      const result = await expandAlertTemplate(text, { labels, externalLabels: { cluster: 'eu-1' }, value }, { alertName: 'Test', timestampMilliseconds, query, externalURL: 'http://vigil:9090' });
      assert.equal(result, expected);
    });
  }

  it('execution errors become the annotation text, with Prometheus\'s wording and columns', async () => {
    const result = await expandAlertTemplate('{{ gt $value 1 }}', { labels: {}, value: 2 }, { alertName: 'HighLoad', timestampMilliseconds });
    const column = alertTemplatePrefix.length + 3;
    assert.equal(result, `<error expanding template: error executing template __alert_HighLoad: template: __alert_HighLoad:1:${column}: executing "__alert_HighLoad" at <gt $value 1>: error calling gt: incompatible types for comparison>`);
  });

  it('parse errors become the annotation text', async () => {
    const result = await expandAlertTemplate('{{ $labels.job ', { labels: { job: 'x' }, value: 1 }, { alertName: 'A', timestampMilliseconds });
    assert.equal(result, '<error expanding template: error parsing template __alert_A: template: __alert_A:1: unclosed action>');
  });

  it('a failing query becomes the annotation text', async () => {
    const result = await expandAlertTemplate('{{ query "bad" }}', { labels: {}, value: 1 }, { alertName: 'Q', timestampMilliseconds, query: async () => { throw new Error('parse error: bad'); } });
    assert.match(result, /^<error expanding template: error executing template __alert_Q: template: __alert_Q:1:\d+: executing "__alert_Q" at <query "bad">: error calling query: parse error: bad>$/);
  });

  it('$value and $labels read the data struct', async () => {
    const result = await expandAlertTemplate('{{ .Value }} {{ .Labels.a }} {{ .ExternalURL }}', { labels: { a: 'b' }, value: 0.5, externalURL: 'http://x' }, { alertName: 'A', timestampMilliseconds });
    assert.equal(result, '0.5 b http://x');
  });
});
