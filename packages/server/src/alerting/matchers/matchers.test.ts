import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matcher, formatMatchers, matchersFromMatchMap, matchersFromMatchRegexMap, matchesAll, parseLabelArguments, parseMatcher, parseMatchers, sortMatchers } from './index.ts';

describe('parseMatcher', () => {
  const cases: [string, string, string, string][] = [
    ['severity="critical"', '=', 'severity', 'critical'],
    ['severity=critical', '=', 'severity', 'critical'],
    ['  foo  !=  "bar"  ', '!=', 'foo', 'bar'],
    ['foo=~"a|b"', '=~', 'foo', 'a|b'],
    ['foo!~a.*', '!~', 'foo', 'a.*'],
    ['foo=', '=', 'foo', ''],
    ['foo=""', '=', 'foo', ''],
    ['foo="a\\"b"', '=', 'foo', 'a"b'],
    ['foo="a\\\\b"', '=', 'foo', 'a\\b'],
    ['foo="line\\nbreak"', '=', 'foo', 'line\nbreak'],
    ['foo="keep\\d"', '=', 'foo', 'keep\\d'],
    ['foo=trailing\\', '=', 'foo', 'trailing\\'],
    ['foo=a,b', '=', 'foo', 'a,b'],
    ['foo=~"^(?:a|b)$"', '=~', 'foo', '^(?:a|b)$'],
    [':colon_name=x', '=', ':colon_name', 'x'],
    ['"quoted name"="v"', '=', 'quoted name', 'v'],
    ['foo==bar', '=', 'foo', '=bar'],
    ['foo=~=bar', '=~', 'foo', '=bar'],
  ];
  for (const [text, type, name, value] of cases) {
    it(`parses ${text}`, () => {
      const matcher = parseMatcher(text);
      assert.deepEqual([matcher.type, matcher.name, matcher.value], [type, name, value]);
    });
  }

  const errors: [string, RegExp][] = [
    ['foo', /^bad matcher format: foo$/],
    ['1foo=bar', /^bad matcher format: 1foo=bar$/],
    ['=bar', /^bad matcher format: =bar$/],
    ['foo="bar', /^matcher value contains unescaped double quote: "bar$/],
    ['foo=b"ar', /^matcher value contains unescaped double quote: b"ar$/],
    ['foo=~"(a"', /^error parsing regexp: missing closing \): `\^\(\?:\(a\)\$`$/],
  ];
  for (const [text, message] of errors) {
    it(`refuses ${text}`, () => assert.throws(() => parseMatcher(text), { message }));
  }
});

describe('parseMatchers', () => {
  const cases: [string, string][] = [
    ['{a="b",c!="d"}', '{a="b",c!="d"}'],
    ['a=b, c=~"x,y"', '{a="b",c=~"x,y"}'],
    ['{}', '{}'],
    ['', '{}'],
    ['{foo="a\\",b"}', '{foo="a\\",b"}'],
    ['{ a = "1" , b="2" }', '{a="1",b="2"}'],
  ];
  for (const [text, printed] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(formatMatchers(parseMatchers(text)), printed));
  }
  it('refuses a bad element', () => assert.throws(() => parseMatchers('{a="b",c}'), /bad matcher format: c/));
});

describe('Matcher', () => {
  const cases: [Matcher, Record<string, string>, boolean][] = [
    [new Matcher('=', 'a', 'b'), { a: 'b' }, true],
    [new Matcher('=', 'a', 'b'), { a: 'c' }, false],
    [new Matcher('=', 'a', ''), {}, true],
    [new Matcher('!=', 'a', 'b'), {}, true],
    [new Matcher('!=', 'a', ''), {}, false],
    [new Matcher('=~', 'a', 'b|c'), { a: 'c' }, true],
    [new Matcher('=~', 'a', 'b'), { a: 'bb' }, false],
    [new Matcher('=~', 'a', '.*'), {}, true],
    [new Matcher('=~', 'a', '.+'), {}, false],
    [new Matcher('!~', 'a', 'b.*'), { a: 'bcd' }, false],
    [new Matcher('!~', 'a', 'b.*'), { a: 'cbd' }, true],
    // Alertmanager anchors with ^(?:…)$ and no s flag: `.` does not match a newline.
    [new Matcher('=~', 'a', '.*'), { a: 'x\ny' }, false],
  ];
  cases.forEach(([matcher, labels, expected], i) => {
    it(`${matcher.toString()} on ${JSON.stringify(labels)} (${i})`, () => assert.equal(matcher.matchesLabels(labels), expected));
  });

  it('prints as Alertmanager does', () => {
    assert.equal(new Matcher('=', 'a', 'x"y\\z\nw').toString(), 'a="x\\"y\\\\z\\nw"');
    assert.equal(new Matcher('!~', 'with space', 'v').toString(), '"with space"!~"v"');
    assert.equal(new Matcher('=~', 'a', 'b|c').toString(), 'a=~"b|c"');
  });

  it('matchesAll needs every matcher', () => {
    const matchers = parseMatchers('{a="1",b=~"2|3"}');
    assert.equal(matchesAll(matchers, { a: '1', b: '3' }), true);
    assert.equal(matchesAll(matchers, { a: '1', b: '4' }), false);
    assert.equal(matchesAll([], {}), true);
  });
});

describe('legacy match maps and sorting', () => {
  it('converts match and match_re as Alertmanager does', () => {
    const matchers = sortMatchers([...matchersFromMatchMap({ severity: 'critical', env: 'prod' }), ...matchersFromMatchRegexMap({ team: 'a|b' })]);
    assert.equal(formatMatchers(matchers), '{env="prod",severity="critical",team=~"^(?:a|b)$"}');
    assert.equal(matchesAll(matchers, { env: 'prod', severity: 'critical', team: 'b' }), true);
    assert.equal(matchesAll(matchers, { env: 'prod', severity: 'critical', team: 'ab' }), false);
  });

  it('sorts by name, then value, then type', () => {
    const sorted = sortMatchers([new Matcher('!=', 'a', 'x'), new Matcher('=', 'a', 'x'), new Matcher('=', 'a', 'w'), new Matcher('=', '0', 'z')]);
    assert.equal(formatMatchers(sorted), '{0="z",a="w",a="x",a!="x"}');
  });
});

describe('parseLabelArguments', () => {
  it('reads label=value arguments', () => {
    assert.deepEqual(parseLabelArguments(['severity=critical', 'team="a b"', 'empty=']), { severity: 'critical', team: 'a b', empty: '' });
  });
  it('refuses other operators', () => {
    assert.throws(() => parseLabelArguments(['a!=b']), /labels must be specified as key=value pairs/);
    assert.throws(() => parseLabelArguments(['nonsense']), /bad matcher format/);
  });
});
