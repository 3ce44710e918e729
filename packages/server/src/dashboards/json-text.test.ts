import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, locateJsonError, parseJsonText } from './json-text.ts';

test('valid JSON parses as JSON.parse does', () => {
  assert.deepEqual(parseJsonText('{"a": [1, 2.5e3, "x\\u00e9", true, null]}'), { a: [1, 2500, 'xé', true, null] });
  assert.deepEqual(parseJsonText('\ufeff{"bom": 1}'), { bom: 1 });
});

test('a syntax error names its line and column', () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "title": "x",\n  "panels": [\n    {"type": "graph",}\n  ]\n}', 4, 22, /property name/],
    ['{"a": 1', 1, 8, /end of input/],
    ['{"a": tru}', 1, 10, /expected "true"/],
    ['{"a": "line\nbreak"}', 1, 12, /control character/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ['[1, 2,, 3]', 1, 7, /expected a value/],
    ['{"a" 1}', 1, 6, /expected ':'/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
  ];
  for (const [text, line, column, reason] of cases) {
    assert.throws(
      () => parseJsonText(text),
      (error: unknown) => error instanceof JsonSyntaxError && error.line === line && error.column === column && reason.test(error.reason),
      `${JSON.stringify(text)}`,
    );
  }
});

test('the locator agrees with JSON.parse on what is valid', () => {
  for (const text of ['{}', '[]', '"x"', '-0.5E-3', ' {"a":{"b":[{}]}} ', '{"\\"":"\\/"}']) {
    JSON.parse(text);
    assert.equal(locateJsonError(text), null, text);
  }
  assert.notEqual(locateJsonError('"\\x"'), null);
  assert.notEqual(locateJsonError(''), null);
});
