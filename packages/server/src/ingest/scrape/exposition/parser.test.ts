import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryKind, ExpositionError, ExpositionParser } from './index.ts';
import type { ExpositionFormat, KnownMetadataLine } from './index.ts';

// ---------------------------------------------------------------------------------------------------------
// Helpers

type Entry =
  | {
      line: number;
      series: string;
      labels: string[];
      value: number;
      ts?: number;
      exemplar?: { labels: string[]; value: number; ts?: number };
    }
  | { line: number; type: string; name: string }
  | { line: number; help: string; name: string }
  | { line: number; unit: string; name: string }
  | { line: number; comment: string }
  | { line: number; eof: true };

/**
 * All entries of a body. `predict(n)`, when given, is the series text announced to the parser before
 * each entry (n = series entries so far); `hits` then receives predictionHit for every series entry.
 */
function collect(
  body: string,
  format: ExpositionFormat,
  predict?: (n: number) => string | null,
  hits?: boolean[],
  predictMetadata?: (n: number) => KnownMetadataLine | null,
): Entry[] {
  const p = new ExpositionParser(body, format);
  const out: Entry[] = [];
  let seriesCount = 0;
  let metadataCount = 0;
  const next = () => {
    if (predict !== undefined) p.predictSeries(predict(seriesCount));
    if (predictMetadata !== undefined) p.predictMetadata(predictMetadata(metadataCount));
    const k = p.next();
    if (k === EntryKind.Type || k === EntryKind.Help || k === EntryKind.Unit) metadataCount++;
    return k;
  };
  for (let k = next(); k !== 0; k = next()) {
    switch (k) {
      case EntryKind.Series: {
        seriesCount++;
        hits?.push(p.predictionHit);
        const labels: string[] = [];
        p.labels(labels);
        const e: Entry = { line: p.line, series: p.seriesText(), labels, value: p.value };
        assert.equal(p.metricName(), labels[1]);
        if (p.timestamp !== undefined) e.ts = p.timestamp;
        const ex: string[] = [];
        if (p.exemplar(ex)) {
          e.exemplar = { labels: ex, value: p.exemplarValue };
          if (p.exemplarTimestamp !== undefined) e.exemplar.ts = p.exemplarTimestamp;
        }
        out.push(e);
        break;
      }
      case EntryKind.Type:
        out.push({ line: p.line, type: p.metadataText(), name: p.metadataName() });
        break;
      case EntryKind.Help:
        out.push({ line: p.line, help: p.metadataText(), name: p.metadataName() });
        break;
      case EntryKind.Unit:
        out.push({ line: p.line, unit: p.metadataText(), name: p.metadataName() });
        break;
      case EntryKind.Comment:
        out.push({ line: p.line, comment: p.metadataText() });
        break;
      case EntryKind.EOF:
        out.push({ line: p.line, eof: true });
        break;
      default:
        assert.fail(`unexpected entry kind ${k}`);
    }
  }
  assert.equal(p.next(), 0, 'next() keeps returning 0 at the end');
  return out;
}

/** Short form of a series entry. */
function s(line: number, series: string, labels: string[], value: number, ts?: number): Entry {
  const e: Entry = { line, series, labels, value };
  if (ts !== undefined) e.ts = ts;
  return e;
}

function expectError(body: string, format: ExpositionFormat, line: number, message: string | RegExp): void {
  let err: unknown;
  try {
    collect(body, format);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ExpositionError, `${format} ${JSON.stringify(body)}: expected ExpositionError, got ${String(err)}`);
  const where = `${format} ${JSON.stringify(body)}: ${err.message}`;
  assert.equal(err.line, line, where);
  assert.ok(err.message.startsWith(`line ${line}: `), where);
  if (typeof message === 'string') assert.ok(err.reason.includes(message), `${where} (want ${JSON.stringify(message)})`);
  else assert.match(err.reason, message, where);
}

// ---------------------------------------------------------------------------------------------------------
// Text format: valid input

const textValid: Array<{ name: string; body: string; want: Entry[] }> = [
  {
    name: 'node_exporter-like families with HELP and TYPE',
    body: [
      '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
      '# TYPE node_cpu_seconds_total counter',
      'node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67',
      'node_cpu_seconds_total{cpu="0",mode="user"} 89.5 1700000000000',
      '# TYPE node_load1 gauge',
      'node_load1 0.42',
      '',
    ].join('\n'),
    want: [
      { line: 1, help: 'Seconds the CPUs spent in each mode.', name: 'node_cpu_seconds_total' },
      { line: 2, type: 'counter', name: 'node_cpu_seconds_total' },
      s(3, 'node_cpu_seconds_total{cpu="0",mode="idle"}', ['__name__', 'node_cpu_seconds_total', 'cpu', '0', 'mode', 'idle'], 12345.67),
      s(4, 'node_cpu_seconds_total{cpu="0",mode="user"}', ['__name__', 'node_cpu_seconds_total', 'cpu', '0', 'mode', 'user'], 89.5, 1700000000000),
      { line: 5, type: 'gauge', name: 'node_load1' },
      s(6, 'node_load1', ['__name__', 'node_load1'], 0.42),
    ],
  },
  {
    name: 'missing final newline',
    body: 'a 1\nb 2',
    want: [s(1, 'a', ['__name__', 'a'], 1), s(2, 'b', ['__name__', 'b'], 2)],
  },
  {
    name: 'missing final newline after timestamp and after blanks',
    body: 'a 1 5\nb 2 \t',
    want: [s(1, 'a', ['__name__', 'a'], 1, 5), s(2, 'b', ['__name__', 'b'], 2)],
  },
  { name: 'empty body', body: '', want: [] },
  { name: 'only blank lines', body: '\n  \n\t\n', want: [] },
  {
    name: 'blank lines, leading blanks and tabs everywhere',
    body: '\n\n  a 1\n\t b{x="y"}\t2\t 3 \n   \nc { d = "e" , f= "g" , } 4\n',
    want: [
      s(3, 'a', ['__name__', 'a'], 1),
      s(4, 'b{x="y"}', ['__name__', 'b', 'x', 'y'], 2, 3),
      s(6, 'c { d = "e" , f= "g" , }', ['__name__', 'c', 'd', 'e', 'f', 'g'], 4),
    ],
  },
  {
    name: 'comments of every shape',
    body: '#\n#comment\n# a comment\n#\t\tindented\n# HELPer is a comment\n# HELP\n# TYPE\n# EOF\n  # leading blank\nx 1\n',
    want: [
      { line: 1, comment: '' },
      { line: 2, comment: 'comment' },
      { line: 3, comment: 'a comment' },
      { line: 4, comment: 'indented' },
      { line: 5, comment: 'HELPer is a comment' },
      { line: 6, comment: 'HELP' },
      { line: 7, comment: 'TYPE' },
      { line: 8, comment: 'EOF' },
      { line: 9, comment: 'leading blank' },
      s(10, 'x', ['__name__', 'x'], 1),
    ],
  },
  {
    name: 'HELP text rules (one separator dropped, escapes \\\\ and \\n only)',
    body: [
      '# HELP h1 plain text',
      '# HELP h2  two blanks keep one',
      '# HELP h3\ttab separator',
      '# HELP h4',
      '# HELP h5   ',
      '# HELP h6 back\\\\slash new\\nline quote\\" other\\t end\\',
      '#  \tHELP   h7 blanks before name',
      '# HELP "h.8" quoted name',
      '# HELP h9 unicode ✓ and \u0000 nul',
      '',
    ].join('\n'),
    want: [
      { line: 1, help: 'plain text', name: 'h1' },
      { line: 2, help: ' two blanks keep one', name: 'h2' },
      { line: 3, help: 'tab separator', name: 'h3' },
      { line: 4, help: '', name: 'h4' },
      { line: 5, help: '', name: 'h5' },
      { line: 6, help: 'back\\slash new\nline quote\\" other\\t end\\', name: 'h6' },
      { line: 7, help: 'blanks before name', name: 'h7' },
      { line: 8, help: 'quoted name', name: 'h.8' },
      { line: 9, help: 'unicode ✓ and \u0000 nul', name: 'h9' },
    ],
  },
  {
    name: 'TYPE values of the text format',
    body: '# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n# TYPE d summary\n# TYPE e untyped\n# TYPE "f.g" gauge\n',
    want: [
      { line: 1, type: 'counter', name: 'a' },
      { line: 2, type: 'gauge', name: 'b' },
      { line: 3, type: 'histogram', name: 'c' },
      { line: 4, type: 'summary', name: 'd' },
      { line: 5, type: 'untyped', name: 'e' },
      { line: 6, type: 'gauge', name: 'f.g' },
    ],
  },
  {
    name: 'label value escapes and raw content',
    body: [
      'a{v="quote\\"backslash\\\\newline\\n"} 1',
      'a{v="unknown \\t \\x stays"} 1',
      'a{v=""} 1',
      'a{v="# not a comment {}, =\\""} 1',
      'a{v="ünïcødé ✓ 😀"} 1',
      'a{v="nul\u0000byte"} 1',
      '',
    ].join('\n'),
    want: [
      s(1, 'a{v="quote\\"backslash\\\\newline\\n"}', ['__name__', 'a', 'v', 'quote"backslash\\newline\n'], 1),
      s(2, 'a{v="unknown \\t \\x stays"}', ['__name__', 'a', 'v', 'unknown \\t \\x stays'], 1),
      s(3, 'a{v=""}', ['__name__', 'a', 'v', ''], 1),
      s(4, 'a{v="# not a comment {}, =\\""}', ['__name__', 'a', 'v', '# not a comment {}, ="'], 1),
      s(5, 'a{v="ünïcødé ✓ 😀"}', ['__name__', 'a', 'v', 'ünïcødé ✓ 😀'], 1),
      s(6, 'a{v="nul\u0000byte"}', ['__name__', 'a', 'v', 'nul\u0000byte'], 1),
    ],
  },
  {
    name: 'raw newline inside a label value (accepted by Prometheus) counts lines',
    body: 'a{v="two\nlines"} 1\nb 2\n',
    want: [s(1, 'a{v="two\nlines"}', ['__name__', 'a', 'v', 'two\nlines'], 1), s(3, 'b', ['__name__', 'b'], 2)],
  },
  {
    name: 'metric and label name charsets',
    body: '_a:b_c:9{_x="1",Y9="2",__meta="3"} 1\n:leading_colon 2\n',
    want: [
      s(1, '_a:b_c:9{_x="1",Y9="2",__meta="3"}', ['__name__', '_a:b_c:9', '_x', '1', 'Y9', '2', '__meta', '3'], 1),
      s(2, ':leading_colon', ['__name__', ':leading_colon'], 2),
    ],
  },
  {
    name: 'quoted UTF-8 names (Prometheus 3)',
    body: [
      '{"my.metric", "my.label"="x", plain="y"} 1',
      '{"my.metric"} 2',
      '{a="b", "name.after.label"} 3',
      '{"esc\\"aped", "l\\\\n"="v"} 4',
      'legacy{"quoted.label"="v"} 5',
      '{"trailing.comma",} 6',
      '',
    ].join('\n'),
    want: [
      s(1, '{"my.metric", "my.label"="x", plain="y"}', ['__name__', 'my.metric', 'my.label', 'x', 'plain', 'y'], 1),
      s(2, '{"my.metric"}', ['__name__', 'my.metric'], 2),
      s(3, '{a="b", "name.after.label"}', ['__name__', 'name.after.label', 'a', 'b'], 3),
      s(4, '{"esc\\"aped", "l\\\\n"="v"}', ['__name__', 'esc"aped', 'l\\n', 'v'], 4),
      s(5, 'legacy{"quoted.label"="v"}', ['__name__', 'legacy', 'quoted.label', 'v'], 5),
      s(6, '{"trailing.comma",}', ['__name__', 'trailing.comma'], 6),
    ],
  },
  {
    name: 'lenient label-set punctuation accepted by Prometheus',
    body: 'a{} 1\na{x="1",} 2\na{x="1" y="2"} 3\na{x="1"y="2"} 4\na{x="1"}5\na-1\n',
    want: [
      s(1, 'a{}', ['__name__', 'a'], 1),
      s(2, 'a{x="1",}', ['__name__', 'a', 'x', '1'], 2),
      s(3, 'a{x="1" y="2"}', ['__name__', 'a', 'x', '1', 'y', '2'], 3),
      s(4, 'a{x="1"y="2"}', ['__name__', 'a', 'x', '1', 'y', '2'], 4),
      s(5, 'a{x="1"}', ['__name__', 'a', 'x', '1'], 5),
      s(6, 'a', ['__name__', 'a'], -1),
    ],
  },
  {
    name: 'values and integer timestamps',
    body: [
      'v 1.5e3',
      'v -0.25',
      'v +Inf',
      'v -Inf',
      'v inf',
      'v NaN',
      'v nan',
      'v .5',
      'v 5.',
      'v 1E-3',
      'v 00012',
      'v 1 0',
      'v 1 0001700000000000',
      'v 1 9223372036854775807',
      '',
    ].join('\n'),
    want: [
      s(1, 'v', ['__name__', 'v'], 1500),
      s(2, 'v', ['__name__', 'v'], -0.25),
      s(3, 'v', ['__name__', 'v'], Infinity),
      s(4, 'v', ['__name__', 'v'], -Infinity),
      s(5, 'v', ['__name__', 'v'], Infinity),
      s(6, 'v', ['__name__', 'v'], NaN),
      s(7, 'v', ['__name__', 'v'], NaN),
      s(8, 'v', ['__name__', 'v'], 0.5),
      s(9, 'v', ['__name__', 'v'], 5),
      s(10, 'v', ['__name__', 'v'], 0.001),
      s(11, 'v', ['__name__', 'v'], 12),
      s(12, 'v', ['__name__', 'v'], 1, 0),
      s(13, 'v', ['__name__', 'v'], 1, 1700000000000),
      s(14, 'v', ['__name__', 'v'], 1, 2 ** 63),
    ],
  },
  {
    name: 'le and quantile normalized per the last TYPE line, as Prometheus does',
    body: [
      '# TYPE h histogram',
      'h_bucket{le="0.005"} 1',
      'h_bucket{le="1"} 2',
      'h_bucket{le="1e3"} 3',
      'h_bucket{le="+Inf"} 4',
      'h_bucket{le="not a number"} 5',
      '# TYPE s summary',
      's{quantile="0"} 1',
      's{quantile="0.50"} 2',
      's{le="1"} 3',
      '# TYPE g gauge',
      'g{le="1",quantile="1"} 1',
      '',
    ].join('\n'),
    want: [
      { line: 1, type: 'histogram', name: 'h' },
      s(2, 'h_bucket{le="0.005"}', ['__name__', 'h_bucket', 'le', '0.005'], 1),
      s(3, 'h_bucket{le="1"}', ['__name__', 'h_bucket', 'le', '1.0'], 2),
      s(4, 'h_bucket{le="1e3"}', ['__name__', 'h_bucket', 'le', '1000.0'], 3),
      s(5, 'h_bucket{le="+Inf"}', ['__name__', 'h_bucket', 'le', '+Inf'], 4),
      s(6, 'h_bucket{le="not a number"}', ['__name__', 'h_bucket', 'le', 'not a number'], 5),
      { line: 7, type: 'summary', name: 's' },
      s(8, 's{quantile="0"}', ['__name__', 's', 'quantile', '0.0'], 1),
      s(9, 's{quantile="0.50"}', ['__name__', 's', 'quantile', '0.5'], 2),
      s(10, 's{le="1"}', ['__name__', 's', 'le', '1'], 3),
      { line: 11, type: 'gauge', name: 'g' },
      s(12, 'g{le="1",quantile="1"}', ['__name__', 'g', 'le', '1', 'quantile', '1'], 1),
    ],
  },
  {
    name: '# EOF is an ordinary comment in the text format',
    body: 'a 1\n# EOF\nb 2\n',
    want: [s(1, 'a', ['__name__', 'a'], 1), { line: 2, comment: 'EOF' }, s(3, 'b', ['__name__', 'b'], 2)],
  },
];

for (const c of textValid) {
  test(`text valid: ${c.name}`, () => {
    assert.deepStrictEqual(collect(c.body, 'text'), c.want);
  });
}

// ---------------------------------------------------------------------------------------------------------
// OpenMetrics: valid input

const omValid: Array<{ name: string; body: string; want: Entry[] }> = [
  {
    name: 'counter with _total and _created as ordinary series, HELP, UNIT',
    body: [
      '# TYPE req counter',
      '# HELP req Requests served.',
      '# UNIT req_seconds seconds',
      'req_total{code="200"} 1027 1520879607.789',
      'req_created{code="200"} 1520430000.123',
      '# EOF',
      '',
    ].join('\n'),
    want: [
      { line: 1, type: 'counter', name: 'req' },
      { line: 2, help: 'Requests served.', name: 'req' },
      { line: 3, unit: 'seconds', name: 'req_seconds' },
      s(4, 'req_total{code="200"}', ['__name__', 'req_total', 'code', '200'], 1027, 1520879607789),
      s(5, 'req_created{code="200"}', ['__name__', 'req_created', 'code', '200'], 1520430000.123),
      { line: 6, eof: true },
    ],
  },
  { name: 'just # EOF', body: '# EOF\n', want: [{ line: 1, eof: true }] },
  { name: '# EOF without final newline', body: 'a 1\n# EOF', want: [s(1, 'a', ['__name__', 'a'], 1), { line: 2, eof: true }] },
  {
    name: 'all OpenMetrics types',
    body: '# TYPE a unknown\n# TYPE b gauge\n# TYPE c counter\n# TYPE d stateset\n# TYPE e info\n# TYPE f histogram\n# TYPE g gaugehistogram\n# TYPE h summary\n# EOF\n',
    want: [
      { line: 1, type: 'unknown', name: 'a' },
      { line: 2, type: 'gauge', name: 'b' },
      { line: 3, type: 'counter', name: 'c' },
      { line: 4, type: 'stateset', name: 'd' },
      { line: 5, type: 'info', name: 'e' },
      { line: 6, type: 'histogram', name: 'f' },
      { line: 7, type: 'gaugehistogram', name: 'g' },
      { line: 8, type: 'summary', name: 'h' },
      { line: 9, eof: true },
    ],
  },
  {
    name: 'HELP escapes (\\\\, \\n and \\" in OpenMetrics), empty HELP and UNIT',
    body: '# HELP a x\\\\y\\nz\\"q\\foo\n# HELP b \n# UNIT c \n# HELP d  lead\n# EOF\n',
    want: [
      { line: 1, help: 'x\\y\nz"q\\foo', name: 'a' },
      { line: 2, help: '', name: 'b' },
      { line: 3, unit: '', name: 'c' },
      { line: 4, help: ' lead', name: 'd' },
      { line: 5, eof: true },
    ],
  },
  {
    name: 'exemplars',
    body: [
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 8 # {trace_id="abc"} 0.05 1520879607.789',
      'h_bucket{le="+Inf"} 9 1520879607 # {} 3',
      'h_count 9 # {"dotted.name"="x",a="\\"q\\""} -1.5e1',
      'h_sum 7 1 # {a="b",} 2 -0.0015',
      '# EOF',
      '',
    ].join('\n'),
    want: [
      { line: 1, type: 'histogram', name: 'h' },
      {
        line: 2,
        series: 'h_bucket{le="0.1"}',
        labels: ['__name__', 'h_bucket', 'le', '0.1'],
        value: 8,
        exemplar: { labels: ['trace_id', 'abc'], value: 0.05, ts: 1520879607789 },
      },
      {
        line: 3,
        series: 'h_bucket{le="+Inf"}',
        labels: ['__name__', 'h_bucket', 'le', '+Inf'],
        value: 9,
        ts: 1520879607000,
        exemplar: { labels: [], value: 3 },
      },
      {
        line: 4,
        series: 'h_count',
        labels: ['__name__', 'h_count'],
        value: 9,
        exemplar: { labels: ['dotted.name', 'x', 'a', '"q"'], value: -15 },
      },
      { line: 5, series: 'h_sum', labels: ['__name__', 'h_sum'], value: 7, ts: 1000, exemplar: { labels: ['a', 'b'], value: 2, ts: -1 } },
      { line: 6, eof: true },
    ],
  },
  {
    name: 'exemplar label set of exactly 128 code points (wide characters count once)',
    body: `a_total 1 # {a="\u2603${'3'.repeat(126)}"} 1\n# EOF\n`,
    want: [
      {
        line: 1,
        series: 'a_total',
        labels: ['__name__', 'a_total'],
        value: 1,
        exemplar: { labels: ['a', `\u2603${'3'.repeat(126)}`], value: 1 },
      },
      { line: 2, eof: true },
    ],
  },
  {
    name: 'float seconds timestamps truncate to milliseconds as Go int64(ts*1000)',
    body: 'a 1 1.5\na 1 -1.5\na 1 1e3\na 1 0.0001\na 1 -0.0001\na 1 0.0019\na 1 1520879607.789\n# EOF\n',
    want: [
      s(1, 'a', ['__name__', 'a'], 1, 1500),
      s(2, 'a', ['__name__', 'a'], 1, -1500),
      s(3, 'a', ['__name__', 'a'], 1, 1000000),
      s(4, 'a', ['__name__', 'a'], 1, 0),
      s(5, 'a', ['__name__', 'a'], 1, 0),
      s(6, 'a', ['__name__', 'a'], 1, 1),
      s(7, 'a', ['__name__', 'a'], 1, 1520879607789),
      { line: 8, eof: true },
    ],
  },
  {
    name: 'special values, hashes and braces inside label values, NUL in HELP',
    body: '# HELP a he\u0000lp\na{x="#"} NaN\na{x="{}"} +Inf\na{x=" # {"} -Inf\na 0001\n# EOF\n',
    want: [
      { line: 1, help: 'he\u0000lp', name: 'a' },
      s(2, 'a{x="#"}', ['__name__', 'a', 'x', '#'], NaN),
      s(3, 'a{x="{}"}', ['__name__', 'a', 'x', '{}'], Infinity),
      s(4, 'a{x=" # {"}', ['__name__', 'a', 'x', ' # {'], -Infinity),
      s(5, 'a', ['__name__', 'a'], 1),
      { line: 6, eof: true },
    ],
  },
  {
    name: 'quoted UTF-8 names in metadata and series',
    body: [
      '# TYPE "go.gc_seconds" summary',
      '# UNIT "go.gc_seconds" seconds',
      '# HELP "go.gc_seconds" GC durations.',
      '{"go.gc_seconds",quantile="0"} 4.9351e-05',
      '{"go.gc_seconds","ünï.code"="1",} 2',
      '{quantile="1","go.gc_seconds"} 3',
      '# EOF',
      '',
    ].join('\n'),
    want: [
      { line: 1, type: 'summary', name: 'go.gc_seconds' },
      { line: 2, unit: 'seconds', name: 'go.gc_seconds' },
      { line: 3, help: 'GC durations.', name: 'go.gc_seconds' },
      s(4, '{"go.gc_seconds",quantile="0"}', ['__name__', 'go.gc_seconds', 'quantile', '0.0'], 4.9351e-5),
      s(5, '{"go.gc_seconds","ünï.code"="1",}', ['__name__', 'go.gc_seconds', 'ünï.code', '1'], 2),
      s(6, '{quantile="1","go.gc_seconds"}', ['__name__', 'go.gc_seconds', 'quantile', '1.0'], 3),
      { line: 7, eof: true },
    ],
  },
  {
    name: 'empty label set and trailing comma (accepted by Prometheus)',
    body: 'a{} 1\na{b="c",} 2\n# EOF\n',
    want: [s(1, 'a{}', ['__name__', 'a'], 1), s(2, 'a{b="c",}', ['__name__', 'a', 'b', 'c'], 2), { line: 3, eof: true }],
  },
];

for (const c of omValid) {
  test(`openmetrics valid: ${c.name}`, () => {
    assert.deepStrictEqual(collect(c.body, 'openmetrics'), c.want);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Malformed input: [body, line, reason fragment]

type Bad = [string, number, string | RegExp];

const textInvalid: Bad[] = [
  ['a', 1, 'expected value after metric, got end of input'],
  ['a\n', 1, 'expected value after metric, got end of line'],
  ['ok 1\na{b=\'c\'} 1\n', 2, 'expected label value, got "\'"'],
  ['ok 1\nok 2\na{b=\n', 3, 'expected label value, got end of line'],
  ['a{\u00ff="x"} 1\n', 1, 'expected label name or "}", got "ÿ"'],
  ['a true\n', 1, 'invalid value "true"'],
  ['a 1_2\n', 1, 'invalid value "1_2"'],
  ['a 0x1p-3\n', 1, 'invalid value "0x1p-3"'],
  ['a 0x1\n', 1, 'invalid value "0x1"'],
  ['a 1e\n', 1, 'invalid value "1e"'],
  ['a 1e400\n', 1, 'invalid value "1e400"'],
  ['a -NaN\n', 1, 'invalid value "-NaN"'],
  ['a bar baz\n', 1, 'invalid value "bar"'],
  ['something_weird{problem="', 1, 'expected closing \'"\', got end of input'],
  ['a{b="x\n\n', 3, 'expected closing \'"\', got end of input'],
  ['empty_label_name{=""} 0\n', 1, 'expected label name or "}", got "="'],
  ['{A}0\n', 1, 'expected "=" after label name, got "}"'],
  ['a{b} 1\n', 1, 'expected "=" after label name, got "}"'],
  ['a{b=c} 1\n', 1, 'expected label value, got "c"'],
  ['a{b="c",,d="e"} 1\n', 1, 'expected label name, got ","'],
  ['a{,} 1\n', 1, 'expected label name, got ","'],
  ['a{b="c"\n} 1\n', 1, 'expected label name, got end of line'],
  ['a{b="c" 1\n', 1, 'expected label name, got "1"'],
  ['a{b="c"}{d="e"} 1\n', 1, 'expected value after metric, got "{"'],
  ['a 1{\n', 1, 'expected timestamp or end of line after value, got "{"'],
  ['a 0 1_2\n', 1, 'expected end of line after timestamp, got "_"'],
  ['a 1 -5\n', 1, 'expected timestamp or end of line after value, got "-"'],
  ['a 1 1.5\n', 1, 'expected end of line after timestamp, got "."'],
  ['a 1 2 3\n', 1, 'expected end of line after timestamp, got "3"'],
  ['a 1 9223372036854775808\n', 1, 'timestamp "9223372036854775808" out of range'],
  ['a 1 # {t="x"} 1\n', 1, 'expected timestamp or end of line after value, got "#"'],
  ['{a="ok"} 1\n', 1, 'metric name missing'],
  ['{} 1\n', 1, 'metric name missing'],
  ['a{"x"} 1\n', 1, 'metric name given twice'],
  ['{"x", "y"} 1\n', 1, 'metric name given twice'],
  ['{""} 1\n', 1, 'empty metric name'],
  ['a{""="x"} 1\n', 1, 'empty label name'],
  ['a{b="x\\\n"} 1\n', 1, 'expected escaped character after "\\"'],
  ['9 1\n', 1, 'expected metric name, "{" or "#", got "9"'],
  ['.a 1\n', 1, 'expected metric name, "{" or "#", got "."'],
  ['\u0000a 1\n', 1, 'got "\\u0000"'],
  ['a 1\r\n', 1, /invalid value "1\\r" \(carriage return/],
  ['ok 1\n\r\n', 2, 'got "\\r" (carriage return'],
  ['a 1 5\r\n', 1, 'expected end of line after timestamp, got "\\r" (carriage return'],
  ['# TYPE a counter\r\n', 1, /invalid metric type "counter\\r".*carriage return/],
  ['# TYPE #\n', 1, 'expected metric name after TYPE, got "#"'],
  ['# HELP #\n', 1, 'expected metric name after HELP, got "#"'],
  ['# HELP \n', 1, 'expected metric name after HELP, got end of line'],
  ['# TYPE a counter \n', 1, 'invalid metric type "counter "'],
  ['# TYPE a  counter\n', 1, 'invalid metric type " counter"'],
  ['# TYPE a Counter\n', 1, 'invalid metric type "Counter"'],
  ['# TYPE a unknown\n', 1, 'invalid metric type "unknown"'],
  ['# TYPE a gaugehistogram\n', 1, 'invalid metric type "gaugehistogram"'],
  ['# TYPE a\n', 1, 'invalid metric type ""'],
  ['# HELP a✓ text\n', 1, 'expected blank after metric name in HELP'],
  ['# HELP "unterminated\n', 2, 'expected closing \'"\', got end of input'],
  ['# ok\n\n  \nfoo x\n', 4, 'invalid value "x"'],
  ['a{b="two\nlines"} 1 z\n', 2, 'expected timestamp or end of line after value, got "z"'],
];

for (const [body, line, reason] of textInvalid) {
  test(`text invalid: ${JSON.stringify(body)}`, () => expectError(body, 'text', line, reason));
}

const omInvalid: Bad[] = [
  ['', 1, 'data does not end with # EOF'],
  ['\n', 1, 'expected metric name, "{" or "# ", got end of line'],
  ['metric', 1, 'data does not end with # EOF'],
  ['metric 1', 1, 'data does not end with # EOF'],
  ['metric 1\n', 2, 'data does not end with # EOF'],
  ['metric_total 1 # {aa="bb"} 4', 1, 'data does not end with # EOF'],
  ['# TYPE a counter\n', 2, 'data does not end with # EOF'],
  ['# HELP a text', 1, 'data does not end with # EOF'],
  ['a\n# EOF\n', 1, 'expected " " and value after metric, got end of line'],
  ['a 1\n\n# EOF\n', 2, 'expected metric name, "{" or "# ", got end of line'],
  [' a 1\n# EOF\n', 1, 'got " "'],
  ['9 1\n# EOF\n', 1, 'got "9"'],
  ['# comment\n# EOF\n', 1, 'expected "HELP ", "TYPE ", "UNIT " or "EOF" after "# "'],
  ['#comment\n# EOF\n', 1, 'expected " " after "#"'],
  ['#\tTYPE c counter\n# EOF\n', 1, 'expected " " after "#"'],
  ['#  TYPE c counter\n# EOF\n', 1, 'expected "HELP ", "TYPE ", "UNIT " or "EOF"'],
  ['# FOO a x\n# EOF\n', 1, 'expected "HELP ", "TYPE ", "UNIT " or "EOF"'],
  ['# HELP\n# EOF\n', 1, 'expected "HELP ", "TYPE ", "UNIT " or "EOF"'],
  ['# TYPE u untyped\n# EOF\n', 1, 'invalid metric type "untyped"'],
  ['# TYPE c counter \n# EOF\n', 1, 'invalid metric type "counter "'],
  ['# TYPE c  counter\n# EOF\n', 1, 'invalid metric type " counter"'],
  ['# TYPE \n# EOF\n', 1, 'expected metric name after TYPE, got end of line'],
  ['# TYPE m\n# EOF\n', 1, 'expected " " and type after metric name, got end of line'],
  ['# TYPE m\tcounter\n# EOF\n', 1, 'expected " " and type after metric name, got "\\t"'],
  ['# HELP m\n# EOF\n', 1, 'expected " " and text after metric name'],
  ['# HELP  m x\n# EOF\n', 1, 'expected metric name after HELP, got " "'],
  ['# UNIT m\n# EOF\n', 1, 'expected " " and unit after metric name'],
  ['# UNIT metric suffix\n# EOF\n', 1, 'unit "suffix" is not a suffix of metric name "metric"'],
  ['# UNIT metricsuffix suffix\n# EOF\n', 1, 'is not a suffix'],
  ['# UNIT m suffix\n# EOF\n', 1, 'is not a suffix'],
  ['# UNIT a_seconds seconds \n# EOF\n', 1, 'unit "seconds " is not a suffix'],
  ['# HELP "a\nb" x\n# EOF\n', 1, 'newlines in quoted strings must be escaped'],
  ['a\t1\n# EOF\n', 1, 'expected " " and value after metric, got "\\t"'],
  ['a  1\n# EOF\n', 1, 'expected value after metric, got " "'],
  ['a {b="c"} 1\n# EOF\n', 1, 'invalid value "{b=\\"c\\"}"'],
  ['a 1\t2\n# EOF\n', 1, 'invalid value "1\\t2"'],
  ['a 1 \n# EOF\n', 1, 'expected timestamp or exemplar after value, got end of line'],
  ['a 1 2 \n# EOF\n', 1, 'expected end of line or " # {" exemplar after timestamp, got " "'],
  ['a 1 2 #\n# EOF\n', 1, 'expected end of line or " # {" exemplar after timestamp'],
  ['a 1 1 1\n# EOF\n', 1, 'expected end of line or " # {" exemplar after timestamp'],
  ['a 1\r\n# EOF\n', 1, /invalid value "1\\r" \(carriage return/],
  ['a a\n# EOF\n', 1, 'invalid value "a"'],
  ['a 1_2\n# EOF\n', 1, 'invalid value "1_2"'],
  ['a 0x1P-3\n# EOF\n', 1, 'invalid value "0x1P-3"'],
  ['a 0b1\n# EOF\n', 1, 'invalid value "0b1"'],
  ['a 0O1\n# EOF\n', 1, 'invalid value "0O1"'],
  ['a 1 z\n# EOF\n', 1, 'invalid timestamp "z"'],
  ['a 1 1z\n# EOF\n', 1, 'invalid timestamp "1z"'],
  ['a 1 1_2\n# EOF\n', 1, 'invalid timestamp "1_2"'],
  ['a 1 1.1.1\n# EOF\n', 1, 'invalid timestamp "1.1.1"'],
  ['a 1 NaN\n# EOF\n', 1, 'invalid timestamp "NaN"'],
  ['a 1 Inf\n# EOF\n', 1, 'invalid timestamp "Inf"'],
  ['a 1 -Inf\n# EOF\n', 1, 'invalid timestamp "-Inf"'],
  ['a 1  Inf\n# EOF\n', 1, 'expected timestamp or exemplar after value, got " "'],
  ['a 1 1e300\n# EOF\n', 1, 'timestamp "1e300" out of range'],
  ['a{b=\'c\'} 1\n# EOF\n', 1, 'expected label value, got "\'"'],
  ['a{,b="c"} 1\n# EOF\n', 1, 'expected label name, got ","'],
  ['a{b="c"d="e"} 1\n# EOF\n', 1, 'expected "," or "}" after label value, got "d"'],
  ['a{b="c" ,d="e"} 1\n# EOF\n', 1, 'expected "," or "}" after label value, got " "'],
  ['a{b="c", d="e"} 1\n# EOF\n', 1, 'expected label name, got " "'],
  ['a{ b="c"} 1\n# EOF\n', 1, 'expected label name or "}", got " "'],
  ['a{b ="c"} 1\n# EOF\n', 1, 'expected "=" after label name, got " "'],
  ['a{b="c",,d="e"} 1\n# EOF\n', 1, 'expected label name, got ","'],
  ['a{b="x\ny"} 1\n# EOF\n', 1, 'newlines in quoted strings must be escaped'],
  ['a{1="1"} 1\n# EOF\n', 1, 'expected label name or "}", got "1"'],
  ['a{a="1"b} 1\n# EOF\n', 1, 'expected "," or "}" after label value, got "b"'],
  ['a{a=" # ",b=}1\n# EOF\n', 1, 'expected label value, got "}"'],
  ['{b="c",} 1\n# EOF\n', 1, 'metric name missing'],
  ['# EOF\na 1', 2, 'unexpected data after # EOF'],
  ['# EOF\n\n', 2, 'unexpected data after # EOF'],
  ['a 1\n# EOF\nblah', 3, 'unexpected data after # EOF'],
  ['# EOFa 1', 1, 'unexpected data after # EOF'],
  ['# EOF ', 1, 'unexpected data after # EOF'],
  ['# EOF\r\n', 1, 'unexpected data after # EOF'],
  [' # EOF\n', 1, 'got " "'],
  // Exemplars.
  ['a_bucket{le="+Inf"} 1 #\n# EOF\n', 1, 'invalid timestamp "#"'],
  ['a_bucket{le="+Inf"} 1# {} 1\n# EOF\n', 1, 'invalid value "1#"'],
  ['a_bucket{le="+Inf"} 1 #{} 1\n# EOF\n', 1, 'invalid timestamp "#{}"'],
  ['a_bucket{le="+Inf"} 1 # {}1\n# EOF\n', 1, 'expected " " and value after exemplar labels, got "1"'],
  ['a_bucket{le="+Inf"} 1 # {} 1 \n# EOF\n', 1, 'expected exemplar timestamp, got end of line'],
  ['a_bucket{le="+Inf"} 1 # {} 1 1 \n# EOF\n', 1, 'expected end of line after exemplar timestamp, got " "'],
  ['a_bucket{le="+Inf"} 1 # {} 0x1p-3\n# EOF\n', 1, 'invalid exemplar value "0x1p-3"'],
  ['a_bucket{le="+Inf"} 1 # {} 1 0x1p-3\n# EOF\n', 1, 'invalid exemplar timestamp "0x1p-3"'],
  ['a_total 1 1 # {id="a"}  \n# EOF\n', 1, 'expected exemplar value, got " "'],
  ['a_total 1 1 # id="a"} 1\n# EOF\n', 1, 'expected end of line or " # {" exemplar after timestamp'],
  ['a_total 1 # {aa=bb}\n# EOF\n', 1, 'expected label value, got "b"'],
  ['a_total 1 # {aa="bb"}\n# EOF\n', 1, 'expected " " and value after exemplar labels, got end of line'],
  ['a_total 1 # {bb}\n# EOF\n', 1, 'expected "=" after exemplar label name, got "}"'],
  ['a_total 1 # {"quoted"} 1\n# EOF\n', 1, 'expected "=" after exemplar label name, got "}"'],
  ['a_total 1 # {bb, a="dd"} 1\n# EOF\n', 1, 'expected "=" after exemplar label name, got ","'],
  ['a_total 1 # {aa="bb",,cc="dd"} 1\n# EOF\n', 1, 'expected label name, got ","'],
  ['a_total 1 # {aa="bb"} true\n# EOF\n', 1, 'invalid exemplar value "true"'],
  ['a_total 1 # {aa="bb",cc=}\n# EOF\n', 1, 'expected label value, got "}"'],
  ['a_total 1 # {a="b"} 0.5 NaN\n# EOF\n', 1, 'invalid exemplar timestamp "NaN"'],
  ['a_total 1 # {a="b"} 0.5 Inf\n# EOF\n', 1, 'invalid exemplar timestamp "Inf"'],
  ['a_total 1 # {a="b"} 0.5 -Inf\n# EOF\n', 1, 'invalid exemplar timestamp "-Inf"'],
  ['a_total 1 # {a="b"} 0.5 1 # {c="d"} 1\n# EOF\n', 1, 'expected end of line after exemplar timestamp'],
];

for (const [body, line, reason] of omInvalid) {
  test(`openmetrics invalid: ${JSON.stringify(body)}`, () => expectError(body, 'openmetrics', line, reason));
}

// Errors raised by the lazy accessors rather than by next().

test('labels() throws on duplicate label names, __name__ included', () => {
  for (const [body, format, line] of [
    ['ok 1\na{b="1",b="2"} 1\n', 'text', 2],
    ['a{__name__="x"} 1\n', 'text', 1],
    ['{"a", "b"="1", b="2"} 1\n', 'text', 1],
    ['a{a="1",a="1"} 1\n# EOF\n', 'openmetrics', 1],
  ] as const) {
    assert.throws(
      () => collect(body, format),
      (e: unknown) => e instanceof ExpositionError && e.line === line && /duplicate label name/.test(e.message),
      body,
    );
  }
});

test('exemplar() throws on a duplicate name or a label set over 128 code points, after next() succeeded', () => {
  const cases: Array<[string, RegExp]> = [
    [`a_total 1 # {a="${'2'.repeat(128)}"} 1 1\n# EOF\n`, /exemplar label set is 129 characters long/],
    [`a_total 1 # {a="\u2603${'3'.repeat(127)}"} 1\n# EOF\n`, /exemplar label set is 129 characters long/],
    ['a_total 1 # {a="1",a="2"} 1\n# EOF\n', /duplicate exemplar label name "a"/],
  ];
  for (const [body, reason] of cases) {
    const p = new ExpositionParser(body, 'openmetrics');
    assert.equal(p.next(), EntryKind.Series);
    const out = ['keep'];
    assert.throws(() => p.exemplar(out), (e: unknown) => e instanceof ExpositionError && e.line === 1 && reason.test(e.message));
    assert.deepStrictEqual(out, ['keep'], 'out is left as it was');
    assert.equal(p.value, 1, 'the sample itself is still usable');
    assert.equal(p.next(), EntryKind.EOF);
    assert.equal(p.next(), 0);
  }
});

test('after an error next() throws the same error again', () => {
  const p = new ExpositionParser('a 1\nb x\nc 3\n', 'text');
  assert.equal(p.next(), EntryKind.Series);
  const first = (() => {
    try {
      p.next();
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(first instanceof ExpositionError);
  assert.throws(() => p.next(), (e: unknown) => e === first);
});

test('ExpositionError carries line, reason and a "line N: reason" message', () => {
  const e = new ExpositionError(12, 'expected label value, got "}"');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'ExpositionError');
  assert.equal(e.line, 12);
  assert.equal(e.message, 'line 12: expected label value, got "}"');
});

test('accessors on the wrong entry kind are programming errors, not ExpositionErrors', () => {
  const p = new ExpositionParser('# TYPE a gauge\na 1\n', 'text');
  assert.equal(p.next(), EntryKind.Type);
  assert.throws(() => p.seriesText(), (e: unknown) => e instanceof Error && !(e instanceof ExpositionError));
  assert.equal(p.exemplar([]), false);
  assert.equal(p.next(), EntryKind.Series);
  assert.throws(() => p.metadataName(), (e: unknown) => e instanceof Error && !(e instanceof ExpositionError));
  assert.equal(p.exemplar([]), false, 'the text format has no exemplars');
});

test('seriesText is identical for identical series and is usable as a cache key', () => {
  const body = 'x{a="1"} 1\nx{a="2"} 2\nx{a="1"} 3 100\n';
  const p = new ExpositionParser(body, 'text');
  const keys: string[] = [];
  while (p.next() !== 0) keys.push(p.seriesText());
  assert.deepStrictEqual(keys, ['x{a="1"}', 'x{a="2"}', 'x{a="1"}']);
  assert.equal(new Set(keys).size, 2);
});

test('many labels (growing internal buffers)', () => {
  const pairs: string[] = [];
  let block = '';
  for (let i = 0; i < 100; i++) {
    block += `${i ? ',' : ''}l${i}="v${i}"`;
    pairs.push(`l${i}`, `v${i}`);
  }
  for (const format of ['text', 'openmetrics'] as const) {
    const body = `m{${block}} 1\n${format === 'openmetrics' ? `m 2 # {${block.split(',').slice(0, 6).join(',')}} 1\n# EOF\n` : ''}`;
    const entries = collect(body, format);
    assert.deepStrictEqual((entries[0] as { labels: string[] }).labels, ['__name__', 'm', ...pairs]);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Randomized tests (deterministic seed)

function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

test('round trip: random label values with escapes survive serialization in both formats', () => {
  const rand = prng(7);
  const alphabet = ['a', 'Z', '0', ' ', '\\', '"', '\n', '{', '}', ',', '=', '#', 'é', '😀', '\t', 'n', '\u0000'];
  for (let iter = 0; iter < 500; iter++) {
    const names: string[] = [];
    const values: string[] = [];
    const n = rand(5);
    for (let i = 0; i < n; i++) {
      names.push(rand(4) === 0 ? `"q.${i}\\"x"` : `l${i}`);
      let v = '';
      const len = rand(12);
      for (let k = 0; k < len; k++) v += alphabet[rand(alphabet.length)];
      values.push(v);
    }
    const block = names.map((name, i) => `${name}="${escapeLabelValue(values[i])}"`).join(',');
    const expected = ['__name__', 'metric'];
    names.forEach((name, i) => expected.push(name.startsWith('"') ? `q.${i}"x` : name, values[i]));
    for (const format of ['text', 'openmetrics'] as const) {
      const body = `metric{${block}} 1\n${format === 'openmetrics' ? '# EOF\n' : ''}`;
      const entries = collect(body, format);
      assert.deepStrictEqual((entries[0] as { labels: string[] }).labels, expected, body);
    }
  }
});

const fuzzSeeds: Array<[ExpositionFormat, string]> = [
  [
    'text',
    [
      '# HELP http_requests_total Total requests.\\n Second line \\\\ done.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="GET",code="200"} 1027 1395066363000',
      'http_requests_total{method="POST",code="400",path="/a\\"b\\\\c\\n"} 3',
      '{"my.metric", "my.label"="x"} +Inf',
      '# TYPE h histogram',
      'h_bucket{le="0.05"} 24054',
      'h_bucket { le = "+Inf" , } 1e3',
      '   ',
      '# just a comment',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} NaN 3982045',
    ].join('\n'),
  ],
  [
    'openmetrics',
    [
      '# TYPE acme_http_router_request_seconds summary',
      '# UNIT acme_http_router_request_seconds seconds',
      '# HELP acme_http_router_request_seconds Latency \\"quoted\\" \\\\ \\n.',
      'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
      'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
      'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
      '# TYPE foo histogram',
      'foo_bucket{le="0.1"} 8 # {trace_id="KOO5S4vxi0o"} 0.067 1520879607.789',
      'foo_bucket{le="+Inf"} 17 1520879607.5 # {} 2',
      '{"my.metric","ünï"="x"} -Inf 0',
      '# EOF',
      '',
    ].join('\n'),
  ],
];

function drain(p: ExpositionParser): number {
  let entries = 0;
  const scratch: string[] = [];
  for (let k = p.next(); k !== 0; k = p.next()) {
    entries++;
    if (k === EntryKind.Series) {
      scratch.length = 0;
      p.seriesText();
      p.labels(scratch);
      void p.value;
      void p.timestamp;
      scratch.length = 0;
      if (p.exemplar(scratch)) {
        void p.exemplarValue;
        void p.exemplarTimestamp;
      }
    } else if (k === EntryKind.Comment) {
      p.metadataText();
    } else if (k !== EntryKind.EOF) {
      p.metadataName();
      p.metadataText();
    }
  }
  return entries;
}

test('fuzz: mutated bodies either parse or throw ExpositionError, and always terminate', () => {
  const rand = prng(20240601);
  const inserts = ['\n', ' ', '\t', '\r', '"', '\\', '{', '}', ',', '=', '#', '# ', '# EOF\n', 'x', '1', '.', 'e', '-', '+', 'Inf', 'NaN', '_', ':', '\u0000', 'é', '😀', '\uD800', '# {', '} ', '"a"'];
  let parsed = 0;
  let rejected = 0;
  const deadline = Date.now() + 20000;
  for (let iter = 0; iter < 6000 && Date.now() < deadline; iter++) {
    const [seedFormat, seed] = fuzzSeeds[rand(fuzzSeeds.length)];
    let body = seed;
    const mutations = 1 + rand(4);
    for (let m = 0; m < mutations; m++) {
      const at = rand(body.length + 1);
      switch (rand(6)) {
        case 0:
          body = body.slice(0, at) + inserts[rand(inserts.length)] + body.slice(at);
          break;
        case 1:
          body = body.slice(0, at) + body.slice(at + 1 + rand(8));
          break;
        case 2: {
          const from = rand(body.length + 1);
          body = body.slice(0, at) + body.slice(from, from + rand(40)) + body.slice(at);
          break;
        }
        case 3:
          body = body.slice(0, at);
          break;
        case 4:
          body = body.slice(0, at) + String.fromCharCode(rand(128)) + body.slice(at + 1);
          break;
        default:
          body = body.replace('\n', rand(2) ? '\r\n' : '\n\n');
      }
    }
    // Mostly the seed's own format, sometimes the other one.
    const format: ExpositionFormat = rand(4) === 0 ? (seedFormat === 'text' ? 'openmetrics' : 'text') : seedFormat;
    const p = new ExpositionParser(body, format);
    try {
      const entries = drain(p);
      assert.ok(entries <= body.length + 1, 'every entry consumes input');
      parsed++;
    } catch (e) {
      if (!(e instanceof ExpositionError)) {
        assert.fail(`${format} ${JSON.stringify(body)} threw a non-ExpositionError: ${String(e)}`);
      }
      assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= body.split('\n').length + 1, `line ${e.line} in range`);
      rejected++;
    }
  }
  assert.ok(parsed > 100 && rejected > 100, `both outcomes exercised (parsed ${parsed}, rejected ${rejected})`);
});

test('the unmutated fuzz seeds parse', () => {
  for (const [format, body] of fuzzSeeds) assert.ok(drain(new ExpositionParser(body, format)) > 5);
});

// ---------------------------------------------------------------------------------------------------------
// Predicted series texts (the scrape loop announces the series it expects next)

test('a predicted series text is recognized without changing what is parsed', () => {
  const cases: Array<{ name: string; format: ExpositionFormat; body: string; predict: string | null; hit: boolean }> = [
    { name: 'labels, text', format: 'text', body: 'a{x="1",y="2"} 3\n', predict: 'a{x="1",y="2"}', hit: true },
    { name: 'labels, openmetrics', format: 'openmetrics', body: 'a{x="1"} 3 # {t="1"} 2\n# EOF\n', predict: 'a{x="1"}', hit: true },
    { name: 'quoted name', format: 'text', body: '{"a.b",x="1"} 3\n', predict: '{"a.b",x="1"}', hit: true },
    { name: 'other value', format: 'text', body: 'a{x="1"} 3\n', predict: 'a{x="2"}', hit: false },
    { name: 'longer text', format: 'text', body: 'a{x="1"} 3\n', predict: 'a{x="1"} 3\nb', hit: false },
    { name: 'name only', format: 'text', body: 'a 3\n', predict: 'a', hit: true },
    { name: 'name only before a tab', format: 'text', body: 'a\t3\n', predict: 'a', hit: true },
    { name: 'name is a prefix of a longer name', format: 'text', body: 'a_total 3\n', predict: 'a', hit: false },
    { name: 'name is a prefix of a name with a colon', format: 'text', body: 'a:b 3\n', predict: 'a', hit: false },
    { name: 'name then blanks then labels', format: 'text', body: 'a  {x="1"} 3\n', predict: 'a', hit: false },
    { name: 'name then labels, openmetrics', format: 'openmetrics', body: 'a{x="1"} 3\n# EOF\n', predict: 'a', hit: false },
    { name: 'raw newline in a value', format: 'text', body: 'a{x="1\n2"} 3\nb 4\n', predict: 'a{x="1\n2"}', hit: false },
    { name: 'no prediction', format: 'text', body: 'a{x="1"} 3\n', predict: null, hit: false },
  ];
  for (const c of cases) {
    const hits: boolean[] = [];
    const predicted = collect(c.body, c.format, (n) => (n === 0 ? c.predict : null), hits);
    assert.deepStrictEqual(predicted, collect(c.body, c.format), c.name);
    assert.equal(hits[0], c.hit, c.name);
  }
});

test('a failed prediction on one line does not disturb the next lines, their line numbers or errors', () => {
  const body = 'a{x="1"} 1\n# TYPE h histogram\nh_bucket{le="1"} 2\nb{y="2"} 3\nc{z="3" 4\n';
  const texts = ['a{x="1"}', 'h_bucket{le="1"}', 'b{y="9"}'];
  const hits: boolean[] = [];
  let err: unknown;
  try {
    collect(body, 'text', (n) => texts[n] ?? null, hits);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ExpositionError);
  assert.equal(err.line, 5);
  assert.deepEqual(hits, [true, true, false]);
  // Labels asked for after a hit are lexed then, with the TYPE context of their line.
  const entries = collect(body.slice(0, body.indexOf('c{')), 'text', (n) => texts[n] ?? null);
  assert.deepStrictEqual((entries[2] as { labels: string[] }).labels, ['__name__', 'h_bucket', 'le', '1.0']);
});

test('randomized: predictions (right, wrong or of another series) never change entries or errors', () => {
  const rand = prng(11);
  const textsOf = (format: ExpositionFormat): string[] => {
    const texts: string[] = [];
    for (const [f, seed] of fuzzSeeds) {
      if (f !== format) continue;
      for (const e of collect(seed, f)) if ('series' in e) texts.push(e.series);
    }
    return texts;
  };
  const known = { text: textsOf('text'), openmetrics: textsOf('openmetrics') };
  let hitCount = 0;
  for (let iter = 0; iter < 1500; iter++) {
    const [format, seed] = fuzzSeeds[rand(fuzzSeeds.length)];
    let body = seed;
    for (let m = rand(3); m > 0; m--) {
      const at = rand(body.length + 1);
      body = rand(2) === 0 ? body.slice(0, at) + body.slice(at + 1 + rand(3)) : body.slice(0, at) + ' {}"\\\n,a'[rand(9)] + body.slice(at);
    }
    const outcome = (predict?: (n: number) => string | null, hits?: boolean[]) => {
      try {
        return collect(body, format, predict, hits);
      } catch (e) {
        if (!(e instanceof ExpositionError)) throw e;
        return e.message;
      }
    };
    const expected = outcome();
    // Mostly the series the unpredicted parse found at that position, sometimes any known series.
    const found = Array.isArray(expected) ? expected.filter((e) => 'series' in e).map((e) => (e as { series: string }).series) : [];
    const pool = known[format];
    const hits: boolean[] = [];
    const actual = outcome((n) => {
      const choice = rand(4) === 0 ? pool[rand(pool.length)] : (found[n] ?? pool[rand(pool.length)]);
      return choice;
    }, hits);
    assert.deepStrictEqual(actual, expected, `${format} ${JSON.stringify(body)}`);
    hitCount += hits.filter(Boolean).length;
  }
  assert.ok(hitCount > 1000, `predictions were exercised (${hitCount} hits)`);
});

/** The TYPE/HELP/UNIT lines of a body as the parser gives them (up to the first error). */
function knownLines(body: string, format: ExpositionFormat): KnownMetadataLine[] {
  const p = new ExpositionParser(body, format);
  const out: KnownMetadataLine[] = [];
  try {
    for (let k = p.next(); k !== 0; k = p.next()) {
      if (k === EntryKind.Type || k === EntryKind.Help || k === EntryKind.Unit) out.push({ line: p.metadataLine(), kind: k, family: p.metadataName(), text: p.metadataText() });
    }
  } catch (e) {
    if (!(e instanceof ExpositionError)) throw e;
  }
  return out;
}

test('a known metadata line is recognized without lexing, with its TYPE applied to the next series', () => {
  const cases: Array<{ name: string; format: ExpositionFormat; body: string; hit: boolean }> = [
    { name: 'text TYPE', format: 'text', body: '# TYPE h histogram\nh_bucket{le="1"} 2\n', hit: true },
    { name: 'text HELP at the end without newline', format: 'text', body: '# HELP a Some \\\\ help.', hit: true },
    { name: 'openmetrics UNIT', format: 'openmetrics', body: '# TYPE a_seconds gauge\n# UNIT a_seconds seconds\na_seconds 1\n# EOF\n', hit: true },
    { name: 'openmetrics summary', format: 'openmetrics', body: '# TYPE s summary\ns{quantile="0.5"} 1\n# EOF\n', hit: true },
  ];
  for (const c of cases) {
    const known = knownLines(c.body, c.format);
    assert.ok(known.length > 0, c.name);
    const expected = collect(c.body, c.format);
    assert.deepStrictEqual(collect(c.body, c.format, undefined, undefined, (n) => known[n] ?? null), expected, c.name);
    // Another line, or a longer one, is not taken for the known one.
    const other = known.map((k) => ({ ...k, line: `${k.line}x`, text: `${k.text}x` }));
    assert.deepStrictEqual(collect(c.body, c.format, undefined, undefined, (n) => other[n] ?? null), expected, c.name);
    const shorter = known.map((k) => ({ ...k, line: k.line.slice(0, -1), text: 'wrong' }));
    assert.deepStrictEqual(collect(c.body, c.format, undefined, undefined, (n) => shorter[n] ?? null), expected, c.name);
  }
  // A known TYPE histogram line normalizes le as a lexed one does.
  const body = '# TYPE h histogram\nh_bucket{le="1"} 2\n';
  const entries = collect(body, 'text', undefined, undefined, (n) => knownLines(body, 'text')[n] ?? null);
  assert.deepStrictEqual((entries[1] as { labels: string[] }).labels, ['__name__', 'h_bucket', 'le', '1.0']);
  // In OpenMetrics a known line still needs its newline (the body must end with # EOF).
  const om = '# TYPE a gauge\na 1\n# EOF\n';
  assert.throws(() => collect('# TYPE a gauge', 'openmetrics', undefined, undefined, () => knownLines(om, 'openmetrics')[0]), /does not end with # EOF|expected/);
});

test('randomized: known metadata lines (right, wrong or of another family) never change entries or errors', () => {
  const rand = prng(23);
  const pool = { text: fuzzSeeds.filter(([f]) => f === 'text').flatMap(([f, b]) => knownLines(b, f)), openmetrics: fuzzSeeds.filter(([f]) => f === 'openmetrics').flatMap(([f, b]) => knownLines(b, f)) };
  let runs = 0;
  for (let iter = 0; iter < 1500; iter++) {
    const [format, seed] = fuzzSeeds[rand(fuzzSeeds.length)];
    let body = seed;
    for (let m = rand(3); m > 0; m--) {
      const at = rand(body.length + 1);
      body = rand(2) === 0 ? body.slice(0, at) + body.slice(at + 1 + rand(3)) : body.slice(0, at) + ' #\\"\n\ta'[rand(7)] + body.slice(at);
    }
    const outcome = (predictMetadata?: (n: number) => KnownMetadataLine | null) => {
      try {
        return collect(body, format, undefined, undefined, predictMetadata);
      } catch (e) {
        if (!(e instanceof ExpositionError)) throw e;
        return e.message;
      }
    };
    const expected = outcome();
    const found = knownLines(body, format);
    const choices = pool[format];
    assert.deepStrictEqual(outcome((n) => (rand(4) === 0 ? choices[rand(choices.length)] : (found[n] ?? null))), expected, `${format} ${JSON.stringify(body)}`);
    runs++;
  }
  assert.equal(runs, 1500);
});
