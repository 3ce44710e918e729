/// <reference types="node" />
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMatcher, fromApiMatcher, parseMatcher, parseMatcherList, toApiMatcher } from './matchers.ts';

test('matchers round-trip between text, the editor and the API', () => {
  assert.deepEqual(parseMatcher('alertname="High \\"p95\\" latency"'), { name: 'alertname', operator: '=', value: 'High "p95" latency' });
  assert.deepEqual(parseMatcher(' job =~ api|web '), { name: 'job', operator: '=~', value: 'api|web' });
  assert.equal(parseMatcher('9x="a"'), null);
  assert.equal(parseMatcher('a="unterminated'), null);
  const matcher = { name: 'path', operator: '!~' as const, value: 'a\\b"c' };
  assert.deepEqual(parseMatcher(formatMatcher(matcher)), matcher);
  assert.equal(formatMatcher(matcher), 'path!~"a\\\\b\\"c"');
  assert.deepEqual(toApiMatcher(matcher), { name: 'path', value: 'a\\b"c', isRegex: true, isEqual: false });
  assert.deepEqual(fromApiMatcher({ name: 'a', value: 'b', isRegex: false }), { name: 'a', operator: '=', value: 'b' });
  assert.deepEqual(parseMatcherList('{alertname="A, B", severity!="info"}'), [
    { name: 'alertname', operator: '=', value: 'A, B' },
    { name: 'severity', operator: '!=', value: 'info' },
  ]);
  assert.equal(parseMatcherList('{alertname}'), null);
  assert.deepEqual(parseMatcherList(''), []);
});
