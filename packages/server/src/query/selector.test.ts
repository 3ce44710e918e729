import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SelectorError, parseSelector } from './selector.ts';

const cases: [string, string[]][] = [
  ['up', ['__name__="up"']],
  ['  http_requests_total{ job = "api" , code=~"5.." } ', ['__name__="http_requests_total"', 'job="api"', 'code=~"5.."']],
  ['{job!="x", instance=~".+"}', ['job!="x"', 'instance=~".+"']],
  ['{"my.metric", "my.label"="v"}', ['__name__="my.metric"', 'my.label="v"']],
  ["ns:rule:rate5m{a='b',}", ['__name__="ns:rule:rate5m"', 'a="b"']],
  ['x{a="\\u00e9\\n\\"q\\""}', ['__name__="x"', 'a="é\\n\\"q\\""']],
  ['x{a=`raw\\n`}', ['__name__="x"', 'a="raw\\\\n"']],
];

test('parses selectors', () => {
  for (const [input, expected] of cases) {
    assert.deepEqual(parseSelector(input).map(String), expected, input);
  }
});

const failures: [string, RegExp][] = [
  ['', /unexpected end of input/],
  ['{}', /at least one non-empty matcher/],
  ['{a=""}', /at least one non-empty matcher/],
  ['{a=~".*"}', /at least one non-empty matcher/],
  ['up{a="b"', /expected "," or "}"|end of input/],
  ['up{a=b}', /expected string/],
  ['up{a~"b"}', /label matching operator/],
  ['up{a="b} ', /unterminated/],
  ['up{a=~"(b"}', /invalid regular expression/],
  ['up{a=~"(a)\\\\1"}', /invalid regular expression/],
  ['up x', /after selector/],
  ['up{a="\\q"}', /unknown escape/],
];

test('rejects bad selectors with a position', () => {
  for (const [input, pattern] of failures) {
    assert.throws(() => parseSelector(input), (error: unknown) => error instanceof SelectorError && pattern.test(error.message), input);
  }
});
